@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The practice's week at a glance (every practitioner side by side, motif colours, holds and urgent slots, the time
/// gone by and the present minute) and the day's list to print. The test clock says Tuesday 24 November 2026, 09:30
/// in Paris (150 minutes after the grid's 07:00).
struct AgendaViewsTests {
    /// Dr Aubert's appointment with DURAND Léa on Tuesday 10:00, and a hold of Wednesday 09:00 by the secretary.
    static func booked(_ app: Application, _ s: CockpitScreenTests.Setting) async throws {
        let booking = try await app.api(.POST, "\(s.journal.base)/appointments", token: s.journal.secretary, json: """
            {"patientId":"\(s.journal.patient)","practitionerId":"\(s.world.practitionerA)","motifId":"\(s.motif)","start":"2026-11-24T10:00:00+01:00"}
            """)
        #expect(booking.status == .created, "\(booking.body.string)")
        let hold = try await app.api(.POST, "\(s.journal.base)/holds", token: s.journal.secretary, json: """
            {"practitionerId":"\(s.world.practitionerA)","motifId":"\(s.motif)","start":"2026-11-25T09:00:00+01:00"}
            """)
        #expect(hold.status == .created, "\(hold.body.string)")
    }

    @Test func thePracticesWeekShowsEveryPractitionerSideBySideWithColoursHoldsAndTheTimeGoneBy() async throws {
        try await withTestApp { app in
            let s = try await CockpitScreenTests.setting(app)
            try await Self.booked(app, s)
            var browser = Browser(app)
            try await browser.signIn(s.world.secretaryA)
            let page = try await browser.get("/cabinets/\(s.world.practiceA)/agenda/semaine?semaine=2026-11-26")
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("Semaine 48 — du lundi 23 novembre 2026 au dimanche 29 novembre 2026"))
            #expect(html.contains(#"<div class="week laned">"#), "lanes, not one practitioner")
            // Two lanes a day, each named: Dr Aubert's and her colleague's, seven days.
            #expect(html.components(separatedBy: #"<div class="lane" role="group""#).count - 1 == 14)
            #expect(html.contains(#"aria-label="Dr Anne Aubert, mar. 24/11""#))
            let colleague = try #require(try await PractitionerRecord.find(s.journal.colleagueID, on: app.db)).displayName
            #expect(html.contains(#"aria-label="\#(colleague), mar. 24/11""#))
            // The appointment: its start, the patient and the motif, in the motif's colour; the whole on hover.
            #expect(html.contains(">10:00 DURAND · Consultation<"))
            #expect(html.contains(#"title="10:00–10:20 · DURAND Léa, 36 ans · Consultation""#))
            #expect(html.contains(##"fill="#1F5F99""##), "the motif's colour")
            #expect(html.contains("Motifs : ") && html.contains("Consultation</span>"), "the legend names the motif")
            // The hold, drawn as such, with who holds it.
            #expect(html.contains(#"class="block hold t-120 h-20 tinted""#))
            let holder = try #require(try await HoldRecord.query(on: app.db).first()).heldByLabel
            #expect(!holder.isEmpty && html.contains("Retenu par \(holder) · Consultation, en attente de confirmation"))
            // Monday is gone by, Tuesday until 09:30 with the line at 09:30, Wednesday is to come.
            #expect(html.components(separatedBy: #"<div class="gone t-0 h-780""#).count - 1 == 2, "Monday, both lanes")
            #expect(html.components(separatedBy: #"<div class="gone t-0 h-150""#).count - 1 == 2, "Tuesday until 09:30")
            #expect(html.components(separatedBy: #"<div class="now-line t-150""#).count - 1 == 2)
            #expect(html.components(separatedBy: "class=\"gone ").count - 1 == 4, "nothing greyed after today")
            // The grid alone for the live region.
            let grid = try await browser.get("/cabinets/\(s.world.practiceA)/agenda/semaine?semaine=2026-11-26&partiel=1")
            #expect(grid.status == .ok && !grid.body.string.contains("<html") && grid.body.string.contains(">10:00 DURAND · Consultation<"))
        }
    }

    @Test func aPractitionersWeekKeepsItsOneLaneAndLinksToThePractices() async throws {
        try await withTestApp { app in
            let s = try await CockpitScreenTests.setting(app)
            try await Self.booked(app, s)
            var browser = Browser(app)
            try await browser.signIn(s.world.secretaryA)
            let html = try await browser.get("/cabinets/\(s.world.practiceA)/agenda?praticien=\(s.world.practitionerA)&semaine=2026-11-24").body.string
            #expect(html.contains(#"<div class="week">"#))
            #expect(html.components(separatedBy: #"<div class="lane" role="group""#).count - 1 == 7)
            #expect(html.contains(">10:00 DURAND · Consultation<"))
            #expect(html.contains("/cabinets/\(s.world.practiceA)/agenda/semaine?semaine=2026-11-23\">Tout le cabinet</a>"))
            #expect(html.contains("09:00–12:00"), "the day's hours under its name")
        }
    }

    @Test func theDaysListGivesTimePatientAgePhoneAndMotifPerPractitioner() async throws {
        try await withTestApp { app in
            let s = try await CockpitScreenTests.setting(app)
            try await Self.booked(app, s)
            var browser = Browser(app)
            try await browser.signIn(s.world.secretaryA)
            let day = try await browser.get("/cabinets/\(s.world.practiceA)/agenda/jour?jour=2026-11-24")
            #expect(day.body.string.contains("/cabinets/\(s.world.practiceA)/agenda/liste?jour=2026-11-24\">Imprimer la liste</a>"))

            let list = try await browser.get("/cabinets/\(s.world.practiceA)/agenda/liste?jour=2026-11-24&praticien=\(s.world.practitionerA)")
            #expect(list.status == .ok)
            let html = list.body.string
            #expect(html.contains("Dr Anne Aubert — Mardi 24 novembre 2026"))
            #expect(html.contains("<td class=\"phone\">10:00–10:20</td><td>DURAND Léa</td><td>36 ans</td><td class=\"phone\">06 12 34 56 78</td><td>Consultation</td>"))
            #expect(html.contains("1 rendez-vous"))
            #expect(!html.contains("09:00–09:20"), "a hold is not an appointment")
            // Every practitioner, each on a page of its own.
            let all = try await browser.get("/cabinets/\(s.world.practiceA)/agenda/liste?jour=2026-11-24").body.string
            #expect(all.components(separatedBy: #"<section class="day-list""#).count - 1 == 2)
            #expect(all.contains("Aucun rendez-vous ce jour."))
            // The next day: nothing booked for her.
            let next = try await browser.get("/cabinets/\(s.world.practiceA)/agenda/liste?jour=2026-11-25&praticien=\(s.world.practitionerA)")
            #expect(next.body.string.contains("Aucun rendez-vous ce jour."))
        }
    }

    @Test func aDayOrPractitionerThatIsNotOneIsRefusedPlainly() async throws {
        try await withTestApp { app in
            let s = try await CockpitScreenTests.setting(app)
            var browser = Browser(app)
            try await browser.signIn(s.world.secretaryA)
            let badDay = try await browser.get("/cabinets/\(s.world.practiceA)/agenda/liste?jour=24/11/2026")
            #expect(badDay.status == .unprocessableEntity)
            #expect(badDay.body.string.contains("date attendue sous la forme année-mois-jour (2026-11-24), reçu « 24/11/2026 »"))
            let stranger = UUID()
            let badPractitioner = try await browser.get("/cabinets/\(s.world.practiceA)/agenda/liste?jour=2026-11-24&praticien=\(stranger)")
            #expect(badPractitioner.status == .unprocessableEntity)
            #expect(badPractitioner.body.string.contains("aucun praticien de ce cabinet"))
            // Another practice's practitioner is not one of this practice.
            let other = try await browser.get("/cabinets/\(s.world.practiceA)/agenda/liste?jour=2026-11-24&praticien=\(s.world.practitionerB)")
            #expect(other.status == .unprocessableEntity)
            // And another practice's list is not hers to read.
            let foreign = try await browser.get("/cabinets/\(s.world.practiceB)/agenda/liste?jour=2026-11-24")
            #expect(foreign.status == .forbidden || foreign.status == .notFound)
        }
    }
}
