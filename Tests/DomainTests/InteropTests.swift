@testable import Domain
import Foundation
import Testing

/// FHIR's date search values and the iCalendar feed (issue 23).
struct InteropTests {
    static let paris = TimeZone(identifier: "Europe/Paris")!

    static func instant(_ text: String) -> Date { InstantText.parse(text)! }

    static func feed(name: String, zone: TimeZone, events: [CalendarFeed.Event], now: Date) -> String {
        String(decoding: CalendarFeed.render(name: name, zone: zone, events: events, now: now), as: UTF8.self)
    }

    @Test(arguments: [
        // A day of Paris, a month, a year, an instant; each prefix on its period.
        ("ge2026-12-01", "2026-12-01T00:00:00+01:00", "2026-11-30T23:59:59+01:00", true, false),
        ("lt2026-12-01", "2026-11-30T23:59:59+01:00", "2026-12-01T00:00:00+01:00", true, false),
        ("2026-12-01", "2026-12-01T23:59:59+01:00", "2026-12-02T00:00:00+01:00", true, false),
        ("eq2026-12", "2026-12-31T23:59:59+01:00", "2027-01-01T00:00:00+01:00", true, false),
        ("le2026", "2026-12-31T23:59:59+01:00", "2027-01-01T00:00:00+01:00", true, false),
        ("gt2026-03-29", "2026-03-30T00:00:00+02:00", "2026-03-29T23:59:59+02:00", true, false),
        ("ge2026-12-08T12:00:00+01:00", "2026-12-08T11:00:00Z", "2026-12-08T10:59:59Z", true, false),
    ])
    func aDateValueCoversItsPeriodWithItsPrefix(text: String, inside: String, outside: String, insideMatches: Bool, outsideMatches: Bool) throws {
        let search = try #require(FHIRDateSearch(text, zone: Self.paris))
        #expect(search.matches(Self.instant(inside)) == insideMatches)
        #expect(search.matches(Self.instant(outside)) == outsideMatches)
    }

    @Test(arguments: ["2026-13-01", "2026-02-30", "ne2026-12-01", "ap2026", "demain", "26-12-01", "2026-12-01T10:00", "2026-1-1", "", "ge"])
    func whatIsNotAFHIRDateOrAPrefixImplementedIsRefused(text: String) {
        #expect(FHIRDateSearch(text, zone: Self.paris) == nil)
    }

    @Test func aLongLineIsFoldedWithoutCuttingACharacter() {
        var writer = ContentLines()
        let text = "SUMMARY:" + String(repeating: "é", count: 80)
        writer.line(text)
        writer.line("END:VEVENT")
        let out = String(decoding: writer.bytes, as: UTF8.self)
        #expect(out.hasSuffix("\r\nEND:VEVENT\r\n"))
        let lines = out.dropLast("END:VEVENT\r\n".count).components(separatedBy: "\r\n").dropLast()
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.utf8.count <= 75 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(lines.enumerated().map { $0.offset == 0 ? $0.element : String($0.element.dropFirst()) }.joined() == text)
    }

    @Test func textValuesAreEscaped() {
        #expect(CalendarFeed.escape("Dr Martin, cabinet; 2\\3\nsuite") == "Dr Martin\\, cabinet\\; 2\\\\3\\nsuite")
        #expect(CalendarFeed.escape("Bâtiment B\r\n2e étage") == "Bâtiment B\\n2e étage")
        #expect(CalendarFeed.escape("Consultation") == "Consultation")
    }

    @Test func localTimesStayRightAcrossBothChangesOfTime() {
        // 10:00 in Paris the Friday before and the Monday after each change.
        let starts = ["2027-03-26T10:00:00+01:00", "2027-03-29T10:00:00+02:00", "2027-10-29T10:00:00+02:00", "2027-11-02T10:00:00+01:00"].map(Self.instant)
        let events = starts.enumerated().map { CalendarFeed.Event(uid: "rdv-\($0.offset)@permanence", sequence: 0, start: $0.element,
                                                                  end: $0.element.addingTimeInterval(1200), summary: "Consultation") }
        let text = Self.feed(name: "Dr Martin", zone: Self.paris, events: events, now: Self.instant("2026-12-06T12:00:00Z"))
        for day in ["20270326", "20270329", "20271029", "20271102"] {
            #expect(text.contains("DTSTART;TZID=Europe/Paris:\(day)T100000\r\nDTEND;TZID=Europe/Paris:\(day)T102000\r\n"), "\(day)")
        }
        // The zone says when the clocks change: the last Sundays of March at 02:00 and of October at 03:00.
        #expect(text.contains("BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"))
        #expect(text.contains("BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"))
        #expect(text.contains("DTSTAMP:20261206T120000Z"))
    }

    @Test func aZoneWithoutChangesIsOneOffsetAndAnotherRuleIsWrittenInUTC() {
        let reunion = TimeZone(identifier: "Indian/Reunion")!
        let event = CalendarFeed.Event(uid: "x", sequence: 0, start: Self.instant("2027-01-05T09:00:00+04:00"), end: Self.instant("2027-01-05T09:20:00+04:00"),
                                       summary: "Consultation")
        let text = Self.feed(name: "Dr Payet", zone: reunion, events: [event], now: Self.instant("2026-12-06T12:00:00Z"))
        #expect(text.contains("TZOFFSETFROM:+0400\r\nTZOFFSETTO:+0400") && text.contains("DTSTART;TZID=Indian/Reunion:20270105T090000"))
        let miquelon = TimeZone(identifier: "America/Miquelon")!
        let other = Self.feed(name: "Dr Vigneau", zone: miquelon, events: [event], now: Self.instant("2026-12-06T12:00:00Z"))
        #expect(!other.contains("BEGIN:VTIMEZONE") && other.contains("DTSTART:20270105T050000Z"))
    }
}
