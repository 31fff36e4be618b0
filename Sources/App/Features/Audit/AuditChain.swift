import Foundation
import Vapor

/// How an entry is sealed: the SHA-256 of the previous hash and every field of the entry.
enum AuditChain {
    static let genesisHash = String(repeating: "0", count: 64)

    /// The journal keeps milliseconds so that the hash reads the same on every engine.
    static func millisecondsSinceEpoch(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func truncatedToMilliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(millisecondsSinceEpoch(date)) / 1000)
    }

    static func hash(of entry: AuditEntryRecord) -> String {
        let fields: [String?] = [
            entry.id.map(String.init),
            String(millisecondsSinceEpoch(entry.occurredAt)),
            entry.actorID?.uuidString,
            entry.actorLabel,
            entry.action,
            entry.entity,
            entry.entityID,
            entry.practiceID?.uuidString,
            entry.before,
            entry.after,
            entry.requestID,
        ]
        // An array of optional strings encodes to one unambiguous JSON text.
        let encoded = (try? JSONEncoder().encode(fields)) ?? Data()
        var input = Data(entry.previousHash.utf8)
        input.append(0x0A)
        input.append(encoded)
        return SHA256.hash(data: input).hex
    }
}

extension Digest {
    /// Lower-case hexadecimal. Every API request hashes its bearer token: `String(format:)` per byte was a tenth of
    /// a caller-ID lookup's time.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(Self.byteCount * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
