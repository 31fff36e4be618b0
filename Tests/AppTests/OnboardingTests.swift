@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// « Mise en service »: the checklist turns green item by item, the practice goes live only when all hold, and before
/// that its calls pop for supervisors only. The clock stands on Tuesday 24 November 2026, 09:30 in Paris.
struct OnboardingTests {
    struct Checklist: Decodable {
        struct Item: Decodable { let key: String; let done: Bool; let detail: String }
        let items: [Item]
        let ready: Bool
        let live: Bool

        var done: Set<String> { Set(items.filter(\.done).map(\.key)) }
    }

    @Test func aPracticeGoesLiveOnlyOnceEveryItemHoldsAndItsCallsThenReachItsSecretaries() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await World.build(on: app)
            let supervisor = try await app.apiToken(world.supervisor)
            let created = try await app.api(.POST, "/api/v1/practices", token: supervisor, json: PracticeSetupAPITests.body(extra: #","template":"pediatrie""#))
            let id = try created.content.decode(PracticeSetupAPITests.Practice.self).id
            let base = "/api/v1/practices/\(id)"
            func checklist() async throws -> Checklist { try await app.api(.GET, "\(base)/onboarding", token: supervisor).content.decode(Checklist.self) }

            var list = try await checklist()
            #expect(list.done == ["number", "playbook"])
            #expect(!list.ready && !list.live)
            let refused = try await app.api(.POST, "\(base)/go-live", token: supervisor)
            #expect(refused.status == .conflict)
            #expect(try MotifArchiveTests.problem(refused).detail.contains("Des praticiens avec leurs horaires"))

            // A practitioner who takes the template's motifs, with hours.
            struct Motifs: Decodable { let motifs: [MotifArchiveTests.Motif] }
            let motifs = try await app.api(.GET, "\(base)/motifs", token: supervisor).content.decode(Motifs.self).motifs
            let practitioner = try await app.api(.POST, "\(base)/practitioners", token: supervisor, json: """
                {"title":"Dr","firstName":"Louise","lastName":"Weber","specialty":"Pédiatre","motifIds":["\(motifs[0].id)"]}
                """).content.decode(PractitionerSetupAPITests.Practitioner.self)
            list = try await checklist()
            #expect(list.items.first { $0.key == "practitioners" }?.detail == "Sans horaires : Dr Louise Weber.")
            _ = try await app.api(.POST, "\(base)/hours", token: supervisor, json: """
                {"practitionerId":"\(practitioner.id)","validFrom":"2026-01-01","ranges":[{"weekday":2,"start":"09:00","end":"12:00"}]}
                """)
            #expect(try await checklist().done == ["number", "playbook", "practitioners", "motifs"])

            // Her account reviews the triage criteria; a supervisor cannot do it for her.
            #expect(try await app.api(.POST, "\(base)/triage/protocol/review", token: supervisor).status == .forbidden)
            try await world.addUser("dr.weber@cabinet.test", role: .practitioner, practices: [id], practitioner: practitioner.id, on: app)
            struct Listed: Decodable { struct One: Decodable { let id: UUID; let userId: UUID? }; let practitioners: [One] }
            let listed = try await app.api(.GET, "\(base)/practitioners", token: supervisor).content.decode(Listed.self)
            let account = try await UserRecord.query(on: app.db).filter(\.$email == "dr.weber@cabinet.test").first()
            #expect(listed.practitioners.first { $0.id == practitioner.id }?.userId == account?.id)
            let doctor = try await app.apiToken("dr.weber@cabinet.test")
            let review = try await app.api(.POST, "\(base)/triage/protocol/review", token: doctor)
            #expect(review.status == .ok, "\(review.body.string)")
            // Its secretary; before the practice is live, a call to it pops for the supervisor only.
            try await world.addUser("accueil@cabinet.test", role: .secretary, practices: [id], on: app)
            #expect(try await TelephonyTests.send(app, to: "+33387000001", clock: clock).status == .created)
            var secretary = Browser(app)
            try await secretary.signIn("accueil@cabinet.test")
            #expect(!(try await secretary.get("/appels/entrants").body.string.contains("Appel entrant")))
            var boss = Browser(app)
            try await boss.signIn(world.supervisor)
            #expect(try await boss.get("/appels/entrants").body.string.contains("Cabinet de pédiatrie Lumière"))
            let page = try await boss.get("/cabinets/\(id)/mise-en-service")
            #expect(page.body.string.contains("Prêt : mettre le cabinet en service</button>"))
            #expect(!page.body.string.contains("disabled aria-disabled"))

            list = try await checklist()
            #expect(list.ready)
            let live = try await app.api(.POST, "\(base)/go-live", token: supervisor)
            #expect(live.status == .ok, "\(live.body.string)")
            #expect(try await checklist().live)
            #expect(try await app.api(.POST, "\(base)/go-live", token: supervisor).status == .conflict)
            #expect(try await secretary.get("/appels/entrants").body.string.contains("Cabinet de pédiatrie Lumière"))

            // A new version of the criteria needs a new review.
            let exported = try await app.api(.GET, "\(base)/triage/protocol/export", token: supervisor).body.string
            _ = try await app.api(.PUT, "\(base)/triage/protocol", token: supervisor, json: exported)
            #expect(!(try await checklist().done.contains("triage")))
        }
    }
}
