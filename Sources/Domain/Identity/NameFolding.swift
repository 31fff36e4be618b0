import Foundation

/// Names as the search compares them: lower case, without accents, with hyphens, apostrophes and spaces as word breaks.
/// "Le Fèvre" and "Lefèvre" fold to the same compact key `lefevre`; "Marie-Dominique" has the words `marie` and
/// `dominique`; "N'Diaye" has `n` and `diaye` and the compact key `ndiaye`.
public enum NameFolding {
    /// The words of `text`, folded.
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for scalar in fold(text).unicodeScalars {
            if isAlphanumeric(scalar) {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Letters and digits; ASCII without Foundation's character sets, which cost more than the folding itself.
    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case 0..<0x80: false
        default: CharacterSet.alphanumerics.contains(scalar)
        }
    }

    /// The folded name without any break: what "lefevre" is compared with.
    public static func compact(_ text: String) -> String {
        words(text).joined()
    }

    /// Lower case, accents and ligatures removed ("Œ" becomes "oe", "ß" "ss").
    public static func fold(_ text: String) -> String {
        fastFold(text) ?? foundationFold(text)
    }

    /// The letters of French names (ASCII and Latin-1 with their accents, the œ and æ ligatures) folded by a table:
    /// searching and importing fold hundreds of thousands of names. Nil for anything else, which Foundation folds.
    static func fastFold(_ text: String) -> String? {
        var folded = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                folded.append(value >= 0x41 && value <= 0x5A ? UnicodeScalar(value + 0x20)! : scalar)
            } else if let replacement = latinFolds[value] {
                folded.append(contentsOf: replacement.unicodeScalars)
            } else {
                return nil
            }
        }
        return String(folded)
    }

    static func foundationFold(_ text: String) -> String {
        let expanded = text.replacingOccurrences(of: "œ", with: "oe").replacingOccurrences(of: "Œ", with: "oe")
            .replacingOccurrences(of: "æ", with: "ae").replacingOccurrences(of: "Æ", with: "ae")
        return expanded.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: Locale(identifier: "fr_FR"))
            .lowercased()
    }

    private static let latinFolds: [UInt32: String] = {
        var table: [UInt32: String] = [0x152: "oe", 0x153: "oe", 0xC6: "ae", 0xE6: "ae", 0x178: "y"]
        for (letters, base) in [("ÀÁÂÃÄÅàáâãäå", "a"), ("Çç", "c"), ("ÈÉÊËèéêë", "e"), ("ÌÍÎÏìíîï", "i"), ("Ññ", "n"),
                                ("ÒÓÔÕÖòóôõö", "o"), ("ÙÚÛÜùúûü", "u"), ("Ýýÿ", "y")] {
            for scalar in letters.unicodeScalars { table[scalar.value] = base }
        }
        return table
    }()

    /// How many single-letter edits turn `a` into `b` (Levenshtein), stopping early past `limit`.
    public static func distance(_ a: String, _ b: String, limit: Int = 3) -> Int {
        let a = Array(a), b = Array(b)
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = current[0]
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                rowMinimum = min(rowMinimum, current[j])
            }
            if rowMinimum > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

extension StringProtocol {
    /// Without the white space and line breaks at either end; what Foundation's trimming does, without its cost on
    /// every field of a 100,000-row file.
    public var trimmed: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isWhitespaceFast }),
              let last = scalars.lastIndex(where: { !$0.isWhitespaceFast }) else { return "" }
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex), let whole = self as? String { return whole }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}

extension Unicode.Scalar {
    /// White space and line breaks, as `properties.isWhitespace` says, read from a table for ASCII.
    var isWhitespaceFast: Bool {
        switch value {
        case 0x09...0x0D, 0x20: true
        case 0..<0x80: false
        default: properties.isWhitespace
        }
    }
}
