import Foundation

/// A French département (INSEE code): `01`–`95` (Corsica `2A` and `2B`, no `20`) and the overseas `971`–`974`, `976`.
/// The Moselle (57), the Bas-Rhin (67) and the Haut-Rhin (68) keep two more public holidays: Good Friday and 26 December.
public struct Departement: Hashable, Sendable, CustomStringConvertible {
    public let code: String

    public init?(code raw: String) {
        let code = raw.trimmingCharacters(in: .whitespaces).uppercased()
        let valid: Bool
        switch code.count {
        case 2:
            if code == "2A" || code == "2B" { valid = true } else if let number = Int(code), code.allSatisfy(\.isASCII) {
                valid = (1...95).contains(number) && number != 20
            } else { valid = false }
        case 3: valid = ["971", "972", "973", "974", "976"].contains(code)
        default: valid = false
        }
        guard valid else { return nil }
        self.code = code
    }

    public var description: String { code }

    /// "92100" → "92", "97400" → "974", "20000" → "2A", "20200" → "2B"; nil for anything that is not a postal code.
    public static func of(postalCode code: String) -> String? {
        guard code.count == 5, code.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if code.hasPrefix("97") || code.hasPrefix("98") { return String(code.prefix(3)) }
        if code.hasPrefix("20") { return code < "20200" ? "2A" : "2B" }
        return code == "00000" ? nil : String(code.prefix(2))
    }

    /// The département of the last postal code an address holds ("14 rue des Tilleuls, 92100 Boulogne" → "92").
    public static func of(address: String) -> String? {
        let codes = address.split(whereSeparator: { !($0.isASCII && $0.isNumber) }).filter { $0.count == 5 }
        return codes.last.flatMap { of(postalCode: String($0)) }
    }

    /// Local law (droit local): Good Friday and Saint Stephen's day are public holidays.
    public var isAlsaceMoselle: Bool { ["57", "67", "68"].contains(code) }

    /// The time zone of its practices unless one is named.
    public var timeZoneIdentifier: String {
        switch code {
        case "971": "America/Guadeloupe"
        case "972": "America/Martinique"
        case "973": "America/Cayenne"
        case "974": "Indian/Reunion"
        case "976": "Indian/Mayotte"
        default: "Europe/Paris"
        }
    }
}

/// What a dialled number is for, shown to the secretary when it rings.
public enum DialledNumberLabel: String, CaseIterable, Sendable {
    case urgences
    case secretariat = "secrétariat"
}

/// A number patients dial to reach a practice (a DID of the center's phone system): it tells the secretary which practice
/// is called. Unique across the center.
public struct DialledNumber: Equatable, Sendable {
    public let number: PhoneNumber
    public let label: DialledNumberLabel?

    public init(number: PhoneNumber, label: DialledNumberLabel?) {
        self.number = number
        self.label = label
    }
}

/// A span of local time in one day, `start` < `end`.
public struct CoverageRange: Equatable, Sendable {
    public let start: LocalTime
    public let end: LocalTime

    public init(start: LocalTime, end: LocalTime) {
        self.start = start
        self.end = end
    }

    public func contains(_ time: LocalTime) -> Bool { start <= time && time < end }
}

/// A date on which the center answers other hours for the practice (none: it does not answer that day).
public struct CoverageException: Equatable, Sendable {
    public let date: LocalDate
    public let ranges: [CoverageRange]
    public let reason: String

    public init(date: LocalDate, ranges: [CoverageRange], reason: String) {
        self.date = date
        self.ranges = ranges
        self.reason = reason
    }
}

/// The hours the center answers the phone for a practice: by ISO weekday (1 Monday … 7 Sunday), with dated exceptions.
public struct CoverageHours: Equatable, Sendable {
    public var weekly: [Int: [CoverageRange]]
    public var exceptions: [CoverageException]

    public init(weekly: [Int: [CoverageRange]], exceptions: [CoverageException] = []) {
        self.weekly = weekly
        self.exceptions = exceptions
    }

    /// The ranges answered on `date`: its exception's when it has one, else its weekday's.
    public func ranges(on date: LocalDate) -> [CoverageRange] {
        exceptions.first { $0.date == date }?.ranges ?? weekly[date.isoWeekday] ?? []
    }

    public func covers(_ date: LocalDate, at time: LocalTime) -> Bool {
        ranges(on: date).contains { $0.contains(time) }
    }

    /// Every problem, each naming its field: `weeklyField(weekday, index in that day)` names a weekly range (the caller
    /// knows where it wrote it), an exception's is `coverage.exceptions[i].ranges[j]`.
    public func problems(weeklyField: (Int, Int) -> String) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        func check(_ ranges: [CoverageRange], field: (Int) -> String) {
            for (index, range) in ranges.enumerated() where range.end <= range.start {
                problems.append(FieldProblem(field: field(index), reason: "la plage se termine (\(range.end)) avant de commencer (\(range.start))"))
            }
            let sorted = ranges.enumerated().filter { $0.element.start < $0.element.end }.sorted { $0.element.start < $1.element.start }
            for (previous, next) in zip(sorted, sorted.dropFirst()) where next.element.start < previous.element.end {
                problems.append(FieldProblem(field: field(next.offset),
                                             reason: "la plage \(next.element.start)–\(next.element.end) chevauche \(previous.element.start)–\(previous.element.end)"))
            }
        }
        for weekday in weekly.keys.sorted() {
            if !(1...7).contains(weekday) {
                problems.append(FieldProblem(field: weeklyField(weekday, 0), reason: "jour \(weekday) inconnu (1 lundi … 7 dimanche)"))
            }
            check(weekly[weekday] ?? []) { weeklyField(weekday, $0) }
        }
        var seen = Set<LocalDate>()
        for (index, exception) in exceptions.enumerated() {
            if !seen.insert(exception.date).inserted {
                problems.append(FieldProblem(field: "coverage.exceptions[\(index)].date", reason: "le \(exception.date) a déjà son exception"))
            }
            check(exception.ranges) { "coverage.exceptions[\(index)].ranges[\($0)]" }
        }
        return problems
    }
}

/// The RPPS number (Répertoire partagé des professionnels de santé): 11 digits, the last a Luhn check digit.
public enum RPPS {
    public static func problem(with raw: String) -> String? {
        guard raw.count == 11, raw.allSatisfy({ $0.isASCII && $0.isNumber }) else { return "le RPPS compte 11 chiffres" }
        return luhnIsValid(raw) ? nil : "clé de contrôle du RPPS incorrecte (vérifiez les chiffres)"
    }

    /// Ten digits completed with their Luhn check digit.
    public static func withCheckDigit(_ tenDigits: String) -> String {
        (0...9).map { tenDigits + String($0) }.first(where: luhnIsValid) ?? tenDigits + "0"
    }

    /// The Luhn check (ISO/IEC 7812): from the right, every second digit doubled (less 9 over 9); the sum ends in 0.
    public static func luhnIsValid(_ digits: String) -> Bool {
        var sum = 0
        for (index, character) in digits.reversed().enumerated() {
            guard let digit = character.wholeNumberValue else { return false }
            if index % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }
}

/// What the secretary says when the center does not answer for the practice: it must send an emergency to the 15.
public enum OutsideHoursMessage {
    public static func problem(with message: String) -> String? {
        let text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return "message obligatoire : ce que l'on dit hors des heures de permanence" }
        // "15" alone, not inside another number ("0145…", "15h").
        let namesThe15 = text.range(of: #"(^|[^0-9])15([^0-9h]|$)"#, options: .regularExpression) != nil
        return namesThe15 ? nil : "le message doit orienter les urgences vers le 15 (SAMU)"
    }
}

/// A practice's short stable name: lower-case letters, digits and hyphens (`cabinet-martin`).
public enum PracticeSlug {
    public static func problem(with slug: String) -> String? {
        slug.range(of: "^[a-z0-9]+(-[a-z0-9]+)*$", options: .regularExpression) != nil && slug.count <= 60
            ? nil : "lettres minuscules sans accents, chiffres et tirets (cabinet-martin), 60 caractères au plus"
    }

    /// A slug made from a name: `Cabinet de pédiatrie Lumière` → `cabinet-de-pediatrie-lumiere`.
    public static func from(name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "fr_FR")).lowercased()
        let words = folded.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        return String(words.joined(separator: "-").prefix(60)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }
}
