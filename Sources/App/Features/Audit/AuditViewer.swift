import Domain
import Fluent
import Foundation
import Vapor

extension AuditAction {
    /// As the viewer shows it.
    var label: String {
        switch self {
        case .create: "Création"
        case .update: "Modification"
        case .delete: "Suppression"
        case .read: "Consultation"
        case .merge: "Fusion de dossiers"
        case .export: "Dossier remis au patient"
        case .erase: "Effacement"
        case .anonymise: "Anonymisation"
        case .import: "Import de patients"
        case .login: "Connexion"
        case .loginFailed: "Échec de connexion"
        case .logout: "Déconnexion"
        case .lockout: "Verrouillage"
        case .tokenIssued: "Jeton API délivré"
        case .tokenRevoked: "Jeton API révoqué"
        case .chainUpgraded: "Journal scellé de nouveau"
        case .auditViewed: "Consultation du journal"
        }
    }
}

/// Who did what, when, to which record: the journal read by administrators and supervisors, filtered by person,
/// patient, practice, action and period, and exported as CSV. Reading it is journaled too.
enum AuditViewer {
    /// The filters, from the page's form or the API's query (the same names).
    struct Filters: Encodable, Sendable {
        var person: String = ""
        var patient: UUID?
        var practice: UUID?
        var action: AuditAction?
        var from: LocalDate?
        var to: LocalDate?
        /// Entries before this one (the next page).
        var before: Int64?

        /// No filter: the whole journal.
        init() {}

        enum CodingKeys: String, CodingKey { case person, patient, practice, action, from, to }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            if !person.isEmpty { try container.encode(person, forKey: .person) }
            try container.encodeIfPresent(patient, forKey: .patient)
            try container.encodeIfPresent(practice, forKey: .practice)
            try container.encodeIfPresent(action?.rawValue, forKey: .action)
            try container.encodeIfPresent(from?.description, forKey: .from)
            try container.encodeIfPresent(to?.description, forKey: .to)
        }

        /// Reads `personne`, `patient`, `cabinet`, `action`, `du`, `au`, `avant`; every malformed one is named.
        init(_ req: Request) throws {
            var errors: [FieldError] = []
            func text(_ name: String) -> String? {
                req.query[String.self, at: name]?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
            }
            person = String((text("personne") ?? "").lowercased().prefix(100))
            if let raw = text("patient") {
                patient = UUID(fastString: raw)
                if patient == nil { errors.append(.init(field: "patient", reason: "identifiant de dossier patient attendu")) }
            }
            if let raw = text("cabinet") {
                practice = UUID(fastString: raw)
                if practice == nil { errors.append(.init(field: "cabinet", reason: "identifiant de cabinet attendu")) }
            }
            if let raw = text("action") {
                action = AuditAction(rawValue: raw)
                if action == nil { errors.append(.init(field: "action", reason: "une des actions du journal attendue")) }
            }
            for (name, keyPath) in [("du", \Filters.from), ("au", \Filters.to)] {
                guard let raw = text(name) else { continue }
                if let date = LocalDate(iso: raw) { self[keyPath: keyPath] = date } else {
                    errors.append(.init(field: name, reason: "date AAAA-MM-JJ attendue"))
                }
            }
            if let from, let to, to < from { errors.append(.init(field: "au", reason: "la fin de la période doit suivre son début")) }
            if let raw = text("avant") {
                before = Int64(raw)
                if before == nil { errors.append(.init(field: "avant", reason: "numéro d'entrée attendu")) }
            }
            if !errors.isEmpty { throw AppError.validation(errors) }
        }

        /// The query string that gives these filters again (for the next page and the export).
        var query: String {
            var items: [URLQueryItem] = []
            if !person.isEmpty { items.append(.init(name: "personne", value: person)) }
            if let patient { items.append(.init(name: "patient", value: patient.uuidString)) }
            if let practice { items.append(.init(name: "cabinet", value: practice.uuidString)) }
            if let action { items.append(.init(name: "action", value: action.rawValue)) }
            if let from { items.append(.init(name: "du", value: from.description)) }
            if let to { items.append(.init(name: "au", value: to.description)) }
            var components = URLComponents()
            components.queryItems = items
            return components.percentEncodedQuery ?? ""
        }
    }

    /// What the journal's entities are called on the page.
    static let entityLabels: [String: String] = [
        "patient": "Dossier patient", "appointment": "Rendez-vous", "hold": "Créneau retenu", "waiting-list-entry": "Liste d'attente",
        "call": "Appel", "call-correction": "Correction d'appel", "call-incident": "Incident d'appel", "transmission": "Transmission",
        "task": "Tâche", "triage": "Évaluation de l'urgence", "user": "Compte", "api_token": "Jeton API", "login": "Connexion",
        "login_address": "Adresse", "practice": "Cabinet", "practitioner": "Praticien", "motif": "Motif", "weekly_template": "Horaires",
        "agenda_exception": "Absence ou ouverture", "urgent_slot_rule": "Créneaux d'urgence", "patient_import": "Import de patients",
        "handover-note": "Note de relève", "queue-claim": "Prise en charge", "escalation-policy": "Relances", "center": "Centre",
        "audit_journal": "Journal d'audit",
    ]

    /// One entry as people read it.
    struct Row: Content {
        let seq: Int64
        let at: String
        /// "jeu. 03/12/2026 08:21:14", Paris time.
        let when: String
        let by: String
        let action: String
        let actionLabel: String
        let entity: String
        let entityLabel: String
        let entityId: String
        let practice: String
        let requestId: String
    }

    static let pageSize = 100
    static let exportLimit = 50_000

    /// The entries that match, newest first, at most `limit`.
    static func entries(_ filters: Filters, limit: Int, on db: any Database) async throws -> [AuditEntryRecord] {
        let query = AuditEntryRecord.query(on: db)
        if !filters.person.isEmpty {
            let users = try await UserRecord.query(on: db).all().filter {
                $0.displayName.lowercased().contains(filters.person) || $0.email.contains(filters.person)
            }.compactMap(\.id)
            query.group(.or) { $0.filter(\.$actorLabel ~~ filters.person).filter(\.$actorID ~~ users) }
        }
        if let patient = filters.patient { query.filter(\.$entityID == patient.uuidString) }
        if let practice = filters.practice { query.filter(\.$practiceID == practice) }
        if let action = filters.action { query.filter(\.$action == action.rawValue) }
        func midnight(_ day: LocalDate) -> Date {
            WallClock.resolve(day, minutes: 0, in: FrenchFormat.parisTimeZone, ambiguity: .earlier).instant
        }
        if let from = filters.from { query.filter(\.$occurredAt >= midnight(from)) }
        if let to = filters.to { query.filter(\.$occurredAt < midnight(to.adding(days: 1))) }
        if let before = filters.before { query.filter(\.$id < before) }
        return try await query.sort(\.$id, .descending).limit(limit).all()
    }

    /// `entries` as rows, with people's and practices' names.
    static func rows(_ entries: [AuditEntryRecord], on db: any Database) async throws -> [Row] {
        let names = try await PeopleNames.names(of: Set(entries.compactMap(\.actorID)), on: db)
        let practices = Dictionary(uniqueKeysWithValues: try await PracticeRecord.query(on: db).all().map { ($0.id!, $0.name) })
        return entries.map { entry in
            Row(seq: entry.id ?? 0, at: ISOTimestamp.string(entry.occurredAt, in: FrenchFormat.parisTimeZone),
                when: FrenchFormat.moment(entry.occurredAt),
                by: PeopleNames.author(of: entry, names: names), action: entry.action,
                actionLabel: AuditAction(rawValue: entry.action)?.label ?? entry.action, entity: entry.entity,
                entityLabel: entityLabels[entry.entity] ?? entry.entity, entityId: entry.entityID,
                practice: entry.practiceID.flatMap { practices[$0] } ?? "", requestId: entry.requestID ?? "")
        }
    }

    /// The journal read by `principal` with `filters` (`how`: the page or the export), itself journaled.
    static func traceViewing(_ filters: Filters, how: String, principal: Principal, req: Request) async throws {
        try await req.writer.transaction(on: req.db, actor: principal.auditActor, requestID: req.id) { _, journal in
            try await journal.record(.auditViewed, entity: "audit_journal", entityID: how, practiceID: filters.practice, after: filters)
        }
    }

    /// The rows as CSV (RFC 4180, `;` as French spreadsheets expect, UTF-8 with its mark).
    static func csv(_ rows: [Row]) -> String {
        func field(_ value: String) -> String {
            value.contains(where: { ";\"\n\r".contains($0) }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
        }
        let header = ["n°", "date et heure", "personne", "action", "objet", "identifiant", "cabinet", "requête"]
        let lines = [header] + rows.map { [String($0.seq), $0.at, $0.by, $0.actionLabel, $0.entityLabel, $0.entityId, $0.practice, $0.requestId] }
        return "\u{FEFF}" + lines.map { $0.map(field).joined(separator: ";") }.joined(separator: "\r\n") + "\r\n"
    }
}
