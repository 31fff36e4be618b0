import Domain
import Foundation
import Testing

/// Tuesday 24 November 2026, 09:30 in Paris (UTC+1).
private let now = utc("2026-11-24T08:30:00Z")
private let parisCalendar: Calendar = {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "Europe/Paris")!
    return calendar
}()

struct AppointmentStatusTests {
    @Test(arguments: [
        (AppointmentStatus.booked, AppointmentStatus.arrived, true),
        (.booked, .cancelled, true),
        (.booked, .noshow, true),
        (.booked, .fulfilled, true),
        (.proposed, .booked, true),
        (.noshow, .arrived, true),
        (.arrived, .fulfilled, true),
        (.cancelled, .booked, false),
        (.fulfilled, .noshow, false),
        (.arrived, .noshow, false),
        (.arrived, .cancelled, true),
        (.fulfilled, .cancelled, false),
        (.enteredInError, .booked, false),
        (.booked, .booked, false),
    ])
    func transitions(from: AppointmentStatus, to: AppointmentStatus, allowed: Bool) {
        // Started an hour ago: only the transition table decides.
        #expect((from.problem(changingTo: to, start: now.addingTimeInterval(-3600), now: now, calendar: parisCalendar) == nil) == allowed)
    }

    @Test func aStatusThatSaysTheTimeHasComeWaitsForIt() {
        let laterToday = now.addingTimeInterval(3 * 3600), threeDaysAhead = now.addingTimeInterval(3 * 86_400)
        // Arrived and seen from the appointment's day (arriving early is normal); absent only once it has started.
        #expect(AppointmentStatus.booked.problem(changingTo: .arrived, start: laterToday, now: now, calendar: parisCalendar) == nil)
        #expect(AppointmentStatus.booked.problem(changingTo: .fulfilled, start: laterToday, now: now, calendar: parisCalendar) == nil)
        #expect(AppointmentStatus.booked.problem(changingTo: .noshow, start: laterToday, now: now, calendar: parisCalendar)
            == "le rendez-vous n'a pas encore commencé : « absent (non excusé) » se note après son heure")
        for status in [AppointmentStatus.arrived, .fulfilled] {
            #expect(AppointmentStatus.booked.problem(changingTo: status, start: threeDaysAhead, now: now, calendar: parisCalendar)
                == "le rendez-vous est le 27/11/2026 : « \(status.label) » se note à partir de ce jour-là")
        }
    }

    @Test(arguments: [(AppointmentStatus.arrived, AppointmentStatus.booked), (.noshow, .booked), (.fulfilled, .arrived)])
    func aStatusIsUndoneTheSameDayWithAReason(from: AppointmentStatus, back: AppointmentStatus) {
        let start = now.addingTimeInterval(-3600), markedThisMorning = now.addingTimeInterval(-600), markedYesterday = now.addingTimeInterval(-86_400)
        #expect(from.isUndo(to: back))
        #expect(from.problem(changingTo: back, start: start, now: now, calendar: parisCalendar, changedAt: markedThisMorning, reason: "erreur de patient") == nil)
        #expect(from.problem(changingTo: back, start: start, now: now, calendar: parisCalendar, changedAt: markedThisMorning, reason: nil)?
            .contains("demande une raison") == true)
        #expect(from.problem(changingTo: back, start: start, now: now, calendar: parisCalendar, changedAt: markedThisMorning, reason: "  ok ")?
            .contains("demande une raison") == true)
        #expect(from.problem(changingTo: back, start: start, now: now, calendar: parisCalendar, changedAt: markedYesterday, reason: "erreur de patient")
            == "« \(from.label) » ne s'annule que le jour même où il a été noté")
    }

    @Test func movingAndCancellingStayPossibleUntilThePatientIsSeen() {
        #expect(AppointmentStatus.allCases.filter(\.movable) == [.proposed, .pending, .booked, .arrived])
    }

    @Test func onlyLiveStatusesOccupyTime() {
        #expect(AppointmentStatus.allCases.filter(\.occupiesTime) == [.proposed, .pending, .booked, .arrived, .fulfilled])
    }
}

struct BookingRuleTests {
    /// Weekdays 09:00–12:00 and 14:00–18:00, 20-minute motif.
    var builder = AgendaBuilder()

    func breaches(_ b: AgendaBuilder, at start: String, urgent: Bool = false, at clock: Date = now) throws -> [BookingRuleBreach] {
        try b.agenda.breaches(practitioner: b.practitioner, motif: b.motif, start: utc(start), now: clock, urgent: urgent)
    }

    @Test func aTimeInsideTheHoursBreaksNothing() throws {
        #expect(try breaches(builder, at: "2026-11-25T09:00:00Z").isEmpty)   // Wednesday 10:00 Paris
        #expect(try breaches(builder, at: "2026-11-25T09:07:00Z").isEmpty)   // off the grid is still inside the hours
    }

    @Test(arguments: ["2026-11-25T11:50:00Z", "2026-11-25T10:50:00Z", "2026-11-28T09:00:00Z"])
    func outsideTheHours(start: String) throws {
        // 12:50 (closed), 11:50–12:10 (overruns noon), Saturday.
        #expect(try breaches(builder, at: start) == [.outsideOpeningHours])
    }

    @Test func anAbsenceIsNamed() throws {
        var b = builder
        b.exceptions = [AgendaException(id: UUID(), practitionerID: b.practitioner, kind: .absence(reason: "Formation"),
                                        interval: DateInterval(start: utc("2026-11-25T00:00:00Z"), end: utc("2026-11-26T00:00:00Z")))]
        #expect(try breaches(b, at: "2026-11-25T09:00:00Z") == [.absence(reason: "Formation")])
    }

    @Test func aClosedHolidayIsNamed() throws {
        // Friday 25 December 2026, 10:00 Paris.
        #expect(try breaches(builder, at: "2026-12-25T09:00:00Z") == [.closedHoliday(name: "Noël")])
    }

    @Test func noticeAtItsExactBoundaryIsMet() throws {
        var b = builder
        b.motif.minimumNoticeMinutes = 90
        #expect(try breaches(b, at: "2026-11-24T10:00:00Z").isEmpty)              // now + 90 min exactly
        #expect(try breaches(b, at: "2026-11-24T09:50:00Z") == [.tooShortNotice(minimumMinutes: 90)])
    }

    @Test func beyondTheHorizon() throws {
        var b = builder
        b.motif.horizonDays = 7
        #expect(try breaches(b, at: "2026-12-02T09:00:00Z") == [.beyondHorizon(days: 7)])
    }

    @Test func reservedUrgentSlotsBeforeAndAfterRelease() throws {
        var b = builder
        b.urgentRules = [UrgentSlotRule(practitionerID: b.practitioner, kind: .fixedTimes([time("11:00")]), slotMinutes: 20,
                                        releaseBeforeMinutes: 60, weekdays: Set(1...5))]
        // Wednesday 11:00 Paris is kept for urgent calls until 10:00 that day.
        #expect(try breaches(b, at: "2026-11-25T10:00:00Z") == [.reservedForUrgent])
        #expect(try breaches(b, at: "2026-11-25T10:00:00Z", urgent: true).isEmpty)
        #expect(try breaches(b, at: "2026-11-25T10:00:00Z", at: utc("2026-11-25T09:00:00Z")).isEmpty)
    }

    @Test func thePastAndAForeignMotifAreRefused() {
        #expect(throws: BookingRefusal.startInPast) { try breaches(builder, at: "2026-11-24T08:00:00Z") }
        #expect(throws: BookingRefusal.practitionerDoesNotTakeMotif) {
            try builder.agenda.breaches(practitioner: builder.colleague, motif: builder.motif, start: utc("2026-11-25T09:00:00Z"), now: now, urgent: false)
        }
    }
}

struct AlternativesTests {
    @Test func samePractitionerThenSamePartOfDayThenNearestDate() throws {
        var b = AgendaBuilder()
        b.motif.practitionerIDs = [b.practitioner, b.colleague]
        b.colleagueRanges = b.ranges
        // Thursday 26 November, 10:00 Paris; the practitioner's Thursday morning is full.
        let original = utc("2026-11-26T09:00:00Z")
        b.busy = [BusyInterval(practitionerID: b.practitioner, interval: DateInterval(start: utc("2026-11-26T08:00:00Z"), end: utc("2026-11-26T11:00:00Z")))]
        let alternatives = try b.agenda.alternatives(to: original, practitioner: b.practitioner, motif: b.motifID, now: now, count: 5)
        #expect(alternatives.count == 5)
        #expect(alternatives.allSatisfy { $0.practitionerID == b.practitioner })
        // Mornings first, Wednesday and Friday (one day away) before Tuesday (two days), each at the closest time to 10:00.
        #expect(alternatives.map(\.start) == [utc("2026-11-25T09:00:00Z"), utc("2026-11-27T09:00:00Z"), utc("2026-11-25T08:40:00Z"),
                                              utc("2026-11-25T09:20:00Z"), utc("2026-11-27T08:40:00Z")])
    }

    @Test func anotherPractitionerWhenTheFirstHasNothing() throws {
        var b = AgendaBuilder()
        b.motif.practitionerIDs = [b.practitioner, b.colleague]
        b.colleagueRanges = b.ranges
        b.exceptions = [AgendaException(id: UUID(), practitionerID: b.practitioner, kind: .absence(reason: "Congés"),
                                        interval: DateInterval(start: utc("2026-11-20T00:00:00Z"), end: utc("2027-03-01T00:00:00Z")))]
        let alternatives = try b.agenda.alternatives(to: utc("2026-11-26T09:00:00Z"), practitioner: b.practitioner, motif: b.motifID, now: now, count: 3)
        #expect(alternatives.count == 3)
        #expect(alternatives.allSatisfy { $0.practitionerID == b.colleague })
        #expect(alternatives.first?.start == utc("2026-11-26T09:00:00Z"))
    }

    @Test func neverInThePast() throws {
        let b = AgendaBuilder()
        let alternatives = try b.agenda.alternatives(to: utc("2026-11-24T09:00:00Z"), practitioner: b.practitioner, motif: b.motifID, now: now, count: 10)
        #expect(alternatives.count == 10)
        #expect(alternatives.allSatisfy { $0.start >= now })
    }
}

struct ReadBackTests {
    let appointment = ReadBack.Appointment(start: utc("2026-12-01T13:30:00Z"), practitioner: FrenchSpeech.practitioner(title: "Dr", lastName: "Martin"),
                                           motifLabel: "Renouvellement d'ordonnance", patientInstructions: "Venir à jeun",
                                           address: "12 rue des Lilas, 69003 Lyon")

    @Test func booking() {
        #expect(ReadBack.booking(appointment, zone: paris, now: now).text
                == "Je récapitule : rendez-vous le mardi 1er décembre à 14 h 30 avec le Dr Martin, pour « Renouvellement d'ordonnance », au 12 rue des Lilas, 69003 Lyon. Venir à jeun.")
    }

    @Test func move() {
        #expect(ReadBack.move(from: utc("2026-11-26T08:00:00Z"), to: appointment, zone: paris, now: now).text
                == "Je récapitule : votre rendez-vous du jeudi 26 novembre à 9 h est déplacé au mardi 1er décembre à 14 h 30 avec le Dr Martin, pour « Renouvellement d'ordonnance », au 12 rue des Lilas, 69003 Lyon. Venir à jeun.")
    }

    @Test func cancellationSaysTheYearWhenItIsNotThisOne() {
        var next = appointment
        next.start = utc("2027-01-05T08:05:00Z")
        next.practitioner = FrenchSpeech.practitioner(title: "Mme", lastName: "Leroy")
        #expect(ReadBack.cancellation(next, zone: paris, now: now).text
                == "Je récapitule : votre rendez-vous du mardi 5 janvier 2027 à 9 h 05 avec Mme Leroy, pour « Renouvellement d'ordonnance », est annulé.")
    }

    @Test func series() {
        var second = appointment
        second.start = utc("2026-12-08T13:30:00Z")
        #expect(ReadBack.series([appointment, second], zone: paris, now: now).text
                == "Je récapitule : 2 rendez-vous avec le Dr Martin, pour « Renouvellement d'ordonnance », au 12 rue des Lilas, 69003 Lyon : le mardi 1er décembre à 14 h 30 et mardi 8 décembre à 14 h 30. Venir à jeun.")
    }
}

struct SeriesPlanTests {
    @Test func theLocalTimeHoldsAcrossTheSpringChange() {
        // Tuesdays at 09:00 Paris from 17 March 2026; the clocks go forward on Sunday 29 March.
        let plan = SeriesPlan(firstStart: utc("2026-03-17T08:00:00Z"), count: 4)
        #expect(plan.starts(in: paris) == [utc("2026-03-17T08:00:00Z"), utc("2026-03-24T08:00:00Z"),
                                           utc("2026-03-31T07:00:00Z"), utc("2026-04-07T07:00:00Z")])
    }

    @Test func everyOtherWeek() {
        let plan = SeriesPlan(firstStart: utc("2026-11-24T13:00:00Z"), count: 3, intervalWeeks: 2)
        #expect(plan.starts(in: paris) == [utc("2026-11-24T13:00:00Z"), utc("2026-12-08T13:00:00Z"), utc("2026-12-22T13:00:00Z")])
    }

    @Test(arguments: [(1, 1, ["count"]), (53, 1, ["count"]), (10, 0, ["intervalWeeks"]), (10, 5, ["intervalWeeks"]), (10, 1, [])])
    func limits(count: Int, interval: Int, fields: [String]) {
        #expect(SeriesPlan(firstStart: now, count: count, intervalWeeks: interval).problems().map(\.field) == fields)
    }
}

struct WaitingListTests {
    let practitioner = UUID(), other = UUID()
    var motif: Motif { Motif(id: UUID(uuidString: "00000000-0000-0000-0000-0000000000F1")!, label: "Bilan", durationMinutes: 30, practitionerIDs: [practitioner, other]) }

    func entry(priority: WaitingPriority = .normal, practitioners: Set<UUID> = [], created: Date = now,
               window: DateInterval = DateInterval(start: utc("2026-11-24T00:00:00Z"), end: utc("2026-12-01T00:00:00Z"))) -> WaitingListEntry {
        WaitingListEntry(id: UUID(), patientID: UUID(), motifID: motif.id, practitionerIDs: practitioners, window: window,
                         priority: priority, createdAt: created)
    }

    @Test func aFreedSlotMatchesTheWindowTheMotifAndThePractitioner() {
        let freed = DateInterval(start: utc("2026-11-26T09:00:00Z"), duration: 30 * 60)
        #expect(entry().matches(freed: freed, practitioner: practitioner, motif: motif, now: now))
        #expect(!entry(practitioners: [other]).matches(freed: freed, practitioner: practitioner, motif: motif, now: now))
        #expect(!entry(window: DateInterval(start: utc("2026-11-27T00:00:00Z"), duration: 86_400)).matches(freed: freed, practitioner: practitioner, motif: motif, now: now))
        // Twenty minutes freed are not enough for a 30-minute motif.
        #expect(!entry().matches(freed: DateInterval(start: freed.start, duration: 20 * 60), practitioner: practitioner, motif: motif, now: now))
    }

    @Test func callbacksByPriorityThenWaitingTime() {
        let oldLow = entry(priority: .low, created: utc("2026-10-01T00:00:00Z"))
        let newHigh = entry(priority: .high, created: utc("2026-11-20T00:00:00Z"))
        let oldHigh = entry(priority: .high, created: utc("2026-11-01T00:00:00Z"))
        let normal = entry(priority: .normal, created: utc("2026-09-01T00:00:00Z"))
        #expect([oldLow, newHigh, normal, oldHigh].sorted(by: WaitingListEntry.callbackOrder).map(\.id) == [oldHigh, newHigh, normal, oldLow].map(\.id))
    }
}
