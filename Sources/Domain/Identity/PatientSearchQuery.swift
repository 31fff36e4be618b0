import Foundation

/// What a secretary typed in the patient search, read into its parts: name fragments, a date of birth (or a year),
/// and a phone number. "martin 1957" is a name and a year; "03/12/1957", "3/12/57" and "3121957" are dates;
/// "06 12 34 56 78" is a phone number.
public struct PatientSearchQuery: Equatable, Sendable {
    /// Folded name fragments, each to be found at the start of a word of the name or in its compact form.
    public var nameFragments: [String] = []
    /// The dates of birth the typed digits can mean (`1121957` is 1/12/1957 or 11/2/1957); empty when none was typed.
    public var birthDates: [LocalDate] = []
    public var birthYear: Int?
    public var phone: PhoneNumber?

    public var isEmpty: Bool { nameFragments.isEmpty && birthDates.isEmpty && birthYear == nil && phone == nil }

    /// Reads `text`; `today` decides the century of a two-digit year (a birth year is never in the future).
    public init(_ text: String, today: LocalDate) {
        let trimmed = text.trimmed
        // A whole query that reads as a phone number is one (it may contain spaces).
        if trimmed.filter(\.isNumber).count >= 9, let phone = try? PhoneNumber(parsing: trimmed) {
            self.phone = phone
            return
        }
        for token in trimmed.split(whereSeparator: { $0 == " " || $0 == "," || $0 == ";" }).map(String.init) {
            let dates = Self.dates(token, today: today)
            if !dates.isEmpty {
                birthDates = dates
            } else if token.count == 4, let year = Int(token), (1880...today.year).contains(year) {
                birthYear = year
            } else if token.filter(\.isNumber).count >= 9, let phone = try? PhoneNumber(parsing: token) {
                self.phone = phone
            } else {
                nameFragments += NameFolding.words(token).filter { !$0.allSatisfy(\.isNumber) }
            }
        }
    }

    /// The dates of birth `token` can mean, written the French way: `03/12/1957`, `3/12/57`, `03-12-1957`,
    /// `03.12.1957`, `03121957`, `3121957` (one digit of day or of month), `031257`, or ISO `1957-12-03`.
    public static func dates(_ token: String, today: LocalDate) -> [LocalDate] {
        if let iso = LocalDate(iso: token) { return iso <= today ? [iso] : [] }
        let parts = token.split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." }).map(String.init)
        if parts.count == 3, parts.allSatisfy({ (1...4).contains($0.count) && $0.allSatisfy(\.isNumber) }), parts[0].count <= 2, parts[1].count <= 2 {
            return [valid(day: Int(parts[0])!, month: Int(parts[1])!, year: parts[2], today: today)].compactMap { $0 }
        }
        guard parts.count == 1, token.allSatisfy(\.isNumber) else { return [] }
        func read(_ dayDigits: Int, _ monthDigits: Int) -> LocalDate? {
            let digits = Array(token)
            let yearDigits = digits.count - dayDigits - monthDigits
            guard yearDigits == 2 || yearDigits == 4 else { return nil }
            return valid(day: Int(String(digits[0..<dayDigits]))!, month: Int(String(digits[dayDigits..<dayDigits + monthDigits]))!,
                         year: String(digits[(dayDigits + monthDigits)...]), today: today)
        }
        switch token.count {
        case 8, 6: return [read(2, 2)].compactMap { $0 }
        case 7: return [read(1, 2), read(2, 1)].compactMap { $0 }
        default: return []
        }
    }

    /// The date when it exists and is not in the future; a two-digit year is the latest one not after today.
    private static func valid(day: Int, month: Int, year text: String, today: LocalDate) -> LocalDate? {
        guard var year = Int(text), text.count == 2 || text.count == 4 else { return nil }
        if text.count == 2 { year = 2000 + year > today.year ? 1900 + year : 2000 + year }
        guard let date = LocalDate(checkedYear: year, month: month, day: day), date <= today else { return nil }
        return date
    }
}

extension PatientSearchQuery {
    /// How well `traits` answer this query, higher first; nil when they do not answer it. Every name fragment must
    /// begin a word of the birth or used name or first names, or begin the compact name ("lefevre" in "Le Fèvre"); a date
    /// or a year must match the date of birth, a phone one of the numbers.
    public func score(_ traits: IdentityTraits) -> Int? {
        score(names: FoldedNames(birthName: traits.birthName, usedName: traits.usedName, firstNames: traits.firstNames),
              birthDate: traits.birthDate, phones: traits.phones)
    }

    /// The same, with the names folded beforehand (the in-memory index folds each name once).
    public func score(names: FoldedNames, birthDate: LocalDate, phones: [PhoneNumber]) -> Int? {
        var score = 0
        if !birthDates.isEmpty {
            guard birthDates.contains(birthDate) else { return nil }
            score += 40
        }
        if let birthYear {
            guard birthDate.year == birthYear else { return nil }
            score += 10
        }
        if let phone {
            guard phones.contains(phone) else { return nil }
            score += 50
        }
        let lastWords = names.lastWords, compacts = names.compacts, firstWords = names.firstWords
        var remaining = nameFragments
        // "le fevre" typed in two fragments matches "Lefèvre" as one compact name.
        let joined = remaining.joined()
        if remaining.count > 1, compacts.contains(where: { $0.hasPrefix(joined) }) {
            score += compacts.contains(joined) ? 30 : 20
            remaining = []
        }
        for fragment in remaining {
            if compacts.contains(fragment) || lastWords.contains(fragment) {
                score += 30
            } else if firstWords.contains(fragment) {
                score += 25
            } else if lastWords.contains(where: { $0.hasPrefix(fragment) }) || compacts.contains(where: { $0.hasPrefix(fragment) }) {
                score += 15
            } else if firstWords.contains(where: { $0.hasPrefix(fragment) }) {
                score += 10
            } else {
                return nil
            }
        }
        return score
    }
}

/// A patient's names folded once: the words of the birth and used names, each of those names in one piece, and the
/// words of the first names.
public struct FoldedNames: Equatable, Sendable {
    public let lastWords: [String]
    public let compacts: [String]
    public let firstWords: [String]

    public init(birthName: String, usedName: String?, firstNames: String) {
        let lastNames = [birthName] + (usedName.map { [$0] } ?? [])
        lastWords = lastNames.flatMap(NameFolding.words)
        compacts = lastNames.map(NameFolding.compact)
        firstWords = NameFolding.words(firstNames)
    }

    /// Every word a prefix may match: what the index sorts.
    var terms: Set<String> { Set(lastWords + compacts + firstWords).subtracting([""]) }
}
