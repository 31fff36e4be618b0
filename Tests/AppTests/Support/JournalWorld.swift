@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The world of the journal tests: practice A with two practitioners (each with an account), a patient, and tokens.
struct JournalWorld {
    let world: World
    let secretary: String
    let doctor: String
    let colleague: String
    let colleagueID: UUID
    let patient: UUID
    static let doctorEmail = "dr.a@permanence.test"
    static let colleagueEmail = "dr.a2@permanence.test"
    static let secondSecretary = "secretaire.a2@permanence.test"

    static func build(on app: Application) async throws -> JournalWorld {
        let world = try await World.build(on: app)
        let colleagueID = UUID()
        try await app.writer.transaction(on: app.db, actor: .system("test")) { tx, _ in
            let practitioner = PractitionerRecord()
            practitioner.id = colleagueID
            practitioner.$practice.id = world.practiceA
            practitioner.title = "Dr"
            practitioner.firstName = "Paul"
            practitioner.lastName = "Arnaud"
            practitioner.profession = "Médecin généraliste"
            try await practitioner.create(on: tx)
        }
        try await world.addUser(doctorEmail, role: .practitioner, practices: [world.practiceA], practitioner: world.practitionerA, on: app)
        try await world.addUser(colleagueEmail, role: .practitioner, practices: [world.practiceA], practitioner: colleagueID, on: app)
        try await world.addUser(secondSecretary, role: .secretary, practices: [world.practiceA], on: app)
        let secretary = try await app.apiToken(world.secretaryA)
        let created = try await app.api(.POST, "/api/v1/practices/\(world.practiceA)/patients", token: secretary,
                                        json: #"{"birthName":"Durand","firstNames":"Léa","birthDate":"1990-04-12","sex":"F","phones":[{"number":"06 12 34 56 78"}]}"#)
        #expect(created.status == .created)
        struct Created: Decodable { let id: UUID }
        let patient = try JSONDecoder().decode(Created.self, from: Data(created.body.string.utf8)).id
        return JournalWorld(world: world, secretary: secretary, doctor: try await app.apiToken(doctorEmail),
                            colleague: try await app.apiToken(colleagueEmail), colleagueID: colleagueID, patient: patient)
    }

    var base: String { "/api/v1/practices/\(world.practiceA)" }
}

/// Decoding answers the way a client would: ISO 8601 dates.
enum APIJSON {
    static func decode<T: Decodable>(_ type: T.Type, _ response: TestingHTTPResponse) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(response.body.string.utf8))
    }

    struct Problem: Decodable {
        struct Field: Decodable { let field: String; let reason: String }
        let status: Int
        let detail: String?
        let errors: [Field]?
    }
}
