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
            var page = try await browser.get(base)
            #expect(page.status == .ok)
            #expect(page.body.string.contains(RedFlagScreen.questions[0].text.components(separatedBy: "'")[0]))
            #expect(page.body.string.contains("Signe d'alerte du centre"))
            // « Non » to the first two questions, then « Ne sait pas »: level 2, a practitioner now.
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
            #expect(html.contains("Enregistrer l'évaluation"))
            let answers = "rf-chest:n,rf-face-arm-speech:n,rf-breathing:u,rf-consciousness:y"
            #expect(html.contains(#"name="reponses" value="\#(answers)""#))

            // Level 1 is never lowered: the page says why and nothing is recorded.
            let csrf = try #require(Browser.csrfToken(in: html))
            let lowered = try await browser.post(base, form: [("csrf", csrf), ("reponses", answers), ("niveau", "3"),
                                                              ("raison", "La personne semble aller mieux"), ("action", "appointmentBooked")])
            #expect(lowered.status == .unprocessableEntity)
            #expect(lowered.body.string.contains("abaisse jamais"))
            #expect(try await TriageEvaluationRecord.query(on: app.db).count() == 0)

            let recorded = try await browser.post(base, form: [("csrf", csrf), ("reponses", answers), ("niveau", "1"), ("raison", ""), ("action", "samuAdvised")])
            #expect(recorded.status == .seeOther)
            let location = try #require(recorded.headers.first(name: .location))
            let record = try await browser.get(location)
            #expect(record.status == .ok)
            #expect(record.body.string.contains("Niveau 1 — Urgence vitale"))
            #expect(record.body.string.contains("Appel du 15 conseillé"))
            #expect(record.body.string.contains("<strong>Ne sait pas</strong>"))
            let saved = try #require(try await TriageEvaluationRecord.query(on: app.db).first())
            #expect(saved.finalLevel == 1 && saved.computedLevel == 1 && saved.action == "samuAdvised" && saved.askedAnswers.count == 4)
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
