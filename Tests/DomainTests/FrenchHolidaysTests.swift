import Domain
import Testing

struct FrenchHolidaysTests {
    @Test(arguments: [
        (2000, 4, 23), (2019, 4, 21), (2024, 3, 31), (2025, 4, 20), (2026, 4, 5), (2027, 3, 28), (2038, 4, 25),
    ])
    func easterSunday(year: Int, month: Int, day: Int) {
        #expect(FrenchHolidays.easterSunday(year) == LocalDate(year: year, month: month, day: day))
    }

    @Test func elevenHolidaysIn2026WithTheMovableFeasts() {
        let days = FrenchHolidays.holidays(in: 2026)
        #expect(days.count == 11)
        #expect(days.map(\.date.description) == [
            "2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25",
            "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
        ])
    }

    @Test func alsaceMoselleAddsGoodFridayAndSaintStephen() {
        let days = FrenchHolidays.holidays(in: 2026, alsaceMoselle: true)
        #expect(days.count == 13)
        #expect(FrenchHolidays.holiday(on: LocalDate(year: 2026, month: 4, day: 3), alsaceMoselle: true)?.name == "Vendredi saint")
        #expect(FrenchHolidays.holiday(on: LocalDate(year: 2026, month: 4, day: 3)) == nil)
        #expect(FrenchHolidays.holiday(on: LocalDate(year: 2026, month: 12, day: 26), alsaceMoselle: true)?.name == "Saint-Étienne")
    }

    @Test(arguments: [
        (LocalDate(year: 2026, month: 11, day: 24), 2),
        (LocalDate(year: 2026, month: 11, day: 29), 7),
        (LocalDate(year: 2024, month: 2, day: 29), 4),
        (LocalDate(year: 2000, month: 1, day: 3), 1),
    ])
    func isoWeekday(date: LocalDate, weekday: Int) {
        #expect(date.isoWeekday == weekday)
    }

    @Test func addingDaysCrossesMonthsYearsAndLeapDays() {
        #expect(LocalDate(year: 2024, month: 2, day: 28).adding(days: 1) == LocalDate(year: 2024, month: 2, day: 29))
        #expect(LocalDate(year: 2026, month: 12, day: 31).adding(days: 1) == LocalDate(year: 2027, month: 1, day: 1))
        #expect(LocalDate(year: 2026, month: 3, day: 1).adding(days: -1) == LocalDate(year: 2026, month: 2, day: 28))
    }
}

struct LocalDateFormattingTests {
    @Test(arguments: [(LocalDate(year: 2026, month: 1, day: 5), "2026-01-05"), (LocalDate(year: 987, month: 12, day: 31), "0987-12-31"),
                      (LocalDate(year: 2026, month: 11, day: 24), "2026-11-24")])
    func isoText(date: LocalDate, text: String) {
        #expect(date.description == text)
        #expect(LocalDate(iso: text) == date)
    }
}
