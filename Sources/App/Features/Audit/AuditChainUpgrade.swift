import Fluent
import Foundation
import SQLKit
import Vapor

/// The first start with a key re-seals the entries written before it (version 1) in the current version, once they
/// are found intact (entries of version 2 are already keyed and stay as they are: re-sealing them would contradict
/// the checkpoints that vouched for them), then journals that it did and writes a checkpoint. A broken old chain is left as it is, for
/// `permanence audit verify` to show.
///
/// It also refuses to start when the journal's last entry was sealed under another key: an instance with the wrong
/// key (a lost key file, an instance not given the others' `PERMANENCE_AUDIT_KEY`) would write a journal that
/// nothing could verify.
enum AuditChainUpgrade {
    static func run(_ app: Application) async throws {
        let seal = app.writer.seal
        if let last = try await AuditEntryRecord.query(on: app.db).sort(\.$id, .descending).first(), last.chainVersion >= 2,
           AuditChain.hash(of: last, seal: seal) != last.hash {
            throw DatabaseStartError(description: """
                PERMANENCE_AUDIT_KEY: the audit journal's last entry (#\(last.id ?? 0)) was not sealed with this key. Give this \
                instance the key the journal was sealed with (the same PERMANENCE_AUDIT_KEY on every instance, or the audit.key \
                of \(app.settings.auditDirectory)), then run `permanence audit verify`.
                """)
        }
        guard try await AuditEntryRecord.query(on: app.db).filter(\.$chainVersion < 2).count() > 0 else { return }
        let resealed = try await app.writer.transaction(on: app.db, actor: .system("audit-upgrade")) { tx, journal -> Int in
            try await Journal.lockChain(on: tx)
            // First the old chain must hold; then each entry is sealed anew, batch by batch.
            var previousHash = AuditChain.genesisHash
            var holds = true
            try await forEachEntry(on: tx) { entry in
                holds = entry.chainVersion >= 2 || (entry.previousHash == previousHash && AuditChain.legacyHash(of: entry) == entry.hash)
                if !holds { app.logger.critical("audit journal: entry #\(entry.id ?? 0) does not hold; left unsealed for `permanence audit verify` to show") }
                previousHash = entry.hash
                return holds
            }
            guard holds else { return 0 }
            previousHash = AuditChain.genesisHash
            var count = 0
            try await forEachEntry(on: tx) { entry in
                AuditChain.seal(entry, after: previousHash, with: seal)
                try await entry.update(on: tx)
                previousHash = entry.hash
                count += 1
                return true
            }
            try await journal.record(.chainUpgraded, entity: "audit_journal", entityID: "chain", practiceID: nil,
                                     after: ["resealed": String(count), "version": String(AuditChain.currentVersion)])
            return count
        }
        if resealed > 0 {
            app.logger.notice("audit journal: \(resealed) entries re-sealed with the audit key")
            try await AuditCheckpoints.write(app: app, now: app.clock.now())
        }
    }

    /// Calls `body` with the journal's entries in order, read a thousand at a time, until it answers false.
    private static func forEachEntry(on db: any Database, _ body: (AuditEntryRecord) async throws -> Bool) async throws {
        var after: Int64 = 0
        while true {
            let batch = try await AuditEntryRecord.query(on: db).filter(\.$id > after).sort(\.$id).limit(1000).all()
            for entry in batch where try await !body(entry) { return }
            guard batch.count == 1000, let last = batch.last?.id else { return }
            after = last
        }
    }
}
