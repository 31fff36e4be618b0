@testable import App
import Crypto
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

/// A journal nobody can silently cut or rewrite: keyed seals, signed checkpoints outside the database, the key
/// created once and kept, older entries re-sealed once found whole.
struct AuditSealTests {
    private static func verify(_ app: Application) async throws -> AuditVerification {
        try await AuditVerifier.verify(on: app.db, seal: app.writer.seal)
    }

    private static func count(_ app: Application) async throws -> Int64 {
        Int64(try await AuditEntryRecord.query(on: app.db).count())
    }

    /// Re-seals the chain from `seq` on with `seal`, as someone who can write the database would.
    private static func reseal(_ app: Application, from seq: Int64, with seal: AuditSeal) async throws {
        var previous = try #require(try await AuditEntryRecord.find(seq - 1, on: app.db)).hash
        for entry in try await AuditEntryRecord.query(on: app.db).filter(\.$id >= seq).sort(\.$id).all() {
            AuditChain.seal(entry, after: previous, with: seal)
            try await entry.update(on: app.db)
            previous = entry.hash
        }
    }

    @Test func aChainReSealedWithoutTheKeyIsCaught() async throws {
        try await withTestApp { app in
            _ = try await World.build(on: app)
            try await (app.db as! any SQLDatabase).raw("UPDATE audit_entries SET actor_label = 'quelqu''un d''autre' WHERE seq = 3").run()
            let guessed = AuditSeal(key: SymmetricKey(size: .bits256), checkpointsPath: app.writer.seal.checkpointsPath)
            try await Self.reseal(app, from: 3, with: guessed)
            guard case .broken(let seq, let reason) = try await Self.verify(app) else { Issue.record("a re-sealed chain passed"); return }
            #expect(seq == 3)
            #expect(reason.contains("altered"))
        }
    }

    @Test func aCutTailIsCaughtByTheLastCheckpoint() async throws {
        try await withTestApp { app in
            _ = try await World.build(on: app)
            let total = try await Self.count(app)
            let checkpoint = try #require(try await AuditCheckpoints.write(app: app, now: app.clock.now()))
            #expect(checkpoint.count == total)
            #expect(try await AuditCheckpoints.write(app: app, now: app.clock.now()) == nil, "nothing new to vouch for")
            #expect(try await Self.verify(app) == .intact(entries: Int(total)))
            try await (app.db as! any SQLDatabase).raw("DELETE FROM audit_entries WHERE seq > \(bind: total - 2)").run()
            guard case .broken(let seq, let reason) = try await Self.verify(app) else { Issue.record("the cut went unseen"); return }
            #expect(seq == total - 1)
            #expect(reason.contains("entries #\(total - 1) to #\(total) were cut"), "\(reason)")
        }
    }

    @Test func aChainRewrittenWithTheKeyIsCaughtByTheCheckpoint() async throws {
        try await withTestApp { app in
            _ = try await World.build(on: app)
            try await AuditCheckpoints.write(app: app, now: app.clock.now())
            try await (app.db as! any SQLDatabase).raw("UPDATE audit_entries SET actor_label = 'quelqu''un d''autre' WHERE seq = 2").run()
            try await Self.reseal(app, from: 2, with: app.writer.seal)
            guard case .broken(let seq, let reason) = try await Self.verify(app) else { Issue.record("the rewrite went unseen"); return }
            #expect(seq == (try await Self.count(app)))
            #expect(reason.contains("rewritten and re-sealed"))
        }
    }

    @Test func aForgedCheckpointIsCaught() async throws {
        try await withTestApp { app in
            _ = try await World.build(on: app)
            let real = try #require(try await AuditCheckpoints.write(app: app, now: app.clock.now()))
            let forged = AuditCheckpoint(count: real.count + 5, head: real.head, at: real.at, mac: real.mac)
            try AuditCheckpoint.append(forged, to: app.writer.seal.checkpointsPath)
            guard case .broken(_, let reason) = try await Self.verify(app) else { Issue.record("the forged checkpoint passed"); return }
            #expect(reason.contains("checkpoint line 2"))
        }
    }

    @Test func theKeyFileIsCreatedOnceReadableByItsOwnerOnlyAndKept() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("permanence-cle-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let settings = try AppSettings(environment: ["PERMANENCE_AUDIT_DIR": folder])
        let first = try AuditSeal.load(settings)
        let second = try AuditSeal.load(settings)
        #expect(first.mac(Data("x".utf8)) == second.mac(Data("x".utf8)))
        let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/audit.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let given = try AuditSeal.load(try AppSettings(environment: ["PERMANENCE_AUDIT_DIR": folder, "PERMANENCE_AUDIT_KEY": String(repeating: "k", count: 40)]))
        #expect(given.mac(Data("x".utf8)) != first.mac(Data("x".utf8)), "the variable wins over the file")
        #expect(throws: ConfigurationError.self) { try AppSettings(environment: ["PERMANENCE_AUDIT_KEY": "trop courte"]) }
    }

    @Test func aServerWithAnotherKeyRefusesToStart() async throws {
        try await withTestApp { app in
            _ = try await World.build(on: app)
            var other = app.settings
            other.auditKey = String(repeating: "autre clé ", count: 4)
            let second = try await Application.make(.testing)
            do {
                try await configure(second, settings: other)
                await #expect {
                    try await DatabaseSetup.prepare(second, settings: other)
                } throws: { error in
                    String(describing: error).contains("PERMANENCE_AUDIT_KEY: the audit journal's last entry")
                }
            } catch {
                Issue.record("configure failed: \(error)")
            }
            try await second.asyncShutdown()
            #expect(try await Self.verify(app) == .intact(entries: Int(try await Self.count(app))), "nothing was written under the wrong key")
        }
    }

    @Test func entriesWrittenBeforeTheKeyAreReSealedOnceFoundWhole() async throws {
        try await withTestApp { app in
            _ = try await World.build(on: app)
            // The journal as an older Permanence wrote it: version 1 seals, no digest.
            var previous = AuditChain.genesisHash
            for entry in try await AuditEntryRecord.query(on: app.db).sort(\.$id).all() {
                entry.chainVersion = 1
                entry.payloadDigest = nil
                entry.previousHash = previous
                entry.hash = AuditChain.legacyHash(of: entry)
                try await entry.update(on: app.db)
                previous = entry.hash
            }
            let legacy = try await Self.count(app)
            try await AuditChainUpgrade.run(app)
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$chainVersion < 2).count() == 0)
            let upgrade = try #require(try await AuditEntryRecord.query(on: app.db).sort(\.$id, .descending).first())
            #expect(upgrade.action == "chain_upgraded" && upgrade.after?.contains("\"\(legacy)\"") == true)
            #expect(try await Self.verify(app) == .intact(entries: Int(legacy) + 1))
            #expect(AuditCheckpoint.all(at: app.writer.seal.checkpointsPath).last??.count == legacy + 1)
        }
    }

    @Test func aBrokenOlderChainIsLeftForTheVerifierToShow() async throws {
        try await withTestApp { app in
            _ = try await World.build(on: app)
            try await (app.db as! any SQLDatabase).raw("UPDATE audit_entries SET chain_version = 1").run()
            try await AuditChainUpgrade.run(app)
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$chainVersion < 2).count() == (try await Self.count(app)))
            guard case .broken(let seq, _) = try await Self.verify(app) else { Issue.record("a broken chain passed"); return }
            #expect(seq == 1)
        }
    }
}

/// Access traces keep who and what they name for twelve months, then lose them; the chain still verifies, and a pruned
/// entry that still names someone, or a kept one whose names were changed, is caught.
struct AccessTraceRetentionTests {
    @Test func accessTracesPastTwelveMonthsLoseTheirNamesAndTheChainStillHolds() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            try await browser.signIn(world.secretaryA)
            let checkpoint = try #require(try await AuditCheckpoints.write(app: app, now: clock.now))
            let logins = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "login").all()
            let creations = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "create").count()
            #expect(logins.count == 1 && logins[0].actorLabel == world.secretaryA)

            // Eleven months on, nothing is pruned; past twelve, the sign-in loses its names, the creations keep theirs.
            try await Retention.sweep(app: app, now: clock.now.addingTimeInterval(335 * 86400))
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$prunedAt != nil).count() == 0)
            try await Retention.sweep(app: app, now: clock.now.addingTimeInterval(367 * 86400))
            let pruned = try #require(try await AuditEntryRecord.find(logins[0].id, on: app.db))
            #expect(pruned.prunedAt != nil && pruned.actorLabel.isEmpty && pruned.actorID == nil && pruned.entityID.isEmpty
                    && pruned.after == nil && pruned.requestID == nil)
            #expect(pruned.action == "login" && pruned.hash == logins[0].hash, "its time, action and seal stay")
            let kept = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "create").filter(\.$prunedAt == nil).count()
            #expect(kept == creations, "changes are not access traces")
            #expect(try await AuditVerifier.verify(on: app.db, seal: app.writer.seal) == .intact(entries: Int(checkpoint.count)))

            // Pruned yet still naming someone: caught.
            try await (app.db as! any SQLDatabase).raw("UPDATE audit_entries SET actor_label = 'quelqu''un' WHERE seq = \(bind: pruned.id!)").run()
            guard case .broken(let seq, let reason) = try await AuditVerifier.verify(on: app.db, seal: app.writer.seal) else {
                Issue.record("a pruned entry naming someone passed"); return
            }
            #expect(seq == pruned.id! && reason.contains("pruned"))
        }
    }

    @Test func aKeptEntryWhoseNamesChangedIsCaught() async throws {
        try await withTestApp { app in
            _ = try await World.build(on: app)
            try await (app.db as! any SQLDatabase).raw("UPDATE audit_entries SET entity_id = 'autre' WHERE seq = 2").run()
            guard case .broken(let seq, let reason) = try await AuditVerifier.verify(on: app.db, seal: app.writer.seal) else {
                Issue.record("a changed record id passed"); return
            }
            #expect(seq == 2 && reason.contains("no longer matches its digest"))
        }
    }
}
