@testable import App
import Fluent
import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

/// What the people who run a center use: `/metrics` behind its token, JSON logs with the request id, and the settings
/// that choose them.
struct OperationsTests {
    static let metricsToken = "jeton-de-metriques-du-centre-0123456789"

    static func scrape(_ app: Application, token: String? = metricsToken) async throws -> TestingHTTPResponse {
        try await app.api(.GET, "/metrics", token: token)
    }

    /// The value of the sample `name{labels}` in a scrape, nil when absent.
    static func sample(_ text: String, _ name: String, _ labels: [String: String]) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            let rest = line.dropFirst(name.count)
            var found: [String: String] = [:]
            if rest.hasPrefix("{"), let close = rest.firstIndex(of: "}") {
                for pair in rest[rest.index(after: rest.startIndex)..<close].split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { found[String(parts[0])] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                }
            }
            guard labels.allSatisfy({ found[$0.key] == $0.value }) else { continue }
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    @Test func metricsAreClosedWithoutATokenAndNeedTheRightOne() async throws {
        try await withTestApp { app in
            let closed = try await Self.scrape(app)
            #expect(closed.status == .notFound, "no token configured: no route")
        }
        try await withTestApp(environment: ["PERMANENCE_METRICS_TOKEN": Self.metricsToken]) { app in
            #expect(try await Self.scrape(app, token: nil).status == .unauthorized)
            #expect(try await Self.scrape(app, token: Self.metricsToken + "x").status == .unauthorized)
            let world = try await World.build(on: app)
            let secretary = try await app.apiToken(world.secretaryA)
            #expect(try await Self.scrape(app, token: secretary).status == .unauthorized, "a user's token does not open the metrics")
            let open = try await Self.scrape(app)
            #expect(open.status == .ok)
            #expect(open.headers.contentType?.description.hasPrefix("text/plain") == true)
        }
    }

    @Test func bookingsConflictsAndRequestsAreCountedByRouteAndStatus() async throws {
        try await withTestApp(environment: ["PERMANENCE_METRICS_TOKEN": Self.metricsToken]) { app in
            let world = try await World.build(on: app)
            let (_, motif) = try await AgendaAPITests.setUp(app, world)
            let secretary = try await app.apiToken(world.secretaryA)
            let patientID = try await AgendaAPITests.patient(app, world, token: secretary)
            let booking = """
                {"practitionerId":"\(world.practitionerA)","motifId":"\(motif)","start":"2026-11-24T10:00:00+01:00","patientId":"\(patientID)"}
                """
            let path = "/api/v1/practices/\(world.practiceA)/appointments"
            let first = try await app.api(.POST, path, token: secretary, json: booking)
            #expect(first.status == .created, "\(first.body.string)")
            #expect(try await app.api(.POST, path, token: secretary, json: booking).status == .conflict)
            #expect(try await app.api(.GET, "/api/v1/practices/\(world.practiceA)/availability?motif=\(motif)", token: secretary).status == .ok)

            let text = try await Self.scrape(app).body.string
            #expect(Self.sample(text, "permanence_bookings_total", ["outcome": "booked"]) == 1)
            #expect(Self.sample(text, "permanence_bookings_total", ["outcome": "conflict"]) == 1)
            let route = "/api/v1/practices/:practiceID/appointments"
            #expect(Self.sample(text, "permanence_http_requests_total", ["method": "POST", "route": route, "status": "201"]) == 1)
            #expect(Self.sample(text, "permanence_http_requests_total", ["method": "POST", "route": route, "status": "409"]) == 1)
            #expect(Self.sample(text, "permanence_http_request_duration_seconds_count", ["method": "POST", "route": route]) == 2)
            #expect(Self.sample(text, "permanence_http_request_duration_seconds_bucket", ["method": "POST", "route": route, "le": "+Inf"]) == 2)
            #expect((Self.sample(text, "permanence_database_wait_seconds_count", [:]) ?? 0) >= 1, "each write's wait for its turn is timed")
            #expect(Self.sample(text, "permanence_event_stream_clients", [:]) == 0)
            #expect(Self.sample(text, "permanence_outbox_backlog", [:]) == 0)
            #expect(!text.contains("Roux"), "no patient data in the figures")
        }
    }

    @Test func theRequestIdIsEchoedInTheAnswerAndItsProblemDocument() async throws {
        try await withTestApp { app in
            let answer = try await app.api(.GET, "/api/v1/me", token: nil, headers: ["X-Request-Id": "balancer-7f3a"])
            #expect(answer.status == .unauthorized)
            #expect(answer.headers.first(name: "X-Request-Id") == "balancer-7f3a")
            struct Identified: Decodable { let requestId: String }
            #expect(try APIJSON.decode(Identified.self, answer).requestId == "balancer-7f3a")
            let generated = try await app.api(.GET, "/health", token: nil)
            #expect(generated.headers.first(name: "X-Request-Id")?.isEmpty == false, "a request without one is given one")
        }
    }

    @Test func jsonLogsAreOneObjectPerLineWithTheRequestId() throws {
        let lines = NIOLockedValueBox<[String]>([])
        var logger = Logger(label: "permanence.test") { label in
            JSONLogHandler(label: label, level: .info, output: { line in lines.withLockedValue { $0.append(line) } })
        }
        logger[metadataKey: "request-id"] = "req-42"
        logger.info("Rendez-vous réservé\nligne 2", metadata: ["practice": "cabinet-a"])
        logger.debug("not at info")
        let written = lines.withLockedValue { $0 }
        #expect(written.count == 1)
        #expect(!(written.first ?? "").contains("\n"), "a message's line break stays inside its JSON string")
        let object = try #require(try JSONSerialization.jsonObject(with: Data((written.first ?? "").utf8)) as? [String: Any])
        #expect(object["request_id"] as? String == "req-42")
        #expect(object["message"] as? String == "Rendez-vous réservé\nligne 2")
        #expect(object["level"] as? String == "info")
        #expect(object["practice"] as? String == "cabinet-a")
        #expect((object["time"] as? String)?.hasSuffix("Z") == true)
    }

    @Test(arguments: [
        (["LOG_FORMAT": "xml"], "LOG_FORMAT"),
        (["PERMANENCE_METRICS_TOKEN": "court"], "PERMANENCE_METRICS_TOKEN"),
        (["PERMANENCE_BACKUP_DIR": "/pas/de/dossier/ici"], "PERMANENCE_BACKUP_DIR"),
        (["PERMANENCE_BACKUP_HOURS": "0"], "PERMANENCE_BACKUP_HOURS"),
        (["PERMANENCE_BACKUP_KEEP": "beaucoup"], "PERMANENCE_BACKUP_KEEP"),
        (["PERMANENCE_BACKUP_DIR": "/tmp", "DATABASE_URL": "postgres://u@localhost/p"], "PERMANENCE_BACKUP_DIR"),
    ])
    func badOperationsSettingsNameTheirVariable(environment: [String: String], variable: String) {
        do {
            _ = try AppSettings(environment: environment)
            Issue.record("\(environment) was accepted")
        } catch {
            #expect(error.variable == variable)
        }
    }

    @Test func operationsDefaults() throws {
        let operations = try AppSettings(environment: [:]).operations
        #expect(operations.logFormat == .text)
        #expect(operations.metricsToken == nil)
        #expect(operations.backupDirectory == nil)
        #expect(operations.backupInterval == 24)
        #expect(operations.backupsKept == 7)
    }
}
