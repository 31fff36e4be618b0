/// JSON written by hand for the hot routes, where Foundation's encoder was a tenth of a lookup's time.
enum JSONText {
    /// `text` as a JSON string, quotes included (RFC 8259: the quote, the backslash and the control characters escaped).
    static func quoted(_ text: String) -> String {
        // Names and numbers almost never hold anything to escape.
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return "\"" + text + "\"" }
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        var plain = text.unicodeScalars.startIndex
        let scalars = text.unicodeScalars
        var index = plain
        func flush(upTo end: String.UnicodeScalarView.Index) { out.unicodeScalars.append(contentsOf: scalars[plain..<end]) }
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let escape: String? = switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            case _ where scalar.value < 0x20: "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: nil
            }
            if let escape {
                flush(upTo: index)
                out += escape
                plain = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        flush(upTo: scalars.endIndex)
        return out + "\""
    }
}
