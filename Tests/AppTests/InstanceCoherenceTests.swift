@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Three server instances on one PostgreSQL database, each with its caches warm: what one commits (a patient, an
/// agenda, an account) is seen by the others within a second, and an instance whose relay was cut forgets what it
/// cached rather than keeping it stale.
struct InstanceCoherenceTests {
    /// `first` and two more instances on its database, their relays listening.
    static func withThreeInstances(_ first: Application, _ body: ([Application]) async throws -> Void) async throws {
        var others: [Application] = []
        do {
            for _ in 0..<2 {
                let other = try await Application.make(.testing)
                other.clock = first.clock
                others.append(other)
                try await configure(other, settings: first.settings)
            }
            let all = [first] + others
            for app in all { app.postgresRelay?.start(hub: app.liveHub, caches: app.instanceCaches, logger: app.logger) }
            defer { for app in all { app.postgresRelay?.stop() } }
            for app in all { try await LiveRelayTests.waitUntilListening(app) }
            try await body(all)
        } catch {
            for other in others { try? await other.asyncShutdown() }
            throw error
        }
        for other in others { try? await other.asyncShutdown() }
    }

    /// Asks until `check` holds, for at most `seconds`; answers how long it took.
    static func eventually(within seconds: Double = 1, _ check: () async throws -> Bool) async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(seconds) {
            if try await check() { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    static func searchFinds(_ app: Application, _ practice: UUID, _ text: String, token: String) async throws -> Bool {
        let found = try await app.api(.GET, "/api/v1/practices/\(practice)/patients?q=\(text)", token: token)
        #expect(found.status == .ok)
        return found.body.string.contains("Vasseur")
    }

    @Test(.enabled(if: TestDatabase.isPostgres))
    func aPatientAnAgendaAndAnAccountChangedOnOneAreSeenByTheOthers() async throws {
        try await withTestApp { first in
            let world = try await World.build(on: first)
            let (supervisor, motif) = try await AgendaAPITests.setUp(first, world)
            try await Self.withThreeInstances(first) { apps in
                let secretary = try await first.apiToken(world.secretaryA)
                let base = "/api/v1/practices/\(world.practiceA)"
                // Every instance reads the index, the agenda and the token once: from now on they answer from memory.
                for app in apps {
                    #expect(try await !Self.searchFinds(app, world.practiceA, "vasseur", token: secretary))
                    #expect(try await AgendaAPITests.slots(app, "\(base)/availability?motif=\(motif)&limit=1", token: secretary).first?.start
                            == "2026-11-24T09:40:00+01:00")
                }

                let created = try await apps[0].api(.POST, "\(base)/patients", token: secretary,
                                                    json: #"{"birthName":"Vasseur","firstNames":"Inès","birthDate":"1984-02-09","sex":"F"}"#)
                #expect(created.status == .created)
                for app in apps.dropFirst() {
                    let seen = try await Self.eventually { try await Self.searchFinds(app, world.practiceA, "vasseur", token: secretary) }
                    #expect(seen != nil, "a patient created on one instance is found on the others within a second")
                }

                let booked = try await apps[1].api(.POST, "\(base)/appointments", token: secretary, json: """
                    {"practitionerId":"\(world.practitionerA)","motifId":"\(motif)","start":"2026-11-24T09:40:00+01:00","patientId":"\(try created.content.decode(Created.self).id)"}
                    """)
                #expect(booked.status == .created, "\(booked.body.string)")
                for app in [apps[0], apps[2]] {
                    let seen = try await Self.eventually {
                        try await AgendaAPITests.slots(app, "\(base)/availability?motif=\(motif)&limit=1", token: secretary).first?.start
                            == "2026-11-24T10:00:00+01:00"
                    }
                    #expect(seen != nil, "a slot booked on one instance is no longer offered by the others within a second")
                }
                let closed = try await apps[2].api(.POST, "\(base)/exceptions", token: supervisor, json: """
                    {"practitionerId":"\(world.practitionerA)","kind":"absence","reason":"Formation","start":"2026-11-24T00:00:00+01:00","end":"2026-11-25T00:00:00+01:00"}
                    """)
                #expect(closed.status == .created, "\(closed.body.string)")
                for app in apps.dropLast() {
                    let seen = try await Self.eventually {
                        try await AgendaAPITests.slots(app, "\(base)/availability?motif=\(motif)&limit=1", token: secretary).first?.start
                            == "2026-11-25T09:00:00+01:00"
                    }
                    #expect(seen != nil, "an absence entered on one instance closes the day on the others within a second")
                }

                let admin = try await first.apiToken(world.admin)
                let user = try #require(try await UserRecord.query(on: first.db).filter(\.$email == world.secretaryA).first()?.id)
                #expect(try await apps[0].api(.POST, "/api/v1/users/\(user)/disable", token: admin).status == .ok)
                for app in apps.dropFirst() {
                    let refused = try await Self.eventually { try await app.api(.GET, "/api/v1/me", token: secretary).status == .unauthorized }
                    #expect(refused != nil, "a user disabled on one instance is refused by the others within a second")
                }
            }
        }
    }

    @Test(.enabled(if: TestDatabase.isPostgres))
    func aBrowserSessionSignedOutOnOneIsRefusedByTheOthers() async throws {
        try await withTestApp { first in
            let world = try await World.build(on: first)
            try await Self.withThreeInstances(first) { apps in
                var browser = Browser(apps[0])
                try await browser.signIn(world.secretaryA)
                // Every instance opens a page with the session: each remembers who it is.
                var elsewhere = apps.dropFirst().map { app in
                    var other = Browser(app)
                    other.cookies = browser.cookies
                    return other
                }
                for index in elsewhere.indices { #expect(try await elsewhere[index].get("/").status == .ok) }
                let csrf = try #require(Browser.csrfToken(in: try await browser.get("/").body.string))
                #expect(try await browser.post("/deconnexion", form: [("csrf", csrf)]).status == .seeOther)
                for index in elsewhere.indices {
                    var other = elsewhere[index]
                    let refused = try await Self.eventually {
                        let page = try await other.get("/")
                        return page.status == .seeOther && page.headers.first(name: .location) == "/connexion"
                    }
                    #expect(refused != nil, "a session ended on one instance opens nothing on the others within a second")
                }
            }
        }
    }

    @Test(.enabled(if: TestDatabase.isPostgres))
    func anInstanceWhoseRelayWasCutForgetsWhatItCached() async throws {
        try await withTestApp { first in
            let world = try await World.build(on: first)
            try await Self.withThreeInstances(first) { apps in
                let secretary = try await first.apiToken(world.secretaryA)
                let cut = apps[2], relay = try #require(cut.postgresRelay)
                await relay.cutConnection()
                #expect(try await Self.eventually(within: 2) { !relay.isListening } != nil)
                // While it does not listen it still answers, and caches what it reads…
                #expect(try await !Self.searchFinds(cut, world.practiceA, "vasseur", token: secretary))
                // …so a patient created meanwhile is news it never gets.
                let created = try await apps[0].api(.POST, "/api/v1/practices/\(world.practiceA)/patients", token: secretary,
                                                    json: #"{"birthName":"Vasseur","firstNames":"Inès","birthDate":"1984-02-09","sex":"F"}"#)
                #expect(created.status == .created)
                let back = try await Self.eventually(within: 3) { relay.isListening }
                #expect(back != nil, "the relay connects again")
                #expect(try await Self.searchFinds(cut, world.practiceA, "vasseur", token: secretary),
                        "once back, the instance read the index again instead of keeping the one from before the gap")
            }
        }
    }

    @Test func onOneInstanceNothingIsSentAndTheOwnCachesFollow() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let secretary = try await app.apiToken(world.secretaryA)
            #expect(try await !Self.searchFinds(app, world.practiceA, "vasseur", token: secretary))
            let created = try await app.api(.POST, "/api/v1/practices/\(world.practiceA)/patients", token: secretary,
                                            json: #"{"birthName":"Vasseur","firstNames":"Inès","birthDate":"1984-02-09","sex":"F"}"#)
            #expect(created.status == .created)
            #expect(try await Self.searchFinds(app, world.practiceA, "vasseur", token: secretary), "the writing instance sees its write at once")
        }
    }

    struct Created: Decodable { let id: UUID }
}
