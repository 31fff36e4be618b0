import Fluent
import FluentSQLiteDriver
import Foundation
import NIOCore
import NIOPosix
import Vapor

/// SQLite's writer, apart from the readers: its own connection to the file, run by its own thread and its own event
/// loop, on which the writes also resume between their statements. A write's statements follow one another without
/// waiting behind the readers' queries in the shared thread pool, the readers' connections are never held by a batch,
/// and the writer's steps are not queued behind the requests being served: the batch's serial time is the database's.
final class WriterConnection: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let threadPool: NIOThreadPool
    private let databases: Databases
    private let loop: any EventLoop
    /// Runs the tasks that prefer it on the writer's event loop.
    let executor: EventLoopTaskExecutor

    init(path: String) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        loop = group.next()
        databases = Databases(threadPool: threadPool, on: group)
        databases.use(.sqlite(.file(path)), as: .sqlite)
        executor = EventLoopTaskExecutor(loop)
    }

    /// The writer's connection, logging with `logger`.
    func database(logger: Logger) -> any Database {
        databases.database(.sqlite, logger: logger, on: loop)!
    }

    func shutdown() async {
        await databases.shutdownAsync()
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

    func shutdownAsync(_ application: Application) async {
        await connection.shutdown()
    }
}
