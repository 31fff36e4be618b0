import Foundation

/// A query string read in one pass. Vapor's `req.query[…]` decodes the whole string again for each value asked, which
/// showed in the profiles of the hot routes (availability, search, caller-ID).
struct QueryParameters {
    private var values: [Substring: String] = [:]

    /// `plusIsSpace`: form encoding, where a "+" is a space (what `req.query` does); false where no value holds a space
    /// and a "+" sent unencoded must stay one (a UTC offset). A name given twice keeps its last value.
    init(_ query: String?, plusIsSpace: Bool) {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[parts[0]] = parts.count == 2 ? Self.decode(parts[1], plusIsSpace: plusIsSpace) : ""
        }
    }

    /// Percent-decoded (and "+" as a space for forms); nil when a `%` is not followed by two hexadecimal digits or
    /// the bytes are not UTF-8.
    static func decode(_ raw: Substring, plusIsSpace: Bool) -> String? {
        let bytes = Array(raw.utf8)
        guard bytes.contains(where: { $0 == UInt8(ascii: "%") || ($0 == UInt8(ascii: "+") && plusIsSpace) }) else { return String(raw) }
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: byte - 48
            case 65...70: byte - 55
            case 97...102: byte - 87
            default: nil
            }
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) else { return nil }
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return String(validating: decoded, as: UTF8.self)
    }

    subscript(_ name: String) -> String? { values[Substring(name)] }

    /// Every pair in order, a name given twice kept twice (FHIR's `date=ge…&date=lt…`); nil values are malformed.
    static func pairs(_ query: String?, plusIsSpace: Bool) -> [(name: String, value: String?)] {
        (query ?? "").split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0], plusIsSpace: plusIsSpace) ?? String(parts[0]), parts.count == 2 ? decode(parts[1], plusIsSpace: plusIsSpace) : "")
        }
    }
}
