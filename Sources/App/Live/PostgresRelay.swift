import FluentPostgresDriver
import Foundation
import NIOConcurrencyHelpers
import PostgresNIO
import SQLKit
import Vapor

/// Carries live events and cache news between server instances that share one PostgreSQL database: each instance
/// publishes with `NOTIFY` and listens on a connection of its own; it knows its own messages by its instance id and
/// skips them (they were applied locally already). While it is not listening, news may be missed: the caches are
/// dropped when the connection goes and again once it is back. On SQLite there is one instance and no relay.
final class PostgresRelay: Sendable {
    /// An event or a cache change as it travels in a notification's payload.
    struct Message: Codable {
        let instance: UUID
        var kind: String? = nil
        var practice: UUID? = nil
        var users: [UUID]? = nil
        var cache: CacheChange? = nil
    }

    let channel: String
    let instance = UUID()
    private let configuration: PostgresConnection.Configuration
    private let listening = NIOLockedValueBox(false)
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let connection = NIOLockedValueBox<PostgresConnection?>(nil)

    /// `schema` (tests give each run its own) keeps apart the events of databases that share a server.
    init(configuration: PostgresConnection.Configuration, schema: String?) {
        self.configuration = configuration
        channel = "permanence_live" + (schema.map { "_" + $0 } ?? "")
    }

    var isListening: Bool { listening.withLockedValue { $0 } }
    var isStarted: Bool { task.withLockedValue { $0 != nil } }

    /// Listens until stopped; a dropped connection is opened again after a second.
    func start(hub: LiveHub, caches: InstanceCaches, logger: Logger) {
        let work = Task { [self] in
            while !Task.isCancelled {
                do {
                    let opened = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
                    connection.withLockedValue { $0 = opened }
                    defer { connection.withLockedValue { $0 = nil }; Task { try? await opened.close() } }
                    if Task.isCancelled { break }
                    try await opened.listen(on: channel) { notifications in
                        // Listening from now on: what changed before is read again.
                        caches.dropAll()
                        listening.withLockedValue { $0 = true }
                        for try await notification in notifications {
                            guard let messages = try? JSONDecoder().decode([Message].self, from: Data(notification.payload.utf8)) else { continue }
                            for message in messages where message.instance != instance {
                                if let change = message.cache { caches.received(change, from: message.instance) }
                                if let kind = message.kind.flatMap(LiveEvent.Kind.init(rawValue:)) {
                                    await hub.deliver(LiveEvent(kind: kind, practiceID: message.practice, users: message.users.map(Set.init)))
                                }
                            }
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("Relais des événements en direct interrompu : \(String(reflecting: error))")
                }
                if listening.withLockedValue({ $0 }) { caches.dropAll() }
                listening.withLockedValue { $0 = false }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        task.withLockedValue { $0 = work }
    }

    /// Cuts the listening connection as a network fault would (the tests of a missed notification).
    func cutConnection() async {
        if let open = connection.withLockedValue({ $0 }) { try? await open.close() }
    }

    /// Ends the listening: its connection is closed, which ends the notifications the task waits on.
    func stop() {
        task.withLockedValue { $0?.cancel() }
        if let open = connection.withLockedValue({ $0 }) { Task { try? await open.close() } }
    }

    /// Tells the other instances; a failure is logged, never the publisher's error (the local consoles have it).
    func notify(_ event: LiveEvent, on db: any Database, logger: Logger) {
        send(Message(instance: instance, kind: event.kind.rawValue, practice: event.practiceID, users: event.users.map { Array($0) }),
             on: db, logger: logger)
    }

    /// Tells the other instances what to drop from their caches.
    func notify(_ change: CacheChange, on db: any Database, logger: Logger) {
        send(Message(instance: instance, cache: change), on: db, logger: logger)
    }

    /// Messages waiting for the next NOTIFY, and whether one is being sent.
    private let outgoing = NIOLockedValueBox<(messages: [Message], sending: Bool)>(([], false))
    /// A notification's payload is at most 8,000 bytes.
    static let payloadLimit = 7_900

    /// Queues `message`; what queues while a NOTIFY is sent goes in the next one, so that a booking's live event and
    /// its cache news travel together and a busy instance sends one notification per round trip, not one per message.
    /// The writer does not wait for it: the others are told within the round trip that follows.
    private func send(_ message: Message, on db: any Database, logger: Logger) {
        guard isStarted else { return }
        let start = outgoing.withLockedValue { state -> Bool in
            state.messages.append(message)
            guard !state.sending else { return false }
            state.sending = true
            return true
        }
        guard start else { return }
        Task { [self] in
            while let batch = outgoing.withLockedValue({ state -> [Message]? in
                guard !state.messages.isEmpty else { state.sending = false; return nil }
                defer { state.messages = [] }
                return state.messages
            }) {
                for payload in Self.payloads(batch) {
                    do {
                        try await (db as! any SQLDatabase).raw("SELECT pg_notify(\(bind: channel), \(bind: payload))").run()
                    } catch {
                        logger.warning("NOTIFY des événements en direct refusé : \(String(reflecting: error))")
                    }
                }
            }
        }
    }

    /// The messages as JSON arrays, each under the payload limit, in order.
    static func payloads(_ messages: [Message]) -> [String] {
        let encoder = JSONEncoder()
        var payloads: [String] = [], current: [String] = [], size = 2
        for message in messages {
            guard let one = try? String(decoding: encoder.encode(message), as: UTF8.self) else { continue }
            if !current.isEmpty, size + one.utf8.count + 1 > payloadLimit {
                payloads.append("[" + current.joined(separator: ",") + "]")
                current = []
                size = 2
            }
            current.append(one)
            size += one.utf8.count + 1
        }
        if !current.isEmpty { payloads.append("[" + current.joined(separator: ",") + "]") }
        return payloads
    }
}

/// Starts and stops the relay with the server (the synchronous hooks: the tests' in-memory server boots with those,
/// and the asynchronous ones call them).
struct PostgresRelayLifecycle: LifecycleHandler {
    let relay: PostgresRelay

    func didBoot(_ application: Application) throws {
        relay.start(hub: application.liveHub, caches: application.instanceCaches, logger: application.logger)
    }

    func shutdown(_ application: Application) {
        relay.stop()
    }
}
