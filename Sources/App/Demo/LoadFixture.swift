import Domain
import Foundation

/// A large practice for load tests and benchmarks, made from a seed: practitioners with a year of weekday hours,
/// one 20-minute motif, two urgent slots a day, a week of absence each, and appointments spread over the year.
/// Foundation and Domain only: the benchmark package compiles this very file.
struct LoadFixture {
    let practitionerIDs: [UUID]
    let motif: Motif
    let templates: [WeeklyTemplate]
    let urgentRules: [UrgentSlotRule]
    let absences: [AgendaException]
    let appointments: [BusyInterval]
    let timeZone: TimeZone

    static let morning = (start: 8 * 60 + 30, end: 12 * 60)
    static let afternoon = (start: 14 * 60, end: 18 * 60 + 30)

    static func make(seed: UInt64, practitioners count: Int, appointments wanted: Int, from start: LocalDate, days: Int = 365,
                     timeZone: TimeZone = TimeZone(identifier: "Europe/Paris")!) -> LoadFixture {
        var rng = SeededGenerator(seed: seed)
        let practitioners = (0..<count).map { _ in rng.uuid() }
        let motif = Motif(id: rng.uuid(), label: "Consultation", durationMinutes: 20, practitionerIDs: practitioners, horizonDays: days)
        let ranges = (1...5).flatMap { weekday in
            [OpeningRange(weekday: weekday, start: LocalTime(minutes: morning.start)!, end: LocalTime(minutes: morning.end)!),
             OpeningRange(weekday: weekday, start: LocalTime(minutes: afternoon.start)!, end: LocalTime(minutes: afternoon.end)!)]
        }
        let templates = practitioners.map { WeeklyTemplate(id: rng.uuid(), practitionerID: $0, validFrom: start, ranges: ranges) }
        let urgent = practitioners.map {
            UrgentSlotRule(practitionerID: $0, kind: .fixedTimes([LocalTime(parsing: "11:40")!, LocalTime(parsing: "18:10")!]),
                           slotMinutes: 20, releaseBeforeMinutes: 120, weekdays: Set(1...5))
        }
        func instant(_ day: LocalDate, _ minutes: Int) -> Date {
            WallClock.resolve(day, minutes: minutes, in: timeZone, ambiguity: .earlier).instant
        }
        let absences = practitioners.map { practitioner -> AgendaException in
            let first = start.adding(days: Int.random(in: 30..<max(31, days - 7), using: &rng))
            return AgendaException(id: rng.uuid(), practitionerID: practitioner, kind: .absence(reason: "Congés"),
                                   interval: DateInterval(start: instant(first, 0), end: instant(first.adding(days: 7), 0)))
        }
        // Every 20-minute place of every weekday; appointments take distinct ones at random.
        let slotStarts = stride(from: morning.start, to: morning.end, by: 20).map { $0 } + stride(from: afternoon.start, to: afternoon.end, by: 20).map { $0 }
        let weekdays = (0..<days).map { start.adding(days: $0) }.filter { $0.isoWeekday <= 5 }
        let capacity = weekdays.count * slotStarts.count * count
        var taken = Set<Int>()
        var appointments: [BusyInterval] = []
        while appointments.count < min(wanted, capacity * 9 / 10) {
            let place = Int.random(in: 0..<capacity, using: &rng)
            guard taken.insert(place).inserted else { continue }
            let practitioner = place % count
            let slot = (place / count) % slotStarts.count
            let day = weekdays[place / count / slotStarts.count]
            let begin = instant(day, slotStarts[slot])
            appointments.append(BusyInterval(practitionerID: practitioners[practitioner],
                                             interval: DateInterval(start: begin, duration: 20 * 60)))
        }
        return LoadFixture(practitionerIDs: practitioners, motif: motif, templates: templates, urgentRules: urgent,
                           absences: absences, appointments: appointments, timeZone: timeZone)
    }

    var agenda: PracticeAgenda {
        PracticeAgenda(timeZone: timeZone, practitionerIDs: practitionerIDs, motifs: [motif], templates: templates,
                       exceptions: absences, busy: appointments, urgentRules: urgentRules)
    }
}
