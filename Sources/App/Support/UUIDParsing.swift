import Foundation

extension UUID {
    /// Parses `E621E1F8-C36C-495A-93FC-0C247A3E6E5F` (either case) without Foundation's scanf-based parser,
    /// which shows in profiles of the hot routes on Linux.
    init?(fastString text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 36, utf8[8] == 45, utf8[13] == 45, utf8[18] == 45, utf8[23] == 45 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 65...70: c - 55
            case 97...102: c - 87
            default: nil
            }
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        var index = 0, byte = 0
        while index < 36 {
            if index == 8 || index == 13 || index == 18 || index == 23 { index += 1; continue }
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes[byte] = high << 4 | low
            byte += 1
            index += 2
        }
        self.init(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                         bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

extension UUID {
    /// A time-ordered identifier (version 7, RFC 9562: 48 bits of Unix milliseconds, then random bits from the system's
    /// generator) for rows written in bulk. Written one after the other they sort together, so the primary-key and
    /// foreign-key indexes of an import grow at one place instead of rewriting pages all over a large table (an import
    /// into a database of a million patients spent most of its time writing those pages); and `getrandom` rather than
    /// Foundation's `UUID()`, which opens and reads `/dev/urandom` for each one on Linux.
    static func bulk(now: Date = Date()) -> UUID {
        var generator = SystemRandomNumberGenerator()
        let milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1_000))
        let randomHigh: UInt64 = generator.next(), randomLow: UInt64 = generator.next()
        let high = (milliseconds << 16) | 0x7000 | (randomHigh & 0x0FFF) // version 7
        var low = randomLow
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000 // RFC 9562 variant
        let h = withUnsafeBytes(of: high.bigEndian) { [UInt8]($0) }, l = withUnsafeBytes(of: low.bigEndian) { [UInt8]($0) }
        return UUID(uuid: (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7]))
    }
}
