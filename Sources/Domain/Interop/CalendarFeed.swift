import Foundation

/// A practitioner's appointments as an iCalendar feed (RFC 5545) that phone calendars subscribe to: local times with
/// the practice's `VTIMEZONE`, one stable `UID` per appointment, `SEQUENCE` raised by each change of time.
public enum CalendarFeed {
    public struct Event: Sendable, Equatable {
        public let uid: String
        public let sequence: Int
        public let start: Date
        public let end: Date
        public let summary: String
        public let description: String?
        public let location: String?
        public let cancelled: Bool
        public let created: Date?
        public let lastModified: Date?

        public init(uid: String, sequence: Int, start: Date, end: Date, summary: String, description: String? = nil, location: String? = nil,
                    cancelled: Bool = false, created: Date? = nil, lastModified: Date? = nil) {
            self.uid = uid
            self.sequence = sequence
            self.start = start
            self.end = end
            self.summary = summary
            self.description = description
            self.location = location
            self.cancelled = cancelled
            self.created = created
            self.lastModified = lastModified
        }
    }

    /// How far the feed reaches: 30 days back, one year ahead; a cancellation stays shown (as cancelled) 30 days.
    public static let daysBack = 30
    public static let daysAhead = 366
    public static let cancellationShownDays = 30

    /// The whole calendar as UTF-8, lines ending in CRLF and folded at 75 octets (written as bytes: a year of a
    /// practitioner's agenda is thousands of events, read by phones every quarter of an hour).
    public static func render(name: String, zone: TimeZone, events: [Event], now: Date) -> [UInt8] {
        var out = ContentLines()
        out.bytes.reserveCapacity(600 + events.count * 420)
        out.line("BEGIN:VCALENDAR")
        out.line("VERSION:2.0")
        out.line("PRODID:-//Permanence//Agenda du cabinet//FR")
        out.line("CALSCALE:GREGORIAN")
        out.line("METHOD:PUBLISH")
        out.add("X-WR-CALNAME:"); out.add(escaped: name); out.end()
        out.line("X-WR-TIMEZONE:" + zone.identifier)
        out.line("REFRESH-INTERVAL;VALUE=DURATION:PT15M")
        out.line("X-PUBLISHED-TTL:PT15M")
        let zoned = timeZoneLines(zone)
        zoned?.forEach { out.line($0) }
        let stamp = seconds(now)
        var offsets = ZoneOffsets(zone)
        let startName = zoned == nil ? "DTSTART:" : "DTSTART;TZID=\(zone.identifier):"
        let endName = zoned == nil ? "DTEND:" : "DTEND;TZID=\(zone.identifier):"
        func time(_ name: String, _ date: Date) {
            out.add(name)
            if zoned == nil { out.add(utc: seconds(date)) } else { out.add(stamp: seconds(date) + offsets.offset(at: date)) }
            out.end()
        }
        for event in events {
            out.line("BEGIN:VEVENT")
            out.add("UID:"); out.add(event.uid); out.end()
            out.add("DTSTAMP:"); out.add(utc: stamp); out.end()
            out.add("SEQUENCE:"); out.add(String(event.sequence)); out.end()
            time(startName, event.start)
            time(endName, event.end)
            out.add("SUMMARY:"); out.add(escaped: event.summary); out.end()
            if let description = event.description, !description.isEmpty { out.add("DESCRIPTION:"); out.add(escaped: description); out.end() }
            if let location = event.location, !location.isEmpty { out.add("LOCATION:"); out.add(escaped: location); out.end() }
            out.line(event.cancelled ? "STATUS:CANCELLED" : "STATUS:CONFIRMED")
            out.line(event.cancelled ? "TRANSP:TRANSPARENT" : "TRANSP:OPAQUE")
            if let created = event.created { out.add("CREATED:"); out.add(utc: seconds(created)); out.end() }
            if let modified = event.lastModified { out.add("LAST-MODIFIED:"); out.add(utc: seconds(modified)); out.end() }
            out.line("END:VEVENT")
        }
        out.line("END:VCALENDAR")
        return out.bytes
    }

    /// The zone's definition: a fixed offset, or the European rule (last Sunday of March and of October) for the zones
    /// that follow it. Nil for a zone with another rule: its times are then written in UTC, right whatever the rule.
    static func timeZoneLines(_ zone: TimeZone) -> [String]? {
        func offset(_ seconds: Int) -> String {
            let minutes = abs(seconds) / 60
            return (seconds < 0 ? "-" : "+") + pad2(minutes / 60) + pad2(minutes % 60)
        }
        let head = ["BEGIN:VTIMEZONE", "TZID:" + zone.identifier]
        // Two instants in the middle of winter and summer of a year of the rule.
        let january = Date(timeIntervalSince1970: 1_768_478_400), july = Date(timeIntervalSince1970: 1_784_116_800)
        let winter = zone.secondsFromGMT(for: january), summer = zone.secondsFromGMT(for: july)
        if winter == summer, zone.nextDaylightSavingTimeTransition(after: january) == nil {
            return head + ["BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:" + offset(winter), "TZOFFSETTO:" + offset(winter),
                           "END:STANDARD", "END:VTIMEZONE"]
        }
        // The European rule: the change at 01:00 UTC on the last Sundays of March (2026-03-29) and October (2026-10-25).
        let spring = Date(timeIntervalSince1970: 1_774_746_000), autumn = Date(timeIntervalSince1970: 1_792_890_000)
        guard summer > winter, zone.nextDaylightSavingTimeTransition(after: spring.addingTimeInterval(-60)) == spring,
              zone.nextDaylightSavingTimeTransition(after: autumn.addingTimeInterval(-60)) == autumn else { return nil }
        var offsets = ZoneOffsets(zone)
        let springLocal = local(spring.addingTimeInterval(-1), &offsets), autumnLocal = local(autumn.addingTimeInterval(-1), &offsets)
        // The wall-clock time of each change as lived before it (02:00 and 03:00 in Paris).
        let springAt = String(springLocal.suffix(6)).prefix(2), autumnAt = String(autumnLocal.suffix(6)).prefix(2)
        let springHour = pad2((Int(springAt) ?? 1) + 1), autumnHour = pad2((Int(autumnAt) ?? 2) + 1)
        // A name only where the system knows one (CET, CEST); "GMT+1" says nothing the offsets do not.
        func name(_ date: Date) -> [String] {
            guard let abbreviation = zone.abbreviation(for: date), abbreviation.allSatisfy(\.isLetter), !abbreviation.hasPrefix("GMT") else { return [] }
            return ["TZNAME:" + abbreviation]
        }
        return head + ["BEGIN:DAYLIGHT", "TZOFFSETFROM:" + offset(winter), "TZOFFSETTO:" + offset(summer)] + name(july)
            + ["DTSTART:19700329T\(springHour)0000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
               "BEGIN:STANDARD", "TZOFFSETFROM:" + offset(summer), "TZOFFSETTO:" + offset(winter)] + name(january)
            + ["DTSTART:19701025T\(autumnHour)0000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD", "END:VTIMEZONE"]
    }

    /// A TEXT value escaped: backslash, semicolon, comma and line breaks.
    static func escape(_ text: String) -> String {
        var out = ContentLines()
        out.add(escaped: text)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    static func seconds(_ date: Date) -> Int { Int(date.timeIntervalSince1970.rounded(.down)) }

    static func local(_ date: Date, _ offsets: inout ZoneOffsets) -> String {
        var out = ContentLines()
        out.add(stamp: seconds(date) + offsets.offset(at: date))
        return String(decoding: out.bytes, as: UTF8.self)
    }

    private static func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

/// Content lines written as UTF-8 bytes: a line is added in parts, then ended (folded every 75 octets without cutting
/// a character, RFC 5545 §3.1, and closed by CRLF).
struct ContentLines {
    var bytes: [UInt8] = []
    private var lineStart = 0

    mutating func add(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func line(_ text: String) {
        add(text)
        end()
    }

    /// A TEXT value: backslash, semicolon and comma escaped, a line break (CRLF, CR or LF) written `\n`.
    mutating func add(escaped text: String) {
        func special(_ byte: UInt8) -> Bool { byte == 0x5C || byte == 0x3B || byte == 0x2C || byte == 0x0A || byte == 0x0D }
        // Most values have nothing to escape: copied whole.
        guard text.utf8.contains(where: special) else { return add(text) }
        var previous: UInt8 = 0
        for byte in text.utf8 {
            switch byte {
            case 0x5C, 0x3B, 0x2C: bytes.append(0x5C); bytes.append(byte)
            case 0x0A where previous == 0x0D: break
            case 0x0A, 0x0D: bytes.append(0x5C); bytes.append(0x6E)
            default: bytes.append(byte)
            }
            previous = byte
        }
    }

    /// `20261208T090000` for seconds since 1970 on some clock.
    mutating func add(stamp seconds: Int) {
        let day = LocalDate(localSecondsSinceEpoch: seconds)
        let time = ((seconds % 86_400) + 86_400) % 86_400
        digits(day.year, 4); digits(day.month, 2); digits(day.day, 2)
        bytes.append(0x54)
        digits(time / 3600, 2); digits(time / 60 % 60, 2); digits(time % 60, 2)
    }

    /// A UTC date-time: the stamp and `Z`.
    mutating func add(utc seconds: Int) {
        add(stamp: seconds)
        bytes.append(0x5A)
    }

    private mutating func digits(_ value: Int, _ count: Int) {
        var divisor = 1
        for _ in 1..<count { divisor *= 10 }
        var rest = max(0, value)
        if rest >= divisor * 10 { add(String(rest)); return }
        while divisor > 0 {
            bytes.append(0x30 + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Ends the line: folded when longer than 75 octets, then CRLF.
    mutating func end() {
        if bytes.count - lineStart > 75 {
            let line = Array(bytes[lineStart...])
            bytes.removeSubrange(lineStart...)
            var width = 0
            var first = true
            var index = 0
            while index < line.count {
                let lead = line[index]
                let size = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
                if width + size > (first ? 75 : 74) {
                    bytes.append(contentsOf: [0x0D, 0x0A, 0x20])
                    width = 0
                    first = false
                }
                bytes.append(contentsOf: line[index..<min(index + size, line.count)])
                width += size
                index += size
            }
        }
        bytes.append(0x0D)
        bytes.append(0x0A)
        lineStart = bytes.count
    }
}
