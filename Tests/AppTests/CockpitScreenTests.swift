@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The secretary's cockpit (the call panel beside the practice's day, the next-free finder, the patient's record), the
/// day of the practice alone, and the practitioner's portal.
struct CockpitScreenTests {
    struct Setting {
        let journal: JournalWorld
        let motif: UUID
        var world: World { journal.world }
    }

    /// Practice A with its two practitioners, Dr Aubert open 09:00–12:00 on weekdays, the Consultation motif, and
    /// a patient (DURAND Léa, 06 12 34 56 78). The test clock says Tuesday 24 November 2026, 09:30 in Paris.
    static func setting(_ app: Application) async throws -> Setting {
        let journal = try await JournalWorld.build(on: app)
        let (_, motif) = try await AgendaAPITests.setUp(app, journal.world)
        return Setting(journal: journal, motif: motif)
    }

    static func openCall(_ browser: inout Browser, _ s: Setting) async throws -> (panel: String, csrf: String) {
        let practicePage = try await browser.get("/cabinets/\(s.world.practiceA)")
        let csrf = try #require(Browser.csrfToken(in: practicePage.body.string))
        let opened = try await browser.post("/cabinets/\(s.world.practiceA)/appels",
                                            form: [("csrf", csrf), ("numero", "06 12 34 56 78"), ("patient", s.journal.patient.uuidString)])
        #expect(opened.status == .seeOther)
        return (JournalScreenTests.location(opened), csrf)
    }

    @Test func theCallShowsThePracticesDayAndTheFinderBooksTheFirstFreeSlotBackToTheCall() async throws {
        try await withTestApp { app in
            let s = try await Self.setting(app)
            var browser = Browser(app)
            try await browser.signIn(s.world.secretaryA)
            let (panelPath, csrf) = try await Self.openCall(&browser, s)
            let callID = try #require(panelPath.split(separator: "/").last.map(String.init))

            var panel = try await browser.get(panelPath)
            #expect(panel.status == .ok)
            let html = panel.body.string
            // The day of every practitioner of the practice, live, its links carrying the call.
            #expect(html.contains(#"id="jour-grille" data-live="agenda""#))
            #expect(html.contains("Mardi 24 novembre 2026"))
            #expect(html.contains(#"data-practitioner="\#(s.world.practitionerA)""#) && html.contains(#"data-practitioner="\#(s.journal.colleagueID)""#))
            #expect(html.contains("Fiche du cabinet"), "the practice's sheet beside the call")
            #expect(html.contains("rendez-vous/nouveau?patient=\(s.journal.patient)&amp;praticien=\(s.world.practitionerA)&amp;date=2026-11-24&amp;appel=\(callID)")
                    || html.contains("rendez-vous/nouveau?patient=\(s.journal.patient)&praticien=\(s.world.practitionerA)&date=2026-11-24&appel=\(callID)"))
            #expect(html.contains("Dossier du patient") && html.contains("Aucun rendez-vous à venir."))
            #expect(html.contains(#"data-src="/file?partiel=court""#))
            #expect(html.contains("<kbd>Alt+M</kbd>"), "the shortcuts are shown")
            #expect(!html.contains("finder-slots"), "no motif asked, no slots")

            // The finder: the first free slots of the motif, the first one on Alt+1, each held for this call.
            panel = try await browser.get(panelPath + "?motif=\(s.motif)")
            let slots = panel.body.string
            #expect(slots.contains(#"value="2026-11-24T09:40:00+01:00""#), "the first free slot after 09:30")
            #expect(slots.contains("mar. 24/11 09:40"))
            #expect(slots.contains(#"accesskey="1""#))
            #expect(slots.contains(#"<input type="hidden" name="appel" value="\#(callID)">"#))
            #expect(JournalScreenTests.shows(panel, "Apporter la carte Vitale"))

            let held = try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/retenir", form: [
                ("csrf", csrf), ("praticien", s.world.practitionerA.uuidString), ("motif", s.motif.uuidString),
                ("debut", "2026-11-24T09:40:00+01:00"), ("patient", s.journal.patient.uuidString), ("appel", callID)])
            #expect(held.status == .seeOther)
            let holdPage = try await browser.get(JournalScreenTests.location(held))
            #expect(holdPage.body.string.contains(#"accesskey="v""#) && holdPage.body.string.contains("autofocus>Confirmer"))
            let holdID = try #require(try await HoldRecord.query(on: app.db).first()?.id)
            let confirmed = try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/retenu/\(holdID)/confirmer", form: [
                ("csrf", csrf), ("patient", s.journal.patient.uuidString), ("appel", callID), ("source", "phone"), ("urgence", "")])
            #expect(confirmed.status == .seeOther)
            let shown = try await browser.get(JournalScreenTests.location(confirmed))
            #expect(shown.body.string.contains("Je récapitule : rendez-vous le mardi 24 novembre à 9 h 40 avec le Dr Aubert"))
            #expect(JournalScreenTests.shows(shown, "Revenir à l'appel"))

            // Back on the call: the appointment on the grid, in the record's next appointments, among what the call produced.
            panel = try await browser.get(panelPath)
            #expect(panel.body.string.contains(">09:40 DURAND · Consultation<"))
            #expect(panel.body.string.contains("title=\"09:40–10:00 · DURAND"), "the whole range and name on hover")
            #expect(panel.body.string.contains("mar. 24/11 09:40 — Consultation (Dr Anne Aubert)"))
            #expect(JournalScreenTests.shows(panel, "Ce que l'appel a produit"))
            let appointment = try #require(try await AppointmentRecord.query(on: app.db).first())
            #expect(panel.body.string.contains("/rendez-vous/\(appointment.id!)?appel=\(callID)"), "the grid opens it with the call")
            #expect(panel.body.string.contains("<li><a href=\"/cabinets/\(s.world.practiceA)/rendez-vous/\(appointment.id!)?appel=\(callID)\">mar. 24/11 09:40 — Consultation"),
                    "the patient's next appointment is a link that keeps the call")
            #expect(panel.body.string.contains(#"<input form="appel" type="checkbox" name="motifs[]" value="appointment" checked>"#),
                    "the booking made in the call ticked its reason")
            #expect(panel.body.string.contains("né(e) le 12/04/1990 (36 ans)"), "the age beside the birth date")
        }
    }

    @Test func aMoveOrCancellationMadeFromTheCallComesBackToItAndABadDayIsRefused() async throws {
        try await withTestApp { app in
            let s = try await Self.setting(app)
            var browser = Browser(app)
            try await browser.signIn(s.world.secretaryA)
            let (panelPath, csrf) = try await Self.openCall(&browser, s)
            let callID = try #require(panelPath.split(separator: "/").last.map(String.init))
            _ = try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/retenir", form: [
                ("csrf", csrf), ("praticien", s.world.practitionerA.uuidString), ("motif", s.motif.uuidString),
                ("debut", "2026-11-25T10:00:00+01:00"), ("patient", s.journal.patient.uuidString)])
            let holdID = try #require(try await HoldRecord.query(on: app.db).first()?.id)
            _ = try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/retenu/\(holdID)/confirmer", form: [
                ("csrf", csrf), ("patient", s.journal.patient.uuidString), ("source", "phone"), ("urgence", "")])
            let appointment = try #require(try await AppointmentRecord.query(on: app.db).first())
            let page = try await browser.get("/cabinets/\(s.world.practiceA)/rendez-vous/\(appointment.id!)?appel=\(callID)")
            #expect(page.body.string.contains(#"<input type="hidden" name="appel" value="\#(callID)">"#))
            let moved = try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/\(appointment.id!)/deplacer", form: [
                ("csrf", csrf), ("debut", "2026-11-25T11:00:00+01:00"), ("praticien", s.world.practitionerA.uuidString), ("appel", callID)])
            #expect(moved.status == .seeOther)
            #expect(JournalScreenTests.location(moved).hasSuffix("&appel=\(callID)"))
            // The call now links the appointment it moved, once.
            let links = try await CallLinkRecord.query(on: app.db).filter(\.$targetID == appointment.id!).all()
            #expect(links.map(\.kind) == ["appointment"] && links.first?.$call.id.uuidString == callID)
            // A call that is not this practice's: refused before anything moves.
            let stranger = try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/\(appointment.id!)/deplacer", form: [
                ("csrf", csrf), ("debut", "2026-11-25T09:00:00+01:00"), ("praticien", s.world.practitionerA.uuidString), ("appel", UUID().uuidString)])
            #expect(stranger.status == .unprocessableEntity)
            #expect(JournalScreenTests.shows(stranger, "ppel inconnu dans ce cabinet"))
            #expect(try await AppointmentRecord.find(appointment.id, on: app.db)?.startsAt == ISOTimestamp.parse("2026-11-25T11:00:00+01:00"))
            // A move refused (outside the hours) keeps the way back to the call, and moves nothing.
            let refused = try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/\(appointment.id!)/deplacer", form: [
                ("csrf", csrf), ("debut", "2026-11-25T15:00:00+01:00"), ("praticien", s.world.practitionerA.uuidString), ("appel", callID)])
            #expect(refused.status.code >= 400)
            #expect(JournalScreenTests.shows(refused, "Revenir à l'appel"))
            #expect(try await AppointmentRecord.find(appointment.id, on: app.db)?.startsAt == ISOTimestamp.parse("2026-11-25T11:00:00+01:00"))
            let cancelled = try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/\(appointment.id!)/annuler", form: [
                ("csrf", csrf), ("partie", "patient"), ("raison", "Empêchement"), ("appel", callID)])
            #expect(JournalScreenTests.location(cancelled).hasSuffix("&appel=\(callID)"))
            #expect(try await CallLinkRecord.query(on: app.db).filter(\.$targetID == appointment.id!).count() == 1, "moved then cancelled: one link")

            // The day named in the address must be one.
            let bad = try await browser.get(panelPath + "?jour=2026-13-45")
            #expect(bad.status == .unprocessableEntity)
            #expect(JournalScreenTests.shows(bad, "date attendue sous la forme année-mois-jour (2026-11-24), reçu « 2026-13-45 »"))
            let badDay = try await browser.get("/cabinets/\(s.world.practiceA)/agenda/jour?jour=demain")
            #expect(badDay.status == .unprocessableEntity)
        }
    }

    /// Issue 21: from the finder, the slot is held and confirmed without leaving the call's page — the held slot on
    /// its day beside the confirmation, then the read-back there; « Relâcher » comes back to the call too.
    @Test func aSlotHeldFromTheFinderIsConfirmedInTheCallsPageWithItsReadBack() async throws {
        try await withTestApp { app in
            let s = try await Self.setting(app)
            var browser = Browser(app)
            try await browser.signIn(s.world.secretaryA)
            let (panelPath, csrf) = try await Self.openCall(&browser, s)
            let callID = try #require(panelPath.split(separator: "/").last.map(String.init))
            let finder = try await browser.get(panelPath + "?motif=\(s.motif)").body.string
            #expect(finder.contains(#"<input type="hidden" name="retour" value="appel">"#), "the finder's slots come back to the call")

            func hold(_ start: String) async throws -> TestingHTTPResponse {
                try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/retenir", form: [
                    ("csrf", csrf), ("praticien", s.world.practitionerA.uuidString), ("motif", s.motif.uuidString), ("debut", start),
                    ("patient", s.journal.patient.uuidString), ("appel", callID), ("retour", "appel")])
            }
            let held = try await hold("2026-11-25T10:00:00+01:00")
            #expect(held.status == .seeOther)
            let holdID = try #require(try await HoldRecord.query(on: app.db).first()?.id)
            #expect(JournalScreenTests.location(held) == "\(panelPath)?retenu=\(holdID)&motif=\(s.motif)&jour=2026-11-25")
            let waiting = try await browser.get(JournalScreenTests.location(held)).body.string
            #expect(waiting.contains("Appel en cours") && waiting.contains("Créneau retenu : mercredi 25 novembre 2026 de 10:00 à 10:20"))
            #expect(waiting.contains("Créneau retenu pour vous jusqu&#39;à") || waiting.contains("Créneau retenu pour vous jusqu'à"))
            #expect(waiting.contains(#"class="block hold t-180 h-20 tinted""#), "the held slot drawn on its day beside")
            #expect(waiting.contains(#"<button type="submit" accesskey="v" autofocus>Confirmer le rendez-vous"#))

            let confirmed = try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/retenu/\(holdID)/confirmer", form: [
                ("csrf", csrf), ("patient", s.journal.patient.uuidString), ("appel", callID), ("retour", "appel"), ("source", "phone"), ("notes", "")])
            #expect(confirmed.status == .seeOther)
            let appointment = try #require(try await AppointmentRecord.query(on: app.db).first())
            #expect(JournalScreenTests.location(confirmed) == "\(panelPath)?fait=reserve&rdv=\(appointment.id!)")
            let readBack = try await browser.get(JournalScreenTests.location(confirmed))
            #expect(readBack.body.string.contains("Appel en cours"))
            #expect(readBack.body.string.contains("Je récapitule : rendez-vous le mercredi 25 novembre à 10 h avec le Dr Aubert"))
            #expect(!readBack.body.string.contains("held-box"), "the hold is an appointment now")

            // Another slot held, then given back: the call again, its finder as it was.
            _ = try await hold("2026-11-25T11:00:00+01:00")
            let second = try #require(try await HoldRecord.query(on: app.db).filter(\.$state == "active").first())
            let released = try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/retenu/\(second.id!)/relacher",
                                                  form: [("csrf", csrf), ("appel", callID)])
            #expect(JournalScreenTests.location(released) == "\(panelPath)?motif=\(s.motif)")
            #expect(try await HoldRecord.find(second.id, on: app.db)?.state == "released")
        }
    }

    @Test func theDayOfThePracticeAloneAndItsLiveGrid() async throws {
        try await withTestApp { app in
            let s = try await Self.setting(app)
            var browser = Browser(app)
            try await browser.signIn(s.world.secretaryA)
            let page = try await browser.get("/cabinets/\(s.world.practiceA)/agenda/jour?jour=2026-11-25")
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("Mercredi 25 novembre 2026"))
            #expect(html.contains("/agenda/jour?jour=2026-11-24") && html.contains("/agenda/jour?jour=2026-11-26"), "the day before and after")
            #expect(html.contains("Ouvert 09:00–12:00"))
            #expect(html.contains("Aujourd&#39;hui") || html.contains("Aujourd'hui"), "another day offers today")
            let grid = try await browser.get("/cabinets/\(s.world.practiceA)/agenda/jour?jour=2026-11-25&partiel=1")
            #expect(!grid.body.string.contains("<html") && grid.body.string.contains("day-body"))
            let one = try await browser.get("/cabinets/\(s.world.practiceA)/agenda/jour?jour=2026-11-25&partiel=1&praticien=\(s.world.practitionerA)")
            #expect(one.body.string.contains("Dr Anne Aubert") && !one.body.string.contains("Dr Paul Arnaud"))
            // The short queue beside a call.
            let queue = try await browser.get("/file?partiel=court")
            #expect(queue.status == .ok && !queue.body.string.contains("<html"))
            #expect(queue.body.string.contains("Rien à traiter."))
        }
    }

    @Test func aRecordCreatedDuringACallProposesTheCallersNumberAndOpensTheCallAgain() async throws {
        try await withTestApp { app in
            let s = try await Self.setting(app)
            var browser = Browser(app)
            try await browser.signIn(s.world.secretaryA)
            let page = try await browser.get("/cabinets/\(s.world.practiceA)")
            let csrf = try #require(Browser.csrfToken(in: page.body.string))
            let opened = try await browser.post("/cabinets/\(s.world.practiceA)/appels", form: [("csrf", csrf), ("numero", "06 47 21 93 58")])
            let panelPath = JournalScreenTests.location(opened)
            let callID = try #require(panelPath.split(separator: "/").last.map(String.init))
            let form = try await browser.get("/cabinets/\(s.world.practiceA)/patients/nouveau?appel=\(callID)")
            #expect(form.body.string.contains(#"name="telephone1" value="06 47 21 93 58""#))
            #expect(form.body.string.contains(#"<input type="hidden" name="appel" value="\#(callID)">"#))
            let created = try await browser.post("/cabinets/\(s.world.practiceA)/patients/nouveau", form: [
                ("csrf", csrf), ("nomNaissance", "Quéméner"), ("prenoms", "Yann"), ("naissance", "02/02/1980"), ("sexe", "M"),
                ("telephone1", "06 47 21 93 58"), ("appel", callID)])
            #expect(created.status == .seeOther)
            #expect(JournalScreenTests.location(created).hasPrefix(panelPath + "?q="))
            let panel = try await browser.get(panelPath)
            #expect(panel.body.string.contains("Ce numéro correspond à") && panel.body.string.contains("QUÉMÉNER Yann"))
            // A call that is not one of this practice's: refused, and the form is not shown.
            let other = try await browser.get("/cabinets/\(s.world.practiceA)/patients/nouveau?appel=\(UUID())")
            #expect(other.status == .notFound)
        }
    }

    @Test func theCockpitShowsTheUnreadNotesOfTheCallsPracticeAndOfTheCenterOnly() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let s = try await Self.setting(app)
            let supervisor = try await app.apiToken(s.world.supervisor)
            func note(_ text: String, practice: UUID?, expires: String? = nil) async throws {
                var fields = [#""text":"\#(text)""#]
                if let practice { fields.append(#""practiceId":"\#(practice)""#) }
                if let expires { fields.append(#""expiresAt":"\#(expires)""#) }
                #expect(try await app.api(.POST, "/api/v1/handover-notes", token: supervisor, json: "{\(fields.joined(separator: ","))}").status == .created)
            }
            try await note("Consigne du centre", practice: nil)
            try await note("Consigne du cabinet A", practice: s.world.practiceA)
            try await note("Consigne déjà lue", practice: s.world.practiceA)
            try await note("Consigne du cabinet B", practice: s.world.practiceB)
            try await note("Consigne échue", practice: s.world.practiceA, expires: "2026-11-24T09:31:00+01:00")
            clock.advance(by: 120)
            var browser = Browser(app)
            try await browser.signIn(s.world.secretaryA)
            let home = try await browser.get("/")
            let csrf = try #require(Browser.csrfToken(in: home.body.string))
            let read = try #require(try await HandoverNoteRecord.query(on: app.db).filter(\.$text == "Consigne déjà lue").first())
            #expect(try await browser.post("/releve/\(read.id!)/lu", form: [("csrf", csrf), ("suite", "/")]).status == .seeOther)
            let (panelPath, _) = try await Self.openCall(&browser, s)
            let panel = try await browser.get(panelPath).body.string
            #expect(panel.contains("Consigne du centre") && panel.contains("Consigne du cabinet A"))
            #expect(!panel.contains("Consigne déjà lue") && !panel.contains("Consigne du cabinet B") && !panel.contains("Consigne échue"))
        }
    }

    @Test func thePortalIsThePractitionersOwnAndTakesHerAbsences() async throws {
        try await withTestApp { app in
            let s = try await Self.setting(app)
            var doctor = Browser(app)
            try await doctor.signIn(JournalWorld.doctorEmail)
            let portal = try await doctor.get("/portail?jour=2026-11-25")
            #expect(portal.status == .ok)
            let html = portal.body.string
            #expect(html.contains("Bonjour Dr Anne Aubert"))
            #expect(html.contains("Mercredi 25 novembre 2026"))
            #expect(html.contains(#"data-practitioner="\#(s.world.practitionerA)""#))
            #expect(!html.contains(#"data-practitioner="\#(s.journal.colleagueID)""#), "her column only")
            #expect(html.contains(#"data-src="/messagerie?partiel=1""#))
            #expect(html.contains("/cabinets/\(s.world.practiceA)/protocole/modifier"))
            #expect(html.contains("Aucune absence prévue."))
            let csrf = try #require(Browser.csrfToken(in: html))

            let declared = try await doctor.post("/cabinets/\(s.world.practiceA)/agenda/exceptions?suite=%2Fportail%3Fcabinet%3D\(s.world.practiceA)", form: [
                ("csrf", csrf), ("praticien", s.world.practitionerA.uuidString), ("type", "absence"), ("motif", "Formation"),
                ("debut_date", "2026-12-10"), ("debut_heure", "00:00"), ("fin_date", "2026-12-10"), ("fin_heure", "23:59")])
            #expect(declared.status == .seeOther)
            #expect(JournalScreenTests.location(declared).hasPrefix("/portail?cabinet=\(s.world.practiceA)&ok="))
            let after = try await doctor.get(JournalScreenTests.location(declared))
            #expect(after.body.string.contains("Absence enregistrée."))
            #expect(after.body.string.contains("du jeu. 10/12 00:00 au jeu. 10/12 23:59 — Formation"))
            // Back only to a page of this site.
            let elsewhere = try await doctor.post("/cabinets/\(s.world.practiceA)/agenda/exceptions?suite=%2F%2Fexemple.fr", form: [
                ("csrf", csrf), ("praticien", s.world.practitionerA.uuidString), ("type", "absence"), ("motif", "Congrès"),
                ("debut_date", "2026-12-11"), ("debut_heure", "00:00"), ("fin_date", "2026-12-11"), ("fin_heure", "23:59")])
            #expect(JournalScreenTests.location(elsewhere).hasPrefix("/cabinets/\(s.world.practiceA)/agenda?ok="))
            // An absence ending before it starts is refused and saves nothing.
            let before = try await AgendaExceptionRecord.query(on: app.db).count()
            let wrong = try await doctor.post("/cabinets/\(s.world.practiceA)/agenda/exceptions?suite=%2Fportail%3Fcabinet%3D\(s.world.practiceA)", form: [
                ("csrf", csrf), ("praticien", s.world.practitionerA.uuidString), ("type", "absence"), ("motif", "Congés"),
                ("debut_date", "2026-12-20"), ("debut_heure", "00:00"), ("fin_date", "2026-12-18"), ("fin_heure", "00:00")])
            #expect(wrong.status == .unprocessableEntity)
            #expect(try await AgendaExceptionRecord.query(on: app.db).count() == before)

            // Not a practitioner: no portal.
            var secretary = Browser(app)
            try await secretary.signIn(s.world.secretaryA)
            let refused = try await secretary.get("/portail")
            #expect(refused.status == .forbidden)
            #expect(JournalScreenTests.shows(refused, "Le portail est celui des praticiens."))
            #expect(try await doctor.get("/portail?jour=hier").status == .unprocessableEntity)
        }
    }
}
