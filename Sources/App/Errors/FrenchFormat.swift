import Domain
import Foundation

/// French display conventions (DESIGN.md, "The screens"), in one place.
enum FrenchFormat {
    static let parisTimeZone = TimeZone(identifier: "Europe/Paris")!

    private static func formatter(_ pattern: String, _ zone: TimeZone) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "fr_FR")
        formatter.timeZone = zone
        formatter.dateFormat = pattern
        return formatter
    }

    /// "14:30".
    static func time(_ date: Date, in zone: TimeZone = parisTimeZone) -> String {
        formatter("HH:mm", zone).string(from: date)
    }

    /// "mardi 3 décembre 2026".
    static func longDate(_ date: Date, in zone: TimeZone = parisTimeZone) -> String {
        formatter("EEEE d MMMM yyyy", zone).string(from: date)
    }

    /// "jeu. 03/12/2026 08:21:14": a journal entry's moment, to the second.
    static func moment(_ date: Date, in zone: TimeZone = parisTimeZone) -> String {
        formatter("EEE dd/MM/yyyy HH:mm:ss", zone).string(from: date)
    }

    /// "mar. 03/12".
    static func shortDate(_ date: Date, in zone: TimeZone = parisTimeZone) -> String {
        formatter("EEE dd/MM", zone).string(from: date)
    }

    /// "06 12 34 56 78" from a stored E.164 number.
    static func phone(_ e164: String?) -> String {
        guard let e164 else { return "" }
        return PhoneNumber(e164: e164).display
    }
}
