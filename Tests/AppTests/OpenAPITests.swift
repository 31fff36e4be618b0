@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

struct OpenAPITests {
    /// "GET /api/v1/practices/{practiceId}" for every operation the document describes.
    static func documentedOperations(_ document: [String: Any]) -> Set<String> {
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        let methods: Set<String> = ["get", "post", "put", "patch", "delete"]
        return Set(paths.flatMap { path, operations in
            operations.keys.filter(methods.contains).map { "\($0.uppercased()) \(Self.normalise(path))" }
        })
    }

    /// Parameters become `{}` whatever their name, so `:practiceID` and `{practiceId}` compare equal.
    static func normalise(_ path: String) -> String {
        path.split(separator: "/").map { $0.hasPrefix("{") || $0.hasPrefix(":") ? "{}" : String($0) }.joined(separator: "/")
            .replacingOccurrences(of: "^", with: "/", options: .regularExpression)
    }

    @Test func everyAPIRouteIsDocumentedAndEveryDocumentedRouteExists() async throws {
        try await withTestApp { app in
            let response = try await app.testing().sendRequest(.GET, "/api/v1/openapi.json")
            #expect(response.status == .ok)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body.string.utf8)) as? [String: Any])
            #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
            let routes = Set(app.routes.all
                .map { ($0.method.rawValue, "/" + $0.path.map(\.description).joined(separator: "/")) }
                .filter { $0.1.hasPrefix("/api/v1/") }
                .map { "\($0.0) \(Self.normalise($0.1))" })
            let documented = Self.documentedOperations(document)
            #expect(routes.subtracting(documented).isEmpty, "routes missing from the document: \(routes.subtracting(documented).sorted())")
            #expect(documented.subtracting(routes).isEmpty, "documented routes that do not exist: \(documented.subtracting(routes).sorted())")
        }
    }
}
