import Foundation
import Vapor

/// How an entry is sealed. Version 3 (every entry since access traces are kept twelve months): the HMAC, under the
/// seal's key, of the previous hash, the entry's position, time, action and kind of record, and two SHA-256 digests:
/// of its before and after states (`payloadDigest`, so that erasing a patient can blank them) and of who and what it
/// names — actor, record, practice, request (`identityDigest`, so that an access trace past its keeping can lose them)
/// — the chain staying whole either way. Version 2 (entries written between the key and version 3): the same with the
/// names sealed in clear; they are kept as they are. Version 1 (the entries written before the key): the SHA-256 of the
/// previous hash and every field, states included; re-sealed at the first start that has a key, once found intact.
enum AuditChain {
    static let genesisHash = String(repeating: "0", count: 64)
    static let currentVersion = 3

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

    /// The SHA-256 of who and what the entry names, as version 3 counts them.
    static func identityDigest(of entry: AuditEntryRecord) -> String {
        SHA256.hash(data: (try? JSONEncoder().encode([entry.actorID?.uuidString, entry.actorLabel, entry.entityID,
                                                      entry.practiceID?.uuidString, entry.requestID])) ?? Data()).hex
    }

    /// The seal of `entry` in its version.
    static func hash(of entry: AuditEntryRecord, seal: AuditSeal) -> String {
        switch entry.chainVersion {
        case 3...: digestHash(of: entry, seal: seal)
        case 2: keyedHash(of: entry, seal: seal)
        default: legacyHash(of: entry)
        }
    }

    private static func digestHash(of entry: AuditEntryRecord, seal: AuditSeal) -> String {
        seal.mac(input(entry.previousHash, [
            entry.id.map(String.init), String(millisecondsSinceEpoch(entry.occurredAt)), entry.action, entry.entity,
            entry.identityDigest, entry.payloadDigest,
        ]))
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

    /// Seals `entry` (the current version) after `previousHash`.
    static func seal(_ entry: AuditEntryRecord, after previousHash: String, with seal: AuditSeal) {
        entry.chainVersion = currentVersion
        entry.payloadDigest = payloadDigest(before: entry.before, after: entry.after)
        entry.identityDigest = identityDigest(of: entry)
        entry.previousHash = previousHash
        entry.hash = digestHash(of: entry, seal: seal)
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
