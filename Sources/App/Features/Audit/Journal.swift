import Fluent
import FluentSQL
import SQLKit
import Foundation

/// Appends entries to the audit chain inside the writer's transaction.
/// Used by one transaction at a time, in sequence: it keeps the entries recorded until `flush`.
final class Journal: @unchecked Sendable {
    let database: any Database
    let actor: AuditActor
    let requestID: String?
    let now: Date
    let seal: AuditSeal
    /// Recorded, not yet written.
    private var pending: [AuditEntryRecord] = []

    init(database: any Database, actor: AuditActor, requestID: String?, now: Date, seal: AuditSeal) {
        self.seal = seal
        self.database = database
        self.actor = actor
        self.requestID = requestID
        self.now = now
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// Reads back a before or after state as it was written.
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// Records `action` on an entity with the before and after states (omitted for reads and creations). The entry is
    /// sealed and written by `flush`, which the writer calls at the end of the transaction's body: the chain's lock is
    /// then the last lock a transaction takes (no transaction holds it while it waits for another's row) and it is
    /// held for the entries' insert and the commit only.
    func record(
        _ action: AuditAction, entity: String, entityID: String, practiceID: UUID?,
        before: (any Encodable)? = nil, after: (any Encodable)? = nil
    ) async throws {
        let entry = AuditEntryRecord()
        entry.occurredAt = AuditChain.truncatedToMilliseconds(now)
        entry.actorID = actor.userID
        entry.actorLabel = actor.label
        entry.action = action.rawValue
        entry.entity = entity
        entry.entityID = entityID
        entry.practiceID = practiceID
        entry.before = try before.map(Self.json)
        entry.after = try after.map(Self.json)
        entry.requestID = requestID
        pending.append(entry)
        // A transaction that journals thousands of entries (an import) writes them as it goes.
        if pending.count >= Self.batch { try await flush() }
    }

    /// Seals the recorded entries after the chain's head, in order, and writes them in one statement; the figures'
    /// rollups and the webhook deliveries they ask follow them in the same transaction.
    func flush() async throws {
        guard !pending.isEmpty else { return }
        // Read at each flush, never remembered: a nested write of the same transaction may have moved it.
        var previous = try await Self.lockChain(on: database)
        for entry in pending {
            entry.id = previous.seq + 1
            AuditChain.seal(entry, after: previous.hash, with: seal)
            previous = (entry.id!, entry.hash)
        }
        try await Self.insert(pending, on: database)
        try await FigureRollups.follow(pending, on: database)
        try await Webhooks.follow(pending, on: database)
        pending = []
    }

    static let columns = ["seq", "occurred_at", "actor_id", "actor_label", "action", "entity", "entity_id", "practice_id",
                          "before", "after", "request_id", "prev_hash", "hash", "chain_version", "payload_digest",
                          "payload_erased_at", "identity_digest", "pruned_at"]

    /// The sealed entries in one statement written in SQL: it is every write's last statement, in the writer's turn on
    /// SQLite and under the chain's lock on PostgreSQL, where Fluent's `create` reflected on each entry.
    private static func insert(_ entries: [AuditEntryRecord], on database: any Database) async throws {
        var insert = (database as! any SQLDatabase).insert(into: AuditEntryRecord.schema).columns(columns)
        for entry in entries {
            let values: [(any Encodable & Sendable)?] = [
                entry.id!, entry.occurredAt, entry.actorID, entry.actorLabel, entry.action, entry.entity, entry.entityID,
                entry.practiceID, entry.before, entry.after, entry.requestID, entry.previousHash, entry.hash, entry.chainVersion,
                entry.payloadDigest, entry.payloadErasedAt, entry.identityDigest, entry.prunedAt,
            ]
            insert = insert.values(values.map(SQLValue.of))
        }
        try await insert.run()
        for entry in entries { entry.$id.exists = true }
    }

    /// Entries written in one statement at most (SQLite binds at most 32,766 values; an entry has 18).
    private static let batch = 500

    /// Reads the chain's head (`audit_chain_head`, kept by the database with every entry) and, on PostgreSQL, locks it
    /// in the same statement: the other appends wait for this transaction's commit, so the chain never forks. On SQLite
    /// the writer is one at a time already.
    @discardableResult
    static func lockChain(on database: any Database) async throws -> (seq: Int64, hash: String) {
        let sql = database as! any SQLDatabase
        let lock = sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        guard let row = try await sql.raw("SELECT seq, hash FROM audit_chain_head WHERE id = 1\(unsafeRaw: lock)").first() else {
            throw JournalHeadMissing()
        }
        return (try row.decode(column: "seq", as: Int64.self), try row.decode(column: "hash", as: String.self))
    }

    private static func json(_ value: any Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// The row that holds the journal's head is gone: nothing is appended rather than a chain started again from nothing.
struct JournalHeadMissing: Error, CustomStringConvertible {
    var description: String { "the audit journal's head (table audit_chain_head, row 1) is missing; nothing was journaled" }
}
