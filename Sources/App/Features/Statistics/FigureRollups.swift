import Domain
import Fluent
import Foundation
import SQLKit

/// What the figures read instead of the raw facts, written with the facts they come from (in the same transaction):
/// - `call_traces`: one row per call presented — the Domain's `CallTrace` with its outcome, its times in whole seconds,
///   and its day and hour in the center's time zone. A telephony event, and a journal call's opening or any later
///   change, write their call's trace again from its events and journal call (`refresh`).
/// - `appointment_changes`: one row per booking, move or cancellation, from the appointment's journal entry (`follow`).
///
/// A month of the center is then a few grouped counts over indexed rows, not a replay of every event.
enum FigureRollups {
    /// Writes again the traces of these telephony calls, from their events and the journal calls opened from them.
    static func refresh(telephonyCalls providerCallIDs: [String], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for chunk in providerCallIDs.chunked(by: 500) {
            let ids = Array(chunk)
            try await write(try await traces(events: "provider_call_id IN (\(binds: ids))", calls: "telephony_call_id IN (\(binds: ids))", on: sql),
                            replacing: ids, on: sql)
        }
    }

    /// Writes again the traces of these journal calls (opened from a ringing call, or by hand), 500 at a time.
    static func refresh(journalCalls ids: [UUID], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        for chunk in ids.chunked(by: 500) {
            let calls = try await journalCalls("id IN (\(binds: Array(chunk)))", on: sql)
            let byHand = calls.filter { $0.telephonyCallID == nil }
            try await write(CallTrace.traces(events: [], calls: byHand), replacing: byHand.map(\.id.uuidString), on: sql)
            try await refresh(telephonyCalls: Array(Set(calls.compactMap(\.telephonyCallID))), on: db)
        }
    }

    /// The traces of the events and journal calls meeting these conditions (the whole tables for `1 = 1`).
    static func traces(events: SQLQueryString, calls: SQLQueryString, on sql: any SQLDatabase) async throws -> [CallTrace] {
        struct EventRow: Decodable { let provider_call_id: String; let kind: String; let received_at: Date; let practice_id: UUID }
        let facts = try await sql.raw("SELECT provider_call_id, kind, received_at, practice_id FROM telephony_events WHERE \(events)")
            .all(decoding: EventRow.self).compactMap { row in
                TelephonyEventKind(rawValue: row.kind).map { TelephonyFact(providerCallID: row.provider_call_id, kind: $0, at: row.received_at, practiceID: row.practice_id) }
            }
        return CallTrace.traces(events: facts, calls: try await journalCalls(calls, on: sql))
    }

    private static func journalCalls(_ condition: SQLQueryString, on sql: any SQLDatabase) async throws -> [JournalCallFact] {
        struct CallRow: Decodable { let id: UUID; let practice_id: UUID; let telephony_call_id: String?; let opened_at: Date; let closed_at: Date? }
        return try await sql.raw("SELECT id, practice_id, telephony_call_id, opened_at, closed_at FROM calls WHERE \(condition)")
            .all(decoding: CallRow.self).map {
                JournalCallFact(id: $0.id, practiceID: $0.practice_id, telephonyCallID: $0.telephony_call_id, openedAt: $0.opened_at, closedAt: $0.closed_at)
            }
    }

    static let traceColumns = ["call_id", "practice_id", "presented_at", "local_date", "local_hour", "outcome", "by_hand", "wait_seconds",
                               "handling_seconds"]

    /// Replaces the traces of these calls by `traces`.
    static func write(_ traces: [CallTrace], replacing keys: [String], on sql: any SQLDatabase) async throws {
        if !keys.isEmpty { try await sql.raw("DELETE FROM call_traces WHERE call_id IN (\(binds: keys))").run() }
        try await SQLValue.insert(traces.map(row), into: "call_traces", columns: traceColumns, on: sql)
    }

    /// A trace as its row: the day and hour it was presented in the center's time zone.
    static func row(_ trace: CallTrace) -> [(any Encodable & Sendable)?] {
        let zone = FrenchFormat.parisTimeZone
        return [trace.callID, trace.practiceID, trace.presentedAt, LocalDate(trace.presentedAt, in: zone).description,
                WallClock.minutes(of: trace.presentedAt, in: zone) / 60, trace.outcome.rawValue, trace.byHand,
                trace.timeToAnswer.map { Int($0) }, trace.handlingTime.map { Int($0) }]
    }

    /// After the journal's entries are written: the calls they opened or changed have their traces written again, and
    /// the appointments' bookings, moves and cancellations are kept as changes.
    static func follow(_ entries: [AuditEntryRecord], on db: any Database) async throws {
        let writes = entries.filter { $0.action == AuditAction.create.rawValue || $0.action == AuditAction.update.rawValue }
        let calls = Set(writes.filter { $0.entity == "call" }.compactMap { UUID(uuidString: $0.entityID) })
        if !calls.isEmpty { try await refresh(journalCalls: Array(calls), on: db) }
        let changes = writes.filter { $0.entity == "appointment" }.compactMap { entry in
            change(action: entry.action, before: entry.before, after: entry.after).map { (entry, $0) }
        }
        guard !changes.isEmpty else { return }
        try await writeChanges(changes.map { entry, change in
            [UUID(), entry.practiceID, change.kind.rawValue, entry.occurredAt, entry.actorID, change.slotStart]
        }, on: db as! any SQLDatabase)
    }

    static let changeColumns = ["id", "practice_id", "kind", "occurred_at", "actor_id", "slot_start"]

    static func writeChanges(_ rows: [[(any Encodable & Sendable)?]], on sql: any SQLDatabase) async throws {
        try await SQLValue.insert(rows, into: "appointment_changes", columns: changeColumns, on: sql)
    }

    /// What an appointment's journal entry did: a creation is a booking; a change of status to cancelled a
    /// cancellation; a change of start a move (with the start given up); anything else (a note, an arrival) none.
    static func change(action: String, before: String?, after: String?) -> (kind: AppointmentChangeFact.Kind, slotStart: Date)? {
        let (before, after) = (AppointmentSnapshot(journal: before), AppointmentSnapshot(journal: after))
        if action == AuditAction.create.rawValue, let after { return (.booked, after.start) }
        guard action == AuditAction.update.rawValue, let before, let after else { return nil }
        let cancelled = AppointmentStatus.cancelled.rawValue
        if after.status == cancelled && before.status != cancelled { return (.cancelled, before.start) }
        if after.start != before.start { return (.moved, before.start) }
        return nil
    }
}
