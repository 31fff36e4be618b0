@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The appointment screens, driven through their forms: they must write exactly what the API writes, and a refused
/// form must say why and change nothing.
struct AppointmentScreenTests {
    static func signedIn(_ app: Application, _ s: AppointmentsAPITests.Setup) async throws -> (Browser, String) {
        var browser = Browser(app)
        try await browser.signIn(s.world.secretaryA)
        let page = try await browser.get("/cabinets/\(s.world.practiceA)/rendez-vous/nouveau?patient=\(s.patient)&motif=\(s.motif)&date=2026-11-26")
        #expect(page.status == .ok)
        return (browser, try #require(Browser.csrfToken(in: page.body.string)))
    }

    @Test func aHeldSlotIsConfirmedIntoAnAppointmentWithTheReadBack() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            var (browser, csrf) = try await Self.signedIn(app, s)
            let page = try await browser.get("/cabinets/\(s.world.practiceA)/rendez-vous/nouveau?patient=\(s.patient)&motif=\(s.motif)&date=2026-11-26")
            #expect(page.body.string.contains("jeudi 26 novembre 2026 à 09:00"))
            let held = try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/retenir", form: [
                ("csrf", csrf), ("praticien", s.world.practitionerA.uuidString), ("motif", s.motif.uuidString),
                ("debut", "2026-11-26T10:00:00+01:00"), ("patient", s.patient.uuidString)])
            #expect(held.status == .seeOther)
            let holdPage = try await browser.get(try #require(held.headers.first(name: .location)))
            #expect(holdPage.body.string.contains("Créneau retenu pour vous jusqu'à"))
            // While held, the slot is gone from the search, for everyone.
            let search = try await browser.get("/cabinets/\(s.world.practiceA)/rendez-vous/nouveau?motif=\(s.motif)&date=2026-11-26")
            #expect(!search.body.string.contains("jeudi 26 novembre 2026 à 10:00"))
            let holdID = try #require(try await HoldRecord.query(on: app.db).first()?.id)
            let confirmed = try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/retenu/\(holdID)/confirmer", form: [
                ("csrf", csrf), ("patient", s.patient.uuidString), ("source", "phone"), ("urgence", ""), ("notes", "Rappeler sur le portable")])
            #expect(confirmed.status == .seeOther)
            let appointment = try #require(try await AppointmentRecord.query(on: app.db).filter(\.$status == "booked").first())
            #expect(appointment.notes == "Rappeler sur le portable")
            #expect(try await HoldRecord.find(holdID, on: app.db)?.state == "confirmed")
            let shown = try await browser.get(try #require(confirmed.headers.first(name: .location)))
            #expect(shown.body.string.contains("Je récapitule : rendez-vous le jeudi 26 novembre à 10 h avec le Dr Aubert"))
        }
    }

    @Test func aRefusedFormSaysWhyAndChangesNothing() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            var (browser, csrf) = try await Self.signedIn(app, s)
            // Outside the hours without a reason: refused, named.
            let outside = try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/derogation", form: [
                ("csrf", csrf), ("patient", s.patient.uuidString), ("praticien", s.world.practitionerA.uuidString), ("motif", s.motif.uuidString),
                ("date", "2026-11-26"), ("heure", "20:00"), ("raison", " ")])
            #expect(outside.status == .unprocessableEntity)
            #expect(outside.body.string.contains("Raison de la dérogation"))
            #expect(try await AppointmentsAPITests.liveAppointments(app) == 0)
            // With a reason it is booked, and the reason kept.
            let booked = try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/derogation", form: [
                ("csrf", csrf), ("patient", s.patient.uuidString), ("praticien", s.world.practitionerA.uuidString), ("motif", s.motif.uuidString),
                ("date", "2026-11-26"), ("heure", "20:00"), ("raison", "Demande du Dr Aubert")])
            #expect(booked.status == .seeOther)
            let appointment = try #require(try await AppointmentRecord.query(on: app.db).filter(\.$status == "booked").first())
            #expect(appointment.overrideReason == "Demande du Dr Aubert")
            // A cancellation without a reason is refused and the appointment stays booked.
            let cancel = try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/\(appointment.id!)/annuler", form: [
                ("csrf", csrf), ("partie", "patient"), ("raison", "")])
            #expect(cancel.status == .unprocessableEntity)
            #expect(cancel.body.string.contains("Raison : motif d&#39;annulation obligatoire"))
            #expect(try await AppointmentRecord.find(appointment.id, on: app.db)?.status == "booked")
            // Moving onto a taken place names what is in the way.
            let other = try await AppointmentsAPITests.patient(in: s.world.practiceA, name: "Martin", on: app)
            let second = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00", patient: other))
            #expect(second.status == .created)
            let move = try await browser.post("/cabinets/\(s.world.practiceA)/rendez-vous/\(appointment.id!)/deplacer", form: [
                ("csrf", csrf), ("debut", "2026-11-26T10:10:00+01:00"), ("praticien", s.world.practitionerA.uuidString)])
            #expect(move.status == .conflict)
            #expect(move.body.string.contains("Ce créneau est déjà pris par un autre rendez-vous (jeu. 26/11 de 10 h à 10 h 20)"))
            #expect(try await AppointmentRecord.find(appointment.id, on: app.db)?.startsAt == ISOTimestamp.parse("2026-11-26T20:00:00+01:00"))
        }
    }
}
