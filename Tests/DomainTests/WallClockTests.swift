import Domain
import Foundation
import Testing

struct WallClockTests {
    @Test(arguments: [
        ("09:00", 540), ("9:00", 540), ("9h", 540), ("9h30", 570), ("14 h 30", 870), ("00:00", 0), ("24:00", 1440),
    ])
    func localTimesAreReadTheFrenchWays(text: String, minutes: Int) {
        #expect(LocalTime(parsing: text)?.minutes == minutes)
    }

    @Test(arguments: ["25:00", "12:60", "midi", "", "9:5:0", "24:30"])
    func impossibleTimesAreRefused(text: String) {
        #expect(LocalTime(parsing: text) == nil)
    }

    @Test(arguments: [
        (day(2026, 1, 1), 2026, 1), (day(2027, 1, 1), 2026, 53), (day(2024, 12, 30), 2025, 1),
        (day(2026, 11, 24), 2026, 48), (day(2021, 1, 3), 2020, 53),
    ])
    func isoWeekNumbers(date: LocalDate, year: Int, week: Int) {
        #expect(date.isoWeek.year == year)
        #expect(date.isoWeek.week == week)
    }

    @Test(arguments: [
        // A 09:00 opening stays 09:00 local on both sides of each change.
        (day(2026, 3, 27), "2026-03-27T08:00:00Z"), (day(2026, 3, 30), "2026-03-30T07:00:00Z"),
        (day(2026, 10, 23), "2026-10-23T07:00:00Z"), (day(2026, 10, 26), "2026-10-26T08:00:00Z"),
        (day(2026, 3, 29), "2026-03-29T07:00:00Z"), (day(2026, 10, 25), "2026-10-25T08:00:00Z"),
    ])
    func nineOClockIsNineOClockAcrossTheChanges(date: LocalDate, expected: String) {
        #expect(WallClock.resolve(date, minutes: 540, in: paris, ambiguity: .earlier) == .exact(utc(expected)))
    }

    @Test func aTimeSkippedInSpringResolvesToTheJump() {
        // 29 March 2026: the clocks go from 02:00 to 03:00; 02:30 never happens.
        let resolved = WallClock.resolve(day(2026, 3, 29), minutes: 150, in: paris, ambiguity: .earlier)
        #expect(resolved == .skipped(transition: utc("2026-03-29T01:00:00Z")))
    }

    @Test func aTimeLivedTwiceInAutumnFollowsThePolicy() {
        // 25 October 2026: 02:30 happens at 00:30 UTC, then again at 01:30 UTC.
        let earlier = WallClock.resolve(day(2026, 10, 25), minutes: 150, in: paris, ambiguity: .earlier)
        let later = WallClock.resolve(day(2026, 10, 25), minutes: 150, in: paris, ambiguity: .later)
        #expect(earlier == .ambiguous(earlier: utc("2026-10-25T00:30:00Z"), later: utc("2026-10-25T01:30:00Z"), chosen: utc("2026-10-25T00:30:00Z")))
        #expect(later.instant == utc("2026-10-25T01:30:00Z"))
    }

    @Test func wallClockMinutesOfAnInstant() {
        #expect(WallClock.minutes(of: utc("2026-10-25T00:30:00Z"), in: paris) == 150)
        #expect(WallClock.minutes(of: utc("2026-10-25T01:30:00Z"), in: paris) == 150)
        #expect(LocalDate(utc("2026-11-24T23:30:00Z"), in: paris) == day(2026, 11, 25))
    }
}

struct AgendaRuleValidationTests {
    let practitioner = UUID()

    @Test func aRangeEndingBeforeItStartsIsNamed() {
        let template = WeeklyTemplate(id: UUID(), practitionerID: practitioner, validFrom: day(2026, 1, 1),
                                      ranges: [OpeningRange(weekday: 1, start: time("12:00"), end: time("09:00"))])
        #expect(template.problems().map(\.field) == ["ranges[0].end"])
    }

    @Test(arguments: [
        (WeekParity.every, WeekParity.every, true), (WeekParity.even, WeekParity.odd, false),
        (WeekParity.even, WeekParity.every, true), (WeekParity.odd, WeekParity.odd, true),
    ])
    func overlappingRangesOfOneDayAreRefusedUnlessTheirWeeksDiffer(a: WeekParity, b: WeekParity, refused: Bool) {
        let template = WeeklyTemplate(id: UUID(), practitionerID: practitioner, validFrom: day(2026, 1, 1), ranges: [
            OpeningRange(weekday: 2, start: time("09:00"), end: time("12:00"), weeks: a),
            OpeningRange(weekday: 2, start: time("11:00"), end: time("13:00"), weeks: b),
        ])
        #expect(template.problems().map(\.field) == (refused ? ["ranges[1]"] : []))
    }

    @Test func adjacentRangesAndOtherDaysDoNotOverlap() {
        let template = WeeklyTemplate(id: UUID(), practitionerID: practitioner, validFrom: day(2026, 1, 1), ranges: [
            OpeningRange(weekday: 2, start: time("09:00"), end: time("12:00")),
            OpeningRange(weekday: 2, start: time("12:00"), end: time("13:00")),
            OpeningRange(weekday: 3, start: time("09:00"), end: time("12:00")),
        ])
        #expect(template.problems().isEmpty)
    }

    @Test func validityEndingBeforeItStartsIsNamed() {
        let template = WeeklyTemplate(id: UUID(), practitionerID: practitioner, validFrom: day(2026, 6, 1), validUntil: day(2026, 5, 1), ranges: [])
        #expect(template.problems().map(\.field) == ["validUntil"])
    }

    @Test func aMotifNamesEveryBadField() {
        let motif = Motif(id: UUID(), label: " ", durationMinutes: 0, bufferAfterMinutes: -5, practitionerIDs: [],
                          minimumNoticeMinutes: -1, horizonDays: 0, bookableBy: [], colour: "bleu")
        #expect(motif.problems().map(\.field) == ["label", "durationMinutes", "bufferAfterMinutes", "practitionerIds",
                                                  "minimumNoticeMinutes", "horizonDays", "bookableBy", "colour"])
    }
}
