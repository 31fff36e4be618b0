@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The triage wizard in the browser: one question at a time, each answer a link; the result with its script; the
/// record kept with the level decided, and refusals that say why and save nothing.
struct TriageScreenTests {
    static func link(_ label: String, in html: String) -> String? {
        // The answer buttons: <a class="button answer" href="…" data-key="N">Non <kbd>N</kbd></a>
        guard let range = html.range(of: #"href="([^"]+)" data-key="[A-Z]">\#(label) <kbd>"#, options: .regularExpression) else { return nil }
        let match = String(html[range])
        return match.components(separatedBy: "href=\"")[1].components(separatedBy: "\"")[0].replacingOccurrences(of: "&amp;", with: "&")
    }

    @Test func aSecretaryAnswersQuestionByQuestionThenRecordsTheTriage() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            try await browser.signIn(world.secretaryA)
            let base = "/cabinets/\(world.practiceA)/urgence"
            // Outside a call and without a record, the age and who speaks come first.
            var page = try await browser.get(base)
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Pour qui ?") && page.body.string.contains("Âge de la personne"))
            page = try await browser.get(base + "?qui=moi&age=45&unite=ans")
            #expect(page.status == .ok)
            #expect(page.body.string.contains(RedFlagScreen.symptomGate.text.components(separatedBy: "'")[0]))
            page = try await browser.get(try #require(Self.link("Oui", in: page.body.string)))
            #expect(page.body.string.contains(RedFlagScreen.questions[0].text.components(separatedBy: "'")[0]))
            #expect(page.body.string.contains("Signe d'alerte du centre"))
            #expect(page.body.string.contains("lui-même, 45 ans"))
            // « Non » to the first two red flags, then « Ne sait pas »: level 2, a practitioner now.
            for label in ["Non", "Non", "Ne sait pas"] {
                let next = try #require(Self.link(label, in: page.body.string), "\(label)")
                page = try await browser.get(next)
                #expect(page.status == .ok)
            }
            #expect(page.body.string.contains("Niveau 2 — Avis médical immédiat"))
            #expect(page.body.string.contains(RedFlagScreen.questions[3].text.components(separatedBy: "'")[0]))
            // Then « Oui »: a red flag confirmed ends the questions with the 15.
            page = try await browser.get(try #require(Self.link("Oui", in: page.body.string)))
            let html = page.body.string
            #expect(html.contains("Niveau 1 — Urgence vitale"))
            #expect(html.contains("appelez le 15 tout de suite"))
            #expect(html.contains("Pendant que l'appelant compose le 15"))
            #expect(!html.contains("ne laissez pas la personne seule"), "she speaks of herself")
            #expect(html.contains("Enregistrer l'évaluation"))
            let answers = "new-problem:y,rf-chest:n,rf-face-arm-speech:n,rf-breathing:u,rf-consciousness:y"
            #expect(html.contains(#"name="reponses" value="\#(answers)""#))

            // Level 1 is never lowered: the page says why and nothing is recorded.
            let csrf = try #require(Browser.csrfToken(in: html))
            let subject = [("age", "540"), ("qui", "moi"), ("appelant", "Mme Durand"), ("rappel", "06 12 34 56 78")]
            let lowered = try await browser.post(base, form: [("csrf", csrf), ("reponses", answers), ("niveau", "3"),
                                                              ("raison", "La personne semble aller mieux"), ("action", "adviceGiven")] + subject)
            #expect(lowered.status == .unprocessableEntity)
            #expect(lowered.body.string.contains("abaisse jamais"))
            #expect(try await TriageEvaluationRecord.query(on: app.db).count() == 0)

            // Without a record, the caller's name and number are required before anything is saved.
            let anonymous = try await browser.post(base, form: [("csrf", csrf), ("reponses", answers), ("niveau", "1"), ("raison", ""), ("action", "samuAdvised")])
            #expect(anonymous.status == .unprocessableEntity)
            #expect(anonymous.body.string.contains("est obligatoire (pour qui rappeler)"))
            #expect(try await TriageEvaluationRecord.query(on: app.db).count() == 0)
            // « Rendez-vous pris » is not something to claim: it is refused.
            let claimed = try await browser.post(base, form: [("csrf", csrf), ("reponses", answers), ("niveau", "1"), ("raison", ""), ("action", "appointmentBooked")] + subject)
            #expect(claimed.status == .unprocessableEntity)
            #expect(try await TriageEvaluationRecord.query(on: app.db).count() == 0)

            let recorded = try await browser.post(base, form: [("csrf", csrf), ("reponses", answers), ("niveau", "1"), ("raison", ""), ("action", "samuAdvised")] + subject)
            #expect(recorded.status == .seeOther)
            let location = try #require(recorded.headers.first(name: .location))
            let record = try await browser.get(location)
            #expect(record.status == .ok)
            #expect(record.body.string.contains("Niveau 1 — Urgence vitale"))
            #expect(record.body.string.contains("Appel du 15 conseillé"))
            #expect(record.body.string.contains("<strong>Ne sait pas</strong>"))
            #expect(record.body.string.contains("Mme Durand") && record.body.string.contains("06 12 34 56 78"))
            let saved = try #require(try await TriageEvaluationRecord.query(on: app.db).first())
            #expect(saved.finalLevel == 1 && saved.computedLevel == 1 && saved.action == "samuAdvised" && saved.askedAnswers.count == 5)
            #expect(saved.ageMonths == 540 && saved.callerIsPatient == true && saved.callbackNumber == "+33612345678")
            // Level 1 not transferred: the transmission went, and the record links it — the only way it says "transmise".
            let transmission = try #require(saved.transmissionID)
            #expect(record.body.string.contains("/transmissions/\(transmission)"))
            #expect(try await TransmissionRecord.find(transmission, on: app.db)?.callbackNumber == "+33612345678")
        }
    }

    @Test(arguments: ["rf-chest:x", "rf-chest", "rf-chest:y,rf-chest:n", "sneezes:y"])
    func aBrokenAnswerListIsRefused(answers: String) async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            try await browser.signIn(world.secretaryA)
            let page = try await browser.get("/cabinets/\(world.practiceA)/urgence?r=\(answers)")
            #expect(page.status == .unprocessableEntity, "\(answers)")
        }
    }
}
