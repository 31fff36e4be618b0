@testable import App
@testable import Domain
import Foundation
import Testing

/// The compiled agendas under a steady booking load (issue 20): a compilation that bookings overtook is kept with their
/// changes replayed, never with a change of the rules missed.
struct AgendaCacheTests {
    static let practitioner = UUID()
    static let nine = Date(timeIntervalSince1970: 1_796_112_000)  // a Monday, 09:00 in Paris

    static func practice() throws -> AuthorizedPractice {
        let record = PracticeRecord()
        record.id = UUID()
        return try AuthorizedPractice.commandLine(record)
    }

    static func agenda(busy: [DateInterval] = []) -> PracticeAgenda {
        PracticeAgenda(timeZone: TimeZone(identifier: "Europe/Paris")!, practitionerIDs: [practitioner], motifs: [], templates: [],
                       busy: busy.map { BusyInterval(practitionerID: practitioner, interval: $0) })
    }

    static func slot(_ minutes: Int) -> DateInterval {
        DateInterval(start: nine.addingTimeInterval(TimeInterval(minutes * 60)), duration: 1200)
    }

    static func changes(_ list: [BusyChange]) -> OccupancyChanges {
        let changes = OccupancyChanges()
        for change in list { changes.record(change) }
        return changes
    }

    static func busy(_ agenda: PracticeAgenda) -> [DateInterval] { agenda.rules[practitioner]?.busy ?? [] }

    @Test func aCompilationOvertakenByBookingsIsKeptWithTheirChangesReplayed() async throws {
        let cache = AgendaCache(), practice = try Self.practice()
        let taken = BusyInterval(practitionerID: Self.practitioner, interval: Self.slot(0))
        let freed = BusyInterval(practitionerID: Self.practitioner, interval: Self.slot(40))
        // While it compiles, 09:00 is booked (after the compilation read) and 09:40 cancelled (before it: the read has it
        // no more, the replay frees it again).
        let first = try await cache.agenda(for: practice, now: Self.nine) {
            cache.apply(Self.changes([.freed(freed)]), to: practice.id)
            let read = Self.agenda()
            cache.apply(Self.changes([.taken(taken)]), to: practice.id)
            return (read, nil)
        }
        #expect(Self.busy(first) == [Self.slot(0)])
        let again = try await cache.agenda(for: practice, now: Self.nine.addingTimeInterval(1)) {
            Issue.record("the compilation was not kept")
            return (Self.agenda(), nil)
        }
        #expect(Self.busy(again) == [Self.slot(0)])
    }

    @Test func aCompilationOvertakenByAChangeOfTheRulesIsNotKept() async throws {
        let cache = AgendaCache(), practice = try Self.practice()
        _ = try await cache.agenda(for: practice, now: Self.nine) {
            cache.drop(practice.id)  // hours changed while it compiled
            return (Self.agenda(), nil)
        }
        var compiled = false
        _ = try await cache.agenda(for: practice, now: Self.nine.addingTimeInterval(1)) {
            compiled = true
            return (Self.agenda(), nil)
        }
        #expect(compiled, "compiled again from the new rules")
    }
}
