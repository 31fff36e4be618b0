@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The clock stands on Tuesday 24 November 2026, 09:30 in Paris.
struct AgendaAPITests {
    struct Slots: Decodable {
        struct Slot: Decodable { let start: String; let end: String; let practitionerId: UUID; let reservedForUrgent: Bool }
        let slots: [Slot]
    }

    struct Created: Decodable { let id: UUID }

    struct Problem: Decodable {
        struct Field: Decodable { let field: String; let reason: String }
        let status: Int
        let errors: [Field]?
    }

    /// A 20-minute motif and weekday mornings 09:00–12:00 for the practitioner of practice A, made by the supervisor.
    static func setUp(_ app: Application, _ world: World) async throws -> (token: String, motif: UUID) {
        let token = try await app.apiToken(world.supervisor)
        let motif = try await app.api(.POST, "/api/v1/practices/\(world.practiceA)/motifs", token: token, json: """
            {"label":"Consultation","durationMinutes":20,"practitionerIds":["\(world.practitionerA)"],"patientInstructions":"Apporter la carte Vitale"}
            """)
        #expect(motif.status == .created)
        let motifID = try motif.content.decode(Created.self).id
        let ranges = (1...5).map { #"{"weekday":\#($0),"start":"09:00","end":"12:00"}"# }.joined(separator: ",")
        let hours = try await app.api(.POST, "/api/v1/practices/\(world.practiceA)/hours", token: token, json: """
            {"practitionerId":"\(world.practitionerA)","validFrom":"2026-01-01","ranges":[\(ranges)]}
            """)
        #expect(hours.status == .created)
        return (token, motifID)
    }

    /// A patient of practice A booked by the tests that need one: its id.
    static func patient(_ app: Application, _ world: World, token: String) async throws -> UUID {
        let created = try await app.api(.POST, "/api/v1/practices/\(world.practiceA)/patients", token: token,
                                        json: #"{"birthName":"Roux","firstNames":"Jean","birthDate":"1950-01-01","sex":"M"}"#)
        #expect(created.status == .created, "\(created.body.string)")
        return try created.content.decode(Created.self).id
    }

    static func slots(_ app: Application, _ path: String, token: String) async throws -> [Slots.Slot] {
        let response = try await app.api(.GET, path, token: token)
        #expect(response.status == .ok, "\(response.body.string)")
        return try response.content.decode(Slots.self).slots
    }

    @Test func availabilityFollowsTheHoursWithTheParisOffset() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let (_, motif) = try await Self.setUp(app, world)
            let secretary = try await app.apiToken(world.secretaryA)
            let slots = try await Self.slots(app, "/api/v1/practices/\(world.practiceA)/availability?motif=\(motif)&limit=3", token: secretary)
            #expect(slots.map(\.start) == ["2026-11-24T09:40:00+01:00", "2026-11-24T10:00:00+01:00", "2026-11-24T10:20:00+01:00"])
            #expect(slots.first?.end == "2026-11-24T10:00:00+01:00")
            #expect(slots.allSatisfy { $0.practitionerId == world.practitionerA && !$0.reservedForUrgent })
            let fromDate = try await Self.slots(app, "/api/v1/practices/\(world.practiceA)/availability?motif=\(motif)&limit=1&from=2026-11-28", token: secretary)
            #expect(fromDate.map(\.start) == ["2026-11-30T09:00:00+01:00"])
            let afternoon = try await Self.slots(app, "/api/v1/practices/\(world.practiceA)/availability?motif=\(motif)&limit=1&from=2026-11-25T10:15:00%2B01:00", token: secretary)
            #expect(afternoon.map(\.start) == ["2026-11-25T10:20:00+01:00"])
            let unencoded = try await Self.slots(app, "/api/v1/practices/\(world.practiceA)/availability?motif=\(motif)&limit=1&from=2026-11-25T10:15:00+01:00", token: secretary)
            #expect(unencoded.map(\.start) == ["2026-11-25T10:20:00+01:00"])
        }
    }

    @Test func existingAppointmentsAreNotOffered() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let (token, motif) = try await Self.setUp(app, world)
            let patient = PatientRecord(id: UUID(), practice: world.practiceA, birthName: "Durand", firstNames: "Marie", usedName: nil,
                                        birthDate: "1957-12-03", sex: "F")
            try await patient.create(on: app.db)
            _ = try await Self.slots(app, "/api/v1/practices/\(world.practiceA)/availability?motif=\(motif)&limit=2", token: token)
            // Booked through the API: the compiled agenda in the cache must forget the old free time.
            let booking = try await app.api(.POST, "/api/v1/practices/\(world.practiceA)/appointments", token: token, json: """
                {"patientId":"\(patient.id!)","practitionerId":"\(world.practitionerA)","motifId":"\(motif)","start":"2026-11-24T09:40:00+01:00"}
                """)
            #expect(booking.status == .created, "\(booking.body.string)")
            let slots = try await Self.slots(app, "/api/v1/practices/\(world.practiceA)/availability?motif=\(motif)&limit=2", token: token)
            #expect(slots.map(\.start) == ["2026-11-24T10:00:00+01:00", "2026-11-24T10:20:00+01:00"])
        }
    }

    @Test func anAbsenceTakesEffectAtOnce() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let (token, motif) = try await Self.setUp(app, world)
            let path = "/api/v1/practices/\(world.practiceA)/availability?motif=\(motif)&limit=1"
            #expect(try await Self.slots(app, path, token: token).map(\.start) == ["2026-11-24T09:40:00+01:00"])
            let absence = try await app.api(.POST, "/api/v1/practices/\(world.practiceA)/exceptions", token: token, json: """
                {"practitionerId":"\(world.practitionerA)","kind":"absence","reason":"Formation","start":"2026-11-24T00:00:00+01:00","end":"2026-11-26T00:00:00+01:00"}
                """)
            #expect(absence.status == .created)
            #expect(try await Self.slots(app, path, token: token).map(\.start) == ["2026-11-26T09:00:00+01:00"])
        }
    }

    @Test func urgentRequestsSeeTheReservedSlot() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let (token, motif) = try await Self.setUp(app, world)
            let rule = try await app.api(.POST, "/api/v1/practices/\(world.practiceA)/urgent-rules", token: token, json: """
                {"practitionerId":"\(world.practitionerA)","fixedTimes":["11:40"],"slotMinutes":20,"releaseBeforeMinutes":60}
                """)
            #expect(rule.status == .created)
            let base = "/api/v1/practices/\(world.practiceA)/availability?motif=\(motif)&limit=100&from=2026-11-24T11:00:00%2B01:00"
            let ordinary = try await Self.slots(app, base, token: token).filter { $0.start.hasPrefix("2026-11-24") }
            #expect(ordinary.map(\.start) == ["2026-11-24T11:00:00+01:00", "2026-11-24T11:20:00+01:00"])
            let urgent = try await Self.slots(app, base + "&urgent=true", token: token).filter { $0.start.hasPrefix("2026-11-24") }
            #expect(urgent.map(\.start) == ["2026-11-24T11:00:00+01:00", "2026-11-24T11:20:00+01:00", "2026-11-24T11:40:00+01:00"])
            #expect(urgent.last?.reservedForUrgent == true)
        }
    }

    @Test(arguments: [
        ("limit=101", "limit"), ("limit=dix", "limit"), ("from=demain", "from"), ("from=2026-02-30", "from"),
        ("urgent=peut-etre", "urgent"), ("weekdays=1,8", "weekdays"), ("after=25:00", "after"), ("partOfDay=soir", "partOfDay"),
    ])
    func badAvailabilityParametersAreNamed(parameter: String, field: String) async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let (token, motif) = try await Self.setUp(app, world)
            let response = try await app.api(.GET, "/api/v1/practices/\(world.practiceA)/availability?motif=\(motif)&\(parameter)", token: token)
            #expect(response.status == .unprocessableEntity)
            let problem = try JSONDecoder().decode(Problem.self, from: Data(response.body.string.utf8))
            #expect(problem.errors?.map(\.field) == [field])
        }
    }

    @Test func anUnknownMotifIsNamed() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let (token, _) = try await Self.setUp(app, world)
            for motif in [UUID().uuidString, "consultation"] {
                let response = try await app.api(.GET, "/api/v1/practices/\(world.practiceA)/availability?motif=\(motif)", token: token)
                #expect(response.status == .unprocessableEntity)
                #expect(try JSONDecoder().decode(Problem.self, from: Data(response.body.string.utf8)).errors?.first?.field == "motif")
            }
        }
    }

    @Test(arguments: [
        (#"[{"weekday":1,"start":"12:00","end":"09:00"}]"#, "ranges[0].end"),
        (#"[{"weekday":1,"start":"09:00","end":"12:00"},{"weekday":1,"start":"11:00","end":"13:00"}]"#, "ranges[1]"),
        (#"[{"weekday":1,"start":"9 heures","end":"12:00"}]"#, "ranges[0].start"),
        (#"[{"weekday":8,"start":"09:00","end":"12:00"}]"#, "ranges[0].weekday"),
    ])
    func badHoursAreRefusedAndChangeNothing(ranges: String, field: String) async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let (token, _) = try await Self.setUp(app, world)
            let templates = try await WeeklyTemplateRecord.query(on: app.db).count()
            let entries = try await AuditEntryRecord.query(on: app.db).count()
            let response = try await app.api(.POST, "/api/v1/practices/\(world.practiceA)/hours", token: token, json: """
                {"practitionerId":"\(world.practitionerA)","validFrom":"2026-01-01","ranges":\(ranges)}
                """)
            #expect(response.status == .unprocessableEntity)
            #expect(try JSONDecoder().decode(Problem.self, from: Data(response.body.string.utf8)).errors?.map(\.field) == [field])
            #expect(try await WeeklyTemplateRecord.query(on: app.db).count() == templates)
            #expect(try await AuditEntryRecord.query(on: app.db).count() == entries)
        }
    }

    @Test func aPractitionerOfAnotherPracticeIsRefusedInHoursAndMotifs() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.supervisor)
            let response = try await app.api(.POST, "/api/v1/practices/\(world.practiceA)/motifs", token: token, json: """
                {"label":"Consultation","durationMinutes":20,"practitionerIds":["\(world.practitionerB)"]}
                """)
            #expect(response.status == .unprocessableEntity)
            #expect(try JSONDecoder().decode(Problem.self, from: Data(response.body.string.utf8)).errors?.map(\.field) == ["practitionerIds[0]"])
        }
    }

    @Test func aRecordOfAnotherPracticeIsNotFoundThroughThisOne() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let (token, motif) = try await Self.setUp(app, world)
            let response = try await app.api(.DELETE, "/api/v1/practices/\(world.practiceB)/motifs/\(motif)", token: token)
            #expect(response.status == .notFound)
            #expect(try await MotifRecord.find(motif, on: app.db) != nil)
        }
    }

    @Test func secretariesReadTheRulesButDoNotChangeThem() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let (_, motif) = try await Self.setUp(app, world)
            let secretary = try await app.apiToken(world.secretaryA)
            #expect(try await app.api(.GET, "/api/v1/practices/\(world.practiceA)/motifs", token: secretary).status == .ok)
            let response = try await app.api(.DELETE, "/api/v1/practices/\(world.practiceA)/motifs/\(motif)", token: secretary)
            #expect(response.status == .forbidden)
        }
    }

    @Test func changesAreJournaledWithBeforeAndAfter() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let (token, motif) = try await Self.setUp(app, world)
            let update = try await app.api(.PUT, "/api/v1/practices/\(world.practiceA)/motifs/\(motif)", token: token, json: """
                {"label":"Consultation longue","durationMinutes":40,"practitionerIds":["\(world.practitionerA)"]}
                """)
            #expect(update.status == .ok)
            let entry = try #require(try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "motif").sort(\.$id, .descending).first())
            #expect(entry.action == "update")
            #expect(entry.practiceID == world.practiceA)
            #expect(entry.before?.contains("\"durationMinutes\":20") == true)
            #expect(entry.after?.contains("\"durationMinutes\":40") == true)
        }
    }

    @Test func aMotifNamedByOpeningRangesCannotBeDeleted() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let (token, motif) = try await Self.setUp(app, world)
            let hours = try await app.api(.POST, "/api/v1/practices/\(world.practiceA)/hours", token: token, json: """
                {"practitionerId":"\(world.practitionerA)","validFrom":"2026-01-01","ranges":[{"weekday":6,"start":"09:00","end":"12:00","motifIds":["\(motif)"]}]}
                """)
            #expect(hours.status == .created)
            #expect(try await app.api(.DELETE, "/api/v1/practices/\(world.practiceA)/motifs/\(motif)", token: token).status == .conflict)
        }
    }
}
