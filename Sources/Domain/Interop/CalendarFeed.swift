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

    /// The whole calendar, lines ending in CRLF and folded at 75 octets.
    public static func render(name: String, zone: TimeZone, events: [Event], now: Date) -> String {
        var out = ""
        out.reserveCapacity(600 + events.count * 420)
        func line(_ text: String) { fold(text, into: &out) }
        line("BEGIN:VCALENDAR")
        line("VERSION:2.0")
        line("PRODID:-//Permanence//Agenda du cabinet//FR")
        line("CALSCALE:GREGORIAN")
        line("METHOD:PUBLISH")
        line("X-WR-CALNAME:" + escape(name))
        line("X-WR-TIMEZONE:" + zone.identifier)
        line("REFRESH-INTERVAL;VALUE=DURATION:PT15M")
        line("X-PUBLISHED-TTL:PT15M")
        let zoned = timeZoneLines(zone)
        zoned?.forEach(line)
        let stamp = utc(now)
        var offsets = ZoneOffsets(zone)
        for event in events {
            line("BEGIN:VEVENT")
            line("UID:" + event.uid)
            line("DTSTAMP:" + stamp)
            line("SEQUENCE:\(event.sequence)")
            line(zoned == nil ? "DTSTART:" + utc(event.start) : "DTSTART;TZID=\(zone.identifier):" + local(event.start, &offsets))
            line(zoned == nil ? "DTEND:" + utc(event.end) : "DTEND;TZID=\(zone.identifier):" + local(event.end, &offsets))
            line("SUMMARY:" + escape(event.summary))
            if let description = event.description, !description.isEmpty { line("DESCRIPTION:" + escape(description)) }
            if let location = event.location, !location.isEmpty { line("LOCATION:" + escape(location)) }
            line("STATUS:" + (event.cancelled ? "CANCELLED" : "CONFIRMED"))
            line("TRANSP:" + (event.cancelled ? "TRANSPARENT" : "OPAQUE"))
            if let created = event.created { line("CREATED:" + utc(created)) }
            if let modified = event.lastModified { line("LAST-MODIFIED:" + utc(modified)) }
            line("END:VEVENT")
        }
        line("END:VCALENDAR")
        return out
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

    /// TEXT values: backslash, semicolon, comma and line breaks escaped (read as bytes: the characters to escape are
    /// ASCII, and a feed escapes thousands of values).
    static func escape(_ text: String) -> String {
        func special(_ byte: UInt8) -> Bool { byte == 0x5C || byte == 0x3B || byte == 0x2C || byte == 0x0A || byte == 0x0D }
        guard text.utf8.contains(where: special) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 8)
        var previous: UInt8 = 0
        for byte in text.utf8 {
            switch byte {
            case 0x5C: out += [0x5C, 0x5C]
            case 0x3B: out += [0x5C, 0x3B]
            case 0x2C: out += [0x5C, 0x2C]
            // CRLF, CR or LF: one line break.
            case 0x0A where previous == 0x0D: break
            case 0x0A, 0x0D: out += [0x5C, 0x6E]
            default: out.append(byte)
            }
            previous = byte
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A content line, folded every 75 octets without cutting a character (RFC 5545 §3.1).
    static func fold(_ text: String, into out: inout String) {
        if text.utf8.count <= 75 {
            out += text
            out += "\r\n"
            return
        }
        var width = 0
        var first = true
        for scalar in text.unicodeScalars {
            let size = String(scalar).utf8.count
            if width + size > (first ? 75 : 74) {
                out += "\r\n "
                width = 0
                first = false
            }
            out.unicodeScalars.append(scalar)
            width += size
        }
        out += "\r\n"
    }

    static func utc(_ date: Date) -> String { stamp(Int(date.timeIntervalSince1970.rounded(.down))) + "Z" }

    static func local(_ date: Date, _ offsets: inout ZoneOffsets) -> String {
        stamp(Int(date.timeIntervalSince1970.rounded(.down)) + offsets.offset(at: date))
    }

    /// `20261208T090000` for seconds since 1970 on some clock.
    private static func stamp(_ seconds: Int) -> String {
        let day = LocalDate(localSecondsSinceEpoch: seconds)
        let time = ((seconds % 86_400) + 86_400) % 86_400
        let year = String(day.year)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + pad2(day.month) + pad2(day.day) + "T" + pad2(time / 3600) + pad2(time / 60 % 60) + pad2(time % 60)
    }

    private static func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
