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
            entries.append(TimelineEntryDTO(kind: "call", at: call.openedAt, title: "Appel" + duration, detail: detail, by: AuditActor.readable(call.openedByLabel),
                                            link: "\(base)/appels/\(call.id!)"))
        }
        if !calls.isEmpty {
            for correction in try await CallCorrectionRecord.query(on: db).filter(\.$call.$id ~~ calls.map { $0.id! }).all() {
                entries.append(TimelineEntryDTO(kind: "correction", at: correction.createdAt, title: "Correction d'un appel", detail: correction.text,
                                                by: AuditActor.readable(correction.authorLabel), link: "\(base)/appels/\(correction.$call.id)"))
            }
        }

        let appointments = try await AppointmentRecord.query(on: db).filter(\.$practice.$id == practice.id).filter(\.$patient.$id == patientID).all()
        if !appointments.isEmpty {
            let byID = Dictionary(uniqueKeysWithValues: appointments.map { ($0.id!.uuidString, $0) })
            let changes = try await AuditEntryRecord.query(on: db).filter(\.$entity == "appointment").filter(\.$entityID ~~ Array(byID.keys))
                .filter(\.$action != AuditAction.read.rawValue).sort(\.$id, .descending).limit(limit).all()
            let names = try await PeopleNames.names(of: Set(changes.compactMap(\.actorID)), on: db)
            for change in changes {
                guard let appointment = byID[change.entityID] else { continue }
                // The values of the entry's own time: the slot and status as they were then, not as they are now.
                let then = change.after.flatMap { try? Journal.decoder.decode(AppointmentSnapshot.self, from: Data($0.utf8)) }
                let start = then?.start ?? appointment.startsAt
                let status = then.flatMap { AppointmentStatus(rawValue: $0.status) } ?? appointment.statusValue
                let before = change.before.flatMap { try? Journal.decoder.decode(AppointmentSnapshot.self, from: Data($0.utf8)) }
                let title: String = switch change.action {
                case AuditAction.create.rawValue: "Rendez-vous pris"
                default:
                    if let before, before.start != start { "Rendez-vous déplacé (il était le \(FrenchFormat.shortDate(before.start)) à \(FrenchFormat.time(before.start)))" }
                    else if let before, before.status != status.rawValue { "Rendez-vous : \(status.label)" }
                    else { "Rendez-vous modifié" }
                }
                let when = "\(FrenchFormat.shortDate(start)) à \(FrenchFormat.time(start))"
                entries.append(TimelineEntryDTO(kind: "appointment", at: change.occurredAt, title: title,
                                                detail: "RDV du \(when) — \(appointment.reason) — \(status.label)",
                                                by: PeopleNames.author(of: change, names: names), link: "\(base)/rendez-vous/\(appointment.id!)"))
            }
        }

        for transmission in try await TransmissionStore.list(in: practice, patient: patientID, limit: limit, on: db) {
            var detail = "\(transmission.priority.label) — \(transmission.state.label)"
            if let answer = transmission.answer { detail += "\nRéponse : " + answer }
            entries.append(TimelineEntryDTO(kind: "transmission", at: transmission.sentAt, title: "Transmission : \(transmission.subject)",
                                            detail: detail, by: AuditActor.readable(transmission.sentByLabel), link: "\(base)/transmissions/\(transmission.id!)"))
        }

        for triage in try await TriageEvaluationRecord.query(on: db).filter(\.$practice.$id == practice.id).filter(\.$patientID == patientID)
            .sort(\.$createdAt, .descending).limit(limit).all() {
            let level = UrgencyLevel(rawValue: triage.finalLevel)
            var detail = triage.action.flatMap(TriageAction.init(rawValue:)).map { TriageAction.recordable.contains($0) ? $0.label : "" } ?? ""
            if triage.transmissionID != nil { detail += (detail.isEmpty ? "" : " — ") + "Transmission au praticien liée" }
            entries.append(TimelineEntryDTO(kind: "triage", at: triage.createdAt ?? .distantPast, title: "Triage : \(level?.label ?? "niveau \(triage.finalLevel)")",
                                            detail: detail, by: AuditActor.readable(triage.createdByLabel), link: "\(base)/urgence/\(triage.id!)"))
        }

        for task in try await TaskStore.list(in: practice, openOnly: false, patient: patientID, on: db) {
            let state = task.state == "open" ? "À faire" : (task.outcome ?? "")
            entries.append(TimelineEntryDTO(kind: "task", at: task.createdAt, title: "\(task.kind.label) : \(task.title)", detail: state,
                                            by: AuditActor.readable(task.createdByLabel), link: "\(base)/taches/\(task.id!)"))
        }
        return Array(entries.sorted { $0.at > $1.at }.prefix(limit))
    }
}
