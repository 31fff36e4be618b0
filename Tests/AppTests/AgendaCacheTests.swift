@testable import App
@testable import Domain
import Foundation
import NIOConcurrencyHelpers
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

    @Test func anotherInstancesBookingIsAppliedToTheCachedAgendaWithoutCompilingItAgain() async throws {
        let cache = AgendaCache(), practice = try Self.practice(), other = UUID()
        _ = try await cache.agenda(for: practice, now: Self.nine) { (Self.agenda(busy: [Self.slot(40)]), nil) }
        // As the relay carries them: through JSON.
        let news = try JSONDecoder().decode([BusyNews].self, from: JSONEncoder().encode([
            BusyNews(.taken(BusyInterval(practitionerID: Self.practitioner, interval: Self.slot(0)))),
            BusyNews(.freed(BusyInterval(practitionerID: Self.practitioner, interval: Self.slot(40)))),
        ]))
        cache.received(news, expiry: nil, from: other, to: practice.id)
        let seen = try await cache.agenda(for: practice, now: Self.nine.addingTimeInterval(1)) {
            Issue.record("compiled again instead of applying the news")
            return (Self.agenda(), nil)
        }
        #expect(Self.busy(seen) == [Self.slot(0)])
    }

    @Test func aChangeFromAnotherInstanceCrossingARecentOneHereDropsTheEntry() async throws {
        let cache = AgendaCache(), practice = try Self.practice(), other = UUID()
        let nine = BusyInterval(practitionerID: Self.practitioner, interval: Self.slot(0))
        _ = try await cache.agenda(for: practice, now: Self.nine) { (Self.agenda(busy: [Self.slot(0)]), nil) }
        // Cancelled here, booked again there: which committed first, their arrival here does not say.
        cache.apply(Self.changes([.freed(nine)]), to: practice.id)
        cache.received([BusyNews(.taken(nine))], expiry: nil, from: other, to: practice.id)
        let loads = Counter()
        let read = try await cache.agenda(for: practice, now: Self.nine.addingTimeInterval(1)) {
            loads.add()
            return (Self.agenda(busy: [Self.slot(0)]), nil)
        }
        #expect(loads.value == 1, "the entry was dropped and the rows read again")
        #expect(Self.busy(read) == [Self.slot(0)])
        // News of other time from the same instance keep the entry.
        cache.received([BusyNews(.taken(BusyInterval(practitionerID: Self.practitioner, interval: Self.slot(60))))], expiry: nil,
                       from: other, to: practice.id)
        let kept = try await cache.agenda(for: practice, now: Self.nine.addingTimeInterval(2)) {
            loads.add()
            return (Self.agenda(), nil)
        }
        #expect(loads.value == 1)
        #expect(Self.busy(kept) == [Self.slot(0), Self.slot(60)])
    }

    @Test func requestsMissingTogetherShareOneCompilation() async throws {
        let cache = AgendaCache(), practice = try Self.practice()
        let loads = Counter(), entered = Counter()
        let busy = try await withThrowingTaskGroup(of: [DateInterval].self) { group in
            for _ in 0..<20 {
                group.addTask {
                    entered.add()
                    let agenda = try await cache.agenda(for: practice, now: Self.nine) {
                        loads.add()
                        // Held until every request has asked, and a little more for them to queue behind it.
                        while entered.value < 20 { try await Task.sleep(for: .milliseconds(5)) }
                        try await Task.sleep(for: .milliseconds(100))
                        return (Self.agenda(busy: [Self.slot(0)]), nil)
                    }
                    return Self.busy(agenda)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(loads.value == 1, "one compilation for 20 requests")
        #expect(busy == Array(repeating: [Self.slot(0)], count: 20))
    }

    @Test func theRequestsWaitingForACompilationThatFailsAreToldItsError() async throws {
        struct Unreachable: Error {}
        let cache = AgendaCache(), practice = try Self.practice()
        let loads = Counter(), entered = Counter()
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    entered.add()
                    do {
                        _ = try await cache.agenda(for: practice, now: Self.nine) {
                            loads.add()
                            while entered.value < 8 { try await Task.sleep(for: .milliseconds(5)) }
                            try await Task.sleep(for: .milliseconds(100))
                            throw Unreachable()
                        }
                        return false
                    } catch { return error is Unreachable }
                }
            }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(failures == 8)
        #expect(loads.value == 1, "the waiting requests did not each wait for the database again")
        var compiled = false
        _ = try await cache.agenda(for: practice, now: Self.nine) { compiled = true; return (Self.agenda(), nil) }
        #expect(compiled, "a failure is not kept")
    }
}

/// A count shared by concurrent tasks.
final class Counter: Sendable {
    private let count = NIOLockedValueBox(0)
    func add() { count.withLockedValue { $0 += 1 } }
    var value: Int { count.withLockedValue { $0 } }
}
