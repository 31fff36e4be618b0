import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// SQLite's single writer, made to carry many writes per commit. Writes queue here; the first one in leads a batch:
/// it opens the transaction and runs its own write in a savepoint, then hands the open transaction to each write that
/// is waiting, one at a time, each in a savepoint of its own (a refusal undoes only that write), and commits them all
/// at once. No write answers before that commit: a refusal may rest on what an earlier write of the batch did, and a
/// commit that fails fails every write of the batch. The file stays `synchronous=FULL`: one fsync per batch instead
/// of one per write is the whole gain. On PostgreSQL there is no queue (it runs concurrent writers itself).
final class GroupCommit: Sendable {
    /// A write waiting for its turn.
    private final class Seat: Sendable {
        enum Turn: Sendable { case lead, join(any Database) }
        /// Lead the next batch, or run inside this open transaction.
        let turn = Handoff<Turn>()
        /// The write is done with the transaction; an error if it could not undo itself (the transaction is lost).
        let finished = Handoff<(any Error)?>()
        /// How the batch's commit went.
        let outcome = Handoff<(any Error)?>()
    }

    private struct Queue {
        var busy = false
        var seats: [Seat] = []
    }

    /// Writes one batch carries at most, so that the last of them does not wait long for the commit.
    let limit: Int
    /// The writer's own connection, on which the batches run.
    let connection: WriterConnection
    private let metrics: AppMetrics?
    /// Taken for a few instructions at a time, never across a suspension: a write joins the queue, a leader takes the
    /// next seat, without a hop to another executor.
    private let queue = NIOLockedValueBox(Queue())

    init(limit: Int = 32, connection: WriterConnection, metrics: AppMetrics? = nil) {
        precondition(limit >= 1)
        self.limit = limit
        self.connection = connection
        self.metrics = metrics
    }

    /// Writes waiting for a batch.
    var waiting: Int { queue.withLockedValue { $0.seats.count } }

    /// Runs `body` in a savepoint of a batch's transaction and returns once that transaction committed (`database`
    /// lends its logger). Every step of it (its turn, its statements, the hand-overs) resumes on the writer's executor,
    /// so that a batch's progress never queues behind the requests being served.
    func write<T: Sendable>(on database: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(connection.executor) { try await self.take(on: database, body) }
    }

    private func take<T: Sendable>(on database: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if let seat = enter() {
            switch await seat.turn.take() {
            case .lead:
                break
            case .join(let tx):
                let result: Result<T, any Error>
                do {
                    result = try await Self.savepoint(on: tx, body)
                    seat.finished.give(nil)
                } catch {
                    seat.finished.give(error)
                    result = .failure(error)
                }
                if let failure = await seat.outcome.take() { throw failure }
                return try result.get()
            }
        }
        return try await lead(on: database, body)
    }

    private func enter() -> Seat? {
        queue.withLockedValue { queue in
            guard queue.busy else {
                queue.busy = true
                return nil
            }
            let seat = Seat()
            queue.seats.append(seat)
            return seat
        }
    }

    private func next() -> Seat? {
        queue.withLockedValue { $0.seats.isEmpty ? nil : $0.seats.removeFirst() }
    }

    /// The batch committed (or failed): the first write waiting leads the next one.
    private func handOver() {
        let leader: Seat? = queue.withLockedValue { queue in
            if queue.seats.isEmpty {
                queue.busy = false
                return nil
            }
            return queue.seats.removeFirst()
        }
        leader?.turn.give(.lead)
    }

    private func lead<T: Sendable>(on database: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let members = NIOLockedValueBox<[Seat]>([])
        let mine: Result<T, any Error>
        do {
            mine = try await batch(on: connection.database(logger: database.logger), members: members, body)
        } catch {
            for seat in members.withLockedValue({ $0 }) { seat.outcome.give(error) }
            handOver()
            throw error
        }
        let batch = members.withLockedValue { $0 }
        metrics?.distribution("permanence_writes_per_commit", batch.count + 1)
        for seat in batch { seat.outcome.give(nil) }
        handOver()
        return try mine.get()
    }

    /// The leader's write, then each waiting one's, in one transaction.
    /// The write lock is taken at BEGIN (IMMEDIATE): a command writing beside the server is waited for there, never
    /// half-way through the batch.
    private func batch<T: Sendable>(on writer: DirectSQLiteDatabase, members: NIOLockedValueBox<[Seat]>,
                                    _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> Result<T, any Error> {
        try await writer.raw("BEGIN IMMEDIATE").run()
        let tx = writer.inOpenTransaction
        do {
            let mine = try await Self.savepoint(on: tx, body)
            var count = 1
            while count < limit, let seat = next() {
                members.withLockedValue { $0.append(seat) }
                count += 1
                seat.turn.give(.join(tx))
                if let broken = await seat.finished.take() { throw broken }
            }
            try await writer.raw("COMMIT").run()
            return mine
        } catch {
            // After a failed COMMIT SQLite may have rolled back already: then this ROLLBACK has nothing to undo.
            try? await writer.raw("ROLLBACK").run()
            throw error
        }
    }

    /// `body` in a savepoint: what it did stays when it returns and goes when it throws. Throws itself only when the
    /// savepoint could not be set or undone, the transaction then being unusable.
    private static func savepoint<T: Sendable>(on tx: any Database, _ body: @Sendable (any Database) async throws -> T) async throws -> Result<T, any Error> {
        let sql = tx as! any SQLDatabase
        try await sql.raw("SAVEPOINT ecriture").run()
        do {
            let value = try await body(tx)
            try await sql.raw("RELEASE SAVEPOINT ecriture").run()
            return .success(value)
        } catch {
            try await sql.raw("ROLLBACK TO SAVEPOINT ecriture").run()
            try await sql.raw("RELEASE SAVEPOINT ecriture").run()
            return .failure(error)
        }
    }
}

/// A value handed once from one task to another that waits for it.
final class Handoff<Value: Sendable>: Sendable {
    private enum State { case empty, given(Value), awaited(CheckedContinuation<Value, Never>), taken }
    private let state = NIOLockedValueBox(State.empty)

    func give(_ value: Value) {
        let waiter: CheckedContinuation<Value, Never>? = state.withLockedValue { state in
            switch state {
            case .empty: state = .given(value); return nil
            case .awaited(let waiter): state = .taken; return waiter
            case .given, .taken: preconditionFailure("a handoff is given once")
            }
        }
        waiter?.resume(returning: value)
    }

    func take() async -> Value {
        await withCheckedContinuation { waiter in
            let value: Value? = state.withLockedValue { state in
                switch state {
                case .empty: state = .awaited(waiter); return nil
                case .given(let value): state = .taken; return value
                case .awaited, .taken: preconditionFailure("a handoff is taken once")
                }
            }
            if let value { waiter.resume(returning: value) }
        }
    }
}
