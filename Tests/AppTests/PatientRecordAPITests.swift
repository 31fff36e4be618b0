@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Creating a patient through the API: traits checked, likely duplicates shown before anything is saved, the opening
/// of a record traced.
struct PatientRecordAPITests {
    struct Record: Decodable { let id: UUID; let displayName: String; let phones: [PatientSearchAPITests.List.Phone]; let flags: [String]
        let consultedBy: [Consultation]?; struct Consultation: Decodable { let by: String } }
    struct DuplicateProblem: Decodable { struct Candidate: Decodable { let id: UUID; let reasons: [String] }; let duplicates: [Candidate]? }

    static let body = #"{"birthName":"Le Fèvre","firstNames":"Marie-Dominique","birthDate":"03/12/1957","sex":"F","phones":[{"number":"06.12.34.56.78"}],"flags":{"anxious":true,"interpreterLanguage":"arabe"}"#

    @Test func aNewPatientIsCreatedFoundAndTraced() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.secretaryA)
            let base = "/api/v1/practices/\(world.practiceA)/patients"
            // The practice's index is read by this search; the creation below must reach it.
            #expect(try await PatientSearchAPITests.names(app, "\(base)?q=lefevre", token: token).isEmpty)
            let created = try await app.api(.POST, base, token: token, json: Self.body + "}")
            #expect(created.status == .created, "\(created.body.string)")
            let record = try created.content.decode(Record.self)
            #expect(record.displayName == "LE FÈVRE Marie-Dominique")
            #expect(record.phones.map(\.number) == ["+33612345678"])
            #expect(record.flags == ["Appelant anxieux : rassurer, reformuler", "Interprète nécessaire (arabe)"])
            #expect(try await PatientSearchAPITests.names(app, "\(base)?q=lefevre", token: token) == ["LE FÈVRE Marie-Dominique"])
            // Opening it is traced, and the record says who consulted it.
            let opened = try await app.api(.GET, "\(base)/\(record.id)", token: token)
            #expect(try opened.content.decode(Record.self).consultedBy?.map(\.by) == [world.secretaryA])
            let traces = try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "patient").filter(\.$entityID == record.id.uuidString).all()
            #expect(traces.map(\.action).sorted() == ["create", "read"])
            // Another practice's secretary does not see it.
            #expect(try await app.api(.GET, "/api/v1/practices/\(world.practiceB)/patients/\(record.id)", token: token).status == .notFound)
        }
    }

    @Test func aLikelyDuplicateIsShownAndNothingIsSavedUntilConfirmed() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.secretaryA)
            let base = "/api/v1/practices/\(world.practiceA)/patients"
            let first = try await app.api(.POST, base, token: token, json: Self.body + "}")
            let firstID = try first.content.decode(Record.self).id
            // The same woman typed again with a spelling variant: refused with the record she looks like.
            let again = #"{"birthName":"Lefebvre","firstNames":"Marie","birthDate":"1957-12-03","sex":"F""#
            let refused = try await app.api(.POST, base, token: token, json: again + "}")
            #expect(refused.status == .conflict)
            let problem = try JSONDecoder().decode(DuplicateProblem.self, from: Data(refused.body.readableBytesView))
            #expect(problem.duplicates?.map(\.id) == [firstID])
            #expect(problem.duplicates?.first?.reasons == ["même date de naissance et nom proche"])
            #expect(try await PatientRecord.query(on: app.db).count() == 1)
            // Checked with the caller: another person. Saved.
            let confirmed = try await app.api(.POST, base, token: token, json: again + #","notDuplicateOf":["\#(firstID)"]}"#)
            #expect(confirmed.status == .created)
            #expect(try await PatientRecord.query(on: app.db).count() == 2)
        }
    }

    @Test func badInputNamesItsFieldsAndSavesNothing() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.secretaryA)
            let bad = #"{"birthName":"Petit","firstNames":"Léa","birthDate":"30/02/2001","sex":"F","nir":"157127511610879","phones":[{"number":"15"}]}"#
            let refused = try await app.api(.POST, "/api/v1/practices/\(world.practiceA)/patients", token: token, json: bad)
            #expect(refused.status == .unprocessableEntity)
            #expect(try AppointmentsAPITests.problem(refused).errors?.map(\.field) == ["birthDate", "nir", "phones[0].number"])
            #expect(try await PatientRecord.query(on: app.db).count() == 0)
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "patient").count() == 0)
        }
    }
}

struct PatientMergeAPITests {
    @Test func aMergeMovesTheAppointmentsKeepsBothHistoriesAndHidesTheDuplicate() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let base = "/api/v1/practices/\(s.world.practiceA)/patients"
            let kept = try await PatientSearchAPITests.add(app, practice: s.world.practiceA, birthName: "Durand", firstNames: "Marie",
                                                           birthDate: "1957-12-03", phones: ["06 12 34 56 78"])
            let duplicate = try await PatientSearchAPITests.add(app, practice: s.world.practiceA, birthName: "Durant", firstNames: "Marie",
                                                                birthDate: "1957-12-03", phones: ["01 45 00 00 01"])
            let booked = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00", patient: duplicate))
            let appointment = try booked.content.decode(AppointmentsAPITests.Result.self).appointment.id
            // A reason is required, and a record is not merged into itself.
            let noReason = try await app.api(.POST, "\(base)/\(duplicate)/merge", token: s.token, json: #"{"into":"\#(kept)","reason":" "}"#)
            #expect(try AppointmentsAPITests.problem(noReason).errors?.map(\.field) == ["reason"])
            let itself = try await app.api(.POST, "\(base)/\(duplicate)/merge", token: s.token, json: #"{"into":"\#(duplicate)","reason":"test"}"#)
            #expect(itself.status == .unprocessableEntity)
            #expect(try await AppointmentRecord.find(appointment, on: app.db)?.$patient.id == duplicate)

            let merged = try await app.api(.POST, "\(base)/\(duplicate)/merge", token: s.token, json: #"{"into":"\#(kept)","reason":"Même personne, vérifié"}"#)
            #expect(merged.status == .ok, "\(merged.body.string)")
            #expect(try await AppointmentRecord.find(appointment, on: app.db)?.$patient.id == kept)
            // The kept record carries both numbers; the duplicate is found by neither the search nor the caller-ID.
            let keptRecord = try merged.content.decode(PatientRecordAPITests.Record.self)
            #expect(keptRecord.phones.map(\.number) == ["+33612345678", "+33145000001"])
            #expect(try await PatientSearchAPITests.names(app, "\(base)?q=durant", token: s.token).isEmpty)
            #expect(try await PatientSearchAPITests.names(app, "\(base)/caller-id?number=0145000001", token: s.token) == ["DURAND Marie"])
            // Both histories stay: the appointment's shows the change of patient, the journal shows the decision.
            let detail = try await app.api(.GET, "\(s.base)/appointments/\(appointment)", token: s.token)
            #expect(detail.body.string.contains(duplicate.uuidString) && detail.body.string.contains(kept.uuidString))
            let decisions = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "merge").all()
            #expect(Set(decisions.map(\.entityID)) == [kept.uuidString, duplicate.uuidString])
            #expect(try await PatientRecord.find(duplicate, on: app.db)?.mergedIntoID == kept)
            // Merging it again is refused.
            let again = try await app.api(.POST, "\(base)/\(duplicate)/merge", token: s.token, json: #"{"into":"\#(kept)","reason":"encore"}"#)
            #expect(again.status == .conflict)
        }
    }
}
