@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The audit journal read by the center: who consulted a record, lockouts and sign-ins, filtered and exported; the
/// viewing itself journaled; closed to secretaries and practitioners.
struct AuditViewerTests {
    struct Entries: Decodable {
        struct Row: Decodable { let seq: Int64; let by: String; let action: String; let entity: String; let entityId: String; let practice: String }
        let entries: [Row]
        let next: String?
    }

    @Test func whoConsultedARecordLockoutsAndSignInsAreFoundAndTheViewingIsJournaled() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            let supervisor = try await app.apiToken(w.world.supervisor)
            #expect(try await app.api(.GET, "\(w.base)/patients/\(w.patient)", token: w.secretary).status == .ok)
            for attempt in 1...5 {
                _ = try await LoginThrottleTests.tokenRequest(app, email: w.world.secretaryA, password: "essai \(attempt)")
            }

            let reads = try APIJSON.decode(Entries.self, try await app.api(.GET, "/api/v1/audit/entries?patient=\(w.patient)&action=read", token: supervisor))
            #expect(reads.entries.count == 1)
            #expect(reads.entries.first?.entityId == w.patient.uuidString && reads.entries.first?.practice == "Cabinet A")
            #expect(reads.entries.first?.by.contains("Télésecrétaire") == true, "people are named, not e-mailed: \(reads.entries)")

            let lockouts = try APIJSON.decode(Entries.self, try await app.api(.GET, "/api/v1/audit/entries?action=lockout", token: supervisor))
            #expect(lockouts.entries.map(\.action) == ["lockout"])
            let failures = try APIJSON.decode(Entries.self, try await app.api(.GET, "/api/v1/audit/entries?action=login_failed", token: supervisor))
            #expect(failures.entries.count == 5)

            let byPerson = try APIJSON.decode(Entries.self, try await app.api(.GET, "/api/v1/audit/entries?personne=\(w.world.secretaryA)&action=read", token: supervisor))
            #expect(byPerson.entries.count == 1)
            // The clock stands on Tuesday 24 November 2026, in Paris.
            let dayBefore = try APIJSON.decode(Entries.self, try await app.api(.GET, "/api/v1/audit/entries?au=2026-11-23", token: supervisor))
            #expect(dayBefore.entries.isEmpty)
            let thatDay = try APIJSON.decode(Entries.self, try await app.api(.GET, "/api/v1/audit/entries?du=2026-11-24&au=2026-11-24&action=read", token: supervisor))
            #expect(thatDay.entries.count == 1)

            let viewings = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "audit_viewed").sort(\.$id).all()
            #expect(viewings.count == 6)
            #expect(viewings.first?.after?.contains(w.patient.uuidString) == true, "the filters used are journaled")
        }
    }

    @Test func theExportIsCSVAndTheJournalIsClosedToSecretariesAndPractitioners() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let admin = try await app.apiToken(w.world.admin)
            for token in [w.secretary, w.doctor] {
                #expect(try await app.api(.GET, "/api/v1/audit/entries", token: token).status == .forbidden)
                #expect(try await app.api(.GET, "/api/v1/audit/entries.csv", token: token).status == .forbidden)
            }
            let exported = try await app.api(.GET, "/api/v1/audit/entries.csv?action=create", token: admin)
            #expect(exported.status == .ok)
            #expect(exported.headers.contentType?.subType == "csv")
            let lines = exported.body.string.split(separator: "\r\n")
            #expect(lines.first == "\u{FEFF}n°;date et heure;personne;action;objet;identifiant;cabinet;requête")
            let creations = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "create").count()
            #expect(lines.count == creations + 1)
            #expect(lines.dropFirst().allSatisfy { $0.contains(";Création;") })

            let bad = try await app.api(.GET, "/api/v1/audit/entries?action=tout&du=hier&patient=x", token: admin)
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(try APIJSON.decode(APIJSON.Problem.self, bad).errors?.map(\.field) ?? []) == ["action", "du", "patient"])
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "audit_viewed").count() == 1, "only the export was a viewing")

            var browser = Browser(app)
            try await browser.signIn(w.world.supervisor)
            let page = try await browser.get("/journal-audit?action=create")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Journal d'audit") && page.body.string.contains("Création"))
            var secretary = Browser(app)
            try await secretary.signIn(w.world.secretaryA)
            #expect(try await secretary.get("/journal-audit").status == .forbidden)
            #expect(!(try await secretary.get("/").body.string.contains("Journal d'audit")), "not in a secretary's menu")
        }
    }
}
