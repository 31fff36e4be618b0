import Domain
import Foundation

/// ISO 8601 timestamps with the practice's offset (`2026-12-01T09:00:00+01:00`), written and read by hand:
/// the availability route formats many per request and Foundation's formatters are slow to make on Linux.
enum ISOTimestamp {
    static func string(_ date: Date, in zone: TimeZone) -> String {
        var offsets = ZoneOffsets(zone)
        return string(date, offsets: &offsets)
    }

    /// Remembers a zone's offset until its next change: a list of slots in time order costs one or two look-ups.
    struct ZoneOffsets {
        let zone: TimeZone
        private var validFrom = Date.distantFuture
        private var validUntil = Date.distantPast
        private var offset = 0

        init(_ zone: TimeZone) { self.zone = zone }

        mutating func offset(at date: Date) -> Int {
            if date >= validFrom && date < validUntil { return offset }
            offset = zone.secondsFromGMT(for: date)
            validFrom = date
            validUntil = zone.nextDaylightSavingTimeTransition(after: date) ?? .distantFuture
            return offset
        }
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
    static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: "T", maxSplits: 1)
        guard parts.count == 2, let date = LocalDate(iso: String(parts[0])) else { return nil }
        var rest = Substring(parts[1])
        var offsetSeconds = 0
        if rest.hasSuffix("Z") || rest.hasSuffix("z") {
            rest = rest.dropLast()
        } else if let signIndex = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zone = rest[rest.index(after: signIndex)...].split(separator: ":")
            guard zone.count == 2, let hours = Int(zone[0]), let minutes = Int(zone[1]), hours <= 14, minutes < 60 else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (rest[signIndex] == "-" ? -1 : 1)
            rest = rest[..<signIndex]
        } else {
            return nil
        }
        let clock = rest.split(separator: ".", maxSplits: 1)[0].split(separator: ":")
        guard (2...3).contains(clock.count), let hour = Int(clock[0]), let minute = Int(clock[1]),
              (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        let second = clock.count == 3 ? Int(clock[2]) : 0
        guard let second, (0...59).contains(second) else { return nil }
        let utcMidnight = WallClock.resolve(date, minutes: 0, in: TimeZone(secondsFromGMT: 0)!, ambiguity: .earlier).instant
        return utcMidnight.addingTimeInterval(TimeInterval(hour * 3600 + minute * 60 + second - offsetSeconds))
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
