import Fluent
import FluentSQLiteDriver
import Foundation
import NIOCore
import NIOConcurrencyHelpers
import NIOPosix
import Vapor

/// SQLite's writer, apart from the readers: its own connection to the file (`DirectSQLiteConnection`, whose statements
/// run on the thread that asks), run by its own thread and event loop, on which the writes also resume between their
/// statements. A write's statements follow one another without a thread hop and without waiting behind the readers'
/// queries, the readers' connections are never held by a batch, and the writer's steps are not queued behind the
/// requests being served: the batch's serial time is the database's.
///
/// The writer never checkpoints the WAL itself: SQLite's automatic checkpoint runs inside the commit that crosses
/// 1,000 pages, copying them to the database file and syncing it while the whole batch and the writes queued behind it
/// wait. A connection of its own, on a thread of its own, checkpoints instead (PASSIVE: never waits for the writer or
/// the readers) every `checkpointInterval`; the WAL is synced at each commit whatever happens, so nothing acknowledged
/// depends on it.
final class WriterConnection: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let threadPool: NIOThreadPool
    private let loop: any EventLoop
    private let path: String
    private let configuration: any DatabaseConfiguration
    private let connection: NIOLockedValueBox<DirectSQLiteConnection?> = .init(nil)
    private let checkpointInterval: Duration
    private let checkpoints = NIOLockedValueBox<Task<Void, Never>?>(nil)
    /// Runs the tasks that prefer it on the writer's event loop.
    let executor: EventLoopTaskExecutor

    init(path: String, configuration: any DatabaseConfiguration, checkpointInterval: Duration = .milliseconds(250)) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        loop = group.next()
        executor = EventLoopTaskExecutor(loop)
        self.path = path
        self.configuration = configuration
        self.checkpointInterval = checkpointInterval
    }

    /// The writer's connection, logging with `logger` (opened at its first use).
    func database(logger: Logger) throws -> DirectSQLiteDatabase {
        let connection = try self.connection.withLockedValue { kept in
            if let kept { return kept }
            let opened = try DirectSQLiteConnection(path: path)
            try opened.run("PRAGMA wal_autocheckpoint = 0", []) { _, _ in }
            // A large batch (an import, a day's reminders) grows its indexes beyond SQLite's default page cache (2 MB),
            // which then spills to the file in the middle of the transaction; and each statement of many rows keeps
            // its undo journal in a temporary file. The writer gets 64 MB of cache at most, and its journals in memory.
            try opened.run("PRAGMA cache_size = -65536", []) { _, _ in }
            try opened.run("PRAGMA temp_store = MEMORY", []) { _, _ in }
            kept = opened
            return opened
        }
        return DirectSQLiteDatabase(connection: connection, context: .init(configuration: configuration, logger: logger, eventLoop: loop))
    }

    /// Starts the checkpoints of the writer's WAL on a connection of their own.
    func start(logger: Logger) async throws {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: loop).get()
        let interval = checkpointInterval
        let task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                do {
                    _ = try await connection.query("PRAGMA wal_checkpoint(PASSIVE)").get()
                } catch {
                    logger.warning("WAL checkpoint failed: \(String(reflecting: error))")
                }
            }
            try? await connection.close().get()
        }
        checkpoints.withLockedValue { $0 = task }
    }

    func shutdown() async {
        if let task = checkpoints.withLockedValue({ $0 }) {
            task.cancel()
            await task.value
        }
        connection.withLockedValue { $0?.close(); $0 = nil }
        try? await threadPool.shutdownGracefully()
        try? await group.shutdownGracefully()
    }
}

/// A task executor over one event loop: the tasks that prefer it resume on that loop's thread.
final class EventLoopTaskExecutor: TaskExecutor {
    private let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}

/// Closes the writer's connection with the application.
struct WriterConnectionLifecycle: LifecycleHandler {
    let connection: WriterConnection

    func didBootAsync(_ application: Application) async throws {
        try await connection.start(logger: application.logger)
    }

    func shutdownAsync(_ application: Application) async {
        await connection.shutdown()
    }
}
