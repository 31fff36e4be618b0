import Domain
import Foundation
import NIOConcurrencyHelpers

/// French display conventions (DESIGN.md, "The screens"), in one place.
enum FrenchFormat {
    static let parisTimeZone = TimeZone(identifier: "Europe/Paris")!

    /// The formatters made so far, by pattern and time zone: making one costs far more than using it (three were made
    /// for every refused booking's message), and one is used by one thread at a time, under the lock.
    private static let formatters = NIOLockedValueBox<[String: DateFormatter]>([:])

    private static func format(_ date: Date, _ pattern: String, _ zone: TimeZone) -> String {
        formatters.withLockedValue { formatters in
            let key = pattern + "|" + zone.identifier
            if let formatter = formatters[key] { return formatter.string(from: date) }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "fr_FR")
            formatter.timeZone = zone
            formatter.dateFormat = pattern
            formatters[key] = formatter
            return formatter.string(from: date)
        }
    }

    /// "14:30".
    static func time(_ date: Date, in zone: TimeZone = parisTimeZone) -> String {
        format(date, "HH:mm", zone)
    }

    /// "14 h 30", "9 h": the time as a French sentence writes it.
    static func spokenTime(_ date: Date, in zone: TimeZone = parisTimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return FrenchSpeech.time(minutes: (parts.hour ?? 0) * 60 + (parts.minute ?? 0))
    }

    /// "mardi 3 décembre 2026".
    static func longDate(_ date: Date, in zone: TimeZone = parisTimeZone) -> String {
        format(date, "EEEE d MMMM yyyy", zone)
    }

    /// "jeu. 03/12/2026 08:21:14": a journal entry's moment, to the second.
    static func moment(_ date: Date, in zone: TimeZone = parisTimeZone) -> String {
        format(date, "EEE dd/MM/yyyy HH:mm:ss", zone)
    }

    /// "mardi 3 décembre": a date the patient hears in the coming days.
    static func dayAndMonth(_ date: Date, in zone: TimeZone = parisTimeZone) -> String {
        format(date, "EEEE d MMMM", zone)
    }

    /// "mar. 03/12".
    static func shortDate(_ date: Date, in zone: TimeZone = parisTimeZone) -> String {
        format(date, "EEE dd/MM", zone)
    }

    /// "06 12 34 56 78" from a stored E.164 number.
    /// « 8 », « 8,5 »: a figure with at most one decimal, a decimal comma.
    static func number(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(format: "%.1f", value).replacingOccurrences(of: ".", with: ",")
    }

    /// « 66,7 % » for a share of 2/3; « — » when there is none.
    static func percent(_ share: Double?) -> String {
        share.map { number(($0 * 1000).rounded() / 10) + " %" } ?? "—"
    }

    /// « 8 s », rounded to the second; « — » when there is none.
    static func seconds(_ value: Double?) -> String {
        value.map { "\(number($0.rounded())) s" } ?? "—"
    }

    static func phone(_ e164: String?) -> String {
        guard let e164 else { return "" }
        return PhoneNumber(e164: e164).display
    }
}
