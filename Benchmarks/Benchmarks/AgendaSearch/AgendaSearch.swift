import Benchmark
import Domain
import Foundation

/// Issue 3's target: 10 practitioners, a year of hours, 50,000 appointments; the first 10 free slots for a motif,
/// any practitioner, from a random date of the year: median under 50 µs, p99 under 1 ms.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(5), maxIterations: 100_000)

    let start = LocalDate(year: 2027, month: 1, day: 4)
    let fixture = LoadFixture.make(seed: 1, practitioners: 10, appointments: 50_000, from: start)
    let agenda = fixture.agenda
    let now = WallClock.resolve(start, minutes: 7 * 60, in: fixture.timeZone, ambiguity: .earlier).instant
    // Random start dates, drawn once so every run asks the same questions.
    var rng = SeededGenerator(seed: 42)
    let starts = (0..<1024).map { _ in now.addingTimeInterval(Double(Int.random(in: 0..<(330 * 24), using: &rng)) * 3600) }

    Benchmark("first 10 free slots, any practitioner, random date") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            let query = SlotQuery(motifID: fixture.motif.id, from: starts[index & 1023], limit: 10)
            index += 1
            blackHole(try agenda.freeSlots(query, now: now))
        }
    }

    Benchmark("first 10 free slots, one practitioner, random date") { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            let query = SlotQuery(motifID: fixture.motif.id, practitionerID: fixture.practitionerIDs[index % 10], from: starts[index & 1023], limit: 10)
            index += 1
            blackHole(try agenda.freeSlots(query, now: now))
        }
    }

    Benchmark("compile the practice agenda (10 practitioners, 50,000 appointments)", configuration: .init(maxIterations: 20)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(fixture.agenda)
        }
    }
}
