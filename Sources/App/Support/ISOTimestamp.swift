import Domain
import Foundation

/// ISO 8601 timestamps with the practice's offset (`2026-12-01T09:00:00+01:00`), written and read by hand:
/// the availability route formats many per request and Foundation's formatters are slow to make on Linux.
enum ISOTimestamp {
    static func string(_ date: Date, in zone: TimeZone) -> String {
        var offsets = ZoneOffsets(zone)
        return string(date, offsets: &offsets)
    }

    static func string(_ date: Date, offsets: inout ZoneOffsets) -> String {
        let offset = offsets.offset(at: date)
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + offset
        let seconds = ((local % 86_400) + 86_400) % 86_400
        let day = LocalDate(localSecondsSinceEpoch: local)
        let sign = offset < 0 ? "-" : "+"
        let absolute = abs(offset) / 60
        return "\(day)T\(pad(seconds / 3600)):\(pad(seconds / 60 % 60)):\(pad(seconds % 60))\(sign)\(pad(absolute / 60)):\(pad(absolute % 60))"
    }

    /// Reads `2026-12-01T09:00:00+01:00`, `…T09:00Z`, `…T08:00:00.000Z`; nil for anything else.
    static func parse(_ text: String) -> Date? { InstantText.parse(text) }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
