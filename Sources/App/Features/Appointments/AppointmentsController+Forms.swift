import Domain
import Fluent
import Foundation
import Vapor

/// What the screens share: rows and history text.
extension AppointmentsController {
    static func appointmentID(_ req: Request) -> UUID? { req.parameters.get("appointmentID").flatMap { UUID(fastString: $0) } }

    static func patientParameter(_ req: Request, in practice: AuthorizedPractice) async throws -> PatientRecord {
        try await AgendaStore.find(PatientRecord.self, req.parameters.get("patientID").flatMap { UUID(fastString: $0) }, in: practice,
                                   practiceKey: \.$practice, on: req.db, what: "Patient")
    }

    static func hold(_ req: Request, in practice: AuthorizedPractice) async throws -> HoldRecord {
        try await AgendaStore.find(HoldRecord.self, req.parameters.get("holdID").flatMap { UUID(fastString: $0) }, in: practice,
                                   practiceKey: \.$practice, on: req.db, what: "Créneau retenu")
    }

    /// The patients answering what was typed, best first, as rows linking to `link(id)`.
    static func search(_ text: String?, in practice: AuthorizedPractice, req: Request, link: (UUID) -> String) async throws -> [PatientRow] {
        guard let text, !text.isEmpty else { return [] }
        let today = req.parisToday
        return try await PatientSearch.search(text, in: practice, today: today, cache: req.application.patientIndexCache, on: req.db).map {
            PatientRow(id: $0.id, name: $0.displayName, birth: $0.birthDate.birthText(on: today),
                       phone: Self.phoneList($0.phones.map { ($0.number, $0.label) }), link: link($0.id))
        }
    }

    /// A patient's row, with their phone numbers read.
    static func row(_ patient: PatientRecord, practice: UUID, link: String?, req: Request) async throws -> PatientRow {
        row(patient, phones: try await PatientSearch.phones(of: [patient.id!], on: req.db)[patient.id!] ?? [],
            link: link ?? SitePath.patient.link(practice, patient.id!), today: req.parisToday)
    }

    static func row(_ patient: PatientRecord, phones: [PatientPhoneRecord], link: String, today: LocalDate) -> PatientRow {
        let birth = LocalDate(iso: patient.birthDate)?.birthText(on: today) ?? patient.birthDate
        return PatientRow(id: patient.id!, name: patient.displayName, birth: birth, phone: phoneList(phones.map { ($0.number, $0.label) }), link: link)
    }

    /// "06 12 34 56 78 (portable), 01 45 00 00 01 (fixe)".
    static func phoneList(_ phones: [(PhoneNumber, String)]) -> String {
        phones.map { "\($0.0.display) (\($0.1))" }.joined(separator: ", ")
    }

    static func appointmentRow(_ record: AppointmentRecord, patient: String, names: [UUID: String], zone: TimeZone) -> AppointmentRow {
        AppointmentRow(id: record.id!, when: "\(FrenchFormat.shortDate(record.startsAt, in: zone)) \(FrenchFormat.time(record.startsAt, in: zone))",
                       practitioner: names[record.$practitioner.id] ?? "", patient: patient, motif: record.reason,
                       status: record.statusValue.label, statusCode: record.status)
    }

    static func waitingRows(_ entries: [WaitingListEntryRecord], practice: AuthorizedPractice, agenda: PracticeAgenda, names: [UUID: String],
                            now: Date, on db: any Database) async throws -> [WaitingRow] {
        let zone = agenda.timeZone
        let ids = Array(Set(entries.map(\.patientID)))
        let patients = ids.isEmpty ? [] : try await PatientRecord.query(on: db).filter(\.$id ~~ ids).all()
        let byID = Dictionary(uniqueKeysWithValues: patients.map { ($0.id!, $0) })
        let phones = try await PatientSearch.phones(of: ids, on: db)
        return entries.map { record in
            let entry = record.domain
            let patient = byID[record.patientID]
            let practitioners = CommaList.uuids(record.practitionerIDs)
            let days = max(0, Int(now.timeIntervalSince(record.createdAt) / 86_400))
            var book = SitePath.newAppointment.link(practice.id, query: "patient=\(record.patientID)&motif=\(record.motifID)")
            if let start = record.matchedStart { book += "&date=\(LocalDate(start, in: zone))" }
            if let practitioner = record.matchedPractitionerID { book += "&praticien=\(practitioner)" }
            return WaitingRow(
                id: record.id!, patient: patient?.displayName ?? "", patientLink: SitePath.patient.link(practice.id, record.patientID),
                phone: phones[record.patientID]?.first?.number.display ?? "", motif: agenda.motif(record.motifID)?.label ?? "",
                practitioners: practitioners.isEmpty ? "Indifférent" : practitioners.compactMap { names[$0] }.joined(separator: ", "),
                window: "du \(FrenchFormat.shortDate(record.windowStart, in: zone)) au \(FrenchFormat.shortDate(record.windowEnd.addingTimeInterval(-1), in: zone))",
                priority: entry.priority.label, waiting: days == 0 ? "inscrit aujourd'hui" : "attend depuis \(days) jour\(days > 1 ? "s" : "")",
                state: record.state, toCall: record.state == "to-call",
                matched: record.matchedStart.map { "Créneau libéré : \(FrenchFormat.longDate($0, in: zone)) à \(FrenchFormat.time($0, in: zone))" + (record.matchedPractitionerID.flatMap { names[$0] }.map { " avec \($0)" } ?? "") } ?? "",
                bookLink: book, notes: record.notes)
        }
    }

    /// An ISO time of the API as the secretary reads it.
    static func spoken(_ iso: String, zone: TimeZone) -> String {
        guard let instant = ISOTimestamp.parse(iso) else { return iso }
        return "\(FrenchFormat.longDate(instant, in: zone)) à \(FrenchFormat.time(instant, in: zone))"
    }

    static func historyDate(_ iso: String) -> String {
        guard let instant = ISOTimestamp.parse(iso) else { return iso }
        return "\(FrenchFormat.shortDate(instant)) \(FrenchFormat.time(instant))"
    }

    static func actionLabel(_ action: String) -> String {
        ["create": "Création", "update": "Modification", "delete": "Suppression", "read": "Consultation"][action] ?? action
    }

    /// The fields a change touched, "Champ : avant → après" in the secretary's words, from the journal's JSON snapshots.
    static func changes(before: String?, after: String?, names: [UUID: String], zone: TimeZone) -> String {
        func object(_ text: String?) -> [String: String] {
            guard let data = text?.data(using: .utf8), let value = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
            return value.compactMapValues { $0 is NSNull ? nil : "\($0)" }
        }
        let labels: [(key: String, label: String)] = [
            ("start", "Début"), ("practitionerId", "Praticien"), ("status", "Statut"), ("source", "Origine"), ("notes", "Notes"),
            ("urgencyLevel", "Urgence"), ("overrideReason", "Dérogation"), ("cancellationParty", "Annulation"),
            ("cancellationReason", "Motif d'annulation"), ("state", "État"),
        ]
        func spoken(_ key: String, _ value: String?) -> String {
            guard let value else { return "—" }
            switch key {
            case "start":
                guard let instant = ISOTimestamp.parse(value) else { return value }
                return "\(FrenchFormat.shortDate(instant, in: zone)) \(FrenchFormat.time(instant, in: zone))"
            case "practitionerId": return UUID(uuidString: value).flatMap { names[$0] } ?? value
            case "status": return AppointmentStatus(rawValue: value)?.label ?? value
            case "source": return BookingSource(rawValue: value)?.label ?? value
            case "cancellationParty": return CancellationParty(rawValue: value)?.label ?? value
            default: return value
            }
        }
        let old = object(before), new = object(after)
        return labels.filter { old[$0.key] != new[$0.key] }.map { key, label in
            before == nil ? "\(label) : \(spoken(key, new[key]))" : "\(label) : \(spoken(key, old[key])) → \(spoken(key, new[key]))"
        }.joined(separator: " ; ")
    }
}
