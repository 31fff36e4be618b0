import Domain
import Foundation
import Testing

/// Monday 30 November 2026 (winter, UTC+1) is the usual starting point.
struct SlotSearchTests {
    let monday0800 = utc("2026-11-30T07:00:00Z")

    @Test func slotsFollowTheOpeningGridInTimeOrder() throws {
        let builder = AgendaBuilder()
        #expect(try builder.starts(from: monday0800) == [utc("2026-11-30T08:00:00Z"), utc("2026-11-30T08:20:00Z"), utc("2026-11-30T08:40:00Z")])
    }

    @Test func aSearchFromTheMiddleOfASlotKeepsTheGrid() throws {
        let builder = AgendaBuilder()
        #expect(try builder.starts(from: utc("2026-11-30T08:07:00Z"), limit: 1) == [utc("2026-11-30T08:20:00Z")])
    }

    @Test func theWeekendIsSkipped() throws {
        let builder = AgendaBuilder()
        // Friday 4 December 17:30 local: the last slot of the week is 17:40, then Monday.
        let starts = try builder.starts(from: utc("2026-12-04T16:30:00Z"))
        #expect(starts == [utc("2026-12-04T16:40:00Z"), utc("2026-12-07T08:00:00Z"), utc("2026-12-07T08:20:00Z")])
    }

    @Test func appointmentsAndHoldsAreStepAround() throws {
        var builder = AgendaBuilder()
        builder.busy = [BusyInterval(practitionerID: builder.practitioner,
                                     interval: DateInterval(start: utc("2026-11-30T08:20:00Z"), end: utc("2026-11-30T08:45:00Z")))]
        #expect(try builder.starts(from: monday0800) == [utc("2026-11-30T08:00:00Z"), utc("2026-11-30T08:45:00Z"), utc("2026-11-30T09:05:00Z")])
    }

    @Test func theBufferFollowsEverySlotAndMustBeFree() throws {
        var builder = AgendaBuilder()
        builder.motif.bufferAfterMinutes = 10
        #expect(try builder.starts(from: monday0800) == [utc("2026-11-30T08:00:00Z"), utc("2026-11-30T08:30:00Z"), utc("2026-11-30T09:00:00Z")])
        // An appointment at 09:25 leaves 09:00–09:20 free but not its buffer: 09:00 is not offered.
        builder.busy = [BusyInterval(practitionerID: builder.practitioner,
                                     interval: DateInterval(start: utc("2026-11-30T08:25:00Z"), end: utc("2026-11-30T08:40:00Z")))]
        #expect(try builder.starts(from: monday0800, limit: 2) == [utc("2026-11-30T08:40:00Z"), utc("2026-11-30T09:10:00Z")])
    }

    @Test func noticeIsMetAtItsExactBoundary() throws {
        var builder = AgendaBuilder()
        builder.motif.minimumNoticeMinutes = 60
        let nowExactly = utc("2026-11-30T07:00:00Z")
        #expect(try builder.starts(from: nowExactly, now: nowExactly, limit: 1) == [utc("2026-11-30T08:00:00Z")])
        let oneSecondLate = utc("2026-11-30T07:00:01Z")
        #expect(try builder.starts(from: oneSecondLate, now: oneSecondLate, limit: 1) == [utc("2026-11-30T08:20:00Z")])
    }

    @Test func aWindowedSearchStopsBeforeItsEndAndMayAskMoreThanAPage() throws {
        let builder = AgendaBuilder()
        let query = SlotQuery(motifID: builder.motifID, from: monday0800, limit: SlotQuery.maximumWindowLimit, until: utc("2026-11-30T09:00:00Z"))
        // 09:00–10:00 local: three 20-minute slots, none starting at 10:00.
        #expect(try builder.agenda.freeSlots(query, now: monday0800).map(\.start) == [utc("2026-11-30T08:00:00Z"), utc("2026-11-30T08:20:00Z"), utc("2026-11-30T08:40:00Z")])
        // Without a window, a page of at most 100.
        #expect(throws: SlotSearchError.limitOutOfRange(maximum: 100)) {
            try builder.agenda.freeSlots(SlotQuery(motifID: builder.motifID, from: self.monday0800, limit: 101), now: self.monday0800)
        }
    }

    @Test func nothingIsOfferedBeyondTheHorizon() throws {
        var builder = AgendaBuilder()
        builder.motif.horizonDays = 1
        // From Friday 17:00 with one day of horizon: Friday's last slots only, not Monday.
        let friday = utc("2026-12-04T16:00:00Z")
        #expect(try builder.starts(from: friday, now: friday, limit: 10) == [utc("2026-12-04T16:00:00Z"), utc("2026-12-04T16:20:00Z"), utc("2026-12-04T16:40:00Z")])
    }

    @Test(arguments: [
        ("2026-04-06", "Lundi de Pâques"), ("2026-05-14", "Ascension"), ("2026-05-25", "Lundi de Pentecôte"),
        ("2027-03-29", "Lundi de Pâques"), ("2027-05-06", "Ascension"), ("2027-05-17", "Lundi de Pentecôte"),
        ("2028-04-17", "Lundi de Pâques"), ("2028-05-25", "Ascension"), ("2028-06-05", "Lundi de Pentecôte"),
    ])
    func movableHolidaysAreClosedUnlessOpened(date: String, name: String) throws {
        let parts = date.split(separator: "-").map { Int($0)! }
        let holiday = day(parts[0], parts[1], parts[2])
        #expect(FrenchHolidays.holiday(on: holiday)?.name == name)
        var builder = AgendaBuilder()
        let morning = WallClock.resolve(holiday, minutes: 0, in: paris, ambiguity: .earlier).instant
        let first = try #require(try builder.search(from: morning, limit: 1).first)
        #expect(LocalDate(first.start, in: paris) == holiday.adding(days: 1))
        builder.openedHolidays = [holiday]
        let opened = try #require(try builder.search(from: morning, limit: 1).first)
        #expect(LocalDate(opened.start, in: paris) == holiday)
    }

    @Test func alsaceMoselleClosesGoodFridayAndSaintStephen() throws {
        var builder = AgendaBuilder()
        let goodFriday = utc("2026-04-02T22:00:00Z")
        #expect(LocalDate(try builder.search(from: goodFriday, limit: 1)[0].start, in: paris) == day(2026, 4, 3))
        builder.alsaceMoselle = true
        // Good Friday closed, the weekend, Easter Monday closed: Tuesday 7 April.
        #expect(LocalDate(try builder.search(from: goodFriday, limit: 1)[0].start, in: paris) == day(2026, 4, 7))
        // 26 December 2025 was a Friday.
        let stephen = utc("2025-12-25T23:00:00Z")
        #expect(LocalDate(try builder.search(from: stephen, limit: 1)[0].start, in: paris) == day(2025, 12, 29))
    }

    @Test func alternateWeeksOpenOnlyTheirWeeks() throws {
        // Wednesdays of even ISO weeks only. 2 December 2026 is in week 49, 9 December in week 50.
        let builder = AgendaBuilder(ranges: [OpeningRange(weekday: 3, start: time("09:00"), end: time("10:00"), weeks: .even)])
        let first = try builder.search(from: monday0800, limit: 1)
        #expect(first.map(\.start) == [utc("2026-12-09T08:00:00Z")])
        #expect(day(2026, 12, 9).isoWeek.week == 50)
    }

    @Test func anAbsenceSpanningAHolidayClosesEveryDayOfIt() throws {
        var builder = AgendaBuilder()
        // Away from Monday 11 May to Friday 15 May 2026, Ascension (14 May) included.
        builder.exceptions = [AgendaException(id: UUID(), practitionerID: builder.practitioner, kind: .absence(reason: "Congés"),
                                              interval: DateInterval(start: utc("2026-05-10T22:00:00Z"), end: utc("2026-05-15T22:00:00Z")))]
        let first = try builder.search(from: utc("2026-05-10T22:00:00Z"), limit: 1)
        #expect(first.map(\.start) == [utc("2026-05-18T07:00:00Z")])
    }

    @Test func anAbsenceOfAnAfternoonLeavesTheMorning() throws {
        var builder = AgendaBuilder()
        builder.exceptions = [AgendaException(id: UUID(), practitionerID: builder.practitioner, kind: .absence(reason: "Formation"),
                                              interval: DateInterval(start: utc("2026-11-30T12:00:00Z"), end: utc("2026-11-30T18:00:00Z")))]
        let slots = try builder.search(from: utc("2026-11-30T10:30:00Z"), limit: 2)
        #expect(slots.map(\.start) == [utc("2026-11-30T10:40:00Z"), utc("2026-12-01T08:00:00Z")])
    }

    @Test func anExtraOpeningAddsASaturdayMorning() throws {
        var builder = AgendaBuilder()
        builder.exceptions = [AgendaException(id: UUID(), practitionerID: builder.practitioner, kind: .extraOpening(motifIDs: nil),
                                              interval: DateInterval(start: utc("2026-12-05T08:00:00Z"), end: utc("2026-12-05T09:00:00Z")))]
        let slots = try builder.search(from: utc("2026-12-04T17:00:00Z"), limit: 4)
        #expect(slots.map(\.start) == [utc("2026-12-05T08:00:00Z"), utc("2026-12-05T08:20:00Z"), utc("2026-12-05T08:40:00Z"), utc("2026-12-07T08:00:00Z")])
    }

    @Test func aRangeKeptForAnotherMotifIsNotOffered() throws {
        let other = UUID()
        let builder = AgendaBuilder(ranges: [
            OpeningRange(weekday: 1, start: time("09:00"), end: time("10:00"), motifIDs: [other]),
            OpeningRange(weekday: 1, start: time("10:00"), end: time("11:00")),
        ])
        #expect(try builder.starts(from: monday0800, limit: 1) == [utc("2026-11-30T09:00:00Z")])
    }

    @Test func theSpringChangeSkipsTheHourThatDoesNotExist() throws {
        // A Sunday night opening 01:00–04:00 on 29 March 2026: 02:00–03:00 does not happen, so two real hours.
        let builder = AgendaBuilder(duration: 30, ranges: [OpeningRange(weekday: 7, start: time("01:00"), end: time("04:00"))])
        let slots = try builder.search(from: utc("2026-03-28T23:00:00Z"), limit: 10).filter { LocalDate($0.start, in: paris) == day(2026, 3, 29) }
        #expect(slots.map(\.start) == [utc("2026-03-29T00:00:00Z"), utc("2026-03-29T00:30:00Z"), utc("2026-03-29T01:00:00Z"), utc("2026-03-29T01:30:00Z")])
        #expect(slots.map { WallClock.minutes(of: $0.start, in: paris) } == [60, 90, 180, 210])
    }

    @Test func theAutumnChangeOpensTheHourLivedTwiceTwice() throws {
        // 25 October 2026, 01:00–04:00: four real hours, 02:00–03:00 lived twice.
        let builder = AgendaBuilder(duration: 30, ranges: [OpeningRange(weekday: 7, start: time("01:00"), end: time("04:00"))])
        let slots = try builder.search(from: utc("2026-10-24T22:00:00Z"), limit: 10).filter { LocalDate($0.start, in: paris) == day(2026, 10, 25) }
        #expect(slots.count == 8)
        #expect(slots.first?.start == utc("2026-10-24T23:00:00Z"))
        #expect(slots.last?.end == utc("2026-10-25T03:00:00Z"))
        #expect(slots.map { WallClock.minutes(of: $0.start, in: paris) } == [60, 90, 120, 150, 120, 150, 180, 210])
    }

    @Test func mondayNineIsNineOnBothSidesOfTheSpringChange() throws {
        let builder = AgendaBuilder()
        #expect(try builder.starts(from: utc("2026-03-27T07:00:00Z"), limit: 1) == [utc("2026-03-27T08:00:00Z")])
        #expect(try builder.starts(from: utc("2026-03-28T07:00:00Z"), limit: 1) == [utc("2026-03-30T07:00:00Z")])
    }

    @Test func filtersKeepTheAskedPartOfTheWeek() throws {
        let builder = AgendaBuilder()
        #expect(try builder.search(from: monday0800, limit: 1, partOfDay: .afternoon).map(\.start) == [utc("2026-11-30T13:00:00Z")])
        #expect(try builder.search(from: utc("2026-11-30T12:00:00Z"), limit: 1, partOfDay: .morning).map(\.start) == [utc("2026-12-01T08:00:00Z")])
        #expect(try builder.search(from: monday0800, limit: 1, notBefore: time("16:30")).map(\.start) == [utc("2026-11-30T15:40:00Z")])
        #expect(try builder.search(from: monday0800, limit: 1, weekdays: [4]).map(\.start) == [utc("2026-12-03T08:00:00Z")])
    }
}

struct UrgentSlotTests {
    let monday0800 = utc("2026-11-30T07:00:00Z")

    func builder(release: Int = 120) -> AgendaBuilder {
        var builder = AgendaBuilder(ranges: [OpeningRange(weekday: 1, start: time("11:00"), end: time("12:00"))])
        builder.urgentRules = [UrgentSlotRule(practitionerID: builder.practitioner, kind: .fixedTimes([time("11:20")]),
                                              slotMinutes: 20, releaseBeforeMinutes: release)]
        return builder
    }

    @Test func beforeReleaseAnOrdinaryRequestDoesNotSeeTheReservedSlot() throws {
        #expect(try builder().starts(from: monday0800, limit: 2) == [utc("2026-11-30T10:00:00Z"), utc("2026-11-30T10:40:00Z")])
    }

    @Test func anUrgentRequestSeesTheReservedSlotMarkedAsSuch() throws {
        let slots = try builder().search(from: monday0800, limit: 3, urgent: true)
        #expect(slots.map(\.start) == [utc("2026-11-30T10:00:00Z"), utc("2026-11-30T10:20:00Z"), utc("2026-11-30T10:40:00Z")])
        #expect(slots.map(\.reservedForUrgent) == [false, true, false])
    }

    @Test func afterReleaseEveryoneMayBookIt() throws {
        // Released at 09:20 local, two hours before 11:20.
        let released = utc("2026-11-30T08:20:00Z")
        let slots = try builder().search(from: released, now: released, limit: 3)
        #expect(slots.map(\.start) == [utc("2026-11-30T10:00:00Z"), utc("2026-11-30T10:20:00Z"), utc("2026-11-30T10:40:00Z")])
        #expect(slots.allSatisfy { !$0.reservedForUrgent })
        let justBefore = utc("2026-11-30T08:19:59Z")
        #expect(try builder().search(from: justBefore, now: justBefore, limit: 2).map(\.start) == [utc("2026-11-30T10:00:00Z"), utc("2026-11-30T10:40:00Z")])
    }

    @Test func theLastSlotsOfTheDayCanBeKept() throws {
        var builder = AgendaBuilder(ranges: [OpeningRange(weekday: 1, start: time("11:00"), end: time("12:00"))])
        builder.urgentRules = [UrgentSlotRule(practitionerID: builder.practitioner, kind: .lastSlotsOfDay(count: 2), slotMinutes: 20, releaseBeforeMinutes: 60)]
        #expect(try builder.starts(from: monday0800, limit: 2) == [utc("2026-11-30T10:00:00Z"), utc("2026-12-07T10:00:00Z")])
    }
}

struct SlotSearchRequestTests {
    let monday0800 = utc("2026-11-30T07:00:00Z")

    @Test func anyPractitionerMergesTheAgendasInTimeOrder() throws {
        var builder = AgendaBuilder(ranges: [OpeningRange(weekday: 1, start: time("09:00"), end: time("10:00"))])
        builder.colleagueRanges = [OpeningRange(weekday: 1, start: time("09:10"), end: time("10:00"))]
        builder.motif.practitionerIDs = [builder.practitioner, builder.colleague]
        let slots = try builder.search(from: monday0800, limit: 4)
        #expect(slots.map(\.start) == [utc("2026-11-30T08:00:00Z"), utc("2026-11-30T08:10:00Z"), utc("2026-11-30T08:20:00Z"), utc("2026-11-30T08:30:00Z")])
        #expect(slots.map(\.practitionerID) == [builder.practitioner, builder.colleague, builder.practitioner, builder.colleague])
        #expect(try builder.search(from: monday0800, limit: 2, practitioner: builder.colleague).map(\.practitionerID) == [builder.colleague, builder.colleague])
    }

    @Test(arguments: [0, 101])
    func theLimitIsBounded(limit: Int) {
        #expect(throws: SlotSearchError.limitOutOfRange(maximum: 100)) { try AgendaBuilder().search(from: monday0800, limit: limit) }
    }

    @Test func refusalsNameTheirField() {
        let builder = AgendaBuilder()
        #expect(throws: SlotSearchError.practitionerDoesNotTakeMotif) { try builder.search(from: monday0800, practitioner: builder.colleague) }
        #expect(throws: SlotSearchError.unknownMotif) {
            try builder.agenda.freeSlots(SlotQuery(motifID: UUID(), from: monday0800), now: monday0800)
        }
        #expect(throws: SlotSearchError.channelNotAllowed(.online)) {
            try builder.agenda.freeSlots(SlotQuery(motifID: builder.motifID, from: monday0800, channel: .online), now: monday0800)
        }
        var closed = builder
        closed.motif.newPatientsAllowed = false
        #expect(throws: SlotSearchError.newPatientsNotAllowed) {
            try closed.agenda.freeSlots(SlotQuery(motifID: builder.motifID, from: monday0800, newPatient: true), now: monday0800)
        }
        #expect(SlotSearchError.practitionerDoesNotTakeMotif.field == "practitioner")
    }
}

struct DayPlanTests {
    @Test func aDayPlanShowsOpeningsAbsencesUrgentTimeAndBookings() {
        var builder = AgendaBuilder(ranges: [OpeningRange(weekday: 1, start: time("09:00"), end: time("12:00"))])
        builder.exceptions = [AgendaException(id: UUID(), practitionerID: builder.practitioner, kind: .absence(reason: "Formation"),
                                              interval: DateInterval(start: utc("2026-11-30T10:00:00Z"), end: utc("2026-11-30T12:00:00Z")))]
        builder.urgentRules = [UrgentSlotRule(practitionerID: builder.practitioner, kind: .fixedTimes([time("09:40")]), slotMinutes: 20, releaseBeforeMinutes: 60)]
        builder.busy = [BusyInterval(practitionerID: builder.practitioner, interval: DateInterval(start: utc("2026-11-30T08:00:00Z"), end: utc("2026-11-30T08:20:00Z")))]
        let plan = builder.agenda.dayPlan(for: builder.practitioner, on: day(2026, 11, 30))
        #expect(plan.openings == [DateInterval(start: utc("2026-11-30T08:00:00Z"), end: utc("2026-11-30T10:00:00Z"))])
        #expect(plan.absences.map(\.reason) == ["Formation"])
        #expect(plan.reservedForUrgent == [DateInterval(start: utc("2026-11-30T08:40:00Z"), end: utc("2026-11-30T09:00:00Z"))])
        #expect(plan.busy.count == 1)
        #expect(plan.holiday == nil)
    }

    @Test func aDraftTemplateIsPreviewedWithoutTouchingTheAgenda() {
        let builder = AgendaBuilder()
        let draft = WeeklyTemplate(id: UUID(), practitionerID: builder.practitioner, validFrom: day(2026, 1, 1),
                                   ranges: [OpeningRange(weekday: 1, start: time("07:00"), end: time("08:00"))])
        let preview = builder.agenda.replacingTemplates(of: builder.practitioner, with: [draft])
        #expect(preview.dayPlan(for: builder.practitioner, on: day(2026, 11, 30)).openings
                == [DateInterval(start: utc("2026-11-30T06:00:00Z"), end: utc("2026-11-30T07:00:00Z"))])
        #expect(builder.agenda.dayPlan(for: builder.practitioner, on: day(2026, 11, 30)).openings.count == 2)
    }

    @Test func aClosedHolidayHasNoOpenings() {
        let plan = AgendaBuilder().agenda.dayPlan(for: AgendaBuilder().practitioner, on: day(2026, 12, 25))
        #expect(plan.holiday == "Noël")
        #expect(!plan.holidayOpened)
        #expect(plan.openings.isEmpty)
    }
}

/// The cached agenda is brought up to date by the writes' changes rather than recompiled: it must then search exactly
/// like an agenda compiled from the resulting appointments.
struct BusyUpdateTests {
    @Test func takingAndFreeingMatchesACompiledAgenda() throws {
        var builder = AgendaBuilder()
        let monday = utc("2026-11-30T08:00:00Z")
        // Every 20-minute place of the first morning hours of five days: some taken at the start, then changed at random.
        let places = (0..<5).flatMap { dayIndex in (0..<9).map { monday.addingTimeInterval(TimeInterval(dayIndex * 86_400 + $0 * 1200)) } }
        var rng = SystemRandomNumberGenerator()
        var taken = Set(places.filter { _ in Bool.random(using: &rng) })
        func busy(_ start: Date) -> BusyInterval {
            BusyInterval(practitionerID: builder.practitioner, interval: DateInterval(start: start, duration: 1200))
        }
        builder.busy = taken.map(busy)
        var updated = builder.agenda
        for round in 0..<200 {
            let place = places.randomElement(using: &rng)!
            let change: BusyChange = taken.contains(place) ? .freed(busy(place)) : .taken(busy(place))
            if taken.contains(place) { taken.remove(place) } else { taken.insert(place) }
            updated = updated.updatingBusy([change])
            builder.busy = taken.map(busy)
            let query = SlotQuery(motifID: builder.motifID, from: monday, limit: 40)
            #expect(try updated.freeSlots(query, now: monday) == builder.agenda.freeSlots(query, now: monday), "round \(round)")
        }
    }

    @Test func aHoldConfirmedIntoAnAppointmentLeavesTheTimeTaken() throws {
        let builder = AgendaBuilder()
        let start = utc("2026-11-30T08:20:00Z")
        let time = BusyInterval(practitionerID: builder.practitioner, interval: DateInterval(start: start, duration: 1200))
        let agenda = builder.agenda.updatingBusy([.taken(time), .freed(time), .taken(time)])
        #expect(try agenda.freeSlots(SlotQuery(motifID: builder.motifID, from: start, limit: 1), now: start).map(\.start) == [start.addingTimeInterval(1200)])
    }
}
