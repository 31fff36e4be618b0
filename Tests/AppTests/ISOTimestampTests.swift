@testable import App
import Domain
import Foundation
import Testing

/// The timestamps written digit by digit agree with Foundation's ISO 8601 writer, in every zone a practice may have.
struct ISOTimestampTests {
    @Test(arguments: ["Europe/Paris", "America/Martinique", "Indian/Reunion", "Pacific/Noumea", "Asia/Kolkata", "UTC"])
    func everyInstantIsWrittenAsFoundationWritesIt(zone identifier: String) throws {
        let zone = try #require(TimeZone(identifier: identifier))
        var generator = SystemRandomNumberGenerator()
        var offsets = ZoneOffsets(zone)
        // Instants sorted, as a bundle writes them (the remembered offset is reused until the zone's next change).
        let instants = (0..<2000).map { _ in Date(timeIntervalSince1970: TimeInterval(Int.random(in: 0...4_102_444_800, using: &generator))) }.sorted()
        let oracle = Date.ISO8601FormatStyle(timeZoneSeparator: .colon, timeZone: zone)
        for instant in instants {
            let expected = oracle.format(instant).replacingOccurrences(of: "Z", with: "+00:00")
            #expect(ISOTimestamp.string(instant, offsets: &offsets) == expected, "\(instant)")
        }
        #expect(ISOTimestamp.string(Date(timeIntervalSince1970: 1_782_900_000), in: FrenchFormat.parisTimeZone) == "2026-07-01T12:00:00+02:00")
    }
}
