import Domain
import Fluent
import Foundation
import Vapor

/// Everything a booking operation needs, read once per request.
struct BookingContext: Sendable {
    let practice: AuthorizedPractice
    let agenda: PracticeAgenda
    let now: Date
    let write: WriteContext
    let cache: AgendaCache
    /// The agenda as it is after this request's writes.
    let reload: @Sendable () async throws -> PracticeAgenda
    /// Told of each committed change, so that every console showing the agenda updates.
    var live: LiveHub? = nil

    var zone: TimeZone { agenda.timeZone }

    /// The practice's calendar: what "the appointment's day" means.
    var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// One journaled transaction of this request; once it commits, the cached agenda takes the occupied time it changed.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any Database, Journal, OccupancyChanges) async throws -> T) async throws -> T {
        let changes = OccupancyChanges()
        let result = try await write.writer.transaction(on: write.database, actor: write.actor, requestID: write.requestID) { tx, journal in
            try await body(tx, journal, changes)
        }
        // Inside a request's unit the cached agenda waits for the commit too: undone, the change never happened.
        await UnitOfWork.whenCommitted { [cache, practice] in cache.apply(changes, to: practice.id) }
        await live?.publish(LiveEvent(kind: .agenda, practiceID: practice.id))
        return result
    }

    static func make(_ req: Request, practice: AuthorizedPractice) async throws -> BookingContext {
        let app = req.application, db = req.db
        return BookingContext(practice: practice, agenda: try await AgendaStore.agenda(practice, app: app, on: db),
                              now: app.clock.now(), write: try req.writeContext(), cache: app.agendaCache,
                              reload: { try await AgendaStore.agenda(practice, app: app, on: db) }, live: app.liveHub)
    }
}
