@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// A refused form says each fault at its field (`aria-invalid`, `aria-describedby` naming the sentence beside it), lists
/// them all above the form in plain French (never a field path, French formats), and writes nothing.
struct FormRefusalTests {
    /// The opening tag of the field named `name` in a page.
    static func field(_ name: String, in html: String) throws -> String {
        let start = try #require(html.range(of: #"name="\#(name)""#), "no field \(name)")
        let open = try #require(html[..<start.lowerBound].range(of: "<", options: .backwards))
        let close = try #require(html[start.upperBound...].firstIndex(of: ">"))
        return String(html[open.lowerBound...close])
    }

    @Test func aRefusedPatientRecordSaysEachFaultAtItsFieldAndSavesNothing() async throws {
        try await withTestApp { app in
            let s = try await CockpitScreenTests.setting(app)
            var browser = Browser(app)
            try await browser.signIn(s.world.secretaryA)
            let page = try await browser.get("/cabinets/\(s.world.practiceA)/patients/nouveau")
            let csrf = try #require(Browser.csrfToken(in: page.body.string))
            let before = try await PatientRecord.query(on: app.db).count()
            let refused = try await browser.post("/cabinets/\(s.world.practiceA)/patients/nouveau", form: [
                ("csrf", csrf), ("nomNaissance", "Morvan"), ("prenoms", "Anne"), ("naissance", "31/02/1980"), ("sexe", "F"),
                ("telephone1", "06 12 34")])
            #expect(refused.status == .unprocessableEntity)
            let html = refused.body.string
            // At the fields: the wrong birth date and the short phone number, each with its own sentence.
            let birth = try Self.field("naissance", in: html)
            #expect(birth.contains(#"aria-invalid="true""#) && birth.contains(#"aria-describedby="erreur-birthDate""#))
            #expect(html.contains(#"<span class="field-error" id="erreur-birthDate">"#))
            let phone = try Self.field("telephone1", in: html)
            #expect(phone.contains(#"aria-describedby="erreur-phones-0-number""#))
            #expect(html.contains(#"<span class="field-error" id="erreur-phones-0-number">"#))
            // The fields that were right are not marked.
            #expect(!(try Self.field("nomNaissance", in: html)).contains("aria-invalid"))
            // The list above the form names the fields in French and leads to them; no field path reaches the page.
            #expect(html.contains(#"<div class="alert" role="alert" id="refus" tabindex="-1"><p>Dossier refusé :</p>"#))
            #expect(html.contains(##"<a href="#erreur-birthDate" data-fault>Date de naissance : "##))
            #expect(html.contains("Téléphone n° 1 : "))
            #expect(!html.contains("phones[0]") && !html.contains("birthDate :") && !html.contains("AAAA"))
            // What was typed is shown again, and nothing was saved.
            #expect(html.contains(#"value="Morvan""#))
            #expect(try await PatientRecord.query(on: app.db).count() == before)
        }
    }

    @Test func aForcedBookingWithoutItsReasonIsRefusedAtTheReasonAndBooksNothing() async throws {
        try await withTestApp { app in
            let s = try await CockpitScreenTests.setting(app)
            var browser = Browser(app)
            try await browser.signIn(s.world.secretaryA)
            let page = try await browser.get("/cabinets/\(s.world.practiceA)/rendez-vous/nouveau?patient=\(s.journal.patient)")
            let csrf = try #require(Browser.csrfToken(in: page.body.string))
            let before = try await AppointmentRecord.query(on: app.db).count()
            let action = try #require(page.body.string.range(of: #"action="(/cabinets/[^"]*/rendez-vous/derogation)""#, options: .regularExpression))
            let path = String(page.body.string[action].dropFirst(#"action=""#.count).dropLast())
            let refused = try await browser.post(path, form: [
                ("csrf", csrf), ("patient", s.journal.patient.uuidString), ("motif", s.motif.uuidString),
                ("praticien", s.world.practitionerA.uuidString), ("date", "2026-11-24"), ("heure", "19:30"), ("raison", "")])
            #expect(refused.status == .unprocessableEntity)
            let html = refused.body.string
            let reason = try Self.field("raison", in: html)
            #expect(reason.contains(#"aria-describedby="erreur-override-reason""#))
            #expect(html.contains(#"<span class="field-error" id="erreur-override-reason">Motif de la dérogation obligatoire</span>"#))
            #expect(!html.contains("override.reason"))
            #expect(try await AppointmentRecord.query(on: app.db).count() == before)
        }
    }

    @Test func faultsAreSaidInTheFormsWordsWithFrenchFormats() {
        let faults = FormRefusal.faults([
            FieldError(field: "ranges[2].start", reason: "heure attendue au format HH:MM"),
            FieldError(field: "validFrom", reason: "date attendue au format AAAA-MM-JJ"),
            FieldError(field: "mysteryField.deep[3]", reason: "valeur refusée"),
            FieldError(field: "sheet.faq[1]", reason: "ligne 2 : « Question | réponse » attendu"),
            FieldError(field: "sheet.faq[0].answer", reason: "obligatoire"),
        ], labels: AgendaController.labels)
        #expect(faults.map(\.text) == [
            "Début de la plage n° 3 : heure attendue au format hh:mm",
            "Début de validité : date attendue au format jj/mm/aaaa",
            "Valeur refusée",
            "Questions fréquentes : ligne 2 : « Question | réponse » attendu",
            "Questions fréquentes, réponse de la ligne 1 : obligatoire",
        ])
        #expect(faults.map(\.message).first == "Heure attendue au format hh:mm")
        #expect(faults.map(\.anchor) == ["erreur-ranges-2-start", "erreur-validFrom", "erreur-mysteryField-deep-3", "erreur-sheet-faq-1",
                                          "erreur-sheet-faq-0-answer"])
        let taken = FormRefusal.faults(.slotTaken(SlotConflict(kind: "appointment", id: UUID(), practitionerId: UUID(),
                                                               start: ISOTimestamp.parse("2026-11-24T13:30:00Z")!,
                                                               end: ISOTimestamp.parse("2026-11-24T14:00:00Z")!)))
        #expect(taken?.first?.text.contains("de 14 h 30 à 15 h") == true)
        #expect(FormRefusal.faults(.forbidden) == nil)
    }
}
