@testable import App
import Domain
import Fluent
import Foundation
import Vapor

/// Two practices and one user of each role, built straight into the database.
struct World {
    static let password = "correct horse battery"
    /// Hashed once per test run: bcrypt at cost 12 takes a quarter of a second.
    static let passwordHash: String = try! Bcrypt.hash(password, cost: Passwords.cost)

    let practiceA: UUID
    let practiceB: UUID
    let practitionerA: UUID
    let practitionerB: UUID
    let secretaryA: String
    let practitionerUserB: String
    let supervisor: String
    let admin: String

    static func build(on app: Application) async throws -> World {
        let center = UUID(), practiceA = UUID(), practiceB = UUID(), practitionerA = UUID(), practitionerB = UUID()
        try await app.writer.transaction(on: app.db, actor: .system("test")) { tx, journal in
            try await CenterRecord(id: center, name: "Centre de test").create(on: tx)
            for (id, slug, name, phone) in [(practiceA, "cabinet-a", "Cabinet A", "+33199002001"), (practiceB, "cabinet-b", "Cabinet B", "+33199002002")] {
                _ = try await PracticeSetupStore.insert(PracticeInput(
                    name: name, slug: slug, specialty: "Médecine générale", address: "1 rue de la Paix, 75002 Paris", access: nil, departement: "75",
                    timeZone: "Europe/Paris", openedHolidays: nil, numbers: [DialledNumberDTO(number: phone, label: nil)], coverage: DemoDataset.coverage,
                    outsideHoursMessage: "Secrétariat fermé : en cas d'urgence vitale, appelez le 15.", greeting: "\(name), bonjour.", serviceStartsOn: nil),
                    id: id, center: center, live: true, on: tx, journal: journal)
            }
            for (id, practice, last) in [(practitionerA, practiceA, "Aubert"), (practitionerB, practiceB, "Bernard")] {
                let practitioner = PractitionerRecord()
                practitioner.id = id
                practitioner.$practice.id = practice
                practitioner.title = "Dr"
                practitioner.firstName = "Anne"
                practitioner.lastName = last
                practitioner.profession = "Médecin généraliste"
                try await practitioner.create(on: tx)
                try await journal.record(.create, entity: "practitioner", entityID: id.uuidString, practiceID: practice, after: ["lastName": last])
            }
        }
        let world = World(practiceA: practiceA, practiceB: practiceB, practitionerA: practitionerA, practitionerB: practitionerB,
                          secretaryA: "secretaire.a@permanence.test", practitionerUserB: "dr.b@permanence.test",
                          supervisor: "superviseur@permanence.test", admin: "admin@permanence.test")
        try await world.addUser(world.secretaryA, role: .secretary, practices: [practiceA], on: app)
        try await world.addUser(world.practitionerUserB, role: .practitioner, practices: [practiceB], practitioner: practitionerB, on: app)
        try await world.addUser(world.supervisor, role: .supervisor, practices: [], on: app)
        try await world.addUser(world.admin, role: .admin, practices: [], on: app)
        return world
    }

    /// The authenticator secret of the test accounts that sign in with a second factor.
    static let secondFactorSecret = Data("permanence-test-totp".utf8)

    /// A user; enrolled in the second factor when their role asks it, as every such account is once in service.
    func addUser(_ email: String, role: Role, practices: [UUID], practitioner: UUID? = nil, on app: Application) async throws {
        let valid = ValidatedUser(email: email, displayName: email, role: role, practiceIDs: practices, practitionerID: practitioner)
        let user = try await UserStore.insert(valid, passwordHash: Self.passwordHash, actor: .system("test"), requestID: nil, writer: app.writer, on: app.db)
        if AccessPolicy.secondFactorRequired(for: role, secretariesToo: false) {
            try await Self.enrol(user, on: app)
        }
    }

    static func enrol(_ user: UserRecord, on app: Application) async throws {
        user.totpSecret = try app.secretBox.seal(secondFactorSecret)
        user.totpEnabledAt = app.clock.now()
        try await user.update(on: app.db)
    }
}
