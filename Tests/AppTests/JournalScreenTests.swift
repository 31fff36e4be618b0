@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The journal's pages as a secretary and a practitioner use them: forms that save, refusals that say why in French and
/// change nothing.
struct JournalScreenTests {
    static func location(_ response: TestingHTTPResponse) -> String { response.headers.first(name: .location) ?? "" }

    /// Whether the page shows `text` (Leaf writes the apostrophes of values as `&#39;`).
    static func shows(_ response: TestingHTTPResponse, _ text: String) -> Bool {
        response.body.string.replacingOccurrences(of: "&#39;", with: "'").contains(text)
    }

    @Test func aCallIsOpenedWrittenClosedAndCorrectedFromThePanel() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            var browser = Browser(app)
            try await browser.signIn(w.world.secretaryA)
            let practicePage = try await browser.get("/cabinets/\(w.world.practiceA)")
            let csrf = try #require(Browser.csrfToken(in: practicePage.body.string))
            #expect(practicePage.body.string.contains("Nouvel appel"))
            let opened = try await browser.post("/cabinets/\(w.world.practiceA)/appels", form: [("csrf", csrf), ("numero", "06 12 34 56 78")])
            #expect(opened.status == .seeOther)
            let panelPath = Self.location(opened)
            var panel = try await browser.get(panelPath)
            #expect(panel.body.string.contains("Appel en cours"))
            #expect(panel.body.string.contains("Ce numéro correspond à"), "the caller-ID match offered")
            #expect(panel.body.string.contains("DURAND Léa"))
            #expect(panel.body.string.contains("Appelant nerveux ou agressif") && panel.body.string.contains("Demander une responsable"),
                    "the de-escalation offered while the call runs")
            #expect(panel.body.string.contains(#"<input form="appel" type="checkbox" name="motifs[]" value="results">"#),
                    "the reasons beside the actions belong to the call's form")

            // Closing without reasons nor outcome is refused in French, and the call stays open.
            let refused = try await browser.post(panelPath, form: [("csrf", csrf), ("numero", "06 12 34 56 78"), ("patient", w.patient.uuidString),
                                                                    ("notes", "Veut ses résultats"), ("action", "cloturer")])
            #expect(refused.status == .unprocessableEntity)
            #expect(Self.shows(refused, "Motifs de l'appel : au moins un motif d'appel"))
            #expect(Self.shows(refused, "Issue de l'appel : issue de l'appel à choisir"))
            #expect(refused.body.string.contains("Veut ses résultats"), "what was typed is kept")
            #expect(try await CallRecord.query(on: app.db).first()?.state == "open")

            let closed = try await browser.post(panelPath, form: [("csrf", csrf), ("numero", "06 12 34 56 78"), ("patient", w.patient.uuidString),
                                                                   ("motifs[]", "results"), ("notes", "Veut ses résultats"), ("issue", "handled"),
                                                                   ("action", "cloturer")])
            #expect(closed.status == .seeOther)
            panel = try await browser.get(panelPath)
            #expect(panel.body.string.contains("Ajouter une correction"))
            #expect(Self.shows(panel, "Traité pendant l'appel"))

            let late = try await browser.post(panelPath, form: [("csrf", csrf), ("notes", "réécrit"), ("action", "enregistrer")])
            #expect(late.status == .conflict)
            #expect(late.body.string.contains("appel clôturé"))
            #expect(try await CallRecord.query(on: app.db).first()?.notes == "Veut ses résultats")
            #expect(try await browser.post(panelPath + "/correction", form: [("csrf", csrf), ("texte", "Résultats du 28/11.")]).status == .seeOther)
            #expect(try await browser.get(panelPath).body.string.contains("Résultats du 28/11."))
            // A closed call offers only corrections: none of the actions of a call under way.
            let page = try await browser.get(panelPath).body.string
            #expect(page.contains("Ajouter la correction"))
            for action in ["Appelant nerveux ou agressif", "Signaler sur le dossier", "Demander une responsable", "Clôturer l'appel",
                           "Transmettre au praticien", "Prendre un rendez-vous"] {
                #expect(!page.contains(action), "\(action) on a closed call")
            }
            // The de-escalation, asked after hanging up (the API's way; the open call's page offers it): the flag on the
            // patient's record, and a supervisor asked.
            #expect(try await browser.post(panelPath + "/anxieux", form: [("csrf", csrf)]).status == .seeOther)
            #expect(try await PatientRecord.find(w.patient, on: app.db)?.anxious == true)
            #expect(try await browser.post(panelPath + "/renfort", form: [("csrf", csrf), ("texte", "Menace de venir au cabinet")]).status == .seeOther)
            #expect(try await browser.get(panelPath).body.string.contains("Incident</strong>"))
            #expect(try await browser.get("/file").body.string.contains("Menace de venir au cabinet"))
            // The patient's page shows the call in its history.
            let patientPage = try await browser.get("/cabinets/\(w.world.practiceA)/patients/\(w.patient)")
            #expect(patientPage.body.string.contains("Historique des échanges"))
            #expect(Self.shows(patientPage, "Correction d'un appel"))
        }
    }

    @Test func aTransmissionIsComposedReadBackAndAcknowledgedOnlyByItsAddressee() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            var secretary = Browser(app)
            try await secretary.signIn(w.world.secretaryA)
            let compose = try await secretary.get("/cabinets/\(w.world.practiceA)/transmissions/nouvelle?patient=\(w.patient)")
            #expect(compose.body.string.contains("06 12 34 56 78"), "the patient's number offered to call back")
            let csrf = try #require(Browser.csrfToken(in: compose.body.string))
            let refused = try await secretary.post("/cabinets/\(w.world.practiceA)/transmissions",
                                                   form: [("csrf", csrf), ("patient", w.patient.uuidString), ("priorite", "urgent"), ("objet", "")])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Praticien : praticien destinataire à choisir"))
            #expect(refused.body.string.contains("Objet : objet obligatoire"))
            #expect(try await TransmissionRecord.query(on: app.db).count() == 0)

            let sent = try await secretary.post("/cabinets/\(w.world.practiceA)/transmissions", form: [
                ("csrf", csrf), ("patient", w.patient.uuidString), ("praticien", w.world.practitionerA.uuidString), ("priorite", "urgent"),
                ("objet", "Renouvellement d'ordonnance"), ("message", "Traitement habituel"), ("rappel", "06 12 34 56 78")])
            #expect(sent.status == .seeOther)
            let shown = try await secretary.get(Self.location(sent))
            #expect(shown.body.string.contains("Je transmets au Dr Aubert votre demande : Renouvellement d"))
            #expect(!shown.body.string.contains("Accuser réception"), "a secretary does not acknowledge")
            let path = Self.location(sent).components(separatedBy: "?")[0]

            var colleague = Browser(app)
            try await colleague.signIn(JournalWorld.colleagueEmail)
            let notHers = try await colleague.get(path)
            #expect(!notHers.body.string.contains("Accuser réception"))
            #expect(try await TransmissionRecord.query(on: app.db).first()?.stateText == "new", "opened by another practitioner: still unread")
            let colleagueCSRF = try #require(Browser.csrfToken(in: notHers.body.string))
            #expect(try await colleague.post(path + "/accuser", form: [("csrf", colleagueCSRF)]).status == .forbidden)

            var doctor = Browser(app)
            try await doctor.signIn(JournalWorld.doctorEmail)
            let inbox = try await doctor.get("/messagerie")
            #expect(inbox.body.string.contains("Renouvellement d"))
            let mine = try await doctor.get(path)
            #expect(mine.body.string.contains("Accuser réception"))
            #expect(try await TransmissionRecord.query(on: app.db).first()?.stateText == "read")
            let doctorCSRF = try #require(Browser.csrfToken(in: mine.body.string))
            #expect(try await doctor.post(path + "/accuser", form: [("csrf", doctorCSRF)]).status == .seeOther)
            let empty = try await doctor.post(path + "/repondre", form: [("csrf", doctorCSRF), ("reponse", " ")])
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.body.string.contains("Réponse : réponse vide"))
            #expect(try await doctor.post(path + "/repondre", form: [("csrf", doctorCSRF), ("reponse", "Ordonnance prête jeudi.")]).status == .seeOther)
            let queue = try await secretary.get("/file")
            #expect(queue.body.string.contains("Réponse à transmettre au patient"))
            #expect(queue.body.string.contains("Ordonnance prête jeudi."))
        }
    }

    @Test func aClaimedItemIsRefusedToAColleagueWithHerName() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let task = try await QueueClaimTests.task(app, w)
            var first = Browser(app), second = Browser(app)
            try await first.signIn(w.world.secretaryA)
            try await second.signIn(JournalWorld.secondSecretary)
            let page = try await first.get("/file")
            #expect(page.body.string.contains("Rappeler Mme Durand"))
            let key = "task:\(task.uuidString.lowercased())"
            let csrf = try #require(Browser.csrfToken(in: page.body.string))
            #expect(try await first.post("/file/prendre", form: [("csrf", csrf), ("cabinet", w.world.practiceA.uuidString), ("element", key)]).status == .seeOther)
            let secondCSRF = try #require(Browser.csrfToken(in: try await second.get("/file").body.string))
            let refused = try await second.post("/file/prendre", form: [("csrf", secondCSRF), ("cabinet", w.world.practiceA.uuidString), ("element", key)])
            #expect(refused.status == .conflict)
            #expect(refused.body.string.contains("éjà pris par \(w.world.secretaryA)"))
            // The fragment the live region fetches shows who holds it.
            let fragment = try await second.get("/file?partiel=1")
            #expect(!fragment.body.string.contains("<html"))
            #expect(fragment.body.string.contains(w.world.secretaryA))
        }
    }

    @Test func handoverNotesShowAtLoginUntilRead() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let supervisor = try await app.apiToken(w.world.supervisor)
            #expect(try await app.api(.POST, "/api/v1/handover-notes", token: supervisor, json: #"{"text":"Réunion d'équipe à 14 h"}"#).status == .created)
            var browser = Browser(app)
            try await browser.signIn(w.world.secretaryA)
            let home = try await browser.get("/")
            #expect(home.body.string.contains("Consignes de relève à lire"))
            let note = try #require(try await HandoverNoteRecord.query(on: app.db).first())
            let csrf = try #require(Browser.csrfToken(in: home.body.string))
            #expect(try await browser.post("/releve/\(note.id!)/lu", form: [("csrf", csrf), ("suite", "/")]).status == .seeOther)
            #expect(!(try await browser.get("/").body.string.contains("Consignes de relève à lire")))
            #expect(Self.shows(try await browser.get("/releve"), "Réunion d'équipe à 14 h"), "still listed, as read")
        }
    }

    @Test func liveEventsReachOnlyTheConsolesOfThePractice() async throws {
        let hub = LiveHub()
        let a = UUID(), b = UUID()
        let (_, onlyA) = await hub.subscribe(practices: [a])
        let (_, everything) = await hub.subscribe(practices: nil)
        await hub.publish(LiveEvent(kind: .queue, practiceID: b))
        await hub.publish(LiveEvent(kind: .transmission, practiceID: a))
        await hub.publish(LiveEvent(kind: .handover, practiceID: nil))
        var seenByA: [LiveEvent] = [], seenByAll: [LiveEvent] = []
        for await event in onlyA { seenByA.append(event); if seenByA.count == 2 { break } }
        for await event in everything { seenByAll.append(event); if seenByAll.count == 3 { break } }
        #expect(seenByA == [LiveEvent(kind: .transmission, practiceID: a), LiveEvent(kind: .handover, practiceID: nil)])
        #expect(seenByAll.map(\.kind) == [.queue, .transmission, .handover])
    }
}
