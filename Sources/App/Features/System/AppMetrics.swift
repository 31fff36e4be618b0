import Fluent
import Foundation
import Metrics
import NIOConcurrencyHelpers
import Prometheus
import SQLKit
import Vapor

/// The instance's figures, kept with swift-metrics' types in a Prometheus registry of the application's own (the
/// tests run many applications in one process, so the process-wide metrics system stays untouched), and read in
/// Prometheus's text format at `/metrics`.
final class AppMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    /// Route patterns by route (`/api/v1/practices/:practiceID/appointments`), built once per route.
    private let patterns = NIOLockedValueBox<[ObjectIdentifier: String]>([:])

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                                   .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                                   .milliseconds(2500), .seconds(5), .seconds(10)]
        factory.defaultValueHistogramBuckets = [1, 2, 4, 8, 16, 32, 64, 128]
        self.factory = factory
    }

    func count(_ name: String, _ dimensions: [(String, String)] = [], by amount: Int = 1) {
        Counter(label: name, dimensions: dimensions, factory: factory).increment(by: amount)
    }

    func time(_ name: String, _ dimensions: [(String, String)] = [], _ duration: Duration) {
        Metrics.Timer(label: name, dimensions: dimensions, factory: factory).record(duration: duration)
    }

    func gauge(_ name: String, _ value: Int, _ dimensions: [(String, String)] = []) {
        Gauge(label: name, dimensions: dimensions, factory: factory).record(value)
    }

    /// A value whose spread counts (how many writes shared a commit).
    func distribution(_ name: String, _ value: Int) {
        Recorder(label: name, dimensions: [], aggregate: true, factory: factory).record(value)
    }

    func pattern(of route: Route?) -> String {
        guard let route else { return "unmatched" }
        let key = ObjectIdentifier(route)
        if let known = patterns.withLockedValue({ $0[key] }) { return known }
        let pattern = "/" + route.path.map { "\($0)" }.joined(separator: "/")
        patterns.withLockedValue { $0[key] = pattern }
        return pattern
    }
}

/// Each request counted by route pattern, method and status, and timed. It holds its metrics itself: a request that
/// ends while the application stops must not look them up in storage that is being cleared.
struct MetricsMiddleware: AsyncMiddleware {
    let metrics: AppMetrics

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next.respond(to: request)
        let route = metrics.pattern(of: request.route)
        let method = request.method.rawValue
        metrics.count("permanence_http_requests_total", [("method", method), ("route", route), ("status", String(response.status.code))])
        metrics.time("permanence_http_request_duration_seconds", [("method", method), ("route", route)], ContinuousClock.now - start)
        return response
    }
}

/// `GET /metrics`, for the center's Prometheus: only with the metrics token (`PERMANENCE_METRICS_TOKEN`); without a
/// token configured the route is not there.
struct MetricsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("metrics", use: scrape)
    }

    @Sendable func scrape(req: Request) async throws -> Response {
        guard let expected = req.application.settings.operations.metricsToken else { throw AppError.notFound(what: "Page") }
        guard let given = req.headers.bearerAuthorization?.token, Self.same(given, expected) else {
            let response = Response(status: .unauthorized, body: .init(string: "Jeton de métriques requis.\n"))
            response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer")
            return response
        }
        let app = req.application, metrics = app.metrics
        // What is read at each scrape rather than counted as it happens.
        metrics.gauge("permanence_event_stream_clients", await app.liveHub.count)
        if let gate = app.writer.gate { metrics.gauge("permanence_write_queue_depth", gate.waiting) }
        let outbox = try await OutboxMessageRecord.query(on: req.db).filter(\.$state == "pending").count()
        metrics.gauge("permanence_outbox_backlog", outbox)
        metrics.gauge("permanence_outbox_failed", try await OutboxMessageRecord.query(on: req.db).filter(\.$state == "failed").count())
        let response = Response(status: .ok, body: .init(string: metrics.registry.emitToString()))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return response
    }

    /// Compares in a time that does not depend on where the two differ.
    static func same(_ given: String, _ expected: String) -> Bool {
        let a = Array(given.utf8), b = Array(expected.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Application {
    private struct MetricsKey: StorageKey { typealias Value = AppMetrics }

    var metrics: AppMetrics {
        get { configured(MetricsKey.self) }
        set { storage[MetricsKey.self] = newValue }
    }
}
