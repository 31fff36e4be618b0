import Foundation

/// The identity status of a record (référentiel national d'identitovigilance).
public enum IdentityStatus: String, Codable, Sendable, CaseIterable {
    /// Traits given by the caller, no identity document seen.
    case provisoire
    /// INS retrieved from the national service, identity not checked against a document.
    case recuperee = "récupérée"
    /// Identity checked against an identity document.
    case validee = "validée"
    /// INS retrieved and identity checked: the only status that allows sharing the INS.
    case qualifiee = "qualifiée"

    public var label: String {
        switch self {
        case .provisoire: "Identité provisoire"
        case .recuperee: "Identité récupérée"
        case .validee: "Identité validée"
        case .qualifiee: "Identité qualifiée"
        }
    }
}

/// Why a NIR (the INS number) is refused.
public enum NIRProblem: Error, Equatable, Sendable {
    case wrongLength
    case invalidCharacters
    case wrongSex
    case wrongKey

    public var reason: String {
        switch self {
        case .wrongLength: "Le NIR compte 13 caractères suivis de la clé à 2 chiffres (15 en tout)."
        case .invalidCharacters: "Le NIR ne contient que des chiffres (2A ou 2B pour la Corse)."
        case .wrongSex: "Le NIR commence par 1 ou 2 (ou 3, 4, 7, 8 pour un numéro provisoire)."
        case .wrongKey: "La clé du NIR ne correspond pas : vérifiez le numéro."
        }
    }
}

/// A NIR with its key checked: 13 characters then the key, 97 − (NIR mod 97), Corsica's 2A and 2B read as 19 and 18.
public struct NIR: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The 15 characters, without spaces.
    public let value: String

    public init(parsing text: String) throws(NIRProblem) {
        let compact = text.uppercased().filter { $0 != " " && $0 != "." && $0 != "-" }
        guard compact.count == 15 else { throw .wrongLength }
        let characters = Array(compact)
        let department = String(characters[5...6])
        for (index, character) in characters.enumerated() where !(character.isASCII && character.isNumber) {
            guard (index == 6) && (department == "2A" || department == "2B") else { throw .invalidCharacters }
        }
        guard "123478".contains(characters[0]) else { throw .wrongSex }
        var body = String(characters[0..<13])
        if department == "2A" { body = String(characters[0..<5]) + "19" + String(characters[7..<13]) }
        if department == "2B" { body = String(characters[0..<5]) + "18" + String(characters[7..<13]) }
        guard let number = UInt64(body), let key = Int(String(characters[13...14])), key == 97 - Int(number % 97) else { throw .wrongKey }
        value = compact
    }

    /// `1 57 12 75 116 108 41`: grouped as on the carte Vitale.
    public var description: String {
        let c = Array(value)
        return [c[0...0], c[1...2], c[3...4], c[5...6], c[7...9], c[10...12], c[13...14]].map { String($0) }.joined(separator: " ")
    }
}

/// The traits two records are compared on before one is created or merged.
public struct IdentityTraits: Equatable, Sendable {
    public var birthName: String
    public var firstNames: String
    public var usedName: String?
    public var birthDate: LocalDate
    public var sex: String
    public var birthplaceCode: String?
    public var phones: [PhoneNumber]

    public init(birthName: String, firstNames: String, usedName: String? = nil, birthDate: LocalDate, sex: String,
                birthplaceCode: String? = nil, phones: [PhoneNumber] = []) {
        self.birthName = birthName
        self.firstNames = firstNames
        self.usedName = usedName
        self.birthDate = birthDate
        self.sex = sex
        self.birthplaceCode = birthplaceCode
        self.phones = phones
    }

    /// Why `other` is likely the same person, in the secretary's words; empty when nothing suggests it.
    /// Same strict traits; same date of birth and a close name; the same phone and first name.
    public func duplicateReasons(_ other: IdentityTraits) -> [String] {
        ComparedTraits(self).duplicateReasons(ComparedTraits(other))
    }
}

/// Traits with their names folded once: an import compares each row with thousands of people.
struct ComparedTraits: Sendable {
    let traits: IdentityTraits
    let compactBirthName: String
    /// The birth name and the used name, folded.
    let compactNames: [String]
    let firstName: String?

    init(_ traits: IdentityTraits) {
        self.traits = traits
        compactBirthName = NameFolding.compact(traits.birthName)
        compactNames = [compactBirthName] + (traits.usedName.map { [NameFolding.compact($0)] } ?? [])
        firstName = NameFolding.words(traits.firstNames).first
    }

    func duplicateReasons(_ other: ComparedTraits) -> [String] {
        let a = traits, b = other.traits
        let sameFirstName = firstName != nil && firstName == other.firstName
        var reasons: [String] = []
        if compactBirthName == other.compactBirthName, sameFirstName, a.birthDate == b.birthDate, a.sex == b.sex,
           a.birthplaceCode == nil || b.birthplaceCode == nil || a.birthplaceCode == b.birthplaceCode {
            reasons.append("mêmes traits stricts (nom de naissance, premier prénom, date de naissance, sexe)")
        } else if a.birthDate == b.birthDate, compactNames.contains(where: { name in
            other.compactNames.contains { NameFolding.distance(name, $0, limit: 2) <= 2 }
        }) {
            reasons.append("même date de naissance et nom proche")
        }
        if sameFirstName, !Set(a.phones).isDisjoint(with: b.phones) {
            reasons.append("même téléphone et même prénom")
        }
        return reasons
    }
}

/// Whether a record may be erased: kept 20 years after the last visit, and for a patient seen as a minor at least until
/// the 28th birthday.
public enum RetentionRule {
    public static let yearsAfterLastVisit = 20
    public static let minorsUntilAge = 28

    /// The first day the record may be erased; a record of a patient never seen may be erased at once.
    public static func erasableFrom(birthDate: LocalDate, lastVisit: LocalDate?) -> LocalDate? {
        guard let lastVisit else { return nil }
        let afterVisit = lastVisit.addingYears(yearsAfterLastVisit)
        return seenAsMinor(birthDate: birthDate, lastVisit: lastVisit) ? max(afterVisit, birthDate.addingYears(minorsUntilAge)) : afterVisit
    }

    static func seenAsMinor(birthDate: LocalDate, lastVisit: LocalDate) -> Bool {
        lastVisit < birthDate.addingYears(18)
    }

    /// Why the record may not be erased on `today`; nil when it may.
    public static func refusal(birthDate: LocalDate, lastVisit: LocalDate?, today: LocalDate) -> String? {
        guard let lastVisit, let from = erasableFrom(birthDate: birthDate, lastVisit: lastVisit), today < from else { return nil }
        let rule = seenAsMinor(birthDate: birthDate, lastVisit: lastVisit)
            ? "20 ans après la dernière venue, et au moins jusqu'aux 28 ans d'un patient vu mineur" : "20 ans après la dernière venue"
        return "Le dossier doit être conservé jusqu'au \(from.frenchNumeric) (\(rule))."
    }
}

extension LocalDate {
    /// The same day `years` later; 29 February becomes 1 March in a common year.
    public func addingYears(_ years: Int) -> LocalDate {
        LocalDate(checkedYear: year + years, month: month, day: day) ?? LocalDate(year: year + years, month: 3, day: 1)
    }

    /// `03/12/1957`.
    public var frenchNumeric: String {
        (day < 10 ? "0\(day)" : "\(day)") + "/" + (month < 10 ? "0\(month)" : "\(month)") + "/" + String(year)
    }

    /// A birth date as the screens give it, with the age on `today`: "12/04/1990 (36 ans)", "03/05/2026 (7 mois)" —
    /// three children of one family share a phone number, their ages tell them apart at once.
    public func birthText(on today: LocalDate) -> String {
        guard let age = age(on: today) else { return frenchNumeric }
        return "\(frenchNumeric) (\(age))"
    }

    /// The age on `today` of someone born this day, as the screens say it ("4 ans", "7 mois"); nil before the birth.
    public func age(on today: LocalDate) -> String? {
        TriageSubject.ageInMonths(born: self, on: today).map(TriageSubject.ageText(months:))
    }
}
