import Domain
import Fluent
import FluentPostgresDriver
import Foundation
import SQLKit
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

    /// What this process's last pass looked at, by practice and lead: the window's end and the pass's moment. The next
    /// pass reads only the appointments beyond that end or changed since (booked, moved) — not the whole day again.
    final class Watermarks: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [String: (upper: Date, at: Date)] = [:]
        func get(_ key: String) -> (upper: Date, at: Date)? { lock.withLock { seen[key] } }
        func set(_ key: String, _ value: (upper: Date, at: Date)) { lock.withLock { seen[key] = value } }
    }

    /// Queues the reminders due within the horizon that are not queued yet; returns how many messages were queued.
    @discardableResult
    static func queue(app: Application, now: Date) async throws -> Int {
        var queued = 0
        for settings in try await PracticeMessagingRecord.query(on: app.db).group(.or, { $0.filter(\.$sms == true).filter(\.$email == true) }).all()
        where !settings.leads.isEmpty {
            for lead in settings.leads {
                // Settings changed since the last pass: everything is read again.
                let key = "\(settings.$practice.id)/\(lead)/\(settings.updatedAt.timeIntervalSince1970)"
                let upper = now.addingTimeInterval(TimeInterval(lead * 3_600) + horizon)
                queued += try await queue(lead: lead, upTo: upper, since: app.reminderWatermarks.get(key), settings: settings, app: app, now: now)
                app.reminderWatermarks.set(key, (upper, now))
            }
        }
        return queued
    }

    /// An appointment as the reminders read it: a plain row, not a model (a day of a large center is 20,000).
    struct Due {
        let id: UUID, patient: UUID, practitioner: UUID, start: Date, motif: UUID?, updated: Date?
    }

    private static func queue(lead: Int, upTo upper: Date, since seen: (upper: Date, at: Date)?, settings: PracticeMessagingRecord,
                              app: Application, now: Date) async throws -> Int {
        let db = app.db
        let sql = db as! any SQLDatabase
        let leadTime = TimeInterval(lead * 3_600)
        let practiceID = settings.$practice.id
        guard let practice = try await PracticeRecord.find(practiceID, on: db), practice.suspendedAt == nil else { return 0 }
        let zone = TimeZone(identifier: practice.timeZone) ?? FrenchFormat.parisTimeZone
        let motifs = settings.remindedMotifs
        var query = sql.select().columns("id", "patient_id", "practitioner_id", "starts_at", "motif_id", "updated_at")
            .from(AppointmentRecord.schema).where("practice_id", .equal, SQLBind(practiceID)).where("status", .equal, SQLBind(AppointmentStatus.booked.rawValue))
            .where("starts_at", .greaterThan, SQLBind(max(now.addingTimeInterval(closest), now.addingTimeInterval(leadTime - lateness))))
            .where("starts_at", .lessThanOrEqual, SQLBind(upper))
        if let seen {
            query = query.where { $0.where("starts_at", .greaterThan, SQLBind(seen.upper)).orWhere("updated_at", .greaterThanOrEqual, SQLBind(seen.at)) }
        }
        let candidates = try await query.all().map { row in
                Due(id: try row.decode(column: "id", as: UUID.self), patient: try row.decode(column: "patient_id", as: UUID.self),
                    practitioner: try row.decode(column: "practitioner_id", as: UUID.self), start: try row.decode(column: "starts_at", as: Date.self),
                    motif: try row.decode(column: "motif_id", as: UUID?.self), updated: try row.decode(column: "updated_at", as: Date?.self))
            }
            .filter { appointment in
                let planned = appointment.start.addingTimeInterval(-leadTime)
                return (motifs.isEmpty || appointment.motif.map(motifs.contains) == true) && (appointment.updated ?? .distantPast) <= planned
            }
        guard !candidates.isEmpty else { return 0 }
        let done = try await queued(candidates, lead: lead, on: sql)
        let waiting = candidates.filter { !done.contains($0.id) }
        guard !waiting.isEmpty else { return 0 }
        let addresses = try await PatientMessages.addresses(of: waiting.map(\.patient), now: now, on: db)
        let practitioners = try await PatientMessages.practitioners(Set(waiting.map(\.practitioner)), on: db)
        let templates = MessageChannel.allCases.filter(settings.enabled).map { ($0, settings.template(.reminder, $0)) }
        var links: [(appointment: UUID, values: [(any Encodable & Sendable)?])] = []
        var rows: [OutboxMessageRecord] = []
        for appointment in waiting {
            guard let to = addresses[appointment.patient], to.sms != nil && settings.sms || to.email != nil && settings.email else { continue }
            let planned = appointment.start.addingTimeInterval(-leadTime)
            // 128 random bits: out of reach of guessing, and short enough for the SMS to stay one message.
            let token = SecretToken.generate(bytes: 16)
            let values = PatientMessages.values(start: appointment.start, practice: practice, practitioner: practitioners[appointment.practitioner],
                                                settings: settings, link: app.settings.messaging.publicURL + SitePath.patientLink.link(token))
            var used = false
            for (channel, template) in templates {
                guard let recipient = channel == .sms ? to.sms : to.email,
                      let due = PatientMessages.due(channel, planned: planned, now: now, deadline: appointment.start.addingTimeInterval(-closest), zone: zone) else { continue }
                rows.append(PatientMessages.row(.reminder, channel: channel, to: recipient, text: MessageTemplate.render(template, values: values),
                                                practice: practiceID, patient: appointment.patient, appointment: appointment.id, start: appointment.start,
                                                lead: lead, due: due, now: now))
                used = true
            }
            if used { links.append((appointment.id, [UUID(), practiceID, appointment.id, SecretToken.hash(token), appointment.start, appointment.start, now])) }
        }
        guard !rows.isEmpty else { return 0 }
        let (allLinks, allRows, read) = (links, rows, waiting)
        let written = try await app.writer.unjournaled(on: db) { db in
            let sql = db as! any SQLDatabase
            // Another instance's pass may have queued some of them since they were read: read again, under a lock that
            // keeps the other passes out until this one commits (SQLite's one writer is that lock already).
            if db is any PostgresDatabase { try await sql.raw("SELECT pg_advisory_xact_lock(\(literal: Self.lockKey))").run() }
            let meanwhile = try await queued(read, lead: lead, on: sql)
            let rows = allRows.filter { !meanwhile.contains($0.appointmentID!) }
            try await SQLValue.insert(allLinks.filter { !meanwhile.contains($0.appointment) }.map(\.values), into: AppointmentLinkRecord.schema,
                                      columns: ["id", "practice_id", "appointment_id", "token_hash", "appointment_start", "expires_at", "created_at"],
                                      on: sql)
            try await PatientMessages.insert(rows, on: db)
            return rows.count
        }
        app.metrics.count("permanence_patient_reminders_queued_total", [("practice", practice.slug)], by: written)
        return written
    }

    /// The key of the PostgreSQL lock the passes of several instances take in turn.
    static let lockKey = 0x7065_726d_7263

    /// Among `appointments`, those whose reminder for this lead and this start is queued already.
    private static func queued(_ appointments: [Due], lead: Int, on sql: any SQLDatabase) async throws -> Set<UUID> {
        let starts = Dictionary(appointments.map { ($0.id, $0.start) }, uniquingKeysWith: { a, _ in a })
        var done: Set<UUID> = []
        for chunk in appointments.map(\.id).chunked(by: 500) {
            for row in try await sql.select().columns("appointment_id", "appointment_start").from(OutboxMessageRecord.schema)
                .where("appointment_id", .in, SQLBind.group(Array(chunk))).where("kind", .equal, SQLBind(PatientMessageKind.reminder.rawValue))
                .where("lead_hours", .equal, SQLBind(lead)).all() {
                let id = try row.decode(column: "appointment_id", as: UUID.self)
                if starts[id] == (try row.decode(column: "appointment_start", as: Date?.self)) { done.insert(id) }
            }
        }
        return done
    }
}

extension Application {
    private struct ReminderWatermarksKey: StorageKey { typealias Value = PatientReminders.Watermarks }

    /// Set by `configure`.
    var reminderWatermarks: PatientReminders.Watermarks {
        get { configured(ReminderWatermarksKey.self) }
        set { storage[ReminderWatermarksKey.self] = newValue }
    }
}
