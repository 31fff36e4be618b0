import Fluent
import Foundation
import SQLKit

/// The figures' rollups (`FigureRollups`): a trace per call presented and a row per change of an appointment, indexed
/// by practice and day (the statistics of one practice) and by day (the whole center's); written from the calls and
/// appointments' journal already there.
struct CreateFigureRollups: AsyncMigration {
    var name: String { "0026_FigureRollups" }

    func prepare(on database: any Database) async throws {
        try await database.schema("call_traces")
            /// The phone system's id of the call; for a call opened by hand, its journal call's id.
            .field("call_id", .string, .identifier(auto: false))
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("presented_at", .datetime, .required)
            /// The day (AAAA-MM-JJ) and hour (0–23) it was presented, in the center's time zone.
            .field("local_date", .string, .required)
            .field("local_hour", .int, .required)
            /// answered, abandoned, quickHangUp, ringing.
            .field("outcome", .string, .required)
            .field("by_hand", .bool, .required)
            .field("wait_seconds", .int)
            .field("handling_seconds", .int)
            .create()
        try await database.schema("appointment_changes")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            /// booked, moved, cancelled.
            .field("kind", .string, .required)
            .field("occurred_at", .datetime, .required)
            /// Whose change it was (their role says center, practice or other); none for the system.
            .field("actor_id", .uuid)
            /// The appointment's start before the change (for a booking, its start).
            .field("slot_start", .datetime, .required)
            .create()
        let sql = database as! any SQLDatabase
        for (name, table, columns) in Self.indexes {
            var index = sql.create(index: name).on(table)
            for column in columns { index = index.column(column) }
            try await index.run()
        }

        try await FigureRollups.write(try await FigureRollups.traces(events: "1 = 1", calls: "1 = 1", on: sql), replacing: [], on: sql)
        struct Entry: Decodable { let action: String; let occurred_at: Date; let before: String?; let after: String?; let actor_id: UUID?; let practice_id: UUID? }
        let entries = try await sql.raw("""
            SELECT action, occurred_at, before, after, actor_id, practice_id FROM audit_entries
            WHERE entity = 'appointment' AND action IN ('create', 'update') AND practice_id IS NOT NULL
            """).all(decoding: Entry.self)
        try await FigureRollups.writeChanges(entries.compactMap { entry in
            FigureRollups.change(action: entry.action, before: entry.before, after: entry.after).map {
                [UUID(), entry.practice_id, $0.kind.rawValue, entry.occurred_at, entry.actor_id, $0.slotStart]
            }
        }, on: sql)
    }

    /// The figures' reads, each by practice and period (one practice's statistics) and by period (the center's). The
    /// indexes carry every column the figures count (the reads never visit the tables); the board's calls ringing now
    /// and secretaries on an open call get theirs.
    static let indexes: [(String, String, [String])] = [
        ("call_traces_practice_date", "call_traces", ["practice_id", "local_date", "local_hour", "outcome", "by_hand", "wait_seconds", "handling_seconds"]),
        ("call_traces_date", "call_traces", ["local_date", "local_hour", "outcome", "by_hand", "wait_seconds", "handling_seconds", "practice_id"]),
        ("appointment_changes_practice_occurred", "appointment_changes", ["practice_id", "occurred_at", "kind", "actor_id", "slot_start"]),
        ("appointment_changes_occurred", "appointment_changes", ["occurred_at", "kind", "actor_id", "slot_start", "practice_id"]),
        ("appointments_practice_start", "appointments", ["practice_id", "starts_at", "ends_at", "status"]),
        ("appointments_start", "appointments", ["starts_at", "ends_at", "status", "practice_id"]),
        ("transmissions_practice_sent", "transmissions", ["practice_id", "sent_at", "priority", "acknowledged_at", "escalation_step"]),
        ("transmissions_sent", "transmissions", ["sent_at", "priority", "acknowledged_at", "escalation_step", "practice_id"]),
        ("tasks_practice_created", "tasks", ["practice_id", "created_at"]),
        ("telephony_events_kind_received", "telephony_events", ["kind", "received_at"]),
        ("calls_open_by", "calls", ["state", "opened_by", "opened_at"]),
    ]

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for (name, table, _) in Self.indexes where !["call_traces", "appointment_changes"].contains(table) {
            try await sql.drop(index: name).run()
        }
        try await database.schema("appointment_changes").delete()
        try await database.schema("call_traces").delete()
    }
}
