@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Changing a record (the same checks as a new one, its own likely duplicates), the whole file handed out (RGPD), and
/// the erasure or anonymisation the retention rules allow. The clock stands on Tuesday 24 November 2026.
struct PatientEditAPITests {
    struct Record: Decodable { let id: UUID; let birthName: String; let identityStatus: String; let notes: String
        let phones: [PatientSearchAPITests.List.Phone] }

    @Test func aChangedRecordIsCheckedJournaledAndReindexed() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.secretaryA)
            let base = "/api/v1/practices/\(world.practiceA)/patients"
            let nir = "257127511610828"
            let created = try await app.api(.POST, base, token: token, json:
                #"{"birthName":"Durand","firstNames":"Marie","birthDate":"1957-12-03","sex":"F","nir":"\#(nir)","identityStatus":"validée","phones":[{"number":"0612345678"}]}"#)
            let id = try created.content.decode(Record.self).id
            let other = try await PatientSearchAPITests.add(app, practice: world.practiceA, birthName: "Martin", firstNames: "Paul",
                                                            birthDate: "1980-01-01", phones: ["01 45 00 00 02"])

            // Notes and a second phone: no strict trait changes, the identity stays validated.
            let changed = try await app.api(.PUT, "\(base)/\(id)", token: token, json:
                #"{"birthName":"Durand","firstNames":"Marie","birthDate":"1957-12-03","sex":"F","nir":"\#(nir)","phones":[{"number":"0612345678","label":"portable"},{"number":"+33 1 45 00 00 03","label":"fixe"}],"notes":"Préfère le matin"}"#)
            #expect(changed.status == .ok, "\(changed.body.string)")
            let record = try changed.content.decode(Record.self)
            #expect(record.identityStatus == "validée")
            #expect(record.notes == "Préfère le matin")
            #expect(record.phones.map(\.number) == ["+33612345678", "+33145000003"])
            #expect(try await PatientSearchAPITests.names(app, "\(base)/caller-id?number=0145000003", token: token) == ["DURAND Marie"])

            // Bad input names its fields and changes nothing.
            let bad = try await app.api(.PUT, "\(base)/\(id)", token: token, json:
                #"{"birthName":"Durand","firstNames":"Marie","birthDate":"31/04/1957","sex":"F","phones":[{"number":"06 12"}]}"#)
            #expect(bad.status == .unprocessableEntity)
            #expect(try AppointmentsAPITests.problem(bad).errors?.map(\.field) == ["birthDate", "phones[0].number"])
            #expect(try await PatientRecord.find(id, on: app.db)?.birthDate == "1957-12-03")

            // Taking another patient's number makes the record look like theirs: shown first, saved once confirmed.
            let clash = #"{"birthName":"Durand","firstNames":"Paul","birthDate":"1957-12-03","sex":"F","nir":"\#(nir)","phones":[{"number":"01 45 00 00 02"}]"#
            let refused = try await app.api(.PUT, "\(base)/\(id)", token: token, json: clash + "}")
            #expect(refused.status == .conflict, "\(refused.body.string)")
            let problem = try JSONDecoder().decode(PatientRecordAPITests.DuplicateProblem.self, from: Data(refused.body.readableBytesView))
            #expect(problem.duplicates?.map(\.id) == [other])
            #expect(try await PatientRecord.find(id, on: app.db)?.firstNames == "Marie")
            let confirmed = try await app.api(.PUT, "\(base)/\(id)", token: token, json: clash + #","notDuplicateOf":["\#(other)"]}"#)
            #expect(confirmed.status == .ok)
            // A strict trait changed (the first name): the identity is provisional again until checked.
            #expect(try confirmed.content.decode(Record.self).identityStatus == "provisoire")
            #expect(try await PatientSearchAPITests.names(app, "\(base)?q=durand paul", token: token) == ["DURAND Paul"])

            let updates = try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "patient").filter(\.$entityID == id.uuidString)
                .filter(\.$action == "update").all()
            #expect(updates.count == 2)
            #expect(updates.last?.before?.contains("\"Marie\"") == true && updates.last?.after?.contains("\"Paul\"") == true)
            // Another practice's secretary cannot change it.
            let foreign = try await app.api(.PUT, "/api/v1/practices/\(world.practiceB)/patients/\(id)", token: token, json: clash + "}")
            #expect(foreign.status == .notFound)
        }
    }
}

struct PatientRightsAPITests {
    /// An appointment written straight into the past.
    static func visit(_ app: Application, _ world: World, patient: UUID, on day: String, status: String) async throws {
        let appointment = AppointmentRecord()
        appointment.id = UUID()
        appointment.$practice.id = world.practiceA
        appointment.$practitioner.id = world.practitionerA
        appointment.$patient.id = patient
        appointment.startsAt = try Date("\(day)T09:00:00Z", strategy: .iso8601)
        appointment.endsAt = appointment.startsAt.addingTimeInterval(20 * 60)
        appointment.status = status
        appointment.reason = "Consultation"
        appointment.notes = "Douleur au genou"
        try await appointment.create(on: app.db)
    }

    @Test func theWholeFileIsExportedAndTheExportJournaled() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let base = "/api/v1/practices/\(s.world.practiceA)/patients"
            try await Self.visit(app, s.world, patient: s.patient, on: "2024-03-05", status: "fulfilled")
            _ = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00"))
            _ = try await app.api(.GET, "\(base)/\(s.patient)", token: s.token)
            let exported = try await app.api(.GET, "\(base)/\(s.patient)/export", token: s.token)
            #expect(exported.status == .ok)
            #expect(exported.headers.first(name: .contentDisposition)?.contains("dossier-\(s.patient).json") == true)
            struct File: Decodable {
                struct Appointment: Decodable { let start: String; let status: String; let notes: String? }
                struct Event: Decodable { let action: String; let entity: String }
                struct Consultation: Decodable { let by: String }
                let patient: PatientEditAPITests.Record
                let appointments: [Appointment]
                let history: [Event]
                let consultations: [Consultation]
            }
            let file = try exported.content.decode(File.self)
            #expect(file.patient.id == s.patient)
            #expect(file.appointments.map(\.status) == ["honoré", "réservé"])
            #expect(file.appointments.first?.notes == "Douleur au genou")
            #expect(file.history.map(\.action).contains("create") && file.history.map(\.entity).contains("appointment"))
            #expect(file.consultations.map(\.by) == [s.world.secretaryA])
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "export").filter(\.$entityID == s.patient.uuidString).count() == 1)
        }
    }

    @Test func erasureWaitsForTheRetentionRulesAndSaysWhy() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let secretary = try await app.apiToken(world.secretaryA)
            let supervisor = try await app.apiToken(world.supervisor)
            let base = "/api/v1/practices/\(world.practiceA)/patients"
            let recent = try await PatientSearchAPITests.add(app, practice: world.practiceA, birthName: "Récent", firstNames: "Jean",
                                                             birthDate: "1970-05-01", phones: ["06 11 11 11 11"])
            try await Self.visit(app, world, patient: recent, on: "2019-06-10", status: "fulfilled")
            let child = try await PatientSearchAPITests.add(app, practice: world.practiceA, birthName: "Enfant", firstNames: "Léo",
                                                            birthDate: "2001-02-01", phones: [])
            try await Self.visit(app, world, patient: child, on: "2005-01-10", status: "arrived")
            let old = try await PatientSearchAPITests.add(app, practice: world.practiceA, birthName: "Ancien", firstNames: "Luc",
                                                          birthDate: "1940-05-01", phones: ["06 22 22 22 22"])
            try await Self.visit(app, world, patient: old, on: "2005-09-01", status: "fulfilled")
            try await Self.visit(app, world, patient: old, on: "2006-01-01", status: "noshow")
            let never = try await PatientSearchAPITests.add(app, practice: world.practiceA, birthName: "Jamais", firstNames: "Vu",
                                                            birthDate: "1990-05-01", phones: ["06 33 33 33 33"])
            let erase = #"{"mode":"erase","reason":"Demande du patient"}"#
            let anonymise = #"{"mode":"anonymise","reason":"Fin de la durée de conservation"}"#

            // A secretary may not; bad input names its fields.
            #expect(try await app.api(.POST, "\(base)/\(never)/erase", token: secretary, json: erase).status == .forbidden)
            let bad = try await app.api(.POST, "\(base)/\(never)/erase", token: supervisor, json: #"{"mode":"brûler","reason":""}"#)
            #expect(try AppointmentsAPITests.problem(bad).errors?.map(\.field) == ["mode", "reason"])
            // Seen in 2019: kept until 2039. Seen as a child in 2005: 20 years have passed, but kept until 28 years old.
            let tooRecent = try await app.api(.POST, "\(base)/\(recent)/erase", token: supervisor, json: erase)
            #expect(tooRecent.status == .conflict)
            #expect(try AppointmentsAPITests.problem(tooRecent).detail == "Le dossier doit être conservé jusqu'au 10/06/2039 (20 ans après la dernière venue).")
            let minor = try await app.api(.POST, "\(base)/\(child)/erase", token: supervisor, json: anonymise)
            #expect(try AppointmentsAPITests.problem(minor).detail?.contains("jusqu'au 01/02/2029") == true)
            #expect(try await PatientRecord.find(recent, on: app.db) != nil)
            #expect(try await PatientRecord.find(child, on: app.db)?.anonymisedAt == nil)

            // Last visit in 2005 (the no-show of 2006 is not a visit): anonymised, the appointments kept without notes.
            let done = try await app.api(.POST, "\(base)/\(old)/erase", token: supervisor, json: anonymise)
            #expect(done.status == .ok, "\(done.body.string)")
            let anonymised = try #require(try await PatientRecord.find(old, on: app.db))
            #expect(anonymised.birthName == "ANONYME" && anonymised.birthDate == "1940-01-01" && anonymised.anonymisedAt != nil)
            let kept = try await AppointmentRecord.query(on: app.db).filter(\.$patient.$id == old).all()
            #expect(kept.count == 2 && kept.allSatisfy { $0.notes == nil })
            #expect(try await PatientSearchAPITests.names(app, "\(base)/caller-id?number=0622222222", token: secretary).isEmpty)
            #expect(try await app.api(.POST, "\(base)/\(old)/erase", token: supervisor, json: erase).status == .conflict)

            // Never seen: erased at once, with its numbers; an appointment to come must be cancelled first.
            let s = try await AppointmentsAPITests.setUp(app, world: world)
            _ = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00", patient: never))
            let coming = try await app.api(.POST, "\(base)/\(never)/erase", token: supervisor, json: erase)
            #expect(try AppointmentsAPITests.problem(coming).detail == "Un rendez-vous est encore à venir : annulez-le d'abord.")
            try await AppointmentRecord.query(on: app.db).filter(\.$patient.$id == never).set(\.$status, to: "cancelled").update()
            try await SlotOccupancyRecord.query(on: app.db).delete()
            let erased = try await app.api(.POST, "\(base)/\(never)/erase", token: supervisor, json: erase)
            #expect(erased.status == .ok, "\(erased.body.string)")
            #expect(try await PatientRecord.find(never, on: app.db) == nil)
            #expect(try await AppointmentRecord.query(on: app.db).filter(\.$patient.$id == never).count() == 0)
            #expect(try await PatientPhoneRecord.query(on: app.db).filter(\.$patient.$id == never).count() == 0)
            #expect(try await PatientSearchAPITests.names(app, "\(base)?q=jamais", token: secretary).isEmpty)
            let journal = try await AuditEntryRecord.query(on: app.db).filter(\.$action ~~ ["erase", "anonymise"]).all()
            #expect(Set(journal.map(\.entityID)) == [old.uuidString, never.uuidString])
        }
    }
}
