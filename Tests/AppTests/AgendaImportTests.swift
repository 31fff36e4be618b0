@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Taking over a practice's previous agenda: practice A's 20-minute motif, weekday mornings 09:00–12:00; the clock stands
/// on Tuesday 24 November 2026, 09:30 in Paris.
struct AgendaImportTests {
    struct Report: Decodable {
        struct Rejection: Decodable { let line: Int; let uid: String?; let reasons: [String] }
        let format: String
        let dryRun: Bool
        let rows: Int
        let accepted: Int
        let imported: Int
        let patientsCreated: Int
        let rejected: [Rejection]
    }

    static func event(_ uid: String, _ start: String, _ summary: String, _ description: String = "", zone: String = ";TZID=Europe/Paris") -> String {
        "BEGIN:VEVENT\r\nUID:\(uid)\r\nDTSTART\(zone):\(start)\r\nSUMMARY:\(summary)\r\n" + (description.isEmpty ? "" : "DESCRIPTION:\(description)\r\n") + "END:VEVENT\r\n"
    }

    static func calendar(_ events: [String]) -> String {
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ancien logiciel//FR\r\n" + events.joined() + "END:VCALENDAR\r\n"
    }

    static func send(_ app: Application, _ s: AppointmentsAPITests.Setup, _ body: String, type: String = "text/calendar", query: String,
                     token given: String? = nil) async throws -> TestingHTTPResponse {
        let token = if let given { given } else { try await app.apiToken(s.world.supervisor) }
        return try await app.testing().sendRequest(.POST, "\(s.base)/agenda-import?practitionerId=\(s.world.practitionerA)&\(query)",
                                                   headers: ["Authorization": "Bearer \(token)", "Content-Type": type], body: ByteBuffer(string: body))
    }

    @Test func theCalendarReaderUnfoldsLinesReadsTimeZonesAndRefusesWhatIsNotAnAppointment() throws {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Europe/Paris:20261130T090000\r\nSUMMARY:DUPONT Marie\r\n  - Consultation\r\n"
            + "DESCRIPTION:Née le 03/12/1957\\nTél : 06 12 34 56 78\r\nEND:VEVENT\r\n"
            + "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20261130T100000Z\r\nSUMMARY:Martin Paul\r\nEND:VEVENT\r\n"
            + "BEGIN:VEVENT\r\nUID:c\r\nDTSTART;VALUE=DATE:20261201\r\nSUMMARY:Congés\r\nEND:VEVENT\r\n"
            + "BEGIN:VEVENT\r\nUID:d\r\nDTSTART:20261201T090000\r\nSTATUS:CANCELLED\r\nSUMMARY:LEROY Anne\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let paris = TimeZone(identifier: "Europe/Paris")!
        let (rows, rejected) = try AgendaImportFile.ics(text, zone: paris)
        #expect(rows.count == 2)
        #expect(rows[0].birthName == "DUPONT" && rows[0].firstNames == "Marie")
        #expect(rows[0].motifLabel == "Consultation")
        #expect(rows[0].birthDate == LocalDate(year: 1957, month: 12, day: 3))
        #expect(rows[0].phone?.e164 == "+33612345678")
        #expect(rows[0].start == ISOTimestamp.parse("2026-11-30T09:00:00+01:00"))
        #expect(rows[1].start == ISOTimestamp.parse("2026-11-30T11:00:00+01:00"))
        #expect(rows[1].birthName == "Martin" && rows[1].firstNames == "Paul")
        #expect(rejected.map(\.uid) == ["c", "d"])
        #expect(rejected[0].reasons == ["événement sur la journée entière, sans heure : pas un rendez-vous"])
        #expect(rejected[1].reasons == ["rendez-vous annulé dans l'agenda d'origine"])
    }

    @Test func aReportFirstThenTheImportOfWhatItAccepted() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let file = Self.calendar([
                Self.event("ok-known", "20261126T100000", "DURAND Marie", "Né(e) le 03/12/1957"),
                Self.event("overlap", "20261126T101000", "DURAND Marie", "Né(e) le 03/12/1957"),
                Self.event("evening", "20261126T140000", "DURAND Marie", "Né(e) le 03/12/1957"),
                Self.event("past", "20261123T100000", "DURAND Marie", "Né(e) le 03/12/1957"),
                Self.event("vaccine", "20261127T100000", "MOREAU Paul - Vaccin", "Né le 01/02/1980"),
                Self.event("ok-new", "20261127T090000", "LEROY Jeanne", "Née le 12/05/1990\\nTél : 06 11 22 33 44"),
                Self.event("no-birth", "20261127T093000", "PETIT Louis"),
                Self.event("utc", "20261130T080000Z", "DURAND Marie", "Né(e) le 03/12/1957", zone: ""),
            ])
            let token = try await app.apiToken(s.world.supervisor)
            let appointments = try await AppointmentRecord.query(on: app.db).count()
            let patients = try await PatientRecord.query(on: app.db).count()
            let journal = try await AuditEntryRecord.query(on: app.db).count()

            let dry = try await Self.send(app, s, file, query: "motifId=\(s.motif)&dryRun=true", token: token)
            #expect(dry.status == .ok, "\(dry.body.string)")
            let report = try dry.content.decode(Report.self)
            #expect(report.format == "ics" && report.dryRun)
            #expect(report.rows == 8 && report.accepted == 3 && report.imported == 0 && report.patientsCreated == 1)
            let reasons = Dictionary(uniqueKeysWithValues: report.rejected.map { ($0.uid ?? "", $0.reasons.joined(separator: " ; ")) })
            #expect(reasons["overlap"]?.contains("chevauche le rendez-vous de la ligne") == true)
            #expect(reasons["evening"]?.contains("en dehors des horaires") == true)
            #expect(reasons["past"]?.hasPrefix("date passée") == true)
            #expect(reasons["vaccine"]?.contains("motif inconnu « Vaccin »") == true)
            #expect(reasons["no-birth"]?.contains("sans date de naissance") == true)
            #expect(try await AppointmentRecord.query(on: app.db).count() == appointments)
            #expect(try await PatientRecord.query(on: app.db).count() == patients)
            #expect(try await AuditEntryRecord.query(on: app.db).count() == journal)

            let run = try await Self.send(app, s, file, query: "motifId=\(s.motif)")
            let done = try run.content.decode(Report.self)
            #expect(done.imported == 3 && done.patientsCreated == 1 && !done.dryRun)
            #expect(try await AppointmentRecord.query(on: app.db).count() == appointments + 3)
            #expect(try await PatientRecord.query(on: app.db).filter(\.$birthName == "LEROY").first()?.birthDate == "1990-05-12")
            #expect(try await AppointmentRecord.query(on: app.db).filter(\.$patient.$id == s.patient).count() == 2)
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "agenda_import").count() == 2)
            // The time is taken now: the same file again overlaps what it booked.
            let again = try await Self.send(app, s, file, query: "motifId=\(s.motif)&dryRun=true").content.decode(Report.self)
            #expect(again.accepted == 0)
        }
    }

    @Test func aFileThatIsNotACalendarOrNamesAnUnknownTimeZoneIsRefusedWhole() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let before = try await AppointmentRecord.query(on: app.db).count()
            let unknownZone = Self.calendar([Self.event("a", "20261126T100000", "DURAND Marie", "Né(e) le 03/12/1957", zone: ";TZID=Romance Standard Time")])
            let refused = try await Self.send(app, s, unknownZone, query: "motifId=\(s.motif)")
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("fuseau horaire inconnu « Romance Standard Time »"))
            let notCalendar = try await Self.send(app, s, "Bonjour,\nvoici l'agenda.", query: "motifId=\(s.motif)")
            #expect(try MotifArchiveTests.problem(notCalendar).errors?.map(\.field) == ["file"])
            let noPractitioner = try await app.testing().sendRequest(.POST, "\(s.base)/agenda-import", headers: [
                "Authorization": "Bearer \(try await app.apiToken(s.world.supervisor))", "Content-Type": "text/calendar"], body: ByteBuffer(string: unknownZone))
            #expect(try MotifArchiveTests.problem(noPractitioner).errors?.map(\.field) == ["practitionerId"])
            #expect(try await AppointmentRecord.query(on: app.db).count() == before)
            // Secretaries do not import a practice's agenda.
            let secretary = try await app.testing().sendRequest(.POST, "\(s.base)/agenda-import?practitionerId=\(s.world.practitionerA)", headers: [
                "Authorization": "Bearer \(s.token)", "Content-Type": "text/calendar"], body: ByteBuffer(string: unknownZone))
            #expect(secretary.status == .forbidden)
        }
    }

    @Test func twoHundredUpcomingAppointmentsComeOverFromACalendarAndACSVAlike() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            // Nine 20-minute visits each weekday morning from Monday 30 November: 200 of them.
            var events: [String] = []
            var day = LocalDate(year: 2026, month: 11, day: 30)
            while events.count < 200 {
                if day.isoWeekday <= 5 && FrenchHolidays.holiday(on: day) == nil {
                    for slot in 0..<9 where events.count < 200 {
                        let minutes = 9 * 60 + slot * 20
                        let stamp = String(format: "%04d%02d%02dT%02d%02d00", day.year, day.month, day.day, minutes / 60, minutes % 60)
                        let name = DemoNames.surnames[events.count % DemoNames.surnames.count].uppercased()
                        events.append(Self.event("rdv-\(events.count)", stamp, "\(name) Camille", "Né(e) le 14/07/19\(50 + events.count % 50)"))
                    }
                }
                day = day.adding(days: 1)
            }
            let report = try await Self.send(app, s, Self.calendar(events), query: "motifId=\(s.motif)").content.decode(Report.self)
            #expect(report.rows == 200 && report.imported == 200 && report.rejected.isEmpty, "\(report.rejected.prefix(3))")
            #expect(try await AppointmentRecord.query(on: app.db).filter(\.$status == "booked").count() == 200)

            let csv = "date;heure;nom;prénom;naissance;téléphone;motif\n15/03/2027;09:00;DURAND;Marie;03/12/1957;;Consultation\n15/03/2027;14:00;DURAND;Marie;03/12/1957;;Consultation\n"
            let fromCSV = try await Self.send(app, s, csv, type: "text/csv", query: "dryRun=true").content.decode(Report.self)
            #expect(fromCSV.format == "csv" && fromCSV.accepted == 1, "\(fromCSV.rejected)")
            #expect(fromCSV.rejected.map(\.line) == [3])
        }
    }
}
