@testable import App
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

struct AuditJournalTests {
    @Test func creatingAUserJournalsWhoWhatAndAfterWithoutThePasswordHash() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.admin)
            let body = #"{"email":"tracee@permanence.test","displayName":"Tracée","role":"supervisor","password":"un mot de passe sûr","practices":[]}"#
            #expect(try await app.api(.POST, "/api/v1/users", token: token, json: body).status == .created)
            let user = try #require(try await UserRecord.query(on: app.db).filter(\.$email == "tracee@permanence.test").first())
            let entry = try #require(try await AuditEntryRecord.query(on: app.db)
                .filter(\.$entity == "user").filter(\.$entityID == user.id!.uuidString).first())
            #expect(entry.action == "create")
            #expect(entry.actorLabel == world.admin)
            #expect(entry.actorID != nil)
            #expect(entry.before == nil)
            #expect(entry.after?.contains("tracee@permanence.test") == true)
            #expect(entry.after?.contains("$2b$") == false)
            #expect(entry.requestID != nil)
        }
    }

    @Test func aFailedTransactionLeavesNeitherTheChangeNorItsEntry() async throws {
        try await withTestApp { app in
            struct Boom: Error {}
            let entries = try await AuditEntryRecord.query(on: app.db).count()
            await #expect(throws: Boom.self) {
                try await app.writer.transaction(on: app.db, actor: .system("test")) { tx, journal in
                    try await CenterRecord(id: UUID(), name: "Éphémère").create(on: tx)
                    try await journal.record(.create, entity: "center", entityID: "x", practiceID: nil, after: ["name": "Éphémère"])
                    throw Boom()
                }
            }
            #expect(try await AuditEntryRecord.query(on: app.db).count() == entries)
            #expect(try await CenterRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func anUntouchedChainVerifies() async throws {
        try await withTestApp { app in
            _ = try await World.build(on: app)
            let count = try await AuditEntryRecord.query(on: app.db).count()
            #expect(count > 5)
            #expect(try await AuditVerifier.verify(on: app.db, seal: app.writer.seal, batchSize: 3) == .intact(entries: count))
        }
    }

    @Test func theVerifierNamesATamperedEntry() async throws {
        try await withTestApp { app in
            _ = try await World.build(on: app)
            try await (app.db as! any SQLDatabase).raw("UPDATE audit_entries SET actor_label = 'quelqu''un d''autre' WHERE seq = 3").run()
            let result = try await AuditVerifier.verify(on: app.db, seal: app.writer.seal)
            guard case .broken(let seq, let reason) = result else { Issue.record("tampering not seen: \(result)"); return }
            #expect(seq == 3)
            #expect(reason.contains("altered"))
        }
    }

    @Test func theVerifierNamesARemovedEntry() async throws {
        try await withTestApp { app in
            _ = try await World.build(on: app)
            try await (app.db as! any SQLDatabase).raw("DELETE FROM audit_entries WHERE seq = 4").run()
            #expect(try await AuditVerifier.verify(on: app.db, seal: app.writer.seal) == .broken(seq: 4, reason: "entry #4 is missing (the next one is #5)"))
        }
    }

    @Test func theVerifierSeesARehashedEntryThroughTheNextLink() async throws {
        try await withTestApp { app in
            _ = try await World.build(on: app)
            let entry = try #require(try await AuditEntryRecord.find(2, on: app.db))
            entry.after = #"{"name":"falsifié"}"#
            AuditChain.seal(entry, after: entry.previousHash, with: app.writer.seal)
            try await entry.update(on: app.db)
            #expect(try await AuditVerifier.verify(on: app.db, seal: app.writer.seal) == .broken(seq: 3, reason: "entry #3 does not link to entry #2: the previous entry was changed or removed"))
        }
    }

    @Test func readsOfAPatientRecordAreTracedInTheSameChain() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let patient = UUID()
            try await app.writer.traceRead(on: app.db, actor: AuditActor(userID: UUID(), label: world.secretaryA), requestID: "req-1",
                                           entity: "patient", entityID: patient.uuidString, practiceID: world.practiceA)
            let entry = try #require(try await AuditEntryRecord.query(on: app.db).sort(\.$id, .descending).first())
            #expect(entry.action == "read")
            #expect(entry.entityID == patient.uuidString)
            #expect(entry.practiceID == world.practiceA)
            #expect(entry.actorLabel == world.secretaryA)
            guard case .intact = try await AuditVerifier.verify(on: app.db, seal: app.writer.seal) else { Issue.record("chain broken"); return }
        }
    }

    @Test func concurrentWritersAllSucceedAndTheChainStaysWhole() async throws {
        try await withTestApp { app in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<24 {
                    group.addTask {
                        try await app.writer.transaction(on: app.db, actor: .system("test")) { tx, journal in
                            // Read, then write: the pattern that fails with SQLITE_BUSY when two such transactions overlap.
                            _ = try await CenterRecord.query(on: tx).count()
                            let id = UUID()
                            try await CenterRecord(id: id, name: "Centre \(index)").create(on: tx)
                            try await journal.record(.create, entity: "center", entityID: id.uuidString, practiceID: nil, after: ["i": index])
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await CenterRecord.query(on: app.db).count() == 24)
            #expect(try await AuditVerifier.verify(on: app.db, seal: app.writer.seal) == .intact(entries: 24))
        }
    }

    @Test func theChainsHeadFollowsEveryEntryAndACutTailStaysVisibleAfterTheNextWrite() async throws {
        try await withTestApp { app in
            _ = try await World.build(on: app)
            func last() async throws -> AuditEntryRecord { try #require(try await AuditEntryRecord.query(on: app.db).sort(\.$id, .descending).first()) }
            let head = try await Journal.lockChain(on: app.db)
            let lastEntry = try await last()
            #expect(head.seq == lastEntry.id && head.hash == lastEntry.hash)
            // Re-sealing the last entry moves the head's hash with it.
            let resealed = try await last()
            resealed.after = #"{"name":"re-scellé"}"#
            AuditChain.seal(resealed, after: resealed.previousHash, with: app.writer.seal)
            try await resealed.update(on: app.db)
            let moved = try await Journal.lockChain(on: app.db)
            #expect(moved.hash == resealed.hash)
            // A tail cut behind the journal's back is not papered over: the next entry links to the head it knew.
            let cut = resealed.id!
            try await (app.db as! any SQLDatabase).raw("DELETE FROM audit_entries WHERE seq = \(bind: cut)").run()
            try await app.writer.transaction(on: app.db, actor: .system("test")) { _, journal in
                try await journal.record(.create, entity: "center", entityID: "après", practiceID: nil, after: ["name": "après"])
            }
            let next = try await last()
            #expect(next.id == cut + 1)
            #expect(next.previousHash == resealed.hash)
            #expect(try await AuditVerifier.verify(on: app.db, seal: app.writer.seal)
                == .broken(seq: cut, reason: "entry #\(cut) is missing (the next one is #\(cut + 1))"))
        }
    }

    @Test func entriesAreWrittenAtTheEndOfTheTransactionInOrderEvenByTheThousand() async throws {
        try await withTestApp { app in
            let before = try await AuditEntryRecord.query(on: app.db).count()
            try await app.writer.transaction(on: app.db, actor: .system("test")) { tx, journal in
                try await journal.record(.create, entity: "center", entityID: "premier", practiceID: nil)
                // Not written yet: the chain's lock is taken last, once the transaction's other work is done.
                #expect(try await AuditEntryRecord.query(on: tx).count() == before)
                for index in 1...1_202 {
                    try await journal.record(.create, entity: "center", entityID: "n\(index)", practiceID: nil)
                }
            }
            let written = try await AuditEntryRecord.query(on: app.db).filter(\.$id > Int64(before)).sort(\.$id).all()
            #expect(written.count == 1_203)
            #expect(written.first?.entityID == "premier" && written.last?.entityID == "n1202")
            #expect(written.map(\.entityID).dropFirst() == (1...1_202).map { "n\($0)" }[...])
            #expect(try await AuditVerifier.verify(on: app.db, seal: app.writer.seal) == .intact(entries: before + 1_203))
        }
    }

    @Test func signInsAndFailuresAreJournaled() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            try await browser.signIn(world.secretaryA, password: "pas le bon mot de passe")
            try await browser.signIn(world.secretaryA)
            let actions = try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "user").sort(\.$id).all().map(\.action)
            #expect(Array(actions.suffix(2)) == ["login_failed", "login"])
        }
    }
}
