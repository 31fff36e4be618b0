@preconcurrency import Dispatch
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// SIGTERM or SIGINT: while Vapor's own handler stops accepting connections and lets the requests in flight (the
/// writes among them) finish, this instance says it is going (`/ready` answers 503, so a balancer stops sending it
/// work), refuses new event streams, and ends the open ones: their consoles reconnect at once, through the balancer,
/// to another instance. Without it, one open stream kept the stop waiting until Vapor cut everything after 10 s.
final class GracefulStop: @unchecked Sendable {
    private let stopping = NIOLockedValueBox(false)
    /// Kept while the process serves (a released source stops watching); set once, before any signal can come.
    private var sources: [any DispatchSourceSignal] = []

    var isStopping: Bool { stopping.withLockedValue { $0 } }

    /// Watches the signals of a serving process (not the tests' in-memory servers, nor one-off commands).
    func watchSignals(of app: Application) {
        let queue = DispatchQueue(label: "permanence.graceful-stop")
        let installed: [any DispatchSourceSignal] = [SIGTERM, SIGINT].map { code in
            let source = DispatchSource.makeSignalSource(signal: code, queue: queue)
            source.setEventHandler { [weak app] in
                guard let app else { return }
                Task { await self.begin(app) }
            }
            source.resume()
            return source
        }
        sources = installed
    }

    /// The stop begins: no new streams, the open ones told to go elsewhere.
    func begin(_ app: Application) async {
        guard !stopping.withLockedValue({ let was = $0; $0 = true; return was }) else { return }
        let clients = await app.liveHub.count
        app.logger.notice("Arrêt demandé : \(clients) flux d'événements fermés (les consoles se reconnectent ailleurs), les requêtes en cours se terminent.")
        await app.liveHub.close()
    }
}

extension Application {
    private struct GracefulStopKey: StorageKey { typealias Value = GracefulStop }

    var gracefulStop: GracefulStop {
        get { configured(GracefulStopKey.self) }
        set { storage[GracefulStopKey.self] = newValue }
    }
}

/// The stop's order: the HTTP server first (its requests in flight finish, the writes among them), then the rest.
/// Vapor would otherwise close the database pools with the application's storage while requests still used them.
extension GracefulStop: LifecycleHandler {
    func shutdownAsync(_ app: Application) async {
        guard !sources.isEmpty else { return }
        await begin(app)
        await app.http.server.shared.shutdown()
        app.logger.notice("Arrêt : les requêtes en cours sont terminées ; la tâche de fond puis les bases de données s'arrêtent.")
    }
}
