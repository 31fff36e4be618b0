import Foundation

/// An RFC 3339 date-time with its offset (`2026-12-01T14:30:00+01:00`, `…Z`), read by hand: the API's times, FHIR's
/// instants and search values.
public enum InstantText {
    public static func parse(_ text: String) -> Date? {
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

}
