import Foundation
import Vapor

/// How an entry is sealed. Version 2 (every entry since the key came): the HMAC, under the seal's key, of the previous
/// hash and every field of the entry, its before and after states counted through their SHA-256 (`payloadDigest`), so
/// that erasing a patient can blank those states and leave the chain whole. Version 1 (the entries written before):
/// the SHA-256 of the previous hash and every field, states included; re-sealed as version 2 at the first start that
/// has a key, once found intact.
enum AuditChain {
    static let genesisHash = String(repeating: "0", count: 64)
    static let currentVersion = 2

    /// The journal keeps milliseconds so that the hash reads the same on every engine.
    static func millisecondsSinceEpoch(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func truncatedToMilliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(millisecondsSinceEpoch(date)) / 1000)
    }

    /// The SHA-256 of the before and after states, as the seal counts them.
    static func payloadDigest(before: String?, after: String?) -> String {
        SHA256.hash(data: (try? JSONEncoder().encode([before, after])) ?? Data()).hex
    }

    /// The seal of `entry` in its version.
    static func hash(of entry: AuditEntryRecord, seal: AuditSeal) -> String {
        entry.chainVersion >= 2 ? keyedHash(of: entry, seal: seal) : legacyHash(of: entry)
    }

    private static func keyedHash(of entry: AuditEntryRecord, seal: AuditSeal) -> String {
        seal.mac(input(entry.previousHash, [
            entry.id.map(String.init), String(millisecondsSinceEpoch(entry.occurredAt)), entry.actorID?.uuidString, entry.actorLabel,
            entry.action, entry.entity, entry.entityID, entry.practiceID?.uuidString, entry.payloadDigest, entry.requestID,
        ]))
    }

    static func legacyHash(of entry: AuditEntryRecord) -> String {
        SHA256.hash(data: input(entry.previousHash, [
            entry.id.map(String.init), String(millisecondsSinceEpoch(entry.occurredAt)), entry.actorID?.uuidString, entry.actorLabel,
            entry.action, entry.entity, entry.entityID, entry.practiceID?.uuidString, entry.before, entry.after, entry.requestID,
        ])).hex
    }

    /// The previous hash, a line feed, and the fields as one JSON array of optional strings (unambiguous).
    private static func input(_ previousHash: String, _ fields: [String?]) -> Data {
        var input = Data(previousHash.utf8)
        input.append(0x0A)
        input.append((try? JSONEncoder().encode(fields)) ?? Data())
        return input
    }

    /// Seals `entry` (version 2) after `previousHash`.
    static func seal(_ entry: AuditEntryRecord, after previousHash: String, with seal: AuditSeal) {
        entry.chainVersion = currentVersion
        entry.payloadDigest = payloadDigest(before: entry.before, after: entry.after)
        entry.previousHash = previousHash
        entry.hash = keyedHash(of: entry, seal: seal)
    }
}

extension Digest {
    /// Lower-case hexadecimal. Every API request hashes its bearer token: `String(format:)` per byte was a tenth of
    /// a caller-ID lookup's time.
    var hex: String { hexString(self) }
}

extension HashedAuthenticationCode {
    var hex: String { hexString(self) }
}

/// Lower-case hexadecimal of bytes.
func hexString(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    text.reserveCapacity(bytes.underestimatedCount * 2)
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: text, as: UTF8.self)
}
