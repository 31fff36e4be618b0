@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Putting a practice into service through the API: practices, their numbers and coverage, suspension. The clock stands
/// on Tuesday 24 November 2026, 09:30 in Paris.
struct PracticeSetupAPITests {
    struct Practice: Decodable {
        struct Number: Decodable, Equatable { let number: String; let label: String? }
        let id: UUID
        let slug: String
        let specialty: String
        let phone: String
        let numbers: [Number]
        let departement: String?
        let alsaceMoselle: Bool
        let timeZone: String
        let openedHolidays: [String]
        let status: String
        let suspensionReason: String?
        let outsideHoursMessage: String
    }

    /// A paediatric practice in Metz (57) with two numbers.
    static func body(name: String = "Cabinet de pédiatrie Lumière", departement: String = "57", numbers: String? = nil,
                     coverage: String? = nil, message: String = "Le secrétariat est fermé. En cas d'urgence vitale, appelez le 15.",
                     extra: String = "") -> String {
        let numbers = numbers ?? #"[{"number":"03 87 00 00 01","label":"secrétariat"},{"number":"+33387000002","label":"urgences"}]"#
        let coverage = coverage ?? #"{"weekly":[{"weekday":1,"start":"08:00","end":"12:00"},{"weekday":1,"start":"14:00","end":"19:00"}],"exceptions":[{"date":"2026-12-24","ranges":[{"start":"08:00","end":"12:00"}],"reason":"Veille de Noël"}]}"#
        return #"{"name":"\#(name)","specialty":"Pédiatrie","address":"5 place Saint-Louis, 57000 Metz","access":"2e étage, digicode 4512","departement":"\#(departement)","numbers":\#(numbers),"coverage":\#(coverage),"outsideHoursMessage":"\#(message)"\#(extra)}"#
    }

    static func fields(_ response: TestingHTTPResponse) throws -> [String] {
        try MotifArchiveTests.problem(response).errors?.map(\.field) ?? []
    }

    @Test func aSupervisorCreatesAPracticeWithItsNumbersAndAlsaceMoselleHolidays() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let supervisor = try await app.apiToken(world.supervisor)
            let created = try await app.api(.POST, "/api/v1/practices", token: supervisor, json: Self.body())
            #expect(created.status == .created, "\(created.body.string)")
            let practice = try created.content.decode(Practice.self)
            #expect(created.headers.first(name: .location) == "/api/v1/practices/\(practice.id)")
            #expect(practice.slug == "cabinet-de-pediatrie-lumiere")
            #expect(practice.departement == "57")
            #expect(practice.alsaceMoselle)
            #expect(practice.timeZone == "Europe/Paris")
            #expect(practice.phone == "+33387000001")
            #expect(practice.numbers == [.init(number: "+33387000001", label: "secrétariat"), .init(number: "+33387000002", label: "urgences")])
            #expect(practice.status == "active")
            let read = try await app.api(.GET, "/api/v1/practices/\(practice.id)", token: supervisor)
            #expect(try read.content.decode(Practice.self).numbers.count == 2)
            let journal = try #require(try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "practice").filter(\.$entityID == practice.id.uuidString).first())
            #expect(journal.action == "create")
            #expect(journal.after?.contains("+33387000002") == true)

            // A call to its urgent line is routed to it.
            let clock = TestClock()
            let ringing = try await TelephonyTests.send(app, to: "+33387000002", clock: clock)
            #expect(ringing.status == .created, "\(ringing.body.string)")
            #expect(try await TelephonyEventRecord.query(on: app.db).first()?.$practice.id == practice.id)

            // Secretaries do not create practices.
            let secretary = try await app.apiToken(world.secretaryA)
            #expect(try await app.api(.POST, "/api/v1/practices", token: secretary, json: Self.body(name: "Autre")).status == .forbidden)
        }
    }

    @Test func badInputNamesEachFieldAndSavesNothing() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let supervisor = try await app.apiToken(world.supervisor)
            let practices = try await PracticeRecord.query(on: app.db).count()
            let journal = try await AuditEntryRecord.query(on: app.db).count()

            let taken = try await app.api(.POST, "/api/v1/practices", token: supervisor, json: Self.body(numbers: #"[{"number":"01 99 00 20 01"}]"#))
            #expect(taken.status == .conflict)
            #expect(try MotifArchiveTests.problem(taken).detail.contains("déjà celui du cabinet « Cabinet A »"))

            let wrong = try await app.api(.POST, "/api/v1/practices", token: supervisor, json: Self.body(
                departement: "20",
                numbers: #"[{"number":"15","label":"standard"},{"number":"03 87 00 00 09"},{"number":"+33 3 87 00 00 09"}]"#,
                coverage: #"{"weekly":[{"weekday":2,"start":"12:00","end":"08:00"},{"weekday":3,"start":"08:00","end":"12:00"},{"weekday":3,"start":"11:00","end":"13:00"},{"weekday":9,"start":"08:00","end":"09:00"}]}"#,
                message: "Rappelez demain.", extra: #","openedHolidays":["2026-11-24"],"timeZone":"Europe/Metz""#))
            #expect(wrong.status == .unprocessableEntity)
            let fields = try Self.fields(wrong)
            for field in ["departement", "timeZone", "openedHolidays[0]", "numbers[0].label", "numbers[0].number", "numbers[2].number",
                          "coverage.weekly[3].weekday", "coverage.weekly[0]", "coverage.weekly[2]", "outsideHoursMessage"] {
                #expect(fields.contains(field), "\(field) not in \(fields)")
            }
            #expect(try MotifArchiveTests.problem(wrong).errors?.first { $0.field == "outsideHoursMessage" }?.reason.contains("15") == true)

            let noNumber = try await app.api(.POST, "/api/v1/practices", token: supervisor, json: Self.body(numbers: "[]"))
            #expect(try Self.fields(noNumber) == ["numbers"])
            #expect(try await PracticeRecord.query(on: app.db).count() == practices)
            #expect(try await PracticeNumberRecord.query(on: app.db).count() == 2)
            #expect(try await AuditEntryRecord.query(on: app.db).count() == journal)
        }
    }

    @Test func anEditReplacesTheNumbersAndASuspensionKeepsEverything() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let supervisor = try await app.apiToken(world.supervisor)
            let id = try await app.api(.POST, "/api/v1/practices", token: supervisor, json: Self.body()).content.decode(Practice.self).id
            let edited = try await app.api(.PUT, "/api/v1/practices/\(id)", token: supervisor, json: Self.body(
                departement: "54", numbers: #"[{"number":"03 83 00 00 07","label":"secrétariat"}]"#))
            #expect(edited.status == .ok, "\(edited.body.string)")
            let practice = try edited.content.decode(Practice.self)
            #expect(!practice.alsaceMoselle)
            #expect(practice.numbers.map(\.number) == ["+33383000007"])
            // The freed numbers may go to another practice.
            let other = try await app.api(.POST, "/api/v1/practices", token: supervisor, json: Self.body(name: "Cabinet Saint-Louis"))
            #expect(other.status == .created, "\(other.body.string)")

            let noReason = try await app.api(.POST, "/api/v1/practices/\(id)/suspend", token: supervisor, json: #"{"reason":" "}"#)
            #expect(try Self.fields(noReason) == ["reason"])
            let suspended = try await app.api(.POST, "/api/v1/practices/\(id)/suspend", token: supervisor, json: #"{"reason":"Congés annuels du cabinet"}"#)
            #expect(try suspended.content.decode(Practice.self).status == "suspended")
            #expect(try await app.api(.POST, "/api/v1/practices/\(id)/suspend", token: supervisor, json: #"{"reason":"encore"}"#).status == .conflict)
            let reopened = try await app.api(.POST, "/api/v1/practices/\(id)/reopen", token: supervisor)
            #expect(try reopened.content.decode(Practice.self).status == "active")
            #expect(try await app.api(.POST, "/api/v1/practices/\(id)/reopen", token: supervisor).status == .conflict)
            // No practice is ever deleted.
            #expect(try await app.api(.DELETE, "/api/v1/practices/\(id)", token: supervisor).status == .notFound)
        }
    }

    @Test func aCallOutsideTheCoverageHoursOrToASuspendedPracticePopsWithWhatToSay() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await World.build(on: app)
            let supervisor = try await app.apiToken(world.supervisor)
            // Answered on Mondays only; the clock stands on a Tuesday.
            let created = try await app.api(.POST, "/api/v1/practices", token: supervisor, json: Self.body(
                coverage: #"{"weekly":[{"weekday":1,"start":"08:00","end":"12:00"}]}"#))
            let id = try created.content.decode(Practice.self).id
            #expect(try await TelephonyTests.send(app, to: "+33387000002", clock: clock).status == .created)
            var browser = Browser(app)
            try await browser.signIn(world.supervisor)
            var pops = try await browser.get("/appels/entrants").body.string
            #expect(pops.contains("ligne urgences"))
            #expect(pops.contains("Hors des heures de permanence"))
            #expect(pops.contains("appelez le 15"))
            #expect(!pops.contains("Cabinet suspendu"))

            _ = try await app.api(.POST, "/api/v1/practices/\(id)/suspend", token: supervisor, json: #"{"reason":"Fermeture administrative jusqu'au 4 janvier"}"#)
            pops = try await browser.get("/appels/entrants").body.string
            #expect(pops.contains("Cabinet suspendu</strong> : Fermeture administrative jusqu&#39;au 4 janvier") || pops.contains("Cabinet suspendu</strong> : Fermeture administrative jusqu'au 4 janvier"))
            // A call to a practice answered now shows neither.
            #expect(try await TelephonyTests.send(app, callId: "c-2", to: "+33199002001", clock: clock).status == .created)
            pops = try await browser.get("/appels/entrants").body.string
            #expect(pops.components(separatedBy: "Hors des heures de permanence").count == 2)
        }
    }
}
