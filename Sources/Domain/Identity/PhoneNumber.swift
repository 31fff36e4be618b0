import Foundation

/// Why a phone number is refused.
public enum PhoneNumberProblem: Error, Equatable, Sendable {
    case empty
    case invalidCharacters
    case wrongLength
    /// 15, 112, 114, 3114, 116 117, 3237…: service numbers, never a patient's.
    case shortServiceNumber
    case notAFrenchNumber

    /// The French sentence shown next to the field.
    public var reason: String {
        switch self {
        case .empty: "Le numéro est vide."
        case .invalidCharacters: "Le numéro contient des caractères inattendus."
        case .wrongLength: "Un numéro français compte 10 chiffres (0X XX XX XX XX)."
        case .shortServiceNumber: "Les numéros courts (15, 112, 114, 3114, 116 117…) ne sont pas des numéros de patient."
        case .notAFrenchNumber: "Le numéro international n'est pas reconnu."
        }
    }
}

/// A phone number stored in E.164 (`+33612345678`) and shown grouped by two the French way.
public struct PhoneNumber: Hashable, Codable, Sendable, CustomStringConvertible {
    /// E.164: `+` then the country code and the subscriber number.
    public let e164: String

    /// Reads a number written in any usual French or international way: `06 12 34 56 78`, `06.12.34.56.78`,
    /// `+33 6 12 34 56 78`, `0033612345678`, `+33 (0)6 12 34 56 78`.
    public init(parsing text: String) throws(PhoneNumberProblem) {
        let trimmed = text.trimmed
        guard !trimmed.isEmpty else { throw .empty }
        var digits = ""
        var plus = false
        for (index, character) in trimmed.enumerated() {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if character == "+" && index == 0 {
                plus = true
            } else if " .-/()\u{00A0}".contains(character) {
                continue
            } else {
                throw .invalidCharacters
            }
        }
        // "+33 (0)6…" carries a national trunk zero that E.164 drops.
        if trimmed.contains("(0)") { digits = digits.replacingOccurrences(of: "330", with: "33", options: .anchored) }
        if Self.shortServiceNumbers.contains(digits) && !plus { throw .shortServiceNumber }
        if plus || digits.hasPrefix("00") {
            let international = plus ? digits : String(digits.dropFirst(2))
            if international.hasPrefix("33") {
                let national = international.dropFirst(2)
                guard national.count == 9, national.first != "0" else { throw .wrongLength }
                // "+33 692…" is a Réunion mobile written with the wrong country code: it has no +33 subscriber.
                e164 = "+" + Self.countryCode(ofNational: String(national)) + national
            } else {
                guard (8...15).contains(international.count), international.first != "0" else { throw .notAFrenchNumber }
                e164 = "+" + international
            }
            return
        }
        guard digits.count == 10, digits.first == "0", digits.dropFirst().first != "0" else { throw .wrongLength }
        let national = String(digits.dropFirst())
        e164 = "+" + Self.countryCode(ofNational: national) + national
    }

    /// Overseas départements and collectivities dial in the national plan (`0692 12 34 56`) but are reached from
    /// abroad, and by the telephony, with their own country codes: the first three digits after the 0 tell which.
    public static let overseasPrefixes: [String: String] = [
        "262": "262", "263": "262", "692": "262", "693": "262", "269": "262", "639": "262",  // La Réunion, Mayotte
        "590": "590", "690": "590", "691": "590",  // Guadeloupe, Saint-Martin, Saint-Barthélemy
        "594": "594", "694": "594",  // Guyane
        "596": "596", "696": "596", "697": "596",  // Martinique
        "508": "508",  // Saint-Pierre-et-Miquelon
    ]

    /// The country code of a 9-digit national number (the 10 digits less their 0).
    static func countryCode(ofNational national: String) -> String {
        overseasPrefixes[String(national.prefix(3))] ?? "33"
    }

    /// The 10-digit national form (`0692123456`) of a French or overseas number, nil for a foreign one.
    public var national: String? {
        if e164.hasPrefix("+33"), e164.count == 12 { return "0" + e164.dropFirst(3) }
        let code = String(e164.dropFirst().prefix(3)), rest = String(e164.dropFirst(4))
        guard e164.count == 13, rest.count == 9, Self.overseasPrefixes[String(rest.prefix(3))] == code else { return nil }
        return "0" + rest
    }

    /// Builds from a stored E.164 value without re-checking it.
    public init(e164: String) {
        self.e164 = e164
    }

    /// `06 12 34 56 78` for a French or overseas number (`06 92 12 34 56` in La Réunion), the E.164 form otherwise.
    public var display: String {
        guard let national = national.map(Array.init) else { return e164 }
        return stride(from: 0, to: 10, by: 2).map { String(national[$0..<$0 + 2]) }.joined(separator: " ")
    }

    /// A French mobile, metropolitan or overseas (06 or 07 in the national plan).
    public var isFrenchMobile: Bool {
        guard let national else { return false }
        return national.hasPrefix("06") || national.hasPrefix("07")
    }

    public var description: String { display }

    /// National short numbers that reach emergency and public services.
    public static let shortServiceNumbers: Set<String> = ["15", "17", "18", "112", "114", "115", "119", "3114", "116117", "3237"]
}
