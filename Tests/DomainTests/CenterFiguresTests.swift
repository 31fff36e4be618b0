import Domain
import Foundation
import Testing

/// The figures of a hand-made morning, every value worked out by hand beside it.
struct CenterFiguresTests {
    static let practice = UUID()
    /// 2026-11-24 00:00 UTC, the morning's origin.
    static let day = Date(timeIntervalSince1970: 1_795_478_400)

    static func at(_ hour: Int, _ minute: Int, _ second: Int = 0) -> Date {
        day.addingTimeInterval(TimeInterval(hour * 3600 + minute * 60 + second))
    }

    static func event(_ id: String, _ kind: TelephonyEventKind, _ time: Date) -> TelephonyFact {
        TelephonyFact(providerCallID: id, kind: kind, at: time, practiceID: practice)
    }

    /// A answered at 8 s and closed after 5 min; B answered by opening the call at 20 s (no answered event), handled
    /// 2 min; C hung up after 3 s; D abandoned after 40 s; E still ringing; F opened by hand and handled 3 min.
    static func morning() -> [CallTrace] {
        let events = [
            event("A", .ended, at(9, 4)), event("A", .answered, at(9, 0, 8)), event("A", .ringing, at(9, 0)),
            event("B", .ringing, at(9, 10)),
            event("C", .ringing, at(9, 20)), event("C", .ended, at(9, 20, 3)),
            event("D", .ringing, at(9, 30)), event("D", .ended, at(9, 30, 40)),
            event("E", .ringing, at(9, 40)),
        ]
        let calls = [
            JournalCallFact(id: UUID(), practiceID: practice, telephonyCallID: "A", openedAt: at(9, 0, 9), closedAt: at(9, 5, 8)),
            JournalCallFact(id: UUID(), practiceID: practice, telephonyCallID: "B", openedAt: at(9, 10, 20), closedAt: at(9, 12, 20)),
            JournalCallFact(id: UUID(), practiceID: practice, telephonyCallID: nil, openedAt: at(10, 0), closedAt: at(10, 3)),
        ]
        return CallTrace.traces(events: events, calls: calls)
    }

    @Test func eachCallHasItsOutcomeAndTimes() {
        let traces = Self.morning()
        #expect(traces.map(\.outcome) == [.answered, .answered, .quickHangUp, .abandoned, .ringing, .answered])
        #expect(traces.map(\.timeToAnswer) == [8, 20, nil, nil, nil, nil])
        #expect(traces.map(\.handlingTime) == [300, 120, nil, nil, nil, 180])
        #expect(traces[0].rings == 1.6)
        #expect(traces[5].byHand && traces[5].rings == nil)
    }

    @Test func theMorningsCallFigures() {
        let figures = CallFigures(Self.morning())
        #expect(figures.presented == 6)
        #expect(figures.answered == 3 && figures.answeredByHand == 1)
        #expect(figures.abandoned == 1 && figures.quickHangUps == 1 && figures.ringing == 1)
        // 3 answered of 6 presented, less the quick hang-up and the call still ringing.
        #expect(figures.answerRate == 0.75)
        // 8 s is before the 4th ring (15 s), 20 s is not; the call opened by hand has no time to answer.
        #expect(figures.answeredBeforeFourthRing == 0.5)
        #expect(figures.timeToAnswer == DurationSummary([8, 20]))
        #expect(figures.timeToAnswer.mean == 14 && figures.timeToAnswer.median == 8 && figures.timeToAnswer.p90 == 20)
        #expect(figures.handlingTime.count == 3 && figures.handlingTime.total == 600)
        #expect(figures.handlingTime.mean == 200 && figures.handlingTime.median == 180 && figures.handlingTime.p90 == 300)
        #expect(figures.meanRings == 2.8)
    }

    @Test func timesAreCountedInWholeSeconds() {
        let traces = CallTrace.traces(events: [Self.event("W", .ringing, Self.at(9, 0)), Self.event("W", .answered, Self.at(9, 0).addingTimeInterval(14.9))],
                                      calls: [JournalCallFact(id: UUID(), practiceID: Self.practice, telephonyCallID: "W", openedAt: Self.at(9, 0, 16),
                                                              closedAt: Self.at(9, 0).addingTimeInterval(74.8))])
        // 14.9 s is 14 s, before the 4th ring; answered at 14.9 s and closed at 74.8 s: 59 s handled.
        #expect(traces[0].timeToAnswer == 14 && traces[0].handlingTime == 59)
        #expect(CallFigures(traces).answeredBeforeFourthRing == 1)
    }

    @Test func talliesAddUpAndCountAsTheCallsThemselves() {
        let morning = Self.morning()
        let halves = CallTally(Array(morning.prefix(3))) + CallTally(Array(morning.dropFirst(3)))
        #expect(halves == CallTally(morning))
        #expect(CallFigures(halves) == CallFigures(morning))
        var byHand = CallTally()
        byHand.add(.answered, byHand: true, count: 2)
        byHand.add(handling: 60, count: 2)
        #expect(CallFigures(byHand).answeredByHand == 2 && CallFigures(byHand).handlingTime == DurationSummary([60, 60]))
        // Counted values give the same summary as the values one by one.
        #expect(DurationSummary(counts: [8: 3, 20: 1, 2: 1]) == DurationSummary([8, 20, 8, 2, 8]))
        #expect(DurationSummary(counts: [5: 0]) == DurationSummary([]))
    }

    @Test func nothingPresentedGivesNoRates() {
        let figures = CallFigures([])
        #expect(figures.presented == 0 && figures.answerRate == nil && figures.answeredBeforeFourthRing == nil && figures.meanRings == nil)
        #expect(figures.timeToAnswer.median == nil && figures.timeToAnswer.count == 0)
    }

    @Test func anAnsweredEventWinsOverTheLaterOpeningOfTheCall() {
        let traces = CallTrace.traces(events: [Self.event("X", .ringing, Self.at(9, 0)), Self.event("X", .answered, Self.at(9, 0, 4))],
                                      calls: [JournalCallFact(id: UUID(), practiceID: Self.practice, telephonyCallID: "X", openedAt: Self.at(9, 0, 30), closedAt: nil)])
        #expect(traces.count == 1 && traces[0].timeToAnswer == 4 && traces[0].handlingTime == nil)
    }

    @Test func appointmentsByWhomAndHowLongBefore() {
        let slot = Self.at(18, 0)
        let changes = [
            AppointmentChangeFact(kind: .booked, at: Self.at(9, 0), author: .center, slotStart: slot),
            AppointmentChangeFact(kind: .booked, at: Self.at(9, 5), author: .center, slotStart: slot),
            AppointmentChangeFact(kind: .booked, at: Self.at(9, 6), author: .practice, slotStart: slot),
            AppointmentChangeFact(kind: .moved, at: Self.at(9, 7), author: .center, slotStart: slot),
            // 8 hours before: late; 48 hours before: not.
            AppointmentChangeFact(kind: .cancelled, at: Self.at(10, 0), author: .center, slotStart: slot),
            AppointmentChangeFact(kind: .cancelled, at: Self.at(10, 0), author: .other, slotStart: Self.at(10, 0).addingTimeInterval(48 * 3600)),
        ]
        let figures = AppointmentFigures(changes: changes, statuses: [.noshow, .fulfilled, .arrived, .booked, .cancelled])
        #expect(figures.booked == .init(center: 2, practice: 1, other: 0))
        #expect(figures.moved == .init(center: 1, practice: 0, other: 0))
        #expect(figures.cancelled == .init(center: 1, practice: 0, other: 1))
        #expect(figures.lateCancellations == 1)
        #expect(figures.cancellationNoticeHours.median == 8 && figures.cancellationNoticeHours.p90 == 48)
        #expect(figures.noShows == 1 && figures.honoured == 2)
        #expect(figures.noShowRate == 1.0 / 3)
    }

    @Test func triagesByLevelAndTheLevelsChanged() {
        let figures = TriageFigures([
            TriageFact(computedLevel: .sameDay, finalLevel: .immediateAdvice, orientation: "practitionerNow"),
            TriageFact(computedLevel: .within48Hours, finalLevel: .routine, orientation: "routine"),
            TriageFact(computedLevel: .vital, finalLevel: .vital, orientation: "samu"),
        ])
        #expect(figures.total == 3)
        #expect(figures.byLevel == [1: 1, 2: 1, 3: 0, 4: 0, 5: 1])
        #expect(figures.byOrientation == ["practitionerNow": 1, "routine": 1, "samu": 1])
        #expect(figures.raised == 1 && figures.lowered == 1)
    }

    @Test func transmissionsByPriorityWithTheirAcknowledgementAndLadder() {
        let figures = TransmissionFigures([
            TransmissionFact(priority: .urgent, sentAt: Self.at(10, 0), acknowledgedAt: Self.at(10, 12), escalationStep: 2),
            TransmissionFact(priority: .urgent, sentAt: Self.at(11, 0), acknowledgedAt: nil, escalationStep: 3),
            TransmissionFact(priority: .normal, sentAt: Self.at(9, 0), acknowledgedAt: Self.at(10, 0), escalationStep: 0),
        ])
        #expect(figures.byPriority["urgent"]?.sent == 2 && figures.byPriority["urgent"]?.acknowledged == 1)
        #expect(figures.byPriority["urgent"]?.minutesToAcknowledgement.median == 12)
        #expect(figures.byPriority["normal"]?.minutesToAcknowledgement.median == 60)
        #expect(figures.byPriority["information"]?.sent == 0)
        #expect(figures.stepsReached == [2: 1, 3: 1])
    }

    @Test func tasksDoneOnTimeAndLate() {
        let now = Self.at(12, 0)
        let figures = TaskFigures([
            TaskFact(dueAt: Self.at(10, 0), closedAt: Self.at(9, 50)),
            TaskFact(dueAt: Self.at(10, 0), closedAt: Self.at(10, 30)),
            TaskFact(dueAt: nil, closedAt: Self.at(11, 0)),
            TaskFact(dueAt: Self.at(11, 0), closedAt: nil),
            TaskFact(dueAt: Self.at(13, 0), closedAt: nil),
        ], now: now)
        #expect(figures.created == 5 && figures.done == 3 && figures.doneOnTime == 2 && figures.late == 2)
        #expect(figures.onTimeRate == 2.0 / 3)
    }

    @Test func theMorningByHourAndInBands() {
        let utc = TimeZone(identifier: "UTC")!
        let distribution = CallDistribution(Self.morning(), in: utc)
        // Tuesday: five calls in the 9 o'clock hour, one at 10.
        #expect(distribution.byWeekdayAndHour[1][9] == 5 && distribution.byWeekdayAndHour[1][10] == 1)
        #expect(distribution.byWeekdayAndHour.joined().reduce(0, +) == 6)
        // 8 s in [5, 10), 20 s in [15, 30); 120 s in [120, 300), 180 s too, 300 s in [300, 600).
        #expect(distribution.timeToAnswer == [0, 1, 0, 1, 0, 0])
        #expect(distribution.handlingTime == [0, 0, 2, 1, 0])
    }

    @Test func aPeriodsBucketsAndItsLimits() throws {
        let today = LocalDate(year: 2026, month: 12, day: 6)
        let month = try StatisticsPeriod(month: "2026-02")
        #expect(month.from == LocalDate(year: 2026, month: 2, day: 1) && month.to == LocalDate(year: 2026, month: 2, day: 28))
        #expect(month.buckets.count == 28 && month.monthLabel == "février 2026")
        #expect(StatisticsPeriod.previousMonth(of: today) == "2026-11")
        let byMonth = try StatisticsPeriod(from: "2026-01-15", to: "2026-03-02", granularity: "month", today: today)
        #expect(byMonth.buckets == ["2026-01", "2026-02", "2026-03"])
        let byHour = try StatisticsPeriod(from: "2026-11-24", to: "2026-11-25", granularity: "hour", today: today)
        #expect(byHour.buckets.count == 48 && byHour.buckets[33] == "2026-11-25T09")
        let standard = try StatisticsPeriod(from: nil, to: nil, granularity: nil, today: today)
        #expect(standard.from == LocalDate(year: 2026, month: 11, day: 7) && standard.to == today && standard.granularity == .day)
        // Two years at most: a leap day's two years end on the 1st of March.
        #expect(throws: FieldProblems.self) { try StatisticsPeriod(from: "2024-02-29", to: "2026-03-01", granularity: nil, today: today) }
        #expect(try StatisticsPeriod(from: "2024-02-29", to: "2026-02-28", granularity: nil, today: today).to.day == 28)
        for month in ["2026-13", "2026-1", "nov", "1999-12"] { #expect(throws: FieldProblems.self) { try StatisticsPeriod(month: month) } }
    }
}
