@testable import App
import Domain
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

/// The figures' benchmark center (`permanence seed-figures`), small: what it writes is what the statistics count, its
/// traces say what its telephony events say, and nothing of it rings on a console.
struct FigureLoadTests {
    @Test func theGeneratedCenterIsCountedAsItWasWritten() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            var sizes = FigureLoadSeeder.Sizes()
            (sizes.practices, sizes.days, sizes.calls, sizes.appointments, sizes.transmissions) = (3, 30, 901, 300, 61)
            try await FigureLoadSeeder.seed(app: app, sizes: sizes, seed: 3, password: "permanence-charge") { _ in }
            let practices = try await PracticeRecord.query(on: app.db).all()
            #expect(practices.count == 3)
            // Each practice answers on its own number, as a practice put into service does.
            for practice in practices { #expect(try await PracticeSetupStore.numbers(of: practice.id!, on: app.db).count == 1) }

            let today = LocalDate(clock.now, in: FrenchFormat.parisTimeZone)
            let period = try StatisticsPeriod(from: today.adding(days: -61).description, to: today.adding(days: -1).description, granularity: "day", today: today)
            let figures = try await StatisticsStore.figures(period, practices: [], now: clock.now, on: app.db)
            #expect(figures.calls.presented == 901 && figures.calls.ringing == 0)
            #expect(figures.calls.answered + figures.calls.abandoned + figures.calls.quickHangUps == 901)
            #expect(figures.calls.abandoned > 0 && figures.calls.handlingTime.count == figures.calls.answered)
            #expect(figures.appointments.booked.center + figures.appointments.booked.other == 300)
            #expect(figures.appointments.cancelled.center + figures.appointments.cancelled.other > 0)
            #expect(figures.transmissions.byPriority.values.map(\.sent).reduce(0, +) == 61)
            // One practice's share: a third of each, the remainder to the first ones.
            let one = try await StatisticsStore.figures(period, practices: [practices[0].id!], now: clock.now, on: app.db)
            #expect((300...301).contains(one.calls.presented))

            // The traces say what the telephony events say (the journal's calls are not generated: no handling time then).
            let sql = app.db as! any SQLDatabase
            struct Stored: Decodable, Hashable { let call_id: String; let outcome: String; let wait_seconds: Int? }
            let stored = Set(try await sql.raw("SELECT call_id, outcome, wait_seconds FROM call_traces").all(decoding: Stored.self))
            let replayed = Set(try await FigureRollups.traces(events: "1 = 1", calls: "1 = 1", on: sql).map {
                Stored(call_id: $0.callID, outcome: $0.outcome.rawValue, wait_seconds: $0.timeToAnswer.map { Int($0) })
            })
            #expect(stored.count == 901 && stored == replayed)
            #expect(try await TelephonyEventRecord.query(on: app.db).filter(\.$kind == "ringing").filter(\.$takenByLabel == nil).count() == 0)

            // The cost per event is measured on calls already there and leaves nothing behind.
            let cost = try await FigureLoadSeeder.writeCost(app: app, count: 20)
            #expect(cost.event.0 > 0 && cost.trace.0 > 0 && cost.trace.1 >= cost.trace.0)
            #expect(try await TelephonyEventRecord.query(on: app.db).filter(\.$kind == "transferred").count() == 0)
            #expect(Set(try await sql.raw("SELECT call_id, outcome, wait_seconds FROM call_traces").all(decoding: Stored.self)) == stored)
        }
    }
}
