@testable import App
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor

/// SQLite's group commit (issue 20): writes that wait together commit together, a refusal undoes only its own write,
/// a commit that fails fails every write of its batch, and what a write tells the others waits for the commit.
@Suite(.enabled(if: !TestDatabase.isPostgres))
struct GroupCommitTests {
    /// Rows written by the probes, with a value that must be unique and an optional parent (foreign key).
    static func makeProbeTables(_ app: Application) async throws {
        let sql = app.db as! any SQLDatabase
        try await sql.raw("CREATE TABLE probe_parent (id INTEGER PRIMARY KEY)").run()
        try await sql.raw("CREATE TABLE probe (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE, parent INTEGER REFERENCES probe_parent(id))").run()
    }

    static func values(_ app: Application) async throws -> Set<String> {
        struct Row: Decodable { let value: String }
        return Set(try await (app.db as! any SQLDatabase).raw("SELECT value FROM probe").all(decoding: Row.self).map(\.value))
    }

    /// How many commits carried how many writes, as `/metrics` shows them.
    static func commits(_ app: Application) -> (count: Double, writes: Double) {
        var count = 0.0, writes = 0.0
        for line in app.metrics.registry.emitToString().split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let value = Double(parts[1]) else { continue }
            if parts[0] == "permanence_writes_per_commit_count" { count = value }
            if parts[0] == "permanence_writes_per_commit_sum" { writes = value }
        }
        return (count, writes)
    }

    /// A first write that holds its batch open until `waiting` others queue behind it, then runs `first`.
    static func batch(_ app: Application, waiting: Int, first: @escaping @Sendable (any Database) async throws -> Void,
                      others: [@Sendable (any Database) async throws -> Void]) async -> [Result<Void, any Error>] {
        let gate = app.writer.gate!
        let leading = Handoff<Void>(), go = Handoff<Void>()
        return await withTaskGroup(of: (Int, Result<Void, any Error>).self) { group in
            group.addTask {
                do {
                    try await app.writer.unjournaled(on: app.db) { db in
                        leading.give(())
                        await go.take()
                        try await first(db)
                    }
                    return (0, .success(()))
                } catch { return (0, .failure(error)) }
            }
            await leading.take()
            for (index, other) in others.enumerated() {
                group.addTask {
                    do {
                        try await app.writer.unjournaled(on: app.db, other)
                        return (index + 1, .success(()))
                    } catch { return (index + 1, .failure(error)) }
                }
            }
            // The first one leads its batch: every other write queues behind it.
            while gate.waiting < waiting { try? await Task.sleep(for: .milliseconds(1)) }
            go.give(())
            var results = [Result<Void, any Error>](repeating: .success(()), count: others.count + 1)
            for await (index, result) in group { results[index] = result }
            return results
        }
    }

    static func insert(_ value: String, parent: Int? = nil) -> @Sendable (any Database) async throws -> Void {
        { db in
            try await (db as! any SQLDatabase).raw("INSERT INTO probe (value, parent) VALUES (\(bind: value), \(bind: parent))").run()
        }
    }

    @Test func writesWaitingTogetherShareOneCommitAndARefusalUndoesOnlyItself() async throws {
        try await withTestApp { app in
            try await Self.makeProbeTables(app)
            // The file keeps its fsync at every commit (FULL); only the number of commits changes.
            struct Mode: Decodable { let synchronous: Int }
            #expect(try await (app.db as! any SQLDatabase).raw("PRAGMA synchronous").first(decoding: Mode.self)?.synchronous == 2)
            let before = Self.commits(app)
            // 40 writes behind a first one: the first batch takes 32 (the limit), the second the 9 left.
            var others = (1...40).map { Self.insert("v\($0)") }
            others[19] = Self.insert("v3")  // refused: v3 is written earlier in the same batch
            let results = await Self.batch(app, waiting: 40, first: Self.insert("v0"), others: others)
            #expect(results.filter { (try? $0.get()) == nil }.count == 1)
            // The two writes of v3 queue in the order their tasks start: the second of them is refused.
            if case .failure(let error) = [results[20], results[3]].first(where: { (try? $0.get()) == nil }) {
                #expect((error as? any DatabaseError)?.isConstraintFailure == true, "the refusal is the UNIQUE constraint: \(error)")
            } else {
                Issue.record("the duplicate write was not refused")
            }
            #expect(try await Self.values(app) == Set((0...40).filter { $0 != 20 }.map { "v\($0)" }))
            let after = Self.commits(app)
            #expect(after.count - before.count == 2, "41 writes, two commits")
            #expect(after.writes - before.writes == 41)
        }
    }

    @Test func aCommitThatFailsFailsEveryWriteOfItsBatchAndTellsNothing() async throws {
        try await withTestApp { app in
            try await Self.makeProbeTables(app)
            let told = NIOLockedValueBox(0)
            let telling: @Sendable (String, Int?) -> @Sendable (any Database) async throws -> Void = { value, parent in
                { db in
                    try await Self.insert(value, parent: parent)(db)
                    await UnitOfWork.whenCommitted { told.withLockedValue { $0 += 1 } }
                }
            }
            // Foreign keys checked at the commit: one write naming a parent that does not exist fails the commit.
            let first: @Sendable (any Database) async throws -> Void = { db in
                try await (db as! any SQLDatabase).raw("PRAGMA defer_foreign_keys = ON").run()
                try await telling("a0", nil)(db)
            }
            let others = [telling("a1", nil), telling("orphan", 99), telling("a2", nil)]
            let results = await Self.batch(app, waiting: 3, first: first, others: others)
            for (index, result) in results.enumerated() {
                guard case .failure(let error) = result else { Issue.record("write \(index) was acknowledged by a commit that failed"); continue }
                #expect(String(describing: error).contains("FOREIGN KEY"), "write \(index): \(error)")
            }
            #expect(try await Self.values(app).isEmpty)
            #expect(told.withLockedValue { $0 } == 0, "nothing undone is told")

            // The queue goes on: the next writes commit.
            let next = await Self.batch(app, waiting: 1, first: telling("b0", nil), others: [telling("b1", nil)])
            #expect(next.allSatisfy { (try? $0.get()) != nil })
            #expect(try await Self.values(app) == ["b0", "b1"])
            #expect(told.withLockedValue { $0 } == 2)
        }
    }

    @Test func aWriteUndoneInsideARequestTellsNothing() async throws {
        try await withTestApp { app in
            try await Self.makeProbeTables(app)
            let told = NIOLockedValueBox<[String]>([])
            try await UnitOfWork.run(on: app.db, gate: app.writer.gate) { unit in
                try await app.writer.unjournaled(on: unit.database) { db in
                    try await Self.insert("kept")(db)
                    await UnitOfWork.whenCommitted { told.withLockedValue { $0.append("kept") } }
                }
                do {
                    try await app.writer.unjournaled(on: unit.database) { db in
                        await UnitOfWork.whenCommitted { told.withLockedValue { $0.append("undone") } }
                        try await Self.insert("kept")(db)
                    }
                    Issue.record("the duplicate was written")
                } catch {}
                #expect(told.withLockedValue { $0 }.isEmpty, "nothing is told before the commit")
            }
            #expect(told.withLockedValue { $0 } == ["kept"])
            #expect(try await Self.values(app) == ["kept"])
        }
    }

    /// The writer's commits never checkpoint the WAL (a checkpoint inside a commit holds the whole batch and the queue
    /// behind it): its own connection checkpoints a moment later, so the rows reach the database file without it.
    @Test func theWALIsCheckpointedBesideTheWriterNotByIt() async throws {
        try await withTestApp { app in
            try await Self.makeProbeTables(app)
            try await app.asyncBoot()
            struct Setting: Decodable { let wal_autocheckpoint: Int }
            let setting = NIOLockedValueBox<Int?>(nil)
            try await app.writer.unjournaled(on: app.db) { db in
                let row = try await (db as! any SQLDatabase).raw("PRAGMA wal_autocheckpoint").first(decoding: Setting.self)
                setting.withLockedValue { $0 = row?.wal_autocheckpoint }
            }
            #expect(setting.withLockedValue { $0 } == 0, "the writer's own checkpoint is off")
            guard case .sqliteFile(let file) = app.settings.database else { Issue.record("the tests run on a SQLite file"); return }
            let size = { ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? 0 }
            let before = size()
            // About 200 pages: far under the 1,000 after which SQLite would checkpoint on its own.
            for index in 0..<50 {
                try await app.writer.unjournaled(on: app.db, Self.insert(String(repeating: "x", count: 16_000) + "\(index)"))
            }
            let deadline = ContinuousClock.now + .seconds(3)
            while size() < before + 50 * 16_000, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(size() >= before + 50 * 16_000, "the rows were copied into the database file")
        }
    }
}
