import Domain
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import NIOConcurrencyHelpers
import Foundation
import SQLKit
import Vapor

/// What stands in the way of a booking: an appointment or a hold, named in the 409 answer.
struct SlotConflict: Content, Equatable {
    let kind: String
    let id: UUID
    let practitionerId: UUID
    let start: Date
    let end: Date
}

/// The occupancy rows: taking time, releasing it, and turning the database's refusal into a named conflict.
enum SlotOccupancy {
    /// The message of the SQLite trigger's abort, recognised in the error that reaches Swift.
    static let overlapMarker = "slot_occupancy_overlap"
    /// The longest a row may last (migration 0009 makes both engines refuse longer ones): overlap checks only read the
    /// rows starting within this much before the asked start.
    static let longest: TimeInterval = 86_400

    /// Whether `error` is the database refusing an overlap (SQLite trigger, PostgreSQL exclusion constraint 23P01).
    static func isOverlapRefusal(_ error: any Error) -> Bool {
        if let psql = error as? PSQLError { return psql.serverInfo?[.sqlState] == "23P01" }
        return String(describing: error).contains(overlapMarker)
    }

    /// The row of a live appointment: its time and the motif's buffer after it.
    static func row(for appointment: AppointmentRecord, bufferMinutes: Int) -> SlotOccupancyRecord {
        SlotOccupancyRecord(practice: appointment.$practice.id, practitioner: appointment.$practitioner.id, start: appointment.startsAt,
                            end: appointment.endsAt.addingTimeInterval(TimeInterval(bufferMinutes * 60)), appointment: appointment.id!)
    }

    /// Holds whose time ran out (`rows`, read with the write's other rows): marked expired, their time given back.
    private static func sweepExpiredHolds(_ rows: [SlotOccupancyRecord], on tx: any Database, journal: Journal, changes: OccupancyChanges) async throws {
        for row in rows {
            try await free(row, on: tx, changes: changes)
            guard let holdID = row.holdID, let hold = try await HoldRecord.find(holdID, on: tx), hold.state == "active" else { continue }
            hold.state = "expired"
            try await hold.update(on: tx)
            try await journal.record(.update, entity: "hold", entityID: holdID.uuidString, practiceID: hold.$practice.id,
                                     before: ["state": "active"], after: ["state": "expired"])
        }
    }

    /// Deletes the rows `query` finds, noting the time they gave back; returns them.
    @discardableResult
    static func release(_ query: QueryBuilder<SlotOccupancyRecord>, changes: OccupancyChanges) async throws -> [SlotOccupancyRecord] {
        let rows = try await query.all()
        for row in rows { try await free(row, on: query.database, changes: changes) }
        return rows
    }

    private static func free(_ row: SlotOccupancyRecord, on db: any Database, changes: OccupancyChanges) async throws {
        try await row.delete(on: db)
        changes.record(.freed(row.busy))
    }

    /// The first live row of `practitioner` overlapping [start, end), other than `excluding`'s.
    static func conflict(practitioner: UUID, start: Date, end: Date, now: Date, excludingAppointment: UUID? = nil,
                         on db: any Database) async throws -> SlotConflict? {
        let rows = try await SlotOccupancyRecord.query(on: db).filter(\.$practitionerID == practitioner)
            .group(.and) { overlapping($0, start: start, end: end) }
            .group(.or) { $0.filter(\.$expiresAt == nil).filter(\.$expiresAt > now) }.all()
        return firstInTheWay(rows, start: start, end: end, now: now, excludingAppointment: excludingAppointment)
    }

    /// The rows that may overlap [start, end): those starting less than `longest` before it and before its end.
    private static func overlapping(_ query: QueryBuilder<SlotOccupancyRecord>, start: Date, end: Date) {
        query.filter(\.$startsAt > start.addingTimeInterval(-longest)).filter(\.$startsAt < end).filter(\.$endsAt > start)
    }

    private static func firstInTheWay(_ rows: [SlotOccupancyRecord], start: Date, end: Date, now: Date,
                                      excludingAppointment: UUID?) -> SlotConflict? {
        let row = rows.filter { row in
            row.startsAt < end && row.endsAt > start && (row.expiresAt.map { $0 > now } ?? true)
                && (excludingAppointment == nil || row.appointmentID != excludingAppointment)
        }.min { $0.startsAt < $1.startsAt }
        return row.map { SlotConflict(kind: $0.holdID == nil ? "appointment" : "hold", id: $0.appointmentID ?? $0.holdID!,
                                      practitionerId: $0.practitionerID, start: $0.startsAt, end: $0.endsAt) }
    }

    /// Takes time for `row` in the writer's transaction: in one read, the practitioner's holds whose time ran out (swept)
    /// and the rows in the way (a friendly check); then the insert that the database may still refuse if another
    /// transaction got there first.
    static func take(_ row: SlotOccupancyRecord, now: Date, excludingAppointment: UUID? = nil, on tx: any Database, journal: Journal,
                     changes: OccupancyChanges) async throws {
        let read = try await rowsToSweepOrInTheWay(of: row, now: now, on: tx)
        let expired = read.filter { row in row.holdID != nil && row.expiresAt.map { $0 <= now } == true }
        try await sweepExpiredHolds(expired, on: tx, journal: journal, changes: changes)
        if let conflict = firstInTheWay(read, start: row.startsAt, end: row.endsAt, now: now, excludingAppointment: excludingAppointment) {
            throw AppError.slotTaken(conflict)
        }
        try await insert(row, on: tx)
        changes.record(.taken(row.busy), expiring: row.expiresAt)
    }

    // The two statements of every booking's turn in the writer, written in SQL: Fluent's model reflection made most of
    // the writer's time on SQLite, where every write waits for the one before it.
    static let columns = ["id", "practice_id", "practitioner_id", "starts_at", "ends_at", "appointment_id", "hold_id", "expires_at"]

    /// The practitioner's holds whose time ran out, and the rows that may overlap `row` (as `overlapping` reads them).
    private static func rowsToSweepOrInTheWay(of row: SlotOccupancyRecord, now: Date, on tx: any Database) async throws -> [SlotOccupancyRecord] {
        let rows = try await (tx as! any SQLDatabase).select().columns(columns.map { SQLColumn($0) }).from(SlotOccupancyRecord.schema)
            .where("practitioner_id", .equal, row.practitionerID)
            .where { either in
                either.where { $0.where("hold_id", .isNot, SQLLiteral.null).where("expires_at", .lessThanOrEqual, now) }
                    .orWhere { $0.where("starts_at", .greaterThan, row.startsAt.addingTimeInterval(-longest))
                        .where("starts_at", .lessThan, row.endsAt).where("ends_at", .greaterThan, row.startsAt) }
            }.all()
        return try rows.map { sqlRow in
            let record = SlotOccupancyRecord(practice: try sqlRow.decode(column: "practice_id", as: UUID.self),
                                             practitioner: try sqlRow.decode(column: "practitioner_id", as: UUID.self),
                                             start: try sqlRow.decode(column: "starts_at", as: Date.self),
                                             end: try sqlRow.decode(column: "ends_at", as: Date.self),
                                             appointment: try sqlRow.decode(column: "appointment_id", as: UUID?.self),
                                             hold: try sqlRow.decode(column: "hold_id", as: UUID?.self),
                                             expiresAt: try sqlRow.decode(column: "expires_at", as: Date?.self))
            record.id = try sqlRow.decode(column: "id", as: UUID.self)
            record.$id.exists = true
            return record
        }
    }

    private static func insert(_ row: SlotOccupancyRecord, on tx: any Database) async throws {
        if row.id == nil { row.id = UUID() }
        let values: [(any Encodable & Sendable)?] = [row.id!, row.$practice.id, row.practitionerID, row.startsAt, row.endsAt,
                                                  row.appointmentID, row.holdID, row.expiresAt]
        try await (tx as! any SQLDatabase).insert(into: SlotOccupancyRecord.schema).columns(columns).values(values.map(SQLValue.of)).run()
        row.$id.exists = true
    }

    /// Runs a booking transaction; when the database refuses an overlap that the friendly check could not see (a
    /// concurrent transaction committed first), answers with the row now in the way.
    static func refusingOverlaps<T>(practitioner: UUID, start: Date, end: Date, now: Date, on db: any Database,
                                    _ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error where isOverlapRefusal(error) {
            if let conflict = try await conflict(practitioner: practitioner, start: start, end: end, now: now, on: db) {
                throw AppError.slotTaken(conflict)
            }
            throw AppError.conflict("Ce créneau vient d'être pris par une autre réservation ; proposez un autre créneau.")
        }
    }
}

/// The time one transaction took and gave back, in order, so that once it commits the cached agenda is brought up to
/// date in place instead of being compiled again from the database.
final class OccupancyChanges: Sendable {
    private struct State { var changes: [BusyChange] = []; var earliestExpiry: Date? }
    private let state = NIOLockedValueBox(State())

    func record(_ change: BusyChange, expiring: Date? = nil) {
        state.withLockedValue { state in
            state.changes.append(change)
            if let expiring { state.earliestExpiry = min(state.earliestExpiry ?? expiring, expiring) }
        }
    }

    var changes: [BusyChange] { state.withLockedValue { $0.changes } }
    /// The first moment a hold taken here runs out (the cached agenda is stale from then on).
    var earliestExpiry: Date? { state.withLockedValue { $0.earliestExpiry } }
}

extension SlotOccupancyRecord {
    var busy: BusyInterval { BusyInterval(practitionerID: practitionerID, interval: DateInterval(start: startsAt, end: max(startsAt, endsAt))) }
}
