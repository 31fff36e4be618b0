@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Erasing or anonymising a patient whom calls, transmissions, tasks and triages refer to: nothing fails, every trace
/// stays (for the center's figures and the journal) under a placeholder, and no number, name or free text of the
/// patient remains in them. The file handed out beforehand lists all of it.
struct PatientErasureTests {
    struct ID: Decodable { let id: UUID }

    /// One of each kind of reference to `w.patient`; returns the call, transmission, task and triage ids.
    static func traces(_ app: Application, _ w: JournalWorld) async throws -> (call: UUID, transmission: UUID, task: UUID, triage: UUID) {
        let call = try APIJSON.decode(ID.self, try await app.api(.POST, "\(w.base)/calls", token: w.secretary, json:
            #"{"patientId":"\#(w.patient)","callerNumber":"06 12 34 56 78","reasons":["results"],"notes":"Mme Durand rappelle pour ses résultats"}"#)).id
        let transmission = try APIJSON.decode(ID.self, try await app.api(.POST, "\(w.base)/transmissions", token: w.secretary, json: """
            {"practitionerId":"\(w.world.practitionerA)","patientId":"\(w.patient)","callId":"\(call)","priority":"normal",
             "subject":"Résultats de Mme Durand","message":"Mme Léa Durand attend ses résultats","callbackNumber":"06 12 34 56 78"}
            """)).id
        let task = try APIJSON.decode(ID.self, try await app.api(.POST, "\(w.base)/tasks", token: w.secretary, json:
            #"{"patientId":"\#(w.patient)","title":"Rappeler Mme Durand","details":"Au 06 12 34 56 78 après 18 h","phone":"06 12 34 56 78"}"#)).id
        let triage = try APIJSON.decode(ID.self, try await app.api(.POST, "\(w.base)/triage/evaluations", token: w.secretary, json: """
            {"answers":{"new-problem":"no"},"record":true,"action":"adviceGiven","patientId":"\(w.patient)","callId":"\(call)","callerName":"Léa Durand"}
            """)).id
        return (call, transmission, task, triage)
    }

    /// Every stored text of the traces, for looking for the patient in it.
    static func storedText(_ app: Application, _ ids: (call: UUID, transmission: UUID, task: UUID, triage: UUID)) async throws -> String {
        let call = try #require(try await CallRecord.find(ids.call, on: app.db))
        let transmission = try #require(try await TransmissionRecord.find(ids.transmission, on: app.db))
        let task = try #require(try await TaskRecord.find(ids.task, on: app.db))
        let triage = try #require(try await TriageEvaluationRecord.find(ids.triage, on: app.db))
        let outbox = try await OutboxMessageRecord.query(on: app.db).filter(\.$transmissionID == ids.transmission).all()
        return ([call.callerNumber, call.notes, transmission.subject, transmission.message, transmission.callbackNumber, task.title,
                 task.details, task.phone, triage.callerName ?? "", triage.callbackNumber ?? "", triage.script ?? ""]
                + outbox.flatMap { [$0.subject, $0.body] }).joined(separator: "\n")
    }

    @Test(arguments: ["erase", "anonymise"])
    func everyKindOfReferenceIsClearedAndNothingFails(mode: String) async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let supervisor = try await app.apiToken(w.world.supervisor)
            let ids = try await Self.traces(app, w)
            let patients = "\(w.base)/patients/\(w.patient)"
            #expect(try await Self.storedText(app, ids).contains("Durand"))

            // The file handed out first lists every trace.
            let file = try await app.api(.GET, "\(patients)/export", token: w.secretary)
            struct File: Decodable {
                let calls: [ID]; let transmissions: [ID]; let tasks: [ID]; let triages: [ID]
                struct Event: Decodable { let entityId: String }; let history: [Event]
            }
            let exported = try APIJSON.decode(File.self, file)
            #expect(exported.calls.map(\.id) == [ids.call] && exported.transmissions.map(\.id) == [ids.transmission])
            #expect(exported.tasks.map(\.id).contains(ids.task) && exported.triages.map(\.id) == [ids.triage])
            #expect(exported.history.contains { $0.entityId == ids.transmission.uuidString })

            // A matter not yet dealt with must reach a person first: refused, nothing changes.
            let body = #"{"mode":"\#(mode)","reason":"Demande de la patiente"}"#
            let waiting = try await app.api(.POST, "\(patients)/erase", token: supervisor, json: body)
            #expect(waiting.status == .conflict)
            #expect(waiting.body.string.contains("transmission"))
            #expect(try await PatientRecord.find(w.patient, on: app.db)?.birthName == "Durand")
            #expect(try await app.api(.POST, "\(w.base)/transmissions/\(ids.transmission)/acknowledge", token: w.doctor).status == .ok)
            let open = try await app.api(.POST, "\(patients)/erase", token: supervisor, json: body)
            #expect(open.status == .conflict)
            #expect(open.body.string.contains("tâche"))
            for task in try await TaskRecord.query(on: app.db).filter(\.$state == "open").all() {
                #expect(try await app.api(.POST, "\(w.base)/tasks/\(task.id!)/done", token: w.secretary, json: #"{"outcome":"Rappelée"}"#).status == .ok)
            }

            let done = try await app.api(.POST, "\(patients)/erase", token: supervisor, json: body)
            #expect(done.status == .ok, "\(done.body.string)")
            let left = try await Self.storedText(app, ids)
            for identifying in ["Durand", "Léa", "0612345678", "+33612345678", "06 12 34 56 78", "résultats"] {
                #expect(!left.contains(identifying), "\(mode): « \(identifying) » is still in the traces")
            }
            #expect(left.contains(PatientTraces.placeholder(for: w.patient, erased: mode == "erase")))
            let linked = [try await CallRecord.find(ids.call, on: app.db)?.patientID, try await TransmissionRecord.find(ids.transmission, on: app.db)?.patientID,
                          try await TaskRecord.find(ids.task, on: app.db)?.patientID, try await TriageEvaluationRecord.find(ids.triage, on: app.db)?.patientID]
            #expect(linked == Array(repeating: mode == "erase" ? nil : w.patient, count: 4))
            #expect(try await PatientRecord.find(w.patient, on: app.db) == nil || mode == "anonymise")
            // The journal keeps who did what, without the patient's identity, and its seals still hold.
            let journal = try await AuditEntryRecord.query(on: app.db).all().map { [$0.before ?? "", $0.after ?? ""].joined() }.joined()
            #expect(!journal.contains("Durand") && !journal.contains("612345678"), "\(mode): the journal still names the patient")
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$entityID == w.patient.uuidString).filter(\.$action == "create").count() == 1)
            guard case .intact = try await AuditVerifier.verify(on: app.db, seal: app.writer.seal) else { Issue.record("\(mode) broke the chain"); return }
            // The traces still read on the screens and through the API.
            #expect(try await app.api(.GET, "\(w.base)/calls/\(ids.call)", token: w.secretary).status == .ok)
            #expect(try await app.api(.GET, "\(w.base)/transmissions/\(ids.transmission)", token: w.secretary).status == .ok)
            var browser = Browser(app)
            try await browser.signIn(w.world.secretaryA)
            #expect(try await browser.get("/cabinets/\(w.world.practiceA)/appels/\(ids.call)").status == .ok)
        }
    }
}
