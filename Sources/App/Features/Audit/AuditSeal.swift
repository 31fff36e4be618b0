import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The key that seals the journal, kept outside the database (`PERMANENCE_AUDIT_KEY`, or a key file created on first
/// start), and the file of signed checkpoints written beside it. Whoever can write the database but not read the key
/// cannot re-seal a changed chain; whoever cuts the chain's tail is caught by the last checkpoint.
struct AuditSeal: Sendable {
    let key: SymmetricKey
    /// One JSON line per checkpoint, appended.
    let checkpointsPath: String

    /// HMAC-SHA-256 of `data`, in lower-case hexadecimal.
    func mac(_ data: Data) -> String {
        HMAC<SHA256>.authenticationCode(for: data, using: key).hex
    }

    /// The key from the settings: the variable's text, or the file in the audit folder (created with a random key,
    /// readable by its owner only, when there is none). The folder is created when missing.
    static func load(_ settings: AppSettings) throws -> AuditSeal {
        let manager = FileManager.default
        let folder = settings.auditDirectory
        do {
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw DatabaseStartError(description: "PERMANENCE_AUDIT_DIR: cannot create the folder \(folder): \(error.localizedDescription)")
        }
        let checkpoints = (folder as NSString).appendingPathComponent("checkpoints-\(settings.postgresSchema ?? "journal").jsonl")
        if let text = settings.auditKey {
            return AuditSeal(key: SymmetricKey(data: Data(text.utf8)), checkpointsPath: checkpoints)
        }
        let path = (folder as NSString).appendingPathComponent("audit.key")
        if !manager.fileExists(atPath: path) {
            let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { hexString($0) }
            // Created at most once, even by two instances starting together: the loser reads the winner's key.
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            if fd >= 0 {
                _ = fresh.withCString { write(fd, $0, strlen($0)) }
                close(fd)
            }
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), text.count >= 32 else {
            throw DatabaseStartError(description: "PERMANENCE_AUDIT_DIR: the key file \(path) cannot be read or holds fewer than 32 characters")
        }
        return AuditSeal(key: SymmetricKey(data: Data(text.utf8)), checkpointsPath: checkpoints)
    }
}

/// A signed statement, written outside the database, that the journal held `count` entries ending with `head`.
struct AuditCheckpoint: Codable, Equatable, Sendable {
    let count: Int64
    let head: String
    let at: Date
    let mac: String

    static func signed(count: Int64, head: String, at: Date, seal: AuditSeal) -> AuditCheckpoint {
        AuditCheckpoint(count: count, head: head, at: AuditChain.truncatedToMilliseconds(at), mac: seal.mac(Self.statement(count, head, at)))
    }

    private static func statement(_ count: Int64, _ head: String, _ at: Date) -> Data {
        Data("permanence-checkpoint\n\(count)\n\(head)\n\(AuditChain.millisecondsSinceEpoch(at))".utf8)
    }

    func isSigned(by seal: AuditSeal) -> Bool { seal.mac(Self.statement(count, head, at)) == mac }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()

    /// Appends `checkpoint` as one line (appends of one short line do not interleave).
    static func append(_ checkpoint: AuditCheckpoint, to path: String) throws {
        var line = try encoder.encode(checkpoint)
        line.append(0x0A)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard fd >= 0 else { throw DatabaseStartError(description: "cannot write the audit checkpoints to \(path)") }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else { throw DatabaseStartError(description: "cannot write the audit checkpoints to \(path)") }
    }

    /// The checkpoints written so far, in order; a line that does not read as one is returned as nil.
    static func all(at path: String) -> [AuditCheckpoint?] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { try? decoder.decode(AuditCheckpoint.self, from: Data($0.utf8)) }
    }
}

/// Checkpoints: the journal's length and head, signed and written outside the database, by the background worker
/// every few minutes when the journal grew, and by `permanence audit checkpoint`.
enum AuditCheckpoints {
    /// The worker's pace.
    static let interval: TimeInterval = 5 * 60

    private struct LastKey: StorageKey { typealias Value = NIOLockedValueBox<AuditCheckpoint?> }

    /// Writes a checkpoint of the journal as it stands; nil when the last one already says the same.
    @discardableResult
    static func write(app: Application, now: Date) async throws -> AuditCheckpoint? {
        let seal = app.writer.seal
        let last = app.storage[LastKey.self] ?? {
            let box = NIOLockedValueBox<AuditCheckpoint?>(AuditCheckpoint.all(at: seal.checkpointsPath).last ?? nil)
            app.storage[LastKey.self] = box
            return box
        }()
        let head = try await AuditEntryRecord.query(on: app.db).sort(\.$id, .descending).first()
        let count = head?.id ?? 0
        if let previous = last.withLockedValue({ $0 }), previous.count == count { return nil }
        let checkpoint = AuditCheckpoint.signed(count: count, head: head?.hash ?? AuditChain.genesisHash, at: now, seal: seal)
        try AuditCheckpoint.append(checkpoint, to: seal.checkpointsPath)
        last.withLockedValue { $0 = checkpoint }
        return checkpoint
    }

    /// A checkpoint when the last one is older than `interval` (the worker calls this at each run).
    static func writeIfDue(app: Application, now: Date) async throws {
        if let last = app.storage[LastKey.self]?.withLockedValue({ $0 }), now.timeIntervalSince(last.at) < interval { return }
        try await write(app: app, now: now)
    }
}
