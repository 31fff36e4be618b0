@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// A booking tells every console showing the practice's agenda, which fetches the week's grid again.
struct AgendaLiveTests {
    @Test func aBookingIsToldToTheConsolesAndTheGridIsFetchedAlone() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let (token, motif) = try await AgendaAPITests.setUp(app, world)
            let (_, events) = await app.liveHub.subscribe(practices: [world.practiceA])
            let (_, otherPractice) = await app.liveHub.subscribe(practices: [world.practiceB])
            let booked = try await app.api(.POST, "/api/v1/practices/\(world.practiceA)/holds", token: token, json: """
                {"practitionerId":"\(world.practitionerA)","motifId":"\(motif)","start":"2026-11-25T10:00:00+01:00"}
                """)
            #expect(booked.status == .created)
            await app.liveHub.publish(LiveEvent(kind: .handover, practiceID: world.practiceB))
            var seen: [LiveEvent] = []
            for await event in events { seen.append(event); if event.kind == .agenda { break } }
            #expect(seen.last == LiveEvent(kind: .agenda, practiceID: world.practiceA))
            for await event in otherPractice { #expect(event.kind == .handover, "practice B's consoles hear nothing of A's agenda"); break }

            var browser = Browser(app)
            try await browser.signIn(world.secretaryA)
            let grid = try await browser.get("/cabinets/\(world.practiceA)/agenda?praticien=\(world.practitionerA)&semaine=2026-11-23&partiel=1")
            #expect(grid.status == .ok)
            #expect(!grid.body.string.contains("<html"))
            #expect(grid.body.string.contains("day-body"))
            let page = try await browser.get("/cabinets/\(world.practiceA)/agenda?praticien=\(world.practitionerA)&semaine=2026-11-23")
            #expect(page.body.string.contains(#"data-live="agenda""#))
        }
    }
}
