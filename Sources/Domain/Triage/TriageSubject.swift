import Foundation

/// Whom the triage is about: the patient's age (from the record, or asked first: "pour qui, quel âge ?") and whether
/// the caller speaks of herself, which changes what is said to her.
public struct TriageSubject: Codable, Equatable, Sendable {
    /// Age in whole months; nil when nobody could say.
    public var ageInMonths: Int?
    /// The caller is the patient (true), calls for someone else (false), or it was not said (nil).
    public var callerIsPatient: Bool?

    public init(ageInMonths: Int? = nil, callerIsPatient: Bool? = nil) {
        self.ageInMonths = ageInMonths
        self.callerIsPatient = callerIsPatient
    }

    public static let unknown = TriageSubject()

    /// Whole months from a birth date to a day; nil before the birth.
    public static func ageInMonths(born: LocalDate, on day: LocalDate) -> Int? {
        var months = (day.year - born.year) * 12 + (day.month - born.month)
        if day.day < born.day { months -= 1 }
        return months >= 0 ? months : nil
    }

    /// "3 mois", "1 an", "45 ans": how the screen and the transmission say an age.
    public static func ageText(months: Int) -> String {
        if months < 24 && months % 12 != 0 || months < 12 { return "\(months) mois" }
        let years = months / 12
        return years == 1 ? "1 an" : "\(years) ans"
    }

    /// "Pour elle-même, 45 ans", "Pour un proche, 8 mois", or nil when nothing is known.
    public var label: String? {
        let who: String? = switch callerIsPatient {
        case true?: "L'appelant lui-même"
        case false?: "Un proche de l'appelant"
        case nil: nil
        }
        let age = ageInMonths.map(Self.ageText)
        let parts = [who, age].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}
