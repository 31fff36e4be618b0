import Domain
import Fluent
import Foundation
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
                                       events: try await Self.events(of: feed, practice: practice, now: now, on: req.db), now: now)
        let response = Response(status: .ok, body: .init(buffer: ByteBuffer(bytes: bytes)))
        response.headers.replaceOrAdd(name: .contentType, value: HTTPMediaTypeText.calendar)
        response.headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"agenda.ics\"")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-cache")
        return response
    }

    /// The feed's events in one read: appointments of the window (cancelled ones only in the 30 days after their
    /// cancellation; entered in error never), the patient's name when the practitioner chose to see it.
    static func events(of feed: CalendarFeedRecord, practice: PracticeRecord, now: Date, on db: any Database) async throws -> [CalendarFeed.Event] {
        let from = now.addingTimeInterval(-TimeInterval(CalendarFeed.daysBack * 86_400))
        let until = now.addingTimeInterval(TimeInterval(CalendarFeed.daysAhead * 86_400))
        let shownSince = now.addingTimeInterval(-TimeInterval(CalendarFeed.cancellationShownDays * 86_400))
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT a.id, a.starts_at, a.ends_at, a.status, a.reason, a.calendar_sequence, a.created_at, a.updated_at,
                   p.birth_name, p.first_names, p.used_name
            FROM appointments a LEFT JOIN patients p ON p.id = a.patient_id AND \(unsafeRaw: feed.showsPatientName ? "1 = 1" : "1 = 0")
            WHERE a.practitioner_id = \(bind: feed.$practitioner.id) AND a.practice_id = \(bind: feed.$practice.id)
              AND a.starts_at >= \(bind: from) AND a.starts_at < \(bind: until) AND a.status <> 'entered-in-error'
              AND (a.status <> 'cancelled' OR a.updated_at >= \(bind: shownSince))
            ORDER BY a.starts_at
            """).all()
        // Read column by column: the decoder of a Decodable row cost a quarter of a year's feed.
        var events: [CalendarFeed.Event] = []
        events.reserveCapacity(rows.count)
        for row in rows {
            let status = try row.decode(column: "status", as: String.self)
            let cancelled = status == AppointmentStatus.cancelled.rawValue
            var summary = feed.showsMotif ? try row.decode(column: "reason", as: String.self) : "Rendez-vous"
            if let birthName = try row.decode(column: "birth_name", as: String?.self), let firstNames = try row.decode(column: "first_names", as: String?.self) {
                summary = IndexedPatient.displayName(birthName: birthName, firstNames: firstNames,
                                                     usedName: try row.decode(column: "used_name", as: String?.self)) + " — " + summary
            }
            if status == AppointmentStatus.noshow.rawValue { summary += " (absent)" }
            if cancelled { summary = "Annulé : " + summary }
            events.append(CalendarFeed.Event(
                uid: "\(try row.decode(column: "id", as: UUID.self).uuidString.lowercased())@permanence",
                sequence: try row.decode(column: "calendar_sequence", as: Int?.self) ?? 0,
                start: try row.decode(column: "starts_at", as: Date.self), end: try row.decode(column: "ends_at", as: Date.self), summary: summary,
                description: "Rendez-vous pris par le télésecrétariat du cabinet.", location: practice.address, cancelled: cancelled,
                created: try row.decode(column: "created_at", as: Date?.self), lastModified: try row.decode(column: "updated_at", as: Date?.self)))
        }
        return events
    }
}
