import Domain
import Foundation

/// ISO 8601 timestamps with the practice's offset (`2026-12-01T09:00:00+01:00`), written and read by hand:
/// the availability route formats many per request and Foundation's formatters are slow to make on Linux.
enum ISOTimestamp {
    static func string(_ date: Date, in zone: TimeZone) -> String {
        var offsets = ZoneOffsets(zone)
        return string(date, offsets: &offsets)
    }

    /// `2026-12-01T09:00:00+01:00`, written digit by digit: a Slot bundle writes two hundred of them.
    static func string(_ date: Date, offsets: inout ZoneOffsets) -> String {
        let offset = offsets.offset(at: date)
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + offset
        let seconds = ((local % 86_400) + 86_400) % 86_400
        let day = LocalDate(localSecondsSinceEpoch: local)
        let absolute = abs(offset) / 60
        guard (0...9999).contains(day.year) else {
            return "\(day)T\(pad(seconds / 3600)):\(pad(seconds / 60 % 60)):\(pad(seconds % 60))\(offset < 0 ? "-" : "+")\(pad(absolute / 60)):\(pad(absolute % 60))"
        }
        return String(unsafeUninitializedCapacity: 25) { text in
            var at = 0
            func put(_ byte: UInt8) { text[at] = byte; at += 1 }
            func digits(_ value: Int, _ count: Int) {
                var divisor = count == 4 ? 1000 : 10
                while divisor > 0 { put(0x30 + UInt8(value / divisor % 10)); divisor /= 10 }
            }
            digits(day.year, 4); put(0x2D); digits(day.month, 2); put(0x2D); digits(day.day, 2); put(0x54)
            digits(seconds / 3600, 2); put(0x3A); digits(seconds / 60 % 60, 2); put(0x3A); digits(seconds % 60, 2)
            put(offset < 0 ? 0x2D : 0x2B); digits(absolute / 60, 2); put(0x3A); digits(absolute % 60, 2)
            return at
        }
    }

    /// Reads `2026-12-01T09:00:00+01:00`, `…T09:00Z`, `…T08:00:00.000Z`; nil for anything else.
    static func parse(_ text: String) -> Date? { InstantText.parse(text) }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
