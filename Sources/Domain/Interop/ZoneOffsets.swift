import Foundation

/// Remembers a zone's offset until its next change: times in order (a list of slots, a calendar's events) cost one or
/// two look-ups of the zone, which are slow on Linux.
public struct ZoneOffsets {
    public let zone: TimeZone
    private var validFrom = Date.distantFuture
    private var validUntil = Date.distantPast
    private var offset = 0

    public init(_ zone: TimeZone) { self.zone = zone }

    /// Seconds east of UTC at `date`.
    public mutating func offset(at date: Date) -> Int {
        if date >= validFrom && date < validUntil { return offset }
        offset = zone.secondsFromGMT(for: date)
        validFrom = date
        validUntil = zone.nextDaylightSavingTimeTransition(after: date) ?? .distantFuture
        return offset
    }
}
