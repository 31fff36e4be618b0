import Foundation

/// A calendar day without time or zone: the unit holidays and opening days are reasoned in.
public struct LocalDate: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// ISO 8601, `2026-12-03`.
    public var description: String {
        // Written by hand: String(format:) goes through CoreFoundation on Linux and this runs for every slot shown.
        let y = String(year), m = month < 10 ? "0\(month)" : String(month), d = day < 10 ? "0\(day)" : String(day)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + m + "-" + d
    }

    /// Reads an ISO 8601 calendar date, `2026-12-03`; nil for anything else, 31 February included.
    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        self.init(checkedYear: year, month: month, day: day)
    }

    /// The date, or nil when it does not exist (31 February, 29 February of a common year).
    public init?(checkedYear year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        let date = LocalDate(year: year, month: month, day: day)
        guard LocalDate(julianDay: date.julianDay) == date else { return nil }
        self = date
    }

    /// The day `days` later (or earlier, when negative), by the proleptic Gregorian calendar.
    public func adding(days: Int) -> LocalDate {
        LocalDate(julianDay: julianDay + days)
    }

    /// ISO weekday: 1 Monday … 7 Sunday.
    public var isoWeekday: Int {
        (julianDay % 7 + 7) % 7 + 1
    }

    /// Days since an arbitrary epoch; only differences matter.
    var julianDay: Int {
        let a = (14 - month) / 12
        let y = year + 4800 - a
        let m = month + 12 * a - 3
        return day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
    }

    init(julianDay jd: Int) {
        let a = jd + 32044
        let b = (4 * a + 3) / 146097
        let c = a - 146097 * b / 4
        let d = (4 * c + 3) / 1461
        let e = c - 1461 * d / 4
        let m = (5 * e + 2) / 153
        self.init(
            year: 100 * b + d - 4800 + m / 10,
            month: m + 3 - 12 * (m / 10),
            day: e - (153 * m + 2) / 5 + 1
        )
    }
}

/// A French public holiday (jour férié).
public struct PublicHoliday: Equatable, Sendable {
    public let date: LocalDate
    /// The French name, as shown in the agenda.
    public let name: String
}

/// The French public holidays, computed for any year (Gregorian calendar).
public enum FrenchHolidays {
    /// The holidays of `year`, in date order; `alsaceMoselle` adds Good Friday and 26 December.
    public static func holidays(in year: Int, alsaceMoselle: Bool = false) -> [PublicHoliday] {
        let easter = easterSunday(year)
        var days = [
            PublicHoliday(date: LocalDate(year: year, month: 1, day: 1), name: "Jour de l'an"),
            PublicHoliday(date: easter.adding(days: 1), name: "Lundi de Pâques"),
            PublicHoliday(date: LocalDate(year: year, month: 5, day: 1), name: "Fête du Travail"),
            PublicHoliday(date: LocalDate(year: year, month: 5, day: 8), name: "Victoire 1945"),
            PublicHoliday(date: easter.adding(days: 39), name: "Ascension"),
            PublicHoliday(date: easter.adding(days: 50), name: "Lundi de Pentecôte"),
            PublicHoliday(date: LocalDate(year: year, month: 7, day: 14), name: "Fête nationale"),
            PublicHoliday(date: LocalDate(year: year, month: 8, day: 15), name: "Assomption"),
            PublicHoliday(date: LocalDate(year: year, month: 11, day: 1), name: "Toussaint"),
            PublicHoliday(date: LocalDate(year: year, month: 11, day: 11), name: "Armistice 1918"),
            PublicHoliday(date: LocalDate(year: year, month: 12, day: 25), name: "Noël"),
        ]
        if alsaceMoselle {
            days.append(PublicHoliday(date: easter.adding(days: -2), name: "Vendredi saint"))
            days.append(PublicHoliday(date: LocalDate(year: year, month: 12, day: 26), name: "Saint-Étienne"))
        }
        return days.sorted { $0.date < $1.date }
    }

    /// The holiday falling on `date`, if any.
    public static func holiday(on date: LocalDate, alsaceMoselle: Bool = false) -> PublicHoliday? {
        holidays(in: date.year, alsaceMoselle: alsaceMoselle).first { $0.date == date }
    }

    /// Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    public static func easterSunday(_ year: Int) -> LocalDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return LocalDate(year: year, month: month, day: day)
    }
}
