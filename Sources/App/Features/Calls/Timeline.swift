import Domain
import Fluent
import Foundation
import SQLKit
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
        try await CallFile.read(patient: patient.id!, call: nil, upcomingAfter: nil, in: practice, limit: limit, on: db).history
    }
}

/// What the cockpit shows of a call and its patient, read in one statement: the patient's history (calls and their
/// corrections, appointment changes, transmissions, triage records, tasks), the patient's next appointments, and what
/// the call itself produced and the corrections written on it. Each part is a branch of one `UNION ALL` whose columns
/// are the same for all (kind, id, two instants, a related id, eight texts), each branch ordered and limited on its own.
struct CallFile {
    struct Link { let kind: String; let targetID: UUID }
    struct Correction { let kind: String; let text: String; let authorLabel: String; let createdAt: Date }
    struct Upcoming { let id: UUID; let startsAt: Date; let practitionerID: UUID; let reason: String }

    /// Newest first, at most the limit asked.
    var history: [TimelineEntryDTO] = []
    /// The patient's booked appointments after the instant asked, soonest first (at most 3).
    var upcoming: [Upcoming] = []
    /// What the call produced, oldest first.
    var links: [Link] = []
    /// The corrections and incidents written on the call, oldest first.
    var corrections: [Correction] = []

    private struct Row: Decodable {
        let kind: String; let id: UUID; let at: Date?; let at2: Date?; let ref: UUID?
        let t1: String?; let t2: String?; let t3: String?; let t4: String?; let t5: String?; let t6: String?; let t7: String?; let t8: String?
    }

    /// A branch of the union: its kind, then its columns as SQL (a missing one is a typed NULL, so that PostgreSQL
    /// resolves the same type in every branch), from the rest of its statement.
    private static func branch(_ kind: String, id: String, at: String, at2: String? = nil, ref: String? = nil, texts: [String],
                               _ rest: SQLQueryString) -> SQLQueryString {
        let columns = ["'\(kind)' AS kind", "\(id) AS id", "\(at) AS at", "\(at2 ?? "CAST(NULL AS TIMESTAMPTZ)") AS at2",
                       "\(ref ?? "CAST(NULL AS UUID)") AS ref"]
            + (1...8).map { "\($0 <= texts.count ? texts[$0 - 1] : "CAST(NULL AS TEXT)") AS t\($0)" }
        return "SELECT * FROM (SELECT \(unsafeRaw: columns.joined(separator: ", ")) " + rest + ") AS \(unsafeRaw: kind)_branch"
    }

    /// The patient's history (`patient`), next appointments (`upcomingAfter`), and the call's links and corrections
    /// (`call`); a part not asked for is not read.
    static func read(patient: UUID?, call: UUID?, upcomingAfter: Date?, in practice: AuthorizedPractice, limit: Int = 200,
                     on db: any Database) async throws -> CallFile {
        var branches: [SQLQueryString] = []
        if let patient {
            let mine: SQLQueryString = "practice_id = \(bind: practice.id) AND patient_id = \(bind: patient)"
            branches += [
                branch("call", id: "id", at: "opened_at",
                       texts: ["reasons", "outcome", "notes", "opened_by_label", "state", "CAST(duration_seconds AS TEXT)"],
                       "FROM calls WHERE " + mine + " ORDER BY opened_at DESC LIMIT \(literal: limit)"),
                branch("correction", id: "id", at: "created_at", ref: "call_id", texts: ["kind", "text", "author_label"],
                       "FROM call_corrections WHERE call_id IN (SELECT id FROM calls WHERE " + mine + ") ORDER BY created_at DESC LIMIT \(literal: limit)"),
                // An appointment's changes are its journal entries (the id in the journal is the upper-case text of the UUID).
                branch("appointment", id: "a.id", at: "e.occurred_at", at2: "a.starts_at", ref: "e.actor_id",
                       texts: ["e.action", "e.before", "e.after", "a.reason", "a.status", "u.display_name", "CAST(u.role AS TEXT)", "e.actor_label"],
                       "FROM appointments a JOIN audit_entries e ON e.entity = 'appointment' AND e.entity_id = UPPER(CAST(a.id AS TEXT)) "
                        + "LEFT JOIN users u ON u.id = e.actor_id "
                        + "WHERE a.practice_id = \(bind: practice.id) AND a.patient_id = \(bind: patient) AND e.action <> 'read' "
                        + "ORDER BY e.seq DESC LIMIT \(literal: limit)"),
                branch("transmission", id: "id", at: "sent_at", texts: ["subject", "priority", "state", "answer", "sent_by_label"],
                       "FROM transmissions WHERE " + mine + " ORDER BY sent_at DESC LIMIT \(literal: limit)"),
                branch("triage", id: "id", at: "created_at", ref: "transmission_id",
                       texts: ["CAST(final_level AS TEXT)", "action", "created_by_label"],
                       "FROM triage_evaluations WHERE " + mine + " ORDER BY created_at DESC LIMIT \(literal: limit)"),
                branch("task", id: "id", at: "created_at", texts: ["kind", "title", "state", "outcome", "created_by_label"],
                       "FROM tasks WHERE " + mine + " ORDER BY created_at DESC LIMIT \(literal: limit)"),
            ]
            if let upcomingAfter {
                branches.append(branch("upcoming", id: "id", at: "starts_at", ref: "practitioner_id", texts: ["reason"],
                                       "FROM appointments WHERE " + mine + " AND starts_at > \(bind: upcomingAfter) "
                                        + "AND status = \(bind: AppointmentStatus.booked.rawValue) ORDER BY starts_at LIMIT 3"))
            }
        }
        if let call {
            branches += [
                branch("link", id: "id", at: "created_at", ref: "target_id", texts: ["kind"],
                       "FROM call_links WHERE call_id = \(bind: call) ORDER BY created_at LIMIT 200"),
                branch("own_correction", id: "id", at: "created_at", ref: "call_id", texts: ["kind", "text", "author_label"],
                       "FROM call_corrections WHERE call_id = \(bind: call) ORDER BY created_at LIMIT 200"),
            ]
        }
        guard !branches.isEmpty else { return CallFile() }
        let rows = try await (db as! any SQLDatabase).raw(branches.joined(separator: " UNION ALL ")).all(decoding: Row.self)
        var file = CallFile()
        var changes: [Row] = []
        for row in rows {
            switch row.kind {
            case "link": if let target = row.ref, let kind = row.t1 { file.links.append(Link(kind: kind, targetID: target)) }
            case "own_correction":
                file.corrections.append(Correction(kind: row.t1 ?? "", text: row.t2 ?? "", authorLabel: row.t3 ?? "", createdAt: row.at ?? .distantPast))
            case "upcoming":
                if let at = row.at, let practitioner = row.ref {
                    file.upcoming.append(Upcoming(id: row.id, startsAt: at, practitionerID: practitioner, reason: row.t1 ?? ""))
                }
            case "appointment": changes.append(row)
            default: if let entry = Self.entry(row, in: practice) { file.history.append(entry) }
            }
        }
        file.history += changes.compactMap { Self.appointmentChange($0, in: practice) }
        file.history = Array(file.history.sorted { $0.at > $1.at }.prefix(limit))
        return file
    }


    /// A history entry of a call, a correction, a transmission, a triage record or a task.
    private static func entry(_ row: Row, in practice: AuthorizedPractice) -> TimelineEntryDTO? {
        let at = row.at ?? .distantPast
        switch row.kind {
        case "call":
            let reasons = (row.t1 ?? "").split(separator: ",").compactMap { CallReason(rawValue: String($0)) }.map(\.label).joined(separator: ", ")
            let closed = row.t5 == "closed"
            var detail = [reasons.isEmpty ? "Motif non renseigné" : reasons, row.t2.flatMap(CallOutcome.init(rawValue:))?.label ?? (closed ? "" : "Appel en cours")]
                .filter { !$0.isEmpty }.joined(separator: " — ")
            if let notes = row.t3, !notes.isEmpty { detail += "\n" + notes }
            let duration = row.t6.flatMap { Int($0) }.map { " (" + CallRules.duration(TimeInterval($0)) + ")" } ?? ""
            return TimelineEntryDTO(kind: "call", at: at, title: "Appel" + duration, detail: detail, by: AuditActor.readable(row.t4 ?? ""),
                                    link: SitePath.call.link(practice.id, row.id))
        case "correction":
            return TimelineEntryDTO(kind: "correction", at: at, title: "Correction d'un appel", detail: row.t2 ?? "",
                                    by: AuditActor.readable(row.t3 ?? ""), link: row.ref.map { SitePath.call.link(practice.id, $0) })
        case "transmission":
            var detail = "\((TransmissionPriority(rawValue: row.t2 ?? "") ?? .normal).label) — \((TransmissionState(rawValue: row.t3 ?? "") ?? .new).label)"
            if let answer = row.t4 { detail += "\nRéponse : " + answer }
            return TimelineEntryDTO(kind: "transmission", at: at, title: "Transmission : \(row.t1 ?? "")", detail: detail,
                                    by: AuditActor.readable(row.t5 ?? ""), link: SitePath.transmission.link(practice.id, row.id))
        case "triage":
            let finalLevel = row.t1.flatMap { Int($0) } ?? 0
            let level = UrgencyLevel(rawValue: finalLevel)
            var detail = row.t2.flatMap(TriageAction.init(rawValue:)).map { TriageAction.recordable.contains($0) ? $0.label : "" } ?? ""
            if row.ref != nil { detail += (detail.isEmpty ? "" : " — ") + "Transmission au praticien liée" }
            return TimelineEntryDTO(kind: "triage", at: at, title: "Triage : \(level?.label ?? "niveau \(finalLevel)")", detail: detail,
                                    by: AuditActor.readable(row.t3 ?? ""), link: SitePath.evaluation.link(practice.id, row.id))
        case "task":
            let kind = TaskKind(rawValue: row.t1 ?? "") ?? .callback
            let state = row.t3 == "open" ? "À faire" : (row.t4 ?? "")
            return TimelineEntryDTO(kind: "task", at: at, title: "\(kind.label) : \(row.t2 ?? "")", detail: state,
                                    by: AuditActor.readable(row.t5 ?? ""), link: SitePath.task.link(practice.id, row.id))
        default:
            return nil
        }
    }

    /// A journal entry of one of the patient's appointments, with the slot and status as they were then, not as they
    /// are now.
    private static func appointmentChange(_ row: Row, in practice: AuthorizedPractice) -> TimelineEntryDTO? {
        guard let occurred = row.at else { return nil }
        let then = row.t3.flatMap { try? Journal.decoder.decode(AppointmentSnapshot.self, from: Data($0.utf8)) }
        let before = row.t2.flatMap { try? Journal.decoder.decode(AppointmentSnapshot.self, from: Data($0.utf8)) }
        let start = then?.start ?? row.at2 ?? occurred
        let status = then.flatMap { AppointmentStatus(rawValue: $0.status) } ?? AppointmentStatus(rawValue: row.t5 ?? "") ?? .booked
        let title: String = switch row.t1 {
        case AuditAction.create.rawValue: "Rendez-vous pris"
        default:
            if let before, before.start != start { "Rendez-vous déplacé (il était le \(FrenchFormat.shortDate(before.start)) à \(FrenchFormat.time(before.start)))" }
            else if let before, before.status != status.rawValue { "Rendez-vous : \(status.label)" }
            else { "Rendez-vous modifié" }
        }
        // The author: the account's name when it is known, else the label the journal kept.
        let author = row.t6.flatMap { name in row.t7.flatMap(Role.init(rawValue:)).map { AuditActor.personName(name, role: $0) } }
            ?? AuditActor.readable(row.t8 ?? "")
        let when = "\(FrenchFormat.shortDate(start)) à \(FrenchFormat.time(start))"
        return TimelineEntryDTO(kind: "appointment", at: occurred, title: title, detail: "RDV du \(when) — \(row.t4 ?? "") — \(status.label)",
                                by: author, link: SitePath.appointment.link(practice.id, row.id))
    }
}
