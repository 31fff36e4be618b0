import Domain
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// `GET /ical/{token}.ics`: a practitioner's appointments for her phone's calendar, from 30 days back to a year ahead.
/// The secret address is the only credential (calendar applications send no other); a revoked or renewed address
/// answers 404. What it shows of the patients is the practitioner's choice.
struct CalendarFeedController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("ical", ":file", use: feed)
    }

    @Sendable func feed(req: Request) async throws -> Response {
        let file = req.parameters.get("file") ?? ""
        guard file.hasSuffix(".ics"), file.hasPrefix(ConnectionStore.feedPrefix) else { throw AppError.notFound(what: "Agenda") }
        let hash = SecretToken.hash(String(file.dropLast(4)))
        guard let feed = try await CalendarFeedRecord.query(on: req.db).filter(\.$tokenHash == hash).filter(\.$revokedAt == nil).first(),
              let practitioner = try await PractitionerRecord.find(feed.$practitioner.id, on: req.db),
              let practice = try await PracticeRecord.find(feed.$practice.id, on: req.db) else {
            throw AppError.notFound(what: "Agenda")
        }
        let now = req.application.clock.now()
        let zone = TimeZone(identifier: practice.timeZone) ?? FrenchFormat.parisTimeZone
        let bytes = CalendarFeed.render(name: "\(practitioner.displayName) — \(practice.name)", zone: zone,
                                       events: try await Self.events(of: feed, practice: practice, now: now, app: req.application, on: req.db), now: now)
        let response = Response(status: .ok, body: .init(buffer: ByteBuffer(bytes: bytes)))
        response.headers.replaceOrAdd(name: .contentType, value: HTTPMediaTypeText.calendar)
        response.headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"agenda.ics\"")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-cache")
        return response
    }

    /// The feed's events in one read: appointments of the window (cancelled ones only in the 30 days after their
    /// cancellation; entered in error never), the patient's name (from the practice's patient index) when the
    /// practitioner chose to see it.
    static func events(of feed: CalendarFeedRecord, practice: PracticeRecord, now: Date, app: Application, on db: any Database) async throws -> [CalendarFeed.Event] {
        let from = now.addingTimeInterval(-TimeInterval(CalendarFeed.daysBack * 86_400))
        let until = now.addingTimeInterval(TimeInterval(CalendarFeed.daysAhead * 86_400))
        let shownSince = now.addingTimeInterval(-TimeInterval(CalendarFeed.cancellationShownDays * 86_400))
        let rows = try await FeedRow.read("""
            SELECT id, starts_at, ends_at, status, reason, calendar_sequence, created_at, updated_at, patient_id
            FROM appointments
            WHERE practitioner_id = \(bind: feed.$practitioner.id) AND practice_id = \(bind: feed.$practice.id)
              AND starts_at >= \(bind: from) AND starts_at < \(bind: until) AND status <> 'entered-in-error'
              AND (status <> 'cancelled' OR updated_at >= \(bind: shownSince))
            ORDER BY starts_at
            """, on: db)
        let patients = feed.showsPatientName ? try await PatientSearch.index(of: .system(practice.id!), cache: app.patientIndexCache, on: db) : nil
        // Read once: a Fluent field is slow to read, and these are the same for every event.
        let showsMotif = feed.showsMotif, location = practice.address
        return rows.map { row in
            let cancelled = row.status == AppointmentStatus.cancelled.rawValue
            var summary = showsMotif ? row.reason : "Rendez-vous"
            if let patient = row.patient.flatMap({ patients?.patient($0) }) { summary = patient.displayName + " — " + summary }
            if row.status == AppointmentStatus.noshow.rawValue { summary += " (absent)" }
            if cancelled { summary = "Annulé : " + summary }
            return CalendarFeed.Event(uid: row.id.lowercased() + "@permanence", sequence: row.sequence, start: row.start, end: row.end, summary: summary,
                                      description: "Rendez-vous pris par le télésecrétariat du cabinet.", location: location,
                                      cancelled: cancelled, created: row.created, lastModified: row.updated)
        }
    }
}

/// One appointment of a feed, as read.
struct FeedRow: Sendable {
    let id: String
    let start: Date
    let end: Date
    let status: String
    let reason: String
    let sequence: Int
    let created: Date?
    let updated: Date?
    let patient: UUID?

    /// The rows of `query`, whose columns are, in order: id, starts_at, ends_at, status, reason, calendar_sequence,
    /// created_at, updated_at, patient_id. Read by each engine's own driver: SQLiteKit would hand each row to an event
    /// loop and both kits decode through `Decoder`, which took half of a year's feed.
    static func read(_ query: SQLQueryString, on db: any Database) async throws -> [FeedRow] {
        let (text, binds) = (db as! any SQLDatabase).serialize(query)
        if let sqlite = db as? any SQLiteDatabase {
            // On the database's thread, as the rows come.
            let values = try binds.map { try SQLiteDataEncoder().encode($0) }
            let collected = NIOLockedValueBox<[SQLiteRow]>([])
            try await sqlite.withConnection { connection in
                try await connection.query(text, values) { row in collected.withLockedValue { $0.append(row) } }
            }
            return try collected.withLockedValue { $0 }.map { row in
                func value<T>(_ column: String, _ read: (SQLiteData) -> T?) throws -> T {
                    guard let data = row.column(column), let value = read(data) else { throw FeedRowError(column: column) }
                    return value
                }
                func optional<T>(_ column: String, _ read: (SQLiteData) -> T?) throws -> T? {
                    guard let data = row.column(column), data != .null else { return nil }
                    return try value(column, read)
                }
                return try FeedRow(id: value("id", \.string), start: value("starts_at", Date.init(sqliteData:)), end: value("ends_at", Date.init(sqliteData:)),
                                   status: value("status", \.string), reason: value("reason", \.string),
                                   sequence: optional("calendar_sequence", \.integer).map { Int($0) } ?? 0,
                                   created: optional("created_at", Date.init(sqliteData:)), updated: optional("updated_at", Date.init(sqliteData:)),
                                   patient: optional("patient_id") { $0.string.flatMap(UUID.init(fastString:)) })
            }
        }
        guard let postgres = db as? any PostgresDatabase else { throw FeedRowError(column: "(base de données inconnue)") }
        // PostgresNIO's typed rows.
        var bindings = PostgresBindings()
        for bind in binds {
            switch bind {
            case let uuid as UUID: bindings.append(uuid)
            case let date as Date: bindings.append(date)
            default: throw FeedRowError(column: "(paramètre \(type(of: bind)))")
            }
        }
        let statement = PostgresQuery(unsafeSQL: text, binds: bindings)
        return try await postgres.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                var rows: [FeedRow] = []
                let typed = try await connection.query(statement, logger: connection.logger)
                    .decode((UUID, Date, Date, String, String, Int?, Date?, Date?, UUID?).self)
                for try await (id, start, end, status, reason, sequence, created, updated, patient) in typed {
                    rows.append(FeedRow(id: id.uuidString, start: start, end: end, status: status, reason: reason, sequence: sequence ?? 0,
                                        created: created, updated: updated, patient: patient))
                }
                return rows
            }
        }.get()
    }

    struct FeedRowError: Error, CustomStringConvertible {
        let column: String
        var description: String { "appointments.\(column): valeur illisible" }
    }
}
