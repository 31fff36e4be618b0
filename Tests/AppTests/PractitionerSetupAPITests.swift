@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Practitioners added, edited and deactivated through the API, and the holidays of a practice in Moselle. The clock
/// stands on Tuesday 24 November 2026, 09:30 in Paris.
struct PractitionerSetupAPITests {
    struct Practitioner: Decodable {
        let id: UUID
        let displayName: String
        let specialty: String
        let rpps: String?
        let backupPractitionerId: UUID?
        let active: Bool
    }

    /// A new practice (département `departement`) with a practitioner who takes a 20-minute motif, open Monday to Saturday
    /// 09:00–12:00, all made through the API; returns the path of the practice and the motif.
    static func practiceWithHours(_ app: Application, token: String, departement: String, name: String, number: String) async throws -> (base: String, motif: UUID) {
        let created = try await app.api(.POST, "/api/v1/practices", token: token, json: PracticeSetupAPITests.body(
            name: name, departement: departement, numbers: #"[{"number":"\#(number)"}]"#))
        #expect(created.status == .created, "\(created.body.string)")
        let base = "/api/v1/practices/\(try created.content.decode(PracticeSetupAPITests.Practice.self).id)"
        let practitioner = try await app.api(.POST, "\(base)/practitioners", token: token, json: """
            {"title":"Dr","firstName":"Louise","lastName":"Weber","specialty":"Pédiatre","rpps":"10001234565"}
            """)
        #expect(practitioner.status == .created, "\(practitioner.body.string)")
        let practitionerID = try practitioner.content.decode(Practitioner.self).id
        let motif = try await app.api(.POST, "\(base)/motifs", token: token, json: """
            {"label":"Consultation","durationMinutes":20,"horizonDays":200,"practitionerIds":["\(practitionerID)"]}
            """)
        let motifID = try motif.content.decode(MotifArchiveTests.Motif.self).id
        let ranges = (1...6).map { #"{"weekday":\#($0),"start":"09:00","end":"12:00"}"# }.joined(separator: ",")
        let hours = try await app.api(.POST, "\(base)/hours", token: token, json: """
            {"practitionerId":"\(practitionerID)","validFrom":"2026-01-01","ranges":[\(ranges)]}
            """)
        #expect(hours.status == .created, "\(hours.body.string)")
        return (base, motifID)
    }

    static func firstSlot(_ app: Application, _ base: String, motif: UUID, from: String, token: String) async throws -> String? {
        try await AgendaAPITests.slots(app, "\(base)/availability?motif=\(motif)&limit=1&from=\(from)", token: token).first?.start
    }

    @Test func aPracticeInMoselleHasNoSlotOnGoodFridayNorOnSaintStephensDay() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.supervisor)
            let metz = try await Self.practiceWithHours(app, token: token, departement: "57", name: "Pédiatrie de Metz", number: "03 87 11 11 11")
            let paris = try await Self.practiceWithHours(app, token: token, departement: "75", name: "Pédiatrie de Paris", number: "01 45 11 11 11")
            // 26 December 2026 is a Saturday; Good Friday 2027 is 26 March.
            #expect(try await Self.firstSlot(app, metz.base, motif: metz.motif, from: "2026-12-26", token: token) == "2026-12-28T09:00:00+01:00")
            #expect(try await Self.firstSlot(app, paris.base, motif: paris.motif, from: "2026-12-26", token: token) == "2026-12-26T09:00:00+01:00")
            #expect(try await Self.firstSlot(app, metz.base, motif: metz.motif, from: "2027-03-26", token: token) == "2027-03-27T09:00:00+01:00")
            #expect(try await Self.firstSlot(app, paris.base, motif: paris.motif, from: "2027-03-26", token: token) == "2027-03-26T09:00:00+01:00")
        }
    }

    @Test func anRPPSWhoseCheckDigitFailsAndOtherBadInputAreRefusedAndSaveNothing() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.supervisor)
            let base = "/api/v1/practices/\(world.practiceA)"
            let before = try await PractitionerRecord.query(on: app.db).count()
            let wrong = try await app.api(.POST, "\(base)/practitioners", token: token, json: """
                {"title":"Docteur","firstName":" ","lastName":"Weber","specialty":"","rpps":"10001234566","mobilePhone":"12","backupPractitionerId":"\(world.practitionerB)","motifIds":["\(UUID())"]}
                """)
            #expect(wrong.status == .unprocessableEntity)
            let problem = try MotifArchiveTests.problem(wrong)
            #expect(Set(problem.errors?.map(\.field) ?? []) == ["title", "firstName", "specialty", "rpps", "mobilePhone", "backupPractitionerId", "motifIds[0]"])
            #expect(problem.errors?.first { $0.field == "rpps" }?.reason.contains("clé de contrôle") == true)
            let short = try await app.api(.POST, "\(base)/practitioners", token: token, json: """
                {"firstName":"Louise","lastName":"Weber","specialty":"Pédiatre","rpps":"1000123456"}
                """)
            #expect(try PracticeSetupAPITests.fields(short) == ["rpps"])
            #expect(try await PractitionerRecord.query(on: app.db).count() == before)
            // Secretaries do not add practitioners.
            let secretary = try await app.apiToken(world.secretaryA)
            #expect(try await app.api(.POST, "\(base)/practitioners", token: secretary, json: """
                {"firstName":"Louise","lastName":"Weber","specialty":"Pédiatre"}
                """).status == .forbidden)
        }
    }

    @Test func aPractitionerTakesMotifsHasABackupAndIsDeactivatedOnlyOnceNothingIsBookedWithThem() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let supervisor = try await app.apiToken(s.world.supervisor)
            let created = try await app.api(.POST, "\(s.base)/practitioners", token: supervisor, json: """
                {"title":"Dr","firstName":"Paul","lastName":"Caron","specialty":"Médecin généraliste","rpps":"10101010105",
                 "backupPractitionerId":"\(s.world.practitionerA)","motifIds":["\(s.motif)"],"mobilePhone":"06 11 22 33 44"}
                """)
            #expect(created.status == .created, "\(created.body.string)")
            let caron = try created.content.decode(Practitioner.self)
            #expect(caron.displayName == "Dr Paul Caron")
            #expect(caron.backupPractitionerId == s.world.practitionerA)
            #expect(try await MotifRecord.find(s.motif, on: app.db)?.domain.practitionerIDs.contains(caron.id) == true)
            let hours = try await app.api(.POST, "\(s.base)/hours", token: supervisor, json: """
                {"practitionerId":"\(caron.id)","validFrom":"2026-01-01","ranges":[{"weekday":4,"start":"14:00","end":"16:00"}]}
                """)
            #expect(hours.status == .created)
            let booked = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: """
                {"patientId":"\(s.patient)","practitionerId":"\(caron.id)","motifId":"\(s.motif)","start":"2026-11-26T14:00:00+01:00"}
                """)
            #expect(booked.status == .created, "\(booked.body.string)")

            let refused = try await app.api(.POST, "\(s.base)/practitioners/\(caron.id)/deactivate", token: supervisor)
            #expect(refused.status == .conflict)
            #expect(try MotifArchiveTests.problem(refused).detail.contains("1 rendez-vous à venir"))
            let appointment = try booked.content.decode(AppointmentsAPITests.Result.self).appointment.id
            _ = try await app.api(.POST, "\(s.base)/appointments/\(appointment)/cancel", token: s.token, json: #"{"party":"practice","reason":"Départ du praticien"}"#)
            let deactivated = try await app.api(.POST, "\(s.base)/practitioners/\(caron.id)/deactivate", token: supervisor)
            #expect(deactivated.status == .ok, "\(deactivated.body.string)")
            #expect(try deactivated.content.decode(Practitioner.self).active == false)
            // Kept in the history and the list, no longer on the motif nor booked.
            #expect(try await MotifRecord.find(s.motif, on: app.db)?.domain.practitionerIDs.contains(caron.id) == false)
            let slots = try await AgendaAPITests.slots(app, "\(s.base)/availability?motif=\(s.motif)&from=2026-11-26T13:00:00%2B01:00&limit=3", token: s.token)
            #expect(slots.allSatisfy { $0.practitionerId == s.world.practitionerA })
            let again = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: """
                {"patientId":"\(s.patient)","practitionerId":"\(caron.id)","motifId":"\(s.motif)","start":"2026-11-26T14:00:00+01:00"}
                """)
            #expect(try PracticeSetupAPITests.fields(again) == ["practitionerId"])
            struct List: Decodable { let practitioners: [Practitioner] }
            let list = try await app.api(.GET, "\(s.base)/practitioners", token: s.token).content.decode(List.self)
            #expect(list.practitioners.first { $0.id == caron.id }?.active == false)
            #expect(try await app.api(.POST, "\(s.base)/practitioners/\(caron.id)/reactivate", token: supervisor).status == .ok)
        }
    }
}
