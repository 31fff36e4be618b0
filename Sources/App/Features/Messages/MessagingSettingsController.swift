import Domain
import Fluent
import Foundation
import Vapor

/// What the settings form sends.
struct MessagingForm: Content {
    var sms: String?
    var email: String?
    var rappel24: String?
    var rappel72: String?
    var motifs: [String]?
    var nommerPraticien: String?
    var specialiteSensible: String?
    var delaiAnnulation: String?
    /// `modeles[reminder_sms]` and the like: one per kind and channel.
    var modeles: [String: String]?
    /// `apercu` shows the messages without saving; anything else saves.
    var action: String?
}

/// The practice's settings of its patients' messages: channels, reminders and their motifs, what the messages may
/// name, the link's notice, and the wordings (each checked against the no-health-data rule before it is saved).
enum MessagingSettingsStore {
    static func settings(of practice: UUID, now: Date, on db: any Database) async throws -> PracticeMessagingRecord {
        try await PatientMessages.settings(of: practice, on: db) ?? .off(practice: practice, now: now)
    }

    static func motifs(of practice: UUID, on db: any Database) async throws -> [MotifRecord] {
        try await MotifRecord.query(on: db).filter(\.$practice.$id == practice).sort(\.$label).all()
    }

    /// The form applied to a copy of the settings; the faults when it cannot be saved.
    static func apply(_ form: MessagingForm, to current: PracticeMessagingRecord, motifs: [MotifRecord]) -> (PracticeMessagingRecord, [FieldError]) {
        var errors: [FieldError] = []
        let record = PracticeMessagingRecord()
        record.id = current.id
        record.$practice.id = current.$practice.id
        record.sms = form.sms != nil
        record.email = form.email != nil
        record.reminder24h = form.rappel24 != nil
        record.reminder72h = form.rappel72 != nil
        record.namesPractitioner = form.nommerPraticien != nil
        record.specialtySensitive = form.specialiteSensible != nil
        let known = Set(motifs.compactMap(\.id))
        let chosen = (form.motifs ?? []).compactMap(UUID.init(uuidString:))
        if chosen.count != (form.motifs ?? []).count || !Set(chosen).isSubset(of: known) {
            errors.append(FieldError(field: "motifs", reason: "motif inconnu de ce cabinet"))
        }
        record.reminderMotifs = chosen.filter(known.contains).map(\.uuidString).sorted().joined(separator: ",")
        let notice = (form.delaiAnnulation ?? "").trimmingCharacters(in: .whitespaces)
        if let hours = Int(notice), (0...168).contains(hours) {
            record.linkNoticeHours = hours
        } else {
            errors.append(FieldError(field: "delaiAnnulation", reason: "un nombre d'heures de 0 à 168"))
            record.linkNoticeHours = current.linkNoticeHours
        }
        let policy = PatientMessages.policy(record, motifLabels: motifs.map(\.label))
        var own: [String: String] = [:]
        for kind in PatientMessageKind.allCases {
            for channel in MessageChannel.allCases {
                let key = PracticeMessagingRecord.templateKey(kind, channel)
                let text = (form.modeles?[key] ?? current.template(kind, channel)).replacingOccurrences(of: "\r\n", with: "\n")
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                // Emptied, or the standard wording: the standard one, which follows its improvements.
                if text.isEmpty || text == MessageTemplate.standard(kind, channel) {
                    for problem in MessageTemplate.problems(MessageTemplate.standard(kind, channel), kind: kind, channel: channel, policy: policy) {
                        errors.append(FieldError(field: "modeles." + key, reason: problem))
                    }
                    continue
                }
                own[key] = text
                for problem in MessageTemplate.problems(text, kind: kind, channel: channel, policy: policy) {
                    errors.append(FieldError(field: "modeles." + key, reason: problem))
                }
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        record.templates = (try? encoder.encode(own)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
        record.updatedAt = current.updatedAt
        return (record, errors)
    }

    /// Saves the settings, journaled; refuses (nothing saved) when a fault remains.
    static func save(_ form: MessagingForm, practice: AuthorizedPractice, context: WriteContext, now: Date) async throws -> PracticeMessagingRecord {
        let current = try await settings(of: practice.id, now: now, on: context.database)
        let (record, errors) = apply(form, to: current, motifs: try await motifs(of: practice.id, on: context.database))
        guard errors.isEmpty else { throw AppError.validation(errors) }
        record.updatedAt = now
        let before = current.id == nil ? nil : Snapshot(current)
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            if let id = record.id {
                guard let stored = try await PracticeMessagingRecord.find(id, on: tx) else { throw AppError.conflict("réglages modifiés entre-temps") }
                for (key, value) in [(\PracticeMessagingRecord.sms, record.sms), (\.email, record.email), (\.reminder24h, record.reminder24h),
                                     (\.reminder72h, record.reminder72h), (\.namesPractitioner, record.namesPractitioner),
                                     (\.specialtySensitive, record.specialtySensitive)] as [(ReferenceWritableKeyPath<PracticeMessagingRecord, Bool>, Bool)] {
                    stored[keyPath: key] = value
                }
                stored.reminderMotifs = record.reminderMotifs
                stored.linkNoticeHours = record.linkNoticeHours
                stored.templates = record.templates
                stored.updatedAt = now
                try await stored.update(on: tx)
            } else {
                record.id = UUID()
                try await record.create(on: tx)
            }
            if let before {
                try await journal.record(.update, entity: "practice-messaging", entityID: practice.id.uuidString, practiceID: practice.id,
                                         before: before, after: Snapshot(record))
            } else {
                try await journal.record(.create, entity: "practice-messaging", entityID: practice.id.uuidString, practiceID: practice.id, after: Snapshot(record))
            }
        }
        return record
    }

    /// What the journal keeps of the settings.
    struct Snapshot: Codable, Sendable {
        let sms: Bool, email: Bool, reminder24h: Bool, reminder72h: Bool, reminderMotifs: String
        let namesPractitioner: Bool, specialtySensitive: Bool, linkNoticeHours: Int, templates: String

        init(_ r: PracticeMessagingRecord) {
            sms = r.sms; email = r.email; reminder24h = r.reminder24h; reminder72h = r.reminder72h; reminderMotifs = r.reminderMotifs
            namesPractitioner = r.namesPractitioner; specialtySensitive = r.specialtySensitive; linkNoticeHours = r.linkNoticeHours; templates = r.templates
        }
    }
}

/// `/cabinets/{id}/messages-patients`: the settings page, with each message previewed and each SMS counted.
struct MessagingSettingsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.patientMessaging, use: show)
        routes.post(.patientMessaging, use: update)
    }

    struct Page: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let values: Values
        let motifs: [Choice]
        let templates: [TemplateRow]
        let fields: [String]
        let errors: [FormFault]
        let notice: String?
    }

    struct Values: Encodable {
        let sms: Bool, email: Bool, rappel24: Bool, rappel72: Bool, nommerPraticien: Bool, specialiteSensible: Bool
        let delaiAnnulation: String
    }

    struct TemplateRow: Encodable {
        let key: String
        /// The field its faults name (`modeles.reminder_sms`).
        let field: String
        let label: String
        let text: String
        let preview: String
        let count: String?
        let standard: Bool
    }

    @Sendable func show(req: Request) async throws -> View {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        let now = req.application.clock.now()
        let settings = try await MessagingSettingsStore.settings(of: practice.id, now: now, on: req.db)
        return try await render(req, practice: practice, settings: settings, form: nil, errors: [],
                                notice: req.query[String.self, at: "enregistre"] != nil ? "Réglages enregistrés." : nil)
    }

    @Sendable func update(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        let form = try req.content.decode(MessagingForm.self)
        let now = req.application.clock.now()
        let current = try await MessagingSettingsStore.settings(of: practice.id, now: now, on: req.db)
        if form.action == "apercu" {
            let (draft, errors) = MessagingSettingsStore.apply(form, to: current, motifs: try await MessagingSettingsStore.motifs(of: practice.id, on: req.db))
            return try await render(req, practice: practice, settings: draft, form: form, errors: FormRefusal.faults(errors, labels: Self.labels),
                                    notice: "Aperçu : rien n'est enregistré.").encodeResponse(for: req)
        }
        return try await FormRefusal.run(req, back: { faults in
            let (draft, _) = MessagingSettingsStore.apply(form, to: current, motifs: try await MessagingSettingsStore.motifs(of: practice.id, on: req.db))
            return try await render(req, practice: practice, settings: draft, form: form, errors: faults, notice: nil)
        }) {
            _ = try await MessagingSettingsStore.save(form, practice: practice, context: try req.writeContext(), now: now)
            return req.redirect(to: SitePath.patientMessaging.link(practice.id, query: "enregistre=1"))
        }
    }

    static var labels: [String: String] {
        var labels = ["motifs": "Motifs rappelés", "delaiAnnulation": "Délai d'annulation par le lien"]
        for kind in PatientMessageKind.allCases {
            for channel in MessageChannel.allCases { labels["modeles." + PracticeMessagingRecord.templateKey(kind, channel)] = "\(kind.label) par \(channel.label)" }
        }
        return labels
    }

    private func render(_ req: Request, practice: AuthorizedPractice, settings: PracticeMessagingRecord, form: MessagingForm?,
                        errors: [FormFault], notice: String?) async throws -> View {
        guard let record = try await PracticeRecord.find(practice.id, on: req.db) else { throw AppError.notFound(what: "Cabinet") }
        let now = req.application.clock.now()
        let motifs = try await MessagingSettingsStore.motifs(of: practice.id, on: req.db)
        let chosen = settings.remindedMotifs
        let practitioner = try await PractitionerRecord.query(on: req.db).filter(\.$practice.$id == practice.id).sort(\.$lastName).first()
        // The preview's appointment: the next weekday at 9:30.
        let zone = TimeZone(identifier: record.timeZone) ?? FrenchFormat.parisTimeZone
        var day = LocalDate(now, in: zone).adding(days: 1)
        while day.isoWeekday > 5 { day = day.adding(days: 1) }
        let start = WallClock.resolve(day, minutes: 9 * 60 + 30, in: zone, ambiguity: .earlier).instant
        let sampleLink = req.application.settings.messaging.publicURL + SitePath.patientLink.link(String(repeating: "x", count: 22))
        var rows: [TemplateRow] = []
        for kind in PatientMessageKind.allCases {
            for channel in MessageChannel.allCases {
                let key = PracticeMessagingRecord.templateKey(kind, channel)
                let text = form?.modeles?[key] ?? settings.template(kind, channel)
                let values = PatientMessages.values(start: start, practice: record, practitioner: practitioner, settings: settings,
                                                    link: kind == .reminder ? sampleLink : nil)
                let rendered = MessageTemplate.render(text, values: values)
                var count: String?
                if channel == .sms {
                    let measure = SMSText.measure(rendered)
                    count = "\(measure.units) / \(measure.limit) caractères\(measure.gsm7 ? "" : " (caractères hors alphabet SMS : 70 par SMS)") — \(measure.messages) SMS"
                }
                rows.append(TemplateRow(key: key, field: "modeles." + key, label: "\(kind.label) par \(channel.label)", text: text,
                                        preview: channel == .sms ? SMSText.folded(rendered) : rendered, count: count,
                                        standard: text.trimmingCharacters(in: .whitespacesAndNewlines) == MessageTemplate.standard(kind, channel)))
            }
        }
        let values = Values(sms: settings.sms, email: settings.email, rappel24: settings.reminder24h, rappel72: settings.reminder72h,
                            nommerPraticien: settings.namesPractitioner, specialiteSensible: settings.specialtySensitive,
                            delaiAnnulation: form?.delaiAnnulation ?? String(settings.linkNoticeHours))
        return try await req.view.render("messages/settings", Page(
            layout: .init(try req.requirePrincipal()), practiceID: practice.id, practiceName: record.name, values: values,
            motifs: motifs.map { Choice(value: $0.id!.uuidString, label: $0.label, selected: chosen.contains($0.id!)) },
            templates: rows, fields: MessageField.allCases.map { "{\($0.rawValue)} : \($0.label)" }, errors: errors, notice: notice))
    }
}
