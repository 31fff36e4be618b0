import Domain
import Fluent
import Foundation
import Vapor

struct TimelineEntryDTO: Content {
    /// call, correction, appointment, transmission, triage, task.
    let kind: String
    let at: Date
    let title: String
    let detail: String
    let by: String
    let link: String?
}

struct TimelineDTO: Content { let entries: [TimelineEntryDTO] }

/// A patient's history in one list, newest first: calls (and their corrections), appointment changes, transmissions,
/// triage records and tasks, so that the next secretary knows what was said.
enum Timeline {
    /// An entry as the screens show it.
    struct Row: Encodable {
        let kind: String
        let when: String
        let title: String
        let detail: String
        let by: String
        let link: String?

        init(_ entry: TimelineEntryDTO) {
            kind = entry.kind
            when = "\(FrenchFormat.shortDate(entry.at)) \(FrenchFormat.time(entry.at))"
            title = entry.title
            detail = entry.detail
            by = entry.by
            link = entry.link
        }
    }

    static func entries(of patient: PatientRecord, in practice: AuthorizedPractice, limit: Int = 200, on db: any Database) async throws -> [TimelineEntryDTO] {
        let patientID = patient.id!
        let base = "/cabinets/\(practice.id)"
        var entries: [TimelineEntryDTO] = []

        let calls = try await CallStore.list(in: practice, patient: patientID, limit: limit, on: db)
        for call in calls {
            let reasons = call.reasons.map(\.label).joined(separator: ", ")
            var detail = [reasons.isEmpty ? "Motif non renseigné" : reasons, call.outcome?.label ?? (call.isClosed ? "" : "Appel en cours")]
                .filter { !$0.isEmpty }.joined(separator: " — ")
            if !call.notes.isEmpty { detail += "\n" + call.notes }
            let duration = call.durationSeconds.map { " (" + CallRules.duration(TimeInterval($0)) + ")" } ?? ""
            entries.append(TimelineEntryDTO(kind: "call", at: call.openedAt, title: "Appel" + duration, detail: detail, by: call.openedByLabel,
                                            link: "\(base)/appels/\(call.id!)"))
        }
        if !calls.isEmpty {
            for correction in try await CallCorrectionRecord.query(on: db).filter(\.$call.$id ~~ calls.map { $0.id! }).all() {
                entries.append(TimelineEntryDTO(kind: "correction", at: correction.createdAt, title: "Correction d'un appel", detail: correction.text,
                                                by: correction.authorLabel, link: "\(base)/appels/\(correction.$call.id)"))
            }
        }

        let appointments = try await AppointmentRecord.query(on: db).filter(\.$practice.$id == practice.id).filter(\.$patient.$id == patientID).all()
        if !appointments.isEmpty {
            let byID = Dictionary(uniqueKeysWithValues: appointments.map { ($0.id!.uuidString, $0) })
            let changes = try await AuditEntryRecord.query(on: db).filter(\.$entity == "appointment").filter(\.$entityID ~~ Array(byID.keys))
                .sort(\.$id, .descending).limit(limit).all()
            for change in changes {
                guard let appointment = byID[change.entityID] else { continue }
                let title: String
                switch change.action {
                case AuditAction.create.rawValue: title = "Rendez-vous pris"
                case AuditAction.read.rawValue: continue
                default: title = "Rendez-vous modifié"
                }
                let when = "\(FrenchFormat.shortDate(appointment.startsAt)) à \(FrenchFormat.time(appointment.startsAt))"
                entries.append(TimelineEntryDTO(kind: "appointment", at: change.occurredAt, title: title,
                                                detail: "RDV du \(when) — \(appointment.reason) — \(appointment.statusValue.label)",
                                                by: change.actorLabel, link: "\(base)/rendez-vous/\(appointment.id!)"))
            }
        }

        for transmission in try await TransmissionStore.list(in: practice, patient: patientID, limit: limit, on: db) {
            var detail = "\(transmission.priority.label) — \(transmission.state.label)"
            if let answer = transmission.answer { detail += "\nRéponse : " + answer }
            entries.append(TimelineEntryDTO(kind: "transmission", at: transmission.sentAt, title: "Transmission : \(transmission.subject)",
                                            detail: detail, by: transmission.sentByLabel, link: "\(base)/transmissions/\(transmission.id!)"))
        }

        for triage in try await TriageEvaluationRecord.query(on: db).filter(\.$practice.$id == practice.id).filter(\.$patientID == patientID)
            .sort(\.$createdAt, .descending).limit(limit).all() {
            let level = UrgencyLevel(rawValue: triage.finalLevel)
            let action = triage.action.flatMap(TriageAction.init(rawValue:))?.label ?? ""
            entries.append(TimelineEntryDTO(kind: "triage", at: triage.createdAt ?? .distantPast, title: "Triage : \(level?.label ?? "niveau \(triage.finalLevel)")",
                                            detail: action, by: triage.createdByLabel, link: "\(base)/urgence/\(triage.id!)"))
        }

        for task in try await TaskStore.list(in: practice, openOnly: false, patient: patientID, on: db) {
            let state = task.state == "open" ? "À faire" : (task.outcome ?? "")
            entries.append(TimelineEntryDTO(kind: "task", at: task.createdAt, title: "\(task.kind.label) : \(task.title)", detail: state,
                                            by: task.createdByLabel, link: "\(base)/taches/\(task.id!)"))
        }
        return Array(entries.sorted { $0.at > $1.at }.prefix(limit))
    }
}
