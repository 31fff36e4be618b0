@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The playbook and the triage criteria edited in the browser: preview and changes before saving, refusals that say
/// why and save nothing, each save a new version.
struct PlaybookEditorScreenTests {
    static func form(_ csrf: String, greeting: String, practitioners: String = "Dr Anne Aubert | consultations | visites", note: String = "",
                     action: String) -> [(String, String)] {
        [("csrf", csrf), ("accueil", greeting), ("adresse", "1 rue de la Paix, 75002 Paris"), ("acces", "Métro Opéra"),
         ("horaires", "Du lundi au vendredi, de 8 h à 19 h."), ("hors_horaires", Playbook.standardOutOfHours),
         ("consignes", "Ne jamais donner le portable du médecin"), ("praticiens", practitioners), ("consultations", ""),
         ("faq", "Parking ? | Place du marché"), ("p_prescriptionRenewal_on", "on"), ("p_prescriptionRenewal_collect", "Nom du médicament\nPharmacie"),
         ("p_prescriptionRenewal_say", "Je transmets votre demande au médecin."), ("p_prescriptionRenewal_outcome", "transmit"),
         ("p_prescriptionRenewal_detail", ""), ("note", note), ("action", action)]
    }

    @Test func aSupervisorPreviewsThenSavesANewVersionThatTheSheetShows() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var secretary = Browser(app)
            try await secretary.signIn(world.secretaryA)
            #expect(try await secretary.get("/cabinets/\(world.practiceA)/fiche/modifier").status == .forbidden)
            #expect(try await secretary.get("/cabinets/\(world.practiceA)/fiche").status == .ok, "secretaries read the versions")

            var browser = Browser(app)
            try await browser.signIn(world.supervisor)
            let editor = try await browser.get("/cabinets/\(world.practiceA)/fiche/modifier")
            #expect(editor.status == .ok)
            let csrf = try #require(Browser.csrfToken(in: editor.body.string))
            let path = "/cabinets/\(world.practiceA)/fiche/modifier"

            let preview = try await browser.post(path, form: Self.form(csrf, greeting: "Cabinet A, bonjour, je vous écoute.", action: "apercu"))
            #expect(preview.status == .ok)
            #expect(preview.body.string.contains("Aperçu : la fiche telle que les secrétaires la verront"))
            #expect(preview.body.string.contains("« Cabinet A, bonjour, je vous écoute. »"))
            #expect(preview.body.string.contains("<td>Modifié</td><td>Accueil</td>"))
            #expect(preview.body.string.contains("Nom du médicament"))
            #expect(try await PracticeDocumentRecord.query(on: app.db).count() == 0, "a preview saves nothing")

            let badLine = try await browser.post(path, form: Self.form(csrf, greeting: "Cabinet A", practitioners: "Dr X | a | b | c", action: "apercu"))
            #expect(badLine.status == .unprocessableEntity)
            #expect(JournalScreenTests.shows(badLine, "igne 1 : « Nom | ce qu'il fait | ce qu'il ne fait pas » attendu"))
            let noNote = try await browser.post(path, form: Self.form(csrf, greeting: "Cabinet A", action: "enregistrer"))
            #expect(noNote.status == .unprocessableEntity)
            #expect(JournalScreenTests.shows(noNote, "dites ce qui change"))
            #expect(try await PracticeDocumentRecord.query(on: app.db).count() == 0)

            let saved = try await browser.post(path, form: Self.form(csrf, greeting: "Cabinet A, bonjour, je vous écoute.", note: "Nouvel accueil",
                                                                    action: "enregistrer"))
            #expect(saved.status == .seeOther)
            #expect(saved.headers.first(name: .location) == "/cabinets/\(world.practiceA)/fiche?enregistree=1")
            let practicePage = try await secretary.get("/cabinets/\(world.practiceA)")
            #expect(practicePage.body.string.contains("« Cabinet A, bonjour, je vous écoute. »"))
            #expect(practicePage.body.string.contains("Fiche version 1"))
            let versions = try await secretary.get("/cabinets/\(world.practiceA)/fiche?de=0&a=1")
            #expect(versions.body.string.contains("Nouvel accueil"))
            #expect(versions.body.string.contains("<td>Modifié</td><td>Accueil</td>"))
            #expect(try await secretary.get("/cabinets/\(world.practiceA)/fiche/versions/1").body.string.contains("Fiche version 1"))
        }
    }

    @Test func theTriageCriteriaAreEditedAsJSONWithAPreviewAndRefusedWhenBroken() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            try await browser.signIn(world.supervisor)
            let path = "/cabinets/\(world.practiceA)/protocole/modifier"
            let editor = try await browser.get(path)
            #expect(editor.status == .ok)
            let csrf = try #require(Browser.csrfToken(in: editor.body.string))

            let unreadable = try await browser.post(path, form: [("csrf", csrf), ("protocole", "{\"criteria\": ["), ("note", "x"), ("action", "enregistrer")])
            #expect(unreadable.status == .unprocessableEntity)
            #expect(unreadable.body.string.contains("JSON illisible"))
            let loop = #"{"criteria":[{"id":"a","text":"La douleur dure-t-elle ?","levelIfYes":4,"followUps":[{"on":["yes"],"ask":["missing"]}]}]}"#
            let broken = try await browser.post(path, form: [("csrf", csrf), ("protocole", loop), ("note", "x"), ("action", "enregistrer")])
            #expect(broken.status == .unprocessableEntity)
            #expect(broken.body.string.contains("missing"))
            #expect(try await PracticeDocumentRecord.query(on: app.db).count() == 0)

            let preview = try await browser.post(path, form: [("csrf", csrf), ("protocole", PlaybookAPITests.protocolJSON), ("note", ""), ("action", "apercu")])
            #expect(preview.status == .ok)
            #expect(preview.body.string.contains("Boit-il beaucoup moins que d"))
            #expect(preview.body.string.contains("Niveau 2 — Avis médical immédiat"))
            // For whom, when and why: each criterion's ages, its condition on an earlier answer and its note.
            let conditional = #"{"criteria":[{"id":"fievre","text":"A-t-il de la fièvre ?","levelIfYes":4,"minAgeMonths":3,"maxAgeMonths":144},"#
                + #"{"id":"boutons","text":"Des boutons, sans fièvre ?","levelIfYes":4,"askIf":[{"question":"fievre","answers":["no"]}],"#
                + #""note":"Sans fièvre, une éruption s'examine sous 48 h."}]}"#
            let detailed = try await browser.post(path, form: [("csrf", csrf), ("protocole", conditional), ("note", ""), ("action", "apercu")])
            #expect(detailed.status == .ok)
            #expect(detailed.body.string.contains("Posée pour : de 3 mois à moins de 12 ans"))
            #expect(detailed.body.string.contains("Seulement si « fievre » = Non"))
            #expect(detailed.body.string.contains("Pourquoi ce niveau : Sans fièvre, une éruption s&#39;examine sous 48 h."))
            let saved = try await browser.post(path, form: [("csrf", csrf), ("protocole", PlaybookAPITests.protocolJSON), ("note", "Critères pédiatriques"),
                                                             ("action", "enregistrer")])
            #expect(saved.status == .seeOther)
            let current = try await PlaybookStore.current(TriageProtocol.self, of: try AuthorizedPractice.commandLine(try #require(try await PracticeRecord.find(world.practiceA, on: app.db))), on: app.db)
            #expect(current.number == 1)
            #expect(current.document.criteria.map(\.id) == ["child-fever", "drinks-less"])
        }
    }
}
