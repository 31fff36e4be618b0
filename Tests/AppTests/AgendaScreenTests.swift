@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

struct AgendaScreenTests {
    /// The hours form of practice A as a person fills it: Monday 09:00–12:00, nothing else.
    static func hoursForm(_ world: World, csrf: String, action: String, monday: String = "09:00–12:00") -> [(String, String)] {
        let parts = monday.components(separatedBy: "–")
        var form = [("csrf", csrf), ("praticien", world.practitionerA.uuidString), ("modele", ""), ("debut", "2026-01-01"), ("fin", ""), ("action", action)]
        for weekday in 1...7 {
            for index in 0..<2 {
                let first = weekday == 1 && index == 0
                form += [("r\(weekday)_\(index)_start", first ? parts[0] : ""), ("r\(weekday)_\(index)_end", first ? parts[1] : ""),
                         ("r\(weekday)_\(index)_weeks", "every")]
            }
        }
        return form
    }

    static func signedInPage(_ app: Application, _ world: World, as email: String) async throws -> (Browser, String, String) {
        var browser = Browser(app)
        try await browser.signIn(email)
        let path = "/cabinets/\(world.practiceA)/agenda?praticien=\(world.practitionerA)&semaine=2026-11-30"
        let page = try await browser.get(path)
        #expect(page.status == .ok)
        return (browser, try #require(Browser.csrfToken(in: page.body.string)), page.body.string)
    }

    @Test func theWeekShowsTheHoursAndAPreviewSavesNothing() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let (_, _) = try await AgendaAPITests.setUp(app, world)
            var (browser, csrf, page) = try await Self.signedInPage(app, world, as: world.supervisor)
            #expect(page.contains("Semaine 49"))
            #expect(page.contains("09:00–12:00"))
            let preview = try await browser.post("/cabinets/\(world.practiceA)/agenda/horaires?praticien=\(world.practitionerA)&semaine=2026-11-30",
                                                 form: Self.hoursForm(world, csrf: csrf, action: "apercu", monday: "07:00–08:00"))
            #expect(preview.status == .ok)
            #expect(preview.body.string.contains("Aperçu : ces horaires ne sont pas encore enregistrés"))
            #expect(preview.body.string.contains("Ouvert 07:00–08:00"))
            let stored = try await WeeklyTemplateRecord.query(on: app.db).all()
            #expect(stored.count == 1)
            #expect(stored.first?.ranges.contains("07:00") == false)
        }
    }

    @Test func savingTheFormReplacesTheHoursAndTheAvailabilityFollows() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let (token, motif) = try await AgendaAPITests.setUp(app, world)
            var (browser, csrf, _) = try await Self.signedInPage(app, world, as: world.supervisor)
            let template = try #require(try await WeeklyTemplateRecord.query(on: app.db).first())
            var form = Self.hoursForm(world, csrf: csrf, action: "enregistrer", monday: "14:00–15:00")
            form[2] = ("modele", template.id!.uuidString)
            let saved = try await browser.post("/cabinets/\(world.practiceA)/agenda/horaires?praticien=\(world.practitionerA)", form: form)
            #expect(saved.status == .seeOther)
            #expect(try await WeeklyTemplateRecord.query(on: app.db).count() == 1)
            let slots = try await AgendaAPITests.slots(app, "/api/v1/practices/\(world.practiceA)/availability?motif=\(motif)&limit=1", token: token)
            #expect(slots.map(\.start) == ["2026-11-30T14:00:00+01:00"])
        }
    }

    @Test func badHoursAreExplainedInFrenchAndChangeNothing() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            _ = try await AgendaAPITests.setUp(app, world)
            var (browser, csrf, _) = try await Self.signedInPage(app, world, as: world.supervisor)
            let before = try await WeeklyTemplateRecord.query(on: app.db).all().map(\.ranges)
            let refused = try await browser.post("/cabinets/\(world.practiceA)/agenda/horaires?praticien=\(world.practitionerA)",
                                                 form: Self.hoursForm(world, csrf: csrf, action: "enregistrer", monday: "12:00–09:00"))
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("lage n° 1"))
            #expect(refused.body.string.contains("se termine (09:00) avant de commencer (12:00)"))
            #expect(try await WeeklyTemplateRecord.query(on: app.db).all().map(\.ranges) == before)
        }
    }

    @Test func anAbsenceAddedInTheBrowserShowsInTheWeek() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            _ = try await AgendaAPITests.setUp(app, world)
            var (browser, csrf, _) = try await Self.signedInPage(app, world, as: world.supervisor)
            let added = try await browser.post("/cabinets/\(world.practiceA)/agenda/exceptions?semaine=2026-11-30", form: [
                ("csrf", csrf), ("praticien", world.practitionerA.uuidString), ("type", "absence"), ("motif", "Congés"),
                ("debut_date", "2026-12-01"), ("debut_heure", "00:00"), ("fin_date", "2026-12-02"), ("fin_heure", "00:00"),
            ])
            #expect(added.status == .seeOther)
            let week = try await browser.get("/cabinets/\(world.practiceA)/agenda?praticien=\(world.practitionerA)&semaine=2026-11-30")
            #expect(week.body.string.contains("Absent (Congés)"))
            let missingReason = try await browser.post("/cabinets/\(world.practiceA)/agenda/exceptions?semaine=2026-11-30", form: [
                ("csrf", csrf), ("praticien", world.practitionerA.uuidString), ("type", "absence"), ("motif", ""),
                ("debut_date", "2026-12-03"), ("debut_heure", "00:00"), ("fin_date", "2026-12-03"), ("fin_heure", "12:00"),
            ])
            #expect(missingReason.status == .unprocessableEntity)
            #expect(missingReason.body.string.contains("Motif de l&#39;absence") || missingReason.body.string.contains("Motif de l'absence"))
            #expect(try await AgendaExceptionRecord.query(on: app.db).count() == 1)
        }
    }

    @Test func secretariesSeeTheWeekWithoutFormsAndCannotPost() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            _ = try await AgendaAPITests.setUp(app, world)
            var (browser, csrf, page) = try await Self.signedInPage(app, world, as: world.secretaryA)
            #expect(page.contains("Ouvert 09:00–12:00"))
            #expect(!page.contains("Enregistrer les horaires"))
            let refused = try await browser.post("/cabinets/\(world.practiceA)/agenda/horaires?praticien=\(world.practitionerA)",
                                                 form: Self.hoursForm(world, csrf: csrf, action: "enregistrer"))
            #expect(refused.status == .forbidden)
        }
    }
}
