@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// A motif once used is archived, never deleted: practice A's 20-minute motif, weekday mornings; Tuesday 24 November
/// 2026, 09:30 in Paris.
struct MotifArchiveTests {
    struct Problem: Decodable {
        struct Field: Decodable { let field: String; let reason: String }
        struct Usage: Decodable, Equatable { let appointments: Int; let holds: Int; let waitingListEntries: Int }
        let type: String
        let status: Int
        let detail: String
        let errors: [Field]?
        let usage: Usage?
    }

    struct Motif: Decodable { let id: UUID; let label: String; let archived: Bool }

    static func problem(_ response: TestingHTTPResponse) throws -> Problem {
        try JSONDecoder().decode(Problem.self, from: Data(response.body.readableBytesView))
    }

    static func motifs(_ app: Application, _ s: AppointmentsAPITests.Setup) async throws -> [Motif] {
        struct List: Decodable { let motifs: [Motif] }
        return try await app.api(.GET, "\(s.base)/motifs", token: s.token).content.decode(List.self).motifs
    }

    @Test func aUsedMotifIsRefusedDeletionWithItsCountsAndArchivedInstead() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let supervisor = try await app.apiToken(s.world.supervisor)
            let booked = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00"))
            let appointment = try booked.content.decode(AppointmentsAPITests.Result.self).appointment.id
            let hold = try await app.api(.POST, "\(s.base)/holds", token: s.token, json: """
                {"practitionerId":"\(s.world.practitionerA)","motifId":"\(s.motif)","start":"2026-11-27T10:00:00+01:00"}
                """)
            #expect(hold.status == .created)
            for patient in ["Pressé", "Patient"] {
                let other = try await AppointmentsAPITests.patient(in: s.world.practiceA, name: patient, on: app)
                let entry = try await app.api(.POST, "\(s.base)/waiting-list", token: s.token, json: """
                    {"patientId":"\(other)","motifId":"\(s.motif)","from":"2026-11-25T00:00:00+01:00","until":"2026-12-28T00:00:00+01:00"}
                    """)
                #expect(entry.status == .created)
            }
            let journalBefore = try await AuditEntryRecord.query(on: app.db).count()

            let refused = try await app.api(.DELETE, "\(s.base)/motifs/\(s.motif)", token: supervisor)
            #expect(refused.status == .conflict)
            let problem = try Self.problem(refused)
            #expect(problem.type == "urn:permanence:problem:motif-in-use")
            #expect(problem.usage == .init(appointments: 1, holds: 1, waitingListEntries: 2))
            #expect(problem.detail.hasPrefix("Ce motif est utilisé par 1 rendez-vous, 1 créneau retenu et 2 inscriptions en liste d'attente"))
            #expect(try await MotifRecord.find(s.motif, on: app.db) != nil)
            #expect(try await AuditEntryRecord.query(on: app.db).count() == journalBefore)

            let archived = try await app.api(.POST, "\(s.base)/motifs/\(s.motif)/archive", token: supervisor)
            #expect(archived.status == .ok, "\(archived.body.string)")
            #expect(try archived.content.decode(Motif.self).archived)
            #expect(try await Self.motifs(app, s).first { $0.id == s.motif }?.archived == true)
            let entry = try #require(try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "motif").sort(\.$id, .descending).first())
            #expect(entry.action == "update")
            #expect(entry.before?.contains("\"archived\":false") == true)
            #expect(entry.after?.contains("\"archived\":true") == true)
            // Archiving twice changes nothing and journals nothing.
            let count = try await AuditEntryRecord.query(on: app.db).count()
            #expect(try await app.api(.POST, "\(s.base)/motifs/\(s.motif)/archive", token: supervisor).status == .ok)
            #expect(try await AuditEntryRecord.query(on: app.db).count() == count)
            // An edit keeps it archived.
            let edited = try await app.api(.PUT, "\(s.base)/motifs/\(s.motif)", token: supervisor, json: """
                {"label":"Consultation (ancienne)","durationMinutes":20,"practitionerIds":["\(s.world.practitionerA)"],"archived":false}
                """)
            #expect(edited.status == .ok)
            #expect(try edited.content.decode(Motif.self).archived)

            // Nothing new is taken with it…
            let search = try await app.api(.GET, "\(s.base)/availability?motif=\(s.motif)", token: s.token)
            #expect(search.status == .unprocessableEntity)
            #expect(try Self.problem(search).errors?.first?.reason.hasPrefix("motif archivé") == true)
            let book = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-30T10:00:00+01:00"))
            #expect(try Self.problem(book).errors?.map(\.field) == ["motifId"])
            let newHold = try await app.api(.POST, "\(s.base)/holds", token: s.token, json: """
                {"practitionerId":"\(s.world.practitionerA)","motifId":"\(s.motif)","start":"2026-11-30T10:00:00+01:00"}
                """)
            #expect(try Self.problem(newHold).errors?.map(\.field) == ["motifId"])
            let wait = try await app.api(.POST, "\(s.base)/waiting-list", token: s.token, json: """
                {"patientId":"\(s.patient)","motifId":"\(s.motif)","from":"2026-11-25T00:00:00+01:00","until":"2026-12-28T00:00:00+01:00"}
                """)
            #expect(try Self.problem(wait).errors?.map(\.field) == ["motifId"])
            #expect(try await AppointmentRecord.query(on: app.db).count() == 1)

            // …while its appointment keeps it, is offered alternatives and moves; the freed time calls no waiting-list
            // entry of an archived motif.
            let alternatives = try await AgendaAPITests.slots(app, "\(s.base)/appointments/\(appointment)/alternatives", token: s.token)
            #expect(!alternatives.isEmpty)
            let moved = try await app.api(.POST, "\(s.base)/appointments/\(appointment)/move", token: s.token, json: #"{"start":"\#(alternatives[0].start)"}"#)
            #expect(moved.status == .ok, "\(moved.body.string)")
            #expect(try await AppointmentRecord.find(appointment, on: app.db)?.motifID == s.motif)
            #expect(try await WaitingListEntryRecord.query(on: app.db).filter(\.$state == "to-call").count() == 0)

            // Reactivated, it is offered again.
            let back = try await app.api(.POST, "\(s.base)/motifs/\(s.motif)/unarchive", token: supervisor)
            #expect(try back.content.decode(Motif.self).archived == false)
            #expect(try await app.api(.GET, "\(s.base)/availability?motif=\(s.motif)&limit=1", token: s.token).status == .ok)
        }
    }

    @Test func aMotifNothingNamesIsDeletedAndACancelledAppointmentStillCounts() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let supervisor = try await app.apiToken(s.world.supervisor)
            let spare = try await app.api(.POST, "\(s.base)/motifs", token: supervisor, json: """
                {"label":"Vaccin","durationMinutes":10,"practitionerIds":["\(s.world.practitionerA)"]}
                """)
            let spareID = try spare.content.decode(Motif.self).id
            #expect(try await app.api(.DELETE, "\(s.base)/motifs/\(spareID)", token: supervisor).status == .noContent)
            #expect(try await MotifRecord.find(spareID, on: app.db) == nil)

            let booked = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00"))
            let id = try booked.content.decode(AppointmentsAPITests.Result.self).appointment.id
            let cancelled = try await app.api(.POST, "\(s.base)/appointments/\(id)/cancel", token: s.token, json: #"{"party":"patient","reason":"Empêchement"}"#)
            #expect(cancelled.status == .ok)
            let refused = try await app.api(.DELETE, "\(s.base)/motifs/\(s.motif)", token: supervisor)
            #expect(try Self.problem(refused).usage == .init(appointments: 1, holds: 0, waitingListEntries: 0))
            // Secretaries neither archive nor delete.
            #expect(try await app.api(.POST, "\(s.base)/motifs/\(s.motif)/archive", token: s.token).status == .forbidden)
        }
    }

    @Test func theAgendaScreenArchivesAndTheBookingPageNoLongerOffersIt() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            _ = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00"))
            var (browser, csrf, page) = try await AgendaScreenTests.signedInPage(app, s.world, as: s.world.supervisor)
            #expect(page.contains("/agenda/motifs/\(s.motif)/archiver"))
            let action = "/cabinets/\(s.world.practiceA)/agenda/motifs/\(s.motif)"
            let refused = try await browser.post("\(action)/supprimer", form: [("csrf", csrf)])
            #expect(refused.status == .conflict)
            #expect(refused.body.string.contains("Ce motif est utilisé par 1 rendez-vous : il ne se supprime pas. Archivez-le"))
            let archived = try await browser.post("\(action)/archiver", form: [("csrf", csrf)])
            #expect(archived.status == .seeOther)
            let after = try await browser.get("/cabinets/\(s.world.practiceA)/agenda?praticien=\(s.world.practitionerA)&semaine=2026-11-30")
            #expect(after.body.string.contains("Archivé"))
            #expect(after.body.string.contains("/agenda/motifs/\(s.motif)/reactiver"))
            let booking = try await browser.get("/cabinets/\(s.world.practiceA)/rendez-vous/nouveau")
            #expect(booking.status == .ok)
            #expect(!booking.body.string.contains(s.motif.uuidString))
        }
    }
}
