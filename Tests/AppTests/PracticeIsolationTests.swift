@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

struct PracticeIsolationTests {
    /// Every route that takes a practice, as registered: a route added later is checked without editing this test.
    static func practiceRoutes(_ app: Application) -> [(HTTPMethod, [String])] {
        app.routes.all
            .filter { $0.path.contains { $0.description == ":practiceID" } }
            .map { ($0.method, $0.path.map(\.description)) }
    }

    static func path(_ components: [String], practice: UUID) -> String {
        "/" + components.map { $0 == ":practiceID" ? practice.uuidString : ($0.hasPrefix(":") ? UUID().uuidString : $0) }.joined(separator: "/")
    }

    @Test func aSecretaryGets404ForAnotherPracticeThroughEveryAPIRoute() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.secretaryA)
            let routes = Self.practiceRoutes(app).filter { $0.1.first == "api" }
            #expect(routes.count >= 2)
            for (method, components) in routes {
                let other = try await app.api(method, Self.path(components, practice: world.practiceB), token: token, json: method == .GET ? nil : "{}")
                #expect(other.status == .notFound, "\(method) \(components.joined(separator: "/"))")
                // On her own practice the same route is reachable (a route naming another record may still not find a random id;
                // a route her role may not use says so with 403, never as if the practice did not exist).
                if components.filter({ $0.hasPrefix(":") }).count == 1 {
                    let own = try await app.api(method, Self.path(components, practice: world.practiceA), token: token, json: method == .GET ? nil : "{}")
                    #expect(own.status != .notFound, "\(method) \(components.joined(separator: "/")) on the secretary's own practice")
                }
            }
        }
    }

    /// Pages a secretary's role does not open (importing a practice's patients, its settings, its monthly reports…).
    static let supervisorsOnly: Set<String> = ["cabinets/:practiceID/patients/import", "cabinets/:practiceID/patients/import/:importID",
                                               "cabinets/:practiceID/fiche/modifier", "cabinets/:practiceID/protocole/modifier",
                                               "cabinets/:practiceID/parametres", "cabinets/:practiceID/mise-en-service",
                                               "cabinets/:practiceID/reprise-agenda",
                                               "cabinets/:practiceID/rapports/:month", "cabinets/:practiceID/rapports/:month/csv",
                                               "cabinets/:practiceID/connexions", "cabinets/:practiceID/connexions/webhooks/:subscriptionID",
                                               "cabinets/:practiceID/messages-patients"]

    @Test func aSecretaryGets404ForAnotherPracticeThroughEveryBrowserRoute() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            try await browser.signIn(world.secretaryA)
            let routes = Self.practiceRoutes(app).filter { $0.1.first != "api" && $0.0 == .GET }
            #expect(!routes.isEmpty)
            for (_, components) in routes {
                let other = try await browser.get(Self.path(components, practice: world.practiceB))
                #expect(other.status == .notFound)
                #expect(other.body.string.contains("introuvable"))
                #expect(!other.body.string.contains("Cabinet B"))
                // On her own practice the page opens (a route naming another record does not find a random id, but says so).
                let own = try await browser.get(Self.path(components, practice: world.practiceA))
                if Self.supervisorsOnly.contains(components.joined(separator: "/")) {
                    #expect(own.status == .forbidden, "\(components.joined(separator: "/"))")
                } else if components.filter({ $0.hasPrefix(":") }).count == 1 {
                    #expect(own.status == .ok, "\(components.joined(separator: "/"))")
                } else {
                    #expect(own.status == .notFound, "\(components.joined(separator: "/"))")
                    #expect(own.body.string.contains("introuvable"))
                }
            }
        }
    }

    @Test func aPractitionerSeesOnlyTheirOwnPractice() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.practitionerUserB)
            let list = try await app.api(.GET, "/api/v1/practices", token: token)
            #expect(list.body.string.contains(world.practiceB.uuidString))
            #expect(!list.body.string.contains(world.practiceA.uuidString))
            #expect(try await app.api(.GET, "/api/v1/practices/\(world.practiceA)/practitioners", token: token).status == .notFound)
        }
    }

    @Test func aSupervisorSeesEveryPracticeAndUnknownIdsAre404() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.supervisor)
            let list = try await app.api(.GET, "/api/v1/practices", token: token)
            #expect(list.body.string.contains(world.practiceA.uuidString))
            #expect(list.body.string.contains(world.practiceB.uuidString))
            #expect(try await app.api(.GET, "/api/v1/practices/\(world.practiceB)", token: token).status == .ok)
            #expect(try await app.api(.GET, "/api/v1/practices/\(UUID())", token: token).status == .notFound)
            #expect(try await app.api(.GET, "/api/v1/practices/pas-un-uuid", token: token).status == .notFound)
        }
    }
}
