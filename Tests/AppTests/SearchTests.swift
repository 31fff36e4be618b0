@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The search from anywhere: the practices one serves, found by name or dialled number, and their patients — never a
/// patient or a practice one does not serve.
struct SearchTests {
    @Test func patientsAndPracticesAreFoundOnlyAmongThoseOneServes() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            // A namesake in practice B, which secretary A does not serve.
            let supervisor = try await app.apiToken(w.world.supervisor)
            let other = try await app.api(.POST, "/api/v1/practices/\(w.world.practiceB)/patients", token: supervisor,
                                          json: #"{"birthName":"Durand","firstNames":"Paul","birthDate":"2019-02-01","sex":"M"}"#)
            #expect(other.status == .created)
            var browser = Browser(app)
            try await browser.signIn(w.world.secretaryA)

            let home = try await browser.get("/").body.string
            #expect(home.contains(#"<form class="global-search" method="get" action="/recherche" role="search">"#), "the search on every page")

            let byName = try await browser.get("/recherche?recherche=durand")
            #expect(byName.status == .ok)
            let found = byName.body.string
            #expect(found.contains("DURAND Léa") && found.contains("né(e) le 12/04/1990 (36 ans)") && found.contains("06 12 34 56 78"))
            #expect(found.contains("/cabinets/\(w.world.practiceA)/patients/\(w.patient)"))
            #expect(!found.contains("DURAND Paul"), "a patient of a practice she does not serve")
            #expect(found.contains("Aucun cabinet ne répond à « durand »."))

            let byPractice = try await browser.get("/recherche?recherche=cabinet").body.string
            #expect(byPractice.contains(#"<a href="/cabinets/\#(w.world.practiceA)">Cabinet A</a>"#))
            #expect(!byPractice.contains("Cabinet B"))
            let byNumber = try await browser.get("/recherche?recherche=01%2099%2000%2020%2001").body.string
            #expect(byNumber.contains(#"<a href="/cabinets/\#(w.world.practiceA)">Cabinet A</a>"#), "the dialled number finds its practice")
            #expect(!(try await browser.get("/recherche?recherche=01%2099%2000%2020%2002").body.string.contains("Cabinet B")))

            // The supervisor serves both.
            var chief = Browser(app)
            try await chief.signIn(w.world.supervisor)
            let both = try await chief.get("/recherche?recherche=durand").body.string
            #expect(both.contains("DURAND Léa") && both.contains("DURAND Paul") && both.contains("(7 ans)"))

            let tooLong = try await browser.get("/recherche?recherche=" + String(repeating: "a", count: 201))
            #expect(tooLong.status == .unprocessableEntity)
            #expect(tooLong.body.string.contains("200 caractères au plus"))
            let empty = try await browser.get("/recherche").body.string
            #expect(!empty.contains("Aucun patient"), "nothing searched, nothing said")
        }
    }
}

/// The home pages say what waits for the person signed in.
struct HomePageTests {
    @Test func theHomePageCountsTheQueueByPriorityAndThePractitionersUnreadTransmissions() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            var secretary = Browser(app)
            try await secretary.signIn(w.world.secretaryA)
            let calm = try await secretary.get("/").body.string
            #expect(calm.contains("File de travail</a> : rien en attente."))

            // An urgent transmission not yet acknowledged (a queue item) and a routine task.
            let sent = try await app.api(.POST, "\(w.base)/transmissions", token: w.secretary, json: """
                {"practitionerId":"\(w.world.practitionerA)","patientId":"\(w.patient)","priority":"urgent","subject":"Douleur thoracique","callbackNumber":"06 12 34 56 78"}
                """)
            #expect(sent.status == .created)
            #expect(try await app.api(.POST, "\(w.base)/tasks", token: w.secretary,
                                      json: #"{"patientId":"\#(w.patient)","title":"Rappeler Mme Durand"}"#).status == .created)
            let home = try await secretary.get("/").body.string
            #expect(home.contains(#"<span class="count queue-0">1 urgent</span>"#))
            #expect(home.contains("Urgent le plus ancien") && home.contains("Douleur thoracique — pour Dr Anne Aubert"))
            #expect(home.contains(#"<td class="num">2</td></tr>"#), "two items waiting for practice A")

            var doctor = Browser(app)
            try await doctor.signIn(JournalWorld.doctorEmail)
            let inbox = try await doctor.get("/").body.string
            #expect(inbox.contains("<strong>1 transmission(s) non lue(s)</strong>"))
            #expect(!inbox.contains("File de travail</a> :"), "a practitioner has no work queue")
        }
    }
}
