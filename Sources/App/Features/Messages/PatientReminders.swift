import Domain
import Fluent
import Foundation
import Vapor

/// The reminders: each pass of the worker queues those planned within the next day (24 h or 72 h before the
/// appointment, as each practice chose, for the motifs it chose), each with its cancellation link, due at its planned
/// time (an SMS before the quiet hours it would fall in). An appointment booked or moved after a reminder's planned
/// time gets no such reminder: its confirmation said it all.
enum PatientReminders {
    /// How far ahead reminders are queued: a day, so that one pass writes a day's reminders at most.
    static let horizon: TimeInterval = 86_400
    /// A reminder whose time passed while the server was stopped still leaves, up to this late.
    static let lateness: TimeInterval = 6 * 3_600
    /// No reminder for an appointment this close.
    static let closest: TimeInterval = 2 * 3_600

    /// Queues the reminders due within the horizon that are not queued yet; returns how many messages were queued.
    @discardableResult
    static func queue(app: Application, now: Date) async throws -> Int {
        var queued = 0
        for settings in try await PracticeMessagingRecord.query(on: app.db).group(.or, { $0.filter(\.$sms == true).filter(\.$email == true) }).all()
        where !settings.leads.isEmpty {
            for lead in settings.leads {
                queued += try await queue(lead: lead, settings: settings, app: app, now: now)
            }
        }
        return queued
    }

    private static func queue(lead: Int, settings: PracticeMessagingRecord, app: Application, now: Date) async throws -> Int {
        let db = app.db
        let leadTime = TimeInterval(lead * 3_600)
        let practiceID = settings.$practice.id
        guard let practice = try await PracticeRecord.find(practiceID, on: db), practice.suspendedAt == nil else { return 0 }
        let zone = TimeZone(identifier: practice.timeZone) ?? FrenchFormat.parisTimeZone
        let motifs = settings.remindedMotifs
        let candidates = try await AppointmentRecord.query(on: db).filter(\.$practice.$id == practiceID)
            .filter(\.$status == AppointmentStatus.booked.rawValue)
            .filter(\.$startsAt > max(now.addingTimeInterval(closest), now.addingTimeInterval(leadTime - lateness)))
            .filter(\.$startsAt <= now.addingTimeInterval(leadTime + horizon))
            .all()
            .filter { appointment in
                let planned = appointment.startsAt.addingTimeInterval(-leadTime)
                return (motifs.isEmpty || appointment.motifID.map(motifs.contains) == true) && (appointment.updatedAt ?? .distantPast) <= planned
            }
        guard !candidates.isEmpty else { return 0 }
        // Those already queued for this lead and this start.
        let starts = Dictionary(candidates.map { ($0.id!, $0.startsAt) }, uniquingKeysWith: { a, _ in a })
        var done: Set<UUID> = []
        for chunk in candidates.map({ $0.id! }).chunked(by: 500) {
            for message in try await OutboxMessageRecord.query(on: db).filter(\.$appointmentID ~~ chunk)
                .filter(\.$kind == PatientMessageKind.reminder.rawValue).filter(\.$leadHours == lead).all() {
                if let id = message.appointmentID, starts[id] == message.appointmentStart { done.insert(id) }
            }
        }
        let waiting = candidates.filter { !done.contains($0.id!) }
        guard !waiting.isEmpty else { return 0 }
        var patients: [PatientRecord] = []
        for chunk in Array(Set(waiting.map { $0.$patient.id })).chunked(by: 500) {
            patients += try await PatientRecord.query(on: db).filter(\.$id ~~ chunk).all()
        }
        let addresses = try await PatientMessages.addresses(of: patients, now: now, on: db)
        let practitioners = try await PatientMessages.practitioners(Set(waiting.map { $0.$practitioner.id }), on: db)
        var links: [AppointmentLinkRecord] = []
        var rows: [OutboxMessageRecord] = []
        for appointment in waiting {
            guard let to = addresses[appointment.$patient.id], to.sms != nil && settings.sms || to.email != nil && settings.email else { continue }
            let planned = appointment.startsAt.addingTimeInterval(-leadTime)
            // 128 random bits: out of reach of guessing, and short enough for the SMS to stay one message.
            let token = SecretToken.generate(bytes: 16)
            let link = AppointmentLinkRecord()
            link.id = UUID()
            link.$practice.id = practiceID
            link.appointmentID = appointment.id!
            link.tokenHash = SecretToken.hash(token)
            link.appointmentStart = appointment.startsAt
            link.expiresAt = appointment.startsAt
            link.createdAt = now
            var used = false
            let values = PatientMessages.values(start: appointment.startsAt, practice: practice, practitioner: practitioners[appointment.$practitioner.id],
                                                settings: settings, link: app.settings.messaging.publicURL + SitePath.patientLink.link(token))
            for channel in MessageChannel.allCases where settings.enabled(channel) {
                guard let recipient = channel == .sms ? to.sms : to.email,
                      let due = PatientMessages.due(channel, planned: planned, now: now, deadline: appointment.startsAt.addingTimeInterval(-closest), zone: zone) else { continue }
                let text = MessageTemplate.render(settings.template(.reminder, channel), values: values)
                rows.append(PatientMessages.row(.reminder, channel: channel, to: recipient, text: text, appointment: appointment, lead: lead, due: due, now: now))
                used = true
            }
            if used { links.append(link) }
        }
        guard !rows.isEmpty else { return 0 }
        let (allLinks, allRows) = (links, rows)
        try await app.writer.unjournaled(on: db) { db in
            for chunk in allLinks.chunked(by: 500) { try await chunk.create(on: db) }
            for chunk in allRows.chunked(by: 500) { try await chunk.create(on: db) }
        }
        app.metrics.count("permanence_patient_reminders_queued_total", [("practice", practice.slug)], by: rows.count)
        return rows.count
    }
}
