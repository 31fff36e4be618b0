@testable import App
import Domain
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// The center's figures through `/api/v1/statistics`: a hand-made morning of calls counted as the Domain defines
/// them, the practices each role may see, and every bad request refused with its field.
struct StatisticsAPITests {
    struct Figures: Decodable {
        struct Calls: Decodable {
            let presented: Int; let answered: Int; let answeredByHand: Int; let abandoned: Int; let quickHangUps: Int; let ringing: Int
            let answerRate: Double?; let answeredBeforeFourthRing: Double?
            struct Summary: Decodable { let count: Int; let median: Double?; let total: Double }
            let timeToAnswer: Summary; let handlingTime: Summary
        }
        struct Bucket: Decodable { let bucket: String; let presented: Int; let answered: Int }
        struct Appointments: Decodable {
            struct By: Decodable, Equatable { let center: Int; let practice: Int; let other: Int }
            let booked: By; let moved: By; let cancelled: By; let lateCancellations: Int
        }
        let appointments: Appointments
        let from: String; let to: String; let granularity: String; let practices: [UUID]
        let calls: Calls
        let series: [Bucket]
    }

    /// Tuesday 24 November 2026 from 09:30 (Paris): A rings, is answered after 8 s, taken a second later and closed
    /// 300 s after; C hangs up after 3 s; D after 40 s; F is opened by hand and closed after 180 s.
    static func morning(_ app: Application, _ w: JournalWorld, clock: TestClock) async throws {
        #expect(try await TelephonyTests.send(app, event: "ringing", callId: "A", clock: clock).status == .created)
        clock.advance(by: 8)
        #expect(try await TelephonyTests.send(app, event: "answered", callId: "A", clock: clock).status == .created)
        clock.advance(by: 1)
        var browser = Browser(app)
        try await browser.signIn(w.world.secretaryA)
        let home = try await browser.get("/")
        let event = try #require(try await TelephonyEventRecord.query(on: app.db).filter(\.$providerCallID == "A").filter(\.$kind == "ringing").first())
        #expect(try await browser.post("/appels/entrants/\(event.id!)/prendre", form: [("csrf", try #require(Browser.csrfToken(in: home.body.string)))]).status == .seeOther)
        let taken = try #require(try await CallRecord.query(on: app.db).first())
        clock.advance(by: 300)
        #expect(try await app.api(.PATCH, "\(w.base)/calls/\(taken.id!)", token: w.secretary, json: #"{"reasons":["information"],"outcome":"handled"}"#).status == .ok)
        #expect(try await app.api(.POST, "\(w.base)/calls/\(taken.id!)/close", token: w.secretary).status == .ok)
        clock.advance(by: 60)
        #expect(try await TelephonyTests.send(app, event: "ringing", callId: "C", clock: clock).status == .created)
        clock.advance(by: 3)
        #expect(try await TelephonyTests.send(app, event: "ended", callId: "C", clock: clock).status == .created)
        clock.advance(by: 60)
        #expect(try await TelephonyTests.send(app, event: "ringing", callId: "D", clock: clock).status == .created)
        clock.advance(by: 40)
        #expect(try await TelephonyTests.send(app, event: "ended", callId: "D", clock: clock).status == .created)
        clock.advance(by: 60)
        struct Call: Decodable { let id: UUID }
        let byHand = try APIJSON.decode(Call.self, try await app.api(.POST, "\(w.base)/calls", token: w.secretary,
                                                                     json: #"{"reasons":["information"],"outcome":"handled"}"#))
        clock.advance(by: 180)
        #expect(try await app.api(.POST, "\(w.base)/calls/\(byHand.id)/close", token: w.secretary).status == .ok)
    }

    @Test func theMorningIsCountedAsTheDomainDefinesIt() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            try await Self.morning(app, w, clock: clock)
            // An appointment booked, moved and cancelled by the secretary, two days ahead.
            let s = try await AppointmentsAPITests.setUp(app, world: w.world)
            struct Booked: Decodable { struct A: Decodable { let id: UUID }; let appointment: A }
            let booked = try APIJSON.decode(Booked.self, try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00")))
            #expect(try await app.api(.POST, "\(s.base)/appointments/\(booked.appointment.id)/move", token: s.token,
                                      json: #"{"start":"2026-11-26T09:40:00+01:00"}"#).status == .ok)
            #expect(try await app.api(.POST, "\(s.base)/appointments/\(booked.appointment.id)/cancel", token: s.token,
                                      json: #"{"party":"patient","reason":"Empêchement"}"#).status == .ok)
            let supervisor = try await app.apiToken(w.world.supervisor)
            let answer = try await app.api(.GET, "/api/v1/statistics?practice=\(w.world.practiceA)&from=2026-11-24&to=2026-11-24&granularity=hour", token: supervisor)
            #expect(answer.status == .ok, "\(answer.body.string)")
            let figures = try APIJSON.decode(Figures.self, answer)
            #expect(figures.practices == [w.world.practiceA] && figures.granularity == "hour")
            #expect(figures.calls.presented == 4 && figures.calls.answered == 2 && figures.calls.answeredByHand == 1)
            #expect(figures.calls.abandoned == 1 && figures.calls.quickHangUps == 1 && figures.calls.ringing == 0)
            #expect(figures.calls.answerRate == 2.0 / 3)
            #expect(figures.calls.answeredBeforeFourthRing == 1)
            #expect(figures.calls.timeToAnswer.count == 1 && figures.calls.timeToAnswer.median == 8)
            // A: from the answer (09:30:08) to the closing (09:35:09); F: 180 s.
            #expect(figures.calls.handlingTime.count == 2 && figures.calls.handlingTime.total == 301 + 180)
            // Every hour of the day, those without a call included.
            #expect(figures.series.count == 24 && figures.series.first?.bucket == "2026-11-24T00")
            #expect(figures.series.filter { $0.presented > 0 }.map(\.bucket) == ["2026-11-24T09"])
            // Booked, moved and cancelled by the center, the cancellation two days ahead: not late.
            #expect(figures.appointments.booked == .init(center: 1, practice: 0, other: 0))
            #expect(figures.appointments.moved == .init(center: 1, practice: 0, other: 0))
            #expect(figures.appointments.cancelled == .init(center: 1, practice: 0, other: 0))
            #expect(figures.appointments.lateCancellations == 0)
            #expect(figures.series[9].presented == 4 && figures.series[9].answered == 2)

            // The center as a whole counts the same calls; practice B has none; the day before has none.
            let center = try APIJSON.decode(Figures.self, try await app.api(.GET, "/api/v1/statistics?from=2026-11-24&to=2026-11-24", token: supervisor))
            #expect(center.calls.presented == 4 && center.practices.isEmpty)
            let other = try APIJSON.decode(Figures.self, try await app.api(.GET, "/api/v1/statistics?practice=\(w.world.practiceB)&from=2026-11-24&to=2026-11-24", token: supervisor))
            #expect(other.calls.presented == 0 && other.calls.answerRate == nil)
            let before = try APIJSON.decode(Figures.self, try await app.api(.GET, "/api/v1/statistics?from=2026-11-23&to=2026-11-23", token: supervisor))
            #expect(before.calls.presented == 0)

            // The figures were read from the rollups written with each event and call: they hold what the raw facts,
            // replayed from nothing, say — one row per call, its outcome and times, its Paris day and hour.
            let sql = app.db as! any SQLDatabase
            struct Stored: Decodable, Hashable { let call_id: String; let outcome: String; let wait_seconds: Int?; let handling_seconds: Int?; let local_date: String; let local_hour: Int }
            let stored = try await sql.raw("SELECT call_id, outcome, wait_seconds, handling_seconds, local_date, local_hour FROM call_traces").all(decoding: Stored.self)
            let replayed = try await FigureRollups.traces(events: "1 = 1", calls: "1 = 1", on: sql).map {
                Stored(call_id: $0.callID, outcome: $0.outcome.rawValue, wait_seconds: $0.timeToAnswer.map { Int($0) },
                       handling_seconds: $0.handlingTime.map { Int($0) }, local_date: "2026-11-24", local_hour: 9)
            }
            #expect(stored.count == 4 && Set(stored) == Set(replayed))
            struct Change: Decodable, Equatable { let kind: String }
            // The three changes happened at the same instant of the test clock: compared as a set of kinds.
            #expect(try await sql.raw("SELECT kind FROM appointment_changes ORDER BY kind").all(decoding: Change.self).map(\.kind)
                    == ["booked", "cancelled", "moved"])
        }
    }

    @Test func eachRoleSeesWhatItMay() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            try await Self.morning(app, w, clock: clock)
            #expect(try await app.api(.GET, "/api/v1/statistics", token: w.secretary).status == .forbidden)
            // The practice's doctor: her practice's figures, asked or not; another practice is as if it did not exist.
            let own = try APIJSON.decode(Figures.self, try await app.api(.GET, "/api/v1/statistics?from=2026-11-24&to=2026-11-24", token: w.doctor))
            #expect(own.practices == [w.world.practiceA] && own.calls.presented == 4)
            let doctorB = try await app.apiToken(w.world.practitionerUserB)
            #expect(try await app.api(.GET, "/api/v1/statistics?practice=\(w.world.practiceA)", token: doctorB).status == .notFound)
            let theirs = try APIJSON.decode(Figures.self, try await app.api(.GET, "/api/v1/statistics?from=2026-11-24&to=2026-11-24", token: doctorB))
            #expect(theirs.practices == [w.world.practiceB] && theirs.calls.presented == 0)
        }
    }

    @Test(arguments: [
        ("from=2026-11-24&to=2026-11-01", ["to"]),
        ("from=2024-11-24&to=2026-11-24", ["to"]),
        ("from=2026-02-30", ["from"]),
        ("granularity=week", ["granularity"]),
        ("practice=pas-un-cabinet&to=24/11/2026", ["practice", "to"]),
        ("from=2026-10-01&to=2026-11-24&granularity=hour", ["granularity"]),
    ])
    func aBadPeriodIsRefusedWithItsField(query: String, fields: [String]) async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let answer = try await app.api(.GET, "/api/v1/statistics?\(query)", token: try await app.apiToken(world.supervisor))
            #expect(answer.status == .unprocessableEntity, "\(query)")
            #expect(try APIJSON.decode(APIJSON.Problem.self, answer).errors?.map(\.field) == fields, "\(query)")
        }
    }

    @Test func anUnknownPracticeIsNotFound() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            #expect(try await app.api(.GET, "/api/v1/statistics?practice=\(UUID())", token: try await app.apiToken(world.supervisor)).status == .notFound)
        }
    }

    @Test func theMonthlyReportInJSONInCSVAndOnItsPage() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            try await Self.morning(app, w, clock: clock)
            let path = "/api/v1/practices/\(w.world.practiceA)/reports/2026-11"
            struct Report: Decodable {
                let month: String; let monthLabel: String; let callsPresented: Int; let callsAnswered: Int; let answerRate: Double?; let minutesHandled: Double
                struct Level: Decodable { let level: Int; let count: Int }
                let urgentCallsByLevel: [Level]
            }
            let json = try await app.api(.GET, path, token: w.doctor)
            #expect(json.status == .ok, "\(json.body.string)")
            let report = try APIJSON.decode(Report.self, json)
            #expect(report.month == "2026-11" && report.monthLabel == "novembre 2026")
            #expect(report.callsPresented == 4 && report.callsAnswered == 2 && report.answerRate == 2.0 / 3)
            // 301 s and 180 s handled: 8 minutes.
            #expect(report.minutesHandled == 8)
            #expect(report.urgentCallsByLevel.map(\.level) == [1, 2, 3, 4, 5])

            let csv = try await app.testing().sendRequest(.GET, path, headers: ["Authorization": "Bearer \(w.doctor)", "Accept": "text/csv"])
            #expect(csv.status == .ok && csv.headers.contentType?.subType == "csv")
            #expect(csv.body.string.hasPrefix("\u{FEFF}\"Cabinet\";\"Cabinet A\""))
            #expect(csv.body.string.contains("\"Appels présentés\";\"4\"\r\n"))
            #expect(csv.body.string.contains("\"Taux de réponse\";\"66,7 %\"\r\n"))

            for month in ["2026-13", "novembre", "2026-1", "1999-12"] {
                let refused = try await app.api(.GET, "/api/v1/practices/\(w.world.practiceA)/reports/\(month)", token: w.doctor)
                #expect(refused.status == .unprocessableEntity, "\(month)")
                #expect(try APIJSON.decode(APIJSON.Problem.self, refused).errors?.map(\.field) == ["month"], "\(month)")
            }
            #expect(try await app.api(.GET, path, token: w.secretary).status == .forbidden)
            #expect(try await app.api(.GET, "/api/v1/practices/\(w.world.practiceB)/reports/2026-11", token: w.doctor).status == .notFound)

            // The page the practitioner prints, and its CSV.
            var browser = Browser(app)
            try await browser.signIn(JournalWorld.doctorEmail)
            let page = try await browser.get("/cabinets/\(w.world.practiceA)/rapports/2026-11")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Rapport mensuel — Cabinet A") && page.body.string.contains("novembre 2026"))
            #expect(page.body.string.contains("<th scope=\"row\">Appels présentés</th><td class=\"num\">4</td>"))
            let download = try await browser.get("/cabinets/\(w.world.practiceA)/rapports/2026-11/csv")
            #expect(download.headers.contentType?.subType == "csv" && download.body.string.contains("\"Appels répondus\";\"2\""))
            var secretary = Browser(app)
            try await secretary.signIn(w.world.secretaryA)
            #expect(try await secretary.get("/cabinets/\(w.world.practiceA)/rapports/2026-11").status == .forbidden)
        }
    }

    @Test func theStatisticsPageDrawsItsChartsWithTheirData() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            try await Self.morning(app, w, clock: clock)
            var supervisor = Browser(app)
            try await supervisor.signIn(w.world.supervisor)
            let page = try await supervisor.get("/statistiques?cabinet=\(w.world.practiceA)&du=2026-11-24&au=2026-11-24&par=heure")
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("<th scope=\"row\">Appels présentés</th><td class=\"num\">4</td>"))
            #expect(html.contains("<th scope=\"row\">Taux de réponse</th><td class=\"num\">66,7 %</td>"))
            // Five charts, each an image with its title, each with its table; the heat map counts the four calls of Tuesday 9 h.
            #expect(html.components(separatedBy: "<svg ").count - 1 == 5)
            #expect(html.components(separatedBy: "role=\"img\" aria-labelledby=").count - 1 == 5)
            #expect(html.components(separatedBy: "Données du graphique").count - 1 == 5)
            #expect(html.contains("<title>Mar 09 : 4</title>"))
            #expect(html.contains("<tr><td>2026-11-24T09</td><td>4</td><td>2</td><td>1</td><td>66,7 %</td><td>8 s</td></tr>"))

            let refused = try await supervisor.get("/statistiques?du=2026-11-24&au=2026-11-01")
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("name=\"au\" value=\"2026-11-01\" aria-invalid=\"true\""))
            var secretary = Browser(app)
            try await secretary.signIn(w.world.secretaryA)
            #expect(try await secretary.get("/statistiques").status == .forbidden)
            // A practitioner sees her own practice, never the center's.
            var doctor = Browser(app)
            try await doctor.signIn(JournalWorld.doctorEmail)
            let own = try await doctor.get("/statistiques?du=2026-11-24&au=2026-11-24").body.string
            #expect(own.contains("<th scope=\"row\">Appels présentés</th><td class=\"num\">4</td>") && !own.contains("Tout le centre"))
            #expect(try await doctor.get("/statistiques?cabinet=\(w.world.practiceB)").status == .unprocessableEntity)
        }
    }

    @Test func theBoardShowsTheCallsRingingNowTheTeamAndTheDay() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            var secretary = Browser(app)
            try await secretary.signIn(w.world.secretaryA)
            #expect(try await secretary.get("/plateau").status == .forbidden)
            #expect(try await TelephonyTests.send(app, event: "ringing", callId: "R", from: "06 98 76 54 32", clock: clock).status == .created)
            #expect(try await TelephonyTests.send(app, event: "ringing", callId: "Q", from: "06 11 11 11 11", clock: clock).status == .created)
            #expect(try await TelephonyTests.send(app, event: "ended", callId: "Q", clock: clock).status == .created)
            clock.advance(by: 30)
            var supervisor = Browser(app)
            try await supervisor.signIn(w.world.supervisor)
            let page = try await supervisor.get("/plateau")
            #expect(page.status == .ok && page.body.string.contains("data-src=\"/plateau?partiel=1\""))
            let live = try await supervisor.get("/plateau?partiel=1").body.string
            // The call still ringing, with its practice and its start; the one that ended is not.
            #expect(live.contains("<strong>Cabinet A</strong> · 06 98 76 54 32 · depuis 09:30"))
            #expect(!live.contains("06 11 11 11 11"))
            #expect(live.contains("data-ringing-since=\"2026-11-24T09:30:00+01:00\""))
            // The signed-in secretary, available; the day's calls of Cabinet A: two presented, one lost.
            let name = try #require(try await UserRecord.query(on: app.db).filter(\.$email == w.world.secretaryA).first()).displayName
            #expect(live.contains("<li>\(name) — disponible</li>"))
            // Only signed-in secretaries: the second secretary of the practice has no session.
            #expect(live.contains("Télésecrétaires connectées <span class=\"count\">1</span>"))
            #expect(live.contains("<tr><th scope=\"row\">Cabinet A</th><td class=\"num\">2</td><td class=\"num\">0</td><td class=\"num\">0</td>"))
        }
    }
}
