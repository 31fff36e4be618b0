import Foundation
import Vapor

/// What changed, told to the consoles that show it: they fetch the new state themselves (an event carries no data).
struct LiveEvent: Sendable, Equatable {
    enum Kind: String, Sendable {
        /// The work queue of the practice changed (a task, a claim, an urgent transmission).
        case queue
        /// A transmission of the practice changed (sent, read, acknowledged, answered).
        case transmission
        /// A handover note was written.
        case handover
        /// A call rings (or its state changed): the screen pop.
        case ringing
        /// An appointment or a hold of the practice was booked, moved, cancelled or released.
        case agenda
        /// The account was disabled or its password reset: its consoles go back to the sign-in page.
        case signedOut
    }

    let kind: Kind
    /// Nil for the whole center.
    let practiceID: UUID?
    /// Only these users' consoles (a ringing call for an extension); nil for everyone who reaches the practice.
    var users: Set<UUID>? = nil
}

/// Fans events out to the connected consoles, each seeing only the practices it reaches.
actor LiveHub {
    private struct Subscriber {
        let user: UUID?
        let practices: Set<UUID>?
        let continuation: AsyncStream<LiveEvent>.Continuation
    }

    private var subscribers: [UUID: Subscriber] = [:]
    /// Set when the server stops: a stream asked for after that ends at once (it may have passed the stopping check
    /// just before the stop began), so no stream keeps the stop waiting.
    private var closed = false
    /// Tells the other server instances (PostgreSQL's NOTIFY), when there are others.
    private let relay: (@Sendable (LiveEvent) async -> Void)?

    init(relay: (@Sendable (LiveEvent) async -> Void)? = nil) {
        self.relay = relay
    }

    /// A stream of the events about `practices` (nil: every practice); it ends when the subscriber goes.
    func subscribe(practices: Set<UUID>?, user: UUID? = nil) -> (id: UUID, events: AsyncStream<LiveEvent>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<LiveEvent>.makeStream(bufferingPolicy: .bufferingNewest(32))
        guard !closed else {
            continuation.finish()
            return (id, stream)
        }
        subscribers[id] = Subscriber(user: user, practices: practices, continuation: continuation)
        continuation.onTermination = { [weak self] _ in Task { await self?.unsubscribe(id) } }
        return (id, stream)
    }

    /// Ends every subscription and refuses new ones (the server stops).
    func close() {
        closed = true
        for id in Array(subscribers.keys) { unsubscribe(id) }
    }

    func unsubscribe(_ id: UUID) {
        subscribers.removeValue(forKey: id)?.continuation.finish()
    }

    /// To this instance's consoles and, through the relay, to the other instances'.
    func publish(_ event: LiveEvent) async {
        if let unit = UnitOfWork.current { return unit.afterCommit { await self.publish(event) } }
        deliver(event)
        await relay?(event)
    }

    /// To this instance's consoles only (what the relay received from another instance).
    func deliver(_ event: LiveEvent) {
        for subscriber in subscribers.values {
            if let practice = event.practiceID, let allowed = subscriber.practices, !allowed.contains(practice) { continue }
            if let users = event.users, !(subscriber.user.map(users.contains) ?? false) { continue }
            subscriber.continuation.yield(event)
        }
    }

    var count: Int { subscribers.count }
}

extension Application {
    private struct LiveHubKey: StorageKey { typealias Value = LiveHub }
    private struct RelayKey: StorageKey { typealias Value = PostgresRelay }

    /// Present on PostgreSQL.
    var postgresRelay: PostgresRelay? {
        get { storage[RelayKey.self] }
        set { storage[RelayKey.self] = newValue }
    }

    var liveHub: LiveHub {
        get { configured(LiveHubKey.self) }
        set { storage[LiveHubKey.self] = newValue }
    }
}

/// `GET /evenements`: server-sent events for the signed-in console, a comment every 20 s so that a dead connection shows.
struct LiveEventsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.events, use: stream)
    }

    @Sendable func stream(req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        // An instance that is stopping sends its consoles elsewhere (the balancer gives them another).
        guard !req.application.gracefulStop.isStopping else { throw AppError.unavailable("Ce serveur s'arrête ; reconnexion à un autre.", retryAfter: 1) }
        let practices: Set<UUID>? = principal.role.seesEveryPractice ? nil : principal.assignedPractices
        let hub = req.application.liveHub
        let (id, events) = await hub.subscribe(practices: practices, user: principal.userID)
        let response = Response(status: .ok, body: .init(asyncStream: { writer in
            // A console that went away shows at the next heartbeat: its subscription ends, and so does this stream.
            let heartbeat = Task {
                do {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(20))
                        try await writer.write(.buffer(ByteBuffer(string: ": battement\n\n")))
                    }
                } catch {
                    await hub.unsubscribe(id)
                }
            }
            // Vapor requires the stream to end with `.end` or `.error`, whatever happens.
            do {
                try await writer.write(.buffer(ByteBuffer(string: "retry: 2000\n: connecté\n\n")))
                for await event in events {
                    let data = #"{"practiceId":"\#(event.practiceID?.uuidString.lowercased() ?? "")"}"#
                    try await writer.write(.buffer(ByteBuffer(string: "event: \(event.kind.rawValue)\ndata: \(data)\n\n")))
                    if event.kind == .signedOut { break }
                }
                await hub.unsubscribe(id)
                heartbeat.cancel()
                try await writer.write(.end)
            } catch {
                heartbeat.cancel()
                await hub.unsubscribe(id)
                try? await writer.write(.error(error))
            }
        }))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "event-stream", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.headers.replaceOrAdd(name: "X-Accel-Buffering", value: "no")
        return response
    }
}
