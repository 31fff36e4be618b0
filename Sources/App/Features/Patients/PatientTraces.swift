import Crypto
import Fluent
import Foundation

/// What the center holds about a patient beyond the record and the appointments: the calls that named them, the
/// transmissions, tasks and triages about them. Listed in the export; cleared of whatever identifies the patient
/// (numbers, names, free text) when the record is erased or anonymised, so that the center's figures and the other
/// traces stay whole.
struct PatientTraces: Sendable {
    var calls: [CallRecord]
    var transmissions: [TransmissionRecord]
    var tasks: [TaskRecord]
    var triages: [TriageEvaluationRecord]

    /// The traces of the records `ids` (one person's file) in `practice`.
    static func of(_ ids: [UUID], in practice: UUID, on db: any Database) async throws -> PatientTraces {
        let calls = try await CallRecord.query(on: db).filter(\.$practice.$id == practice).filter(\.$patientID ~~ ids).sort(\.$openedAt).all()
        let transmissions = try await TransmissionRecord.query(on: db).filter(\.$practice.$id == practice).filter(\.$patientID ~~ ids)
            .sort(\.$sentAt).all()
        let transmissionIDs = transmissions.compactMap(\.id)
        let tasks = try await TaskRecord.query(on: db).filter(\.$practice.$id == practice)
            .group(.or) { $0.filter(\.$patientID ~~ ids).filter(\.$transmissionID ~~ transmissionIDs) }.sort(\.$createdAt).all()
        let triages = try await TriageEvaluationRecord.query(on: db).filter(\.$practice.$id == practice)
            .group(.or) { $0.filter(\.$patientID ~~ ids).filter(\.$transmissionID ~~ transmissionIDs) }.sort(\.$createdAt).all()
        return PatientTraces(calls: calls, transmissions: transmissions, tasks: tasks, triages: triages)
    }

    /// The ids under which the journal knows these traces.
    var entityIDs: [String] {
        (calls.compactMap(\.id) + transmissions.compactMap(\.id) + tasks.compactMap(\.id) + triages.compactMap(\.id)).map(\.uuidString)
    }

    /// Why the record may not be erased or anonymised yet: a transmission not yet acknowledged or a task still open
    /// is a matter that must reach a person first.
    var refusal: String? {
        let waiting = transmissions.filter(\.state.awaitsPractitioner).count
        if waiting > 0 {
            return waiting == 1 ? "Une transmission n'a pas encore été prise en compte par le praticien : attendez qu'elle le soit."
                : "\(waiting) transmissions n'ont pas encore été prises en compte par le praticien : attendez qu'elles le soient."
        }
        let open = tasks.filter { $0.state == "open" }.count
        if open > 0 { return open == 1 ? "Une tâche est encore ouverte : terminez-la d'abord." : "\(open) tâches sont encore ouvertes : terminez-les d'abord." }
        return nil
    }

    /// "Patient effacé · réf. 3F9A1C": the same for every trace of one record, and nothing that names the person.
    static func placeholder(for patient: UUID, erased: Bool) -> String {
        let reference = SHA256.hash(data: Data(patient.uuidString.utf8)).hex.prefix(6).uppercased()
        return (erased ? "Patient effacé" : "Patient anonymisé") + " · réf. " + reference
    }

    /// Replaces what identifies the patient by `placeholder`; with `detach` (erasure), unlinks the traces from the
    /// record, which is about to go.
    func clear(placeholder: String, detach: Bool, on tx: any Database) async throws {
        let cleared = "[" + placeholder + "]"
        let callIDs = calls.compactMap(\.id)
        for call in calls {
            call.callerNumber = ""
            call.notes = cleared
            if detach { call.patientID = nil }
            try await call.update(on: tx)
        }
        if !callIDs.isEmpty {
            try await CallCorrectionRecord.query(on: tx).filter(\.$call.$id ~~ callIDs).set(\.$text, to: cleared).update()
            try await TelephonyEventRecord.query(on: tx).filter(\.$callID ~~ callIDs).set(\.$callerNumber, to: "").update()
        }
        for transmission in transmissions {
            transmission.subject = placeholder
            transmission.message = cleared
            transmission.callbackNumber = ""
            transmission.answer = transmission.answer.map { _ in cleared }
            if detach { transmission.patientID = nil }
            try await transmission.update(on: tx)
        }
        let transmissionIDs = transmissions.compactMap(\.id)
        if !transmissionIDs.isEmpty {
            try await OutboxMessageRecord.query(on: tx).filter(\.$transmissionID ~~ transmissionIDs)
                .set(\.$subject, to: placeholder).set(\.$body, to: cleared).update()
        }
        for task in tasks {
            task.title = placeholder
            task.details = cleared
            task.phone = ""
            task.outcome = task.outcome.map { _ in cleared }
            if detach { task.patientID = nil }
            try await task.update(on: tx)
        }
        for triage in triages {
            triage.callerName = nil
            triage.callbackNumber = nil
            triage.script = nil
            triage.levelReason = triage.levelReason.map { _ in cleared }
            if detach { triage.patientID = nil }
            try await triage.update(on: tx)
        }
    }
}
