@testable import App
import Domain
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

struct DemoSeedTests {
    static let today = LocalDate(year: 2026, month: 11, day: 24)

    @Test func theSameSeedAndDayGiveTheSameDemo() {
        #expect(DemoDataset.make(seed: 42, today: Self.today) == DemoDataset.make(seed: 42, today: Self.today))
    }

    @Test func anotherSeedGivesOtherPatients() {
        let one = DemoDataset.make(seed: 42, today: Self.today)
        let other = DemoDataset.make(seed: 43, today: Self.today)
        #expect(one.patients.map(\.birthName) != other.patients.map(\.birthName))
        #expect(one.patients.map(\.id) != other.patients.map(\.id))
    }

    @Test func theDemoCenterHasWhatTheIssueAsks() {
        let data = DemoDataset.make(seed: 2026, today: Self.today)
        #expect(data.practices.count == 3)
        #expect(data.practitioners.filter { $0.practiceID == data.practices[0].id }.count == 2)
        #expect((300...600).contains(data.patients.count))
        #expect(Set(data.users.map(\.role)) == Set(Role.allCases))
        let phones = data.patients.map(\.phone)
        #expect(phones.allSatisfy { (try? PhoneNumber(parsing: $0))?.e164 == $0 })
        // Infants under three months exist for the paediatrician's triage.
        #expect(data.patients.contains { $0.birthDate > Self.today.adding(days: -90) })
    }

    @Test func appointmentsCoverTwoWeeksAroundTodayWithoutOverlapOrClosedDays() {
        let data = DemoDataset.make(seed: 2026, today: Self.today)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = DemoDataset.timeZone
        let first = calendar.date(from: DateComponents(year: 2026, month: 11, day: 17))!
        let last = calendar.date(from: DateComponents(year: 2026, month: 12, day: 2))!
        #expect(data.appointments.count > 300)
        #expect(data.appointments.allSatisfy { $0.start >= first && $0.end <= last })
        #expect(data.appointments.contains { $0.start < Date(timeIntervalSince1970: 1_795_478_400) })
        #expect(data.appointments.contains { $0.start > Date(timeIntervalSince1970: 1_795_564_800) })
        #expect(!data.appointments.contains { calendar.component(.weekday, from: $0.start) == 1 })
        for (_, list) in Dictionary(grouping: data.appointments, by: \.practitionerID) {
            let sorted = list.sorted { $0.start < $1.start }
            for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a.end <= b.start) }
        }
    }

    @Test func theDemoIsACenterTheBookingRulesWouldHaveMade() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            _ = try await DemoSeeder.seed(app: app, seed: 2026)
            let data = DemoDataset.make(seed: 2026, today: Self.today)
            let now = app.clock.now()
            let patients = Dictionary(uniqueKeysWithValues: data.patients.map { ($0.id, $0) })
            for practice in try await PracticeRecord.query(on: app.db).all() {
                let authorized = try AuthorizedPractice.commandLine(practice)
                let agenda = try await AgendaStore.agenda(authorized, app: app, on: app.db)
                #expect(Departement(code: practice.departement ?? "") != nil, "\(practice.name) has its département")
                #expect(!(try await PracticeSetupStore.numbers(of: practice.id!, on: app.db)).isEmpty)
                #expect(CoverageDTO.stored(practice.coverage) != nil)
                #expect(practice.liveAt != nil)
                for appointment in try await AppointmentRecord.query(on: app.db).filter(\.$practice.$id == practice.id!).all() {
                    // Its motif is one its practitioner takes, and it lasts the motif's length.
                    let motif = try #require(appointment.motifID.flatMap { agenda.motif($0) }, "\(appointment.reason) has a motif")
                    #expect(motif.practitionerIDs.contains(appointment.$practitioner.id))
                    #expect(Int(appointment.endsAt.timeIntervalSince(appointment.startsAt)) == motif.durationMinutes * 60)
                    #expect(appointment.reason == motif.label)
                    // From now on, the urgent slots stay free.
                    if appointment.startsAt >= now && appointment.statusValue.occupiesTime {
                        let plan = agenda.dayPlan(for: appointment.$practitioner.id, on: LocalDate(appointment.startsAt, in: agenda.timeZone))
                        #expect(!plan.reservedForUrgent.contains { $0.start < appointment.endsAt && appointment.startsAt < $0.end },
                                "\(appointment.reason) at \(appointment.startsAt) sits on an urgent slot")
                    }
                    if motif.label == "Examen du 9e mois", let patient = patients[appointment.$patient.id] {
                        let age = LocalDate(appointment.startsAt, in: agenda.timeZone).daysSince(patient.birthDate)
                        #expect((240...310).contains(age), "a baby of eight to ten months, not \(age) days")
                    }
                }
            }
            #expect(try await PracticeRecord.query(on: app.db).filter(\.$alsaceMoselle == true).count() == 1)
        }
    }

    @Test func seedingWritesTheDemoJournaledAndTheLoginsWork() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            #expect(try await DemoSeeder.isEmpty(app.db))
            let logins = try await DemoSeeder.seed(app: app, seed: 7)
            #expect(logins.count == 4)
            let data = DemoDataset.make(seed: 7, today: Self.today)
            #expect(try await PatientRecord.query(on: app.db).count() == data.patients.count)
            #expect(try await AppointmentRecord.query(on: app.db).count() == data.appointments.count)
            let stored = try await PatientRecord.query(on: app.db).all().map { "\($0.id!) \($0.birthName) \($0.birthDate)" }.sorted()
            #expect(stored == data.patients.map { "\($0.id) \($0.birthName) \($0.birthDate)" }.sorted())
            guard case .intact(let entries) = try await AuditVerifier.verify(on: app.db, seal: app.writer.seal) else { Issue.record("chain broken"); return }
            #expect(entries >= data.patients.count + data.appointments.count)
            #expect(try await !DemoSeeder.isEmpty(app.db))
            var browser = Browser(app)
            let response = try await browser.signIn("secretaire@permanence.test", password: DemoDataset.demoPassword)
            #expect(response.status == .seeOther)
            let home = try await browser.get("/")
            #expect(home.body.string.contains("Cabinet médical des Tilleuls"))
        }
    }

    /// Three months of calls before today, counted by the statistics as a center's: busiest on Monday morning and after
    /// 17:00, the lost calls in the busy hours, nothing left ringing (no pop, nothing on the board), and the figures'
    /// rollups holding what the raw events and calls say.
    @Test func theDemoCarriesThreeMonthsOfCallsOfABusyCenter() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            try await DemoSeeder.seed(app: app, seed: 7)
            let data = DemoDataset.make(seed: 7, today: Self.today)
            let history = DemoCallHistory.make(seed: 7, today: Self.today, data: data)
            let period = try StatisticsPeriod(from: Self.today.adding(days: -91).description, to: Self.today.adding(days: -1).description,
                                              granularity: "day", today: Self.today)
            let figures = try await StatisticsStore.figures(period, practices: [], now: clock.now, on: app.db)
            let rung = Set(history.events.map(\.providerCallID))
            #expect(figures.calls.presented == rung.count && rung.count > 5_000)
            #expect(figures.calls.answered == history.calls.count && figures.calls.ringing == 0)
            #expect(figures.calls.abandoned > 0 && figures.calls.quickHangUps > 0)
            #expect((0.85...0.99).contains(try #require(figures.calls.answerRate)))
            #expect(figures.calls.handlingTime.count == history.calls.count)
            // Today holds none of them; every day of the week but Sunday has calls.
            let today = try StatisticsPeriod(from: Self.today.description, to: Self.today.description, granularity: "hour", today: Self.today)
            #expect(try await StatisticsStore.figures(today, practices: [], now: clock.now, on: app.db).calls.presented == 0)
            let grid = figures.distribution.byWeekdayAndHour
            #expect(grid[6].allSatisfy { $0 == 0 } && grid[0...5].allSatisfy { $0.reduce(0, +) > 0 })
            // Monday 8:00–10:00 rings more than any Wednesday hour; 17:00 more than 13:00.
            #expect(grid[0][8] + grid[0][9] > 2 * (grid[2].max() ?? 0))
            #expect(grid[1][17] > grid[1][13] && grid[3][17] > grid[3][13])
            // The callers lost waited for busy secretaries: their share is higher on Monday mornings than on Wednesday afternoons.
            func lostShare(_ weekday: Int, _ hours: Range<Int>) -> Double {
                let traces = CallTrace.traces(events: history.events.map {
                    TelephonyFact(providerCallID: $0.providerCallID, kind: $0.kind, at: $0.at, practiceID: $0.practiceID)
                }, calls: []).filter {
                    let day = LocalDate($0.presentedAt, in: DemoDataset.timeZone)
                    return day.isoWeekday == weekday && hours.contains(WallClock.minutes(of: $0.presentedAt, in: DemoDataset.timeZone) / 60)
                }
                return Double(traces.filter { $0.outcome == .abandoned }.count) / Double(max(1, traces.count))
            }
            #expect(lostShare(1, 8..<10) > 2 * lostShare(3, 14..<17))
            // Some calls were urgency evaluations, made with the practice's questions: levels 2 to 5 (a vital urgency would
            // have asked a transmission the history does not hold), each linked to its call, ticked « Urgence ».
            let triaged = history.calls.filter { $0.triage != nil }
            #expect(figures.triages.total == triaged.count && triaged.count > 50)
            #expect(figures.triages.byLevel[1, default: 0] == 0 && Set(figures.triages.byLevel.filter { $0.value > 0 }.keys).count >= 3)
            #expect(triaged.allSatisfy { $0.reason == .urgent })
            #expect(try await CallLinkRecord.query(on: app.db).filter(\.$kind == CallLinkKind.triage.rawValue).count() == triaged.count)
            // Nothing of the past rings on a console or on the board.
            #expect(try await TelephonyEventRecord.query(on: app.db).filter(\.$kind == "ringing").filter(\.$takenByLabel == nil).count() == 0)
            let sql = app.db as! any SQLDatabase
            struct Count: Decodable { let n: Int }
            let stored = try await sql.raw("SELECT COUNT(*) AS n FROM call_traces").first(decoding: Count.self)?.n
            #expect(stored == rung.count)
            // Every call of the history is in the journal, sealed in the chain.
            guard case .intact = try await AuditVerifier.verify(on: app.db, seal: app.writer.seal) else { Issue.record("chain broken"); return }
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "call").count() == history.calls.count)
        }
    }

    @Test func theDemoPracticesHaveHoursAndMotifsThatGiveFreeSlots() async throws {
        try await withTestApp { app in
            try await DemoSeeder.seed(app: app, seed: 7)
            let data = DemoDataset.make(seed: 7, today: Self.today)
            let token = try await app.apiToken("secretaire@permanence.test", password: DemoDataset.demoPassword)
            for practice in data.practices {
                let motif = try #require(data.motifs.first { $0.practiceID == practice.id }?.motif)
                let response = try await app.api(.GET, "/api/v1/practices/\(practice.id)/availability?motif=\(motif.id)&limit=20", token: token)
                #expect(response.status == .ok)
                let slots = try response.content.decode(AgendaAPITests.Slots.self).slots
                #expect(slots.count == 20, "\(practice.name)")
                let booked = data.appointments.filter { $0.practiceID == practice.id && $0.status == "booked" }
                for slot in slots {
                    let start = try #require(ISOTimestamp.parse(slot.start)), end = try #require(ISOTimestamp.parse(slot.end))
                    #expect(!booked.contains { $0.practitionerID == slot.practitionerId && $0.start < end && start < $0.end })
                }
            }
            #expect(data.motifs.count >= 8)
            #expect(data.hours.count == data.practitioners.count)
        }
    }
}
