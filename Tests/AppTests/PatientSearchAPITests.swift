@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The patient search and the caller-ID match, through the API as the console will call them.
struct PatientSearchAPITests {
    struct List: Decodable {
        struct Patient: Decodable { let id: UUID; let displayName: String; let birthDate: String; let phones: [Phone] }
        struct Phone: Decodable { let number: String; let display: String; let label: String }
        let patients: [Patient]
    }

    static func add(_ app: Application, practice: UUID, birthName: String, firstNames: String, usedName: String? = nil, birthDate: String,
                    phones: [String]) async throws -> UUID {
        let patient = PatientRecord(id: UUID(), practice: practice, birthName: birthName, firstNames: firstNames, usedName: usedName,
                                    birthDate: birthDate, sex: "F")
        try await patient.create(on: app.db)
        try await PatientSearch.replacePhones(of: patient, with: try phones.map { (try PhoneNumber(parsing: $0), "portable") }, on: app.db)
        // Written straight into the database, as no screen would: the practice's index is told by hand.
        app.patientIndexCache.changed(practice, patients: [patient.id!])
        return patient.id!
    }

    static func names(_ app: Application, _ path: String, token: String) async throws -> [String] {
        let response = try await app.api(.GET, path, token: token)
        #expect(response.status == .ok, "\(path): \(response.body.string)")
        return try response.content.decode(List.self).patients.map(\.displayName)
    }

    @Test func namesDatesPhonesAndCombinationsFindTheRightPatientFirst() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.secretaryA)
            let a = world.practiceA
            _ = try await Self.add(app, practice: a, birthName: "Le Fèvre", firstNames: "Marie-Dominique", birthDate: "1957-12-03", phones: ["06 12 34 56 78"])
            _ = try await Self.add(app, practice: a, birthName: "Lefebvre", firstNames: "Paul", birthDate: "1980-02-11", phones: ["01 45 00 00 01"])
            _ = try await Self.add(app, practice: a, birthName: "Martin", firstNames: "Jeanne", usedName: "Durand", birthDate: "1957-04-02", phones: [])
            _ = try await Self.add(app, practice: a, birthName: "Martinez", firstNames: "Lucas", birthDate: "1957-06-30", phones: [])
            // Another practice's patient with the same name is never shown.
            _ = try await Self.add(app, practice: world.practiceB, birthName: "Lefèvre", firstNames: "Anne", birthDate: "1957-12-03", phones: ["06 12 34 56 78"])
            let base = "/api/v1/practices/\(a)/patients?q="
            func q(_ text: String) -> String { base + (text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text) }
            #expect(try await Self.names(app, q("lefevre"), token: token) == ["LE FÈVRE Marie-Dominique"])
            #expect(try await Self.names(app, q("Le Fèvre"), token: token) == ["LE FÈVRE Marie-Dominique"])
            #expect(try await Self.names(app, q("lef"), token: token) == ["LE FÈVRE Marie-Dominique", "LEFEBVRE Paul"])
            #expect(try await Self.names(app, q("dominique"), token: token) == ["LE FÈVRE Marie-Dominique"])
            #expect(try await Self.names(app, q("03/12/1957"), token: token) == ["LE FÈVRE Marie-Dominique"])
            #expect(try await Self.names(app, q("3121957"), token: token) == ["LE FÈVRE Marie-Dominique"])
            #expect(try await Self.names(app, q("06.12.34.56.78"), token: token) == ["LE FÈVRE Marie-Dominique"])
            #expect(try await Self.names(app, q("+33 6 12 34 56 78"), token: token) == ["LE FÈVRE Marie-Dominique"])
            // The whole name before a longer one that starts with it; the used name counts too.
            #expect(try await Self.names(app, q("martin 1957"), token: token) == ["MARTIN Jeanne (usage : DURAND)", "MARTINEZ Lucas"])
            #expect(try await Self.names(app, q("durand"), token: token) == ["MARTIN Jeanne (usage : DURAND)"])
            #expect(try await Self.names(app, q("dupont"), token: token).isEmpty)
            let empty = try await app.api(.GET, base, token: token)
            #expect(empty.status == .unprocessableEntity)
            #expect(try AppointmentsAPITests.problem(empty).errors?.first?.field == "q")
        }
    }

    @Test func theCallerNumberFindsTheWholeFamily() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.secretaryA)
            let a = world.practiceA
            _ = try await Self.add(app, practice: a, birthName: "Roux", firstNames: "Claire", birthDate: "1984-05-01", phones: ["01 45 67 89 10", "06 11 22 33 44"])
            _ = try await Self.add(app, practice: a, birthName: "Roux", firstNames: "Léo", birthDate: "2016-09-12", phones: ["01 45 67 89 10"])
            _ = try await Self.add(app, practice: a, birthName: "Petit", firstNames: "Jean", birthDate: "1950-01-01", phones: ["06 99 99 99 99"])
            let path = "/api/v1/practices/\(a)/patients/caller-id?number="
            #expect(try await Self.names(app, path + "%2B33145678910", token: token) == ["ROUX Claire", "ROUX Léo"])
            let response = try await app.api(.GET, path + "0611223344", token: token)
            let claire = try response.content.decode(List.self).patients
            #expect(claire.map(\.displayName) == ["ROUX Claire"])
            #expect(claire.first?.phones.map(\.display) == ["01 45 67 89 10", "06 11 22 33 44"])
            #expect(try await Self.names(app, path + "0700000000", token: token).isEmpty)
            for bad in ["15", "3114", "06 12", "abc"] {
                let refused = try await app.api(.GET, path + (bad.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? bad), token: token)
                #expect(refused.status == .unprocessableEntity, "\(bad)")
                #expect(try AppointmentsAPITests.problem(refused).errors?.first?.field == "number")
            }
        }
    }
}
