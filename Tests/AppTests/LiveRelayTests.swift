@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Two server instances on one PostgreSQL database: an event published by one reaches the consoles of the other
/// through LISTEN/NOTIFY.
struct LiveRelayTests {
    /// What queues while a NOTIFY is sent goes in the next one: as JSON arrays under PostgreSQL's 8,000-byte payload,
    /// in order, nothing dropped.
    @Test func queuedMessagesTravelInOrderInPayloadsUnderTheLimit() throws {
        let instance = UUID()
        let messages = (0..<400).map { index in
            PostgresRelay.Message(instance: instance, kind: index % 2 == 0 ? "agenda" : nil, practice: UUID(),
                                  cache: index % 2 == 0 ? nil : .patients(practice: UUID(), ids: [UUID()]))
        }
        let payloads = PostgresRelay.payloads(messages)
        #expect(payloads.count > 1)
        #expect(payloads.allSatisfy { $0.utf8.count <= PostgresRelay.payloadLimit })
        let decoded = try payloads.flatMap { try JSONDecoder().decode([PostgresRelay.Message].self, from: Data($0.utf8)) }
        #expect(decoded.map(\.practice) == messages.map(\.practice))
        #expect(decoded.map(\.cache) == messages.map(\.cache))
    }

    static func waitUntilListening(_ app: Application) async throws {
        for _ in 0..<200 where !(app.postgresRelay?.isListening ?? false) { try await Task.sleep(for: .milliseconds(25)) }
        #expect(app.postgresRelay?.isListening == true)
    }

    @Test(.enabled(if: TestDatabase.isPostgres))
    func aTransmissionSentOnOneInstanceReachesAConsoleOnTheOther() async throws {
        try await withTestApp { first in
            let w = try await JournalWorld.build(on: first)
            let second = try await Application.make(.testing)
            do {
                try await configure(second, settings: first.settings)
                for app in [first, second] { app.postgresRelay?.start(hub: app.liveHub, caches: app.instanceCaches, logger: app.logger) }
                defer { for app in [first, second] { app.postgresRelay?.stop() } }
                try await Self.waitUntilListening(first)
                try await Self.waitUntilListening(second)
                let (_, events) = await second.liveHub.subscribe(practices: [w.world.practiceA])
                let sent = try await first.api(.POST, "\(w.base)/transmissions", token: w.secretary, json: """
                    {"practitionerId":"\(w.world.practitionerA)","patientId":"\(w.patient)","priority":"urgent","subject":"Rappel urgent"}
                    """)
                #expect(sent.status == .created)
                var received: [LiveEvent] = []
                let deadline = Task { try await Task.sleep(for: .seconds(5)); await second.liveHub.close() }
                for await event in events { received.append(event); if received.count == 2 { break } }
                deadline.cancel()
                #expect(Set(received.map(\.kind)) == [.transmission, .queue])
                #expect(received.allSatisfy { $0.practiceID == w.world.practiceA })
            } catch {
                try? await second.asyncShutdown()
                throw error
            }
            try await second.asyncShutdown()
        }
    }

    @Test func onSQLiteThereIsOneInstanceAndNoRelay() async throws {
        try await withTestApp { app in
            #expect((app.postgresRelay == nil) == !TestDatabase.isPostgres)
        }
    }
}
