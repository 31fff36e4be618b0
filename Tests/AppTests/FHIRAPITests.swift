@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// `/fhir` for a practice's software (issue 23): practice A with a 20-minute motif on weekday mornings; the clock stands
/// on Tuesday 24 November 2026, 09:30 Paris.
struct FHIRAPITests {
    struct Outcome: Decodable {
        struct Issue: Decodable { let code: String; let diagnostics: String }
        let resourceType: String
        let issue: [Issue]
    }

    struct Bundle: Decodable {
        struct Link: Decodable { let relation: String; let url: String }
        struct Entry: Decodable { let fullUrl: String; let resource: Resource }
        let resourceType: String
        let total: Int
        let link: [Link]
        let entry: [Entry]?
        var resources: [Resource] { entry?.map(\.resource) ?? [] }
    }

    /// The elements the tests read, whatever the resource.
    struct Resource: Decodable {
        struct Identifier: Decodable { let system: String?; let value: String? }
        struct Payload: Decodable { let contentString: String }
        let resourceType: String
        let id: String?
        let status: String?
        let start: String?
        let end: String?
        let identifier: [Identifier]?
        let payload: [Payload]?
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestingHTTPResponse) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(response.body.readableBytesView))
    }

    /// A connection token of practice A, as its page makes one.
    static func connectionToken(_ app: Application, practice: UUID, scope: String = "read-write", readsMessages: Bool = false) async throws -> String {
        let context = WriteContext(actor: AuditActor(userID: nil, label: "superviseur@permanence.test"), requestID: nil, writer: app.writer,
                                   database: app.db, patientIndex: app.patientIndexCache)
        return try await ConnectionStore.issueToken(.init(label: "Logiciel du cabinet", scope: scope, readsMessages: readsMessages),
                                                    for: .system(practice), context: context, now: app.clock.now()).1
    }

    static func booking(_ s: AppointmentsAPITests.Setup, start: String, practitioner: UUID? = nil) -> String {
        """
        {"resourceType":"Appointment","status":"booked","start":"\(start)",
         "serviceType":[{"coding":[{"system":"urn:permanence:motif","code":"\(s.motif)"}]}],
         "participant":[{"actor":{"reference":"Patient/\(s.patient)"},"status":"accepted"},
                        {"actor":{"reference":"Practitioner/\(practitioner ?? s.world.practitionerA)"},"status":"accepted"}]}
        """
    }

    static let fhirJSON: HTTPHeaders = ["Content-Type": "application/fhir+json"]

    @Test func theCapabilityStatementListsExactlyWhatIsImplemented() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let response = try await app.api(.GET, "/fhir/metadata", token: s.token)
            #expect(response.status == .ok)
            #expect(response.headers.first(name: .contentType)?.hasPrefix("application/fhir+json") == true)
            struct Capability: Decodable {
                struct Rest: Decodable {
                    struct Resource: Decodable {
                        struct Interaction: Decodable { let code: String }
                        struct Parameter: Decodable { let name: String }
                        let type: String; let interaction: [Interaction]; let searchParam: [Parameter]
                    }
                    let resource: [Resource]
                }
                let fhirVersion: String; let rest: [Rest]
            }
            let capability = try Self.decode(Capability.self, response)
            #expect(capability.fhirVersion == "4.0.1")
            let resources = Dictionary(uniqueKeysWithValues: capability.rest[0].resource.map { ($0.type, $0) })
            #expect(Set(resources.keys) == Set(FHIRAPI.types))
            #expect(resources["Slot"]!.interaction.map(\.code) == ["search-type"])
            #expect(Set(resources["Appointment"]!.interaction.map(\.code)) == ["read", "search-type", "create", "update", "patch"])
            // Every parameter listed is taken, and only those: one not listed is refused.
            for (type, resource) in resources {
                let names = Set(resource.searchParam.map(\.name))
                #expect(names == Set(FHIRAPI.searchParameters[type, default: []].map(\.name) + ["_count", "_offset"] + (type == "Slot" ? [] : ["_id"])))
            }
        }
    }

    @Test func aPracticeTokenReachesItsPracticeOnlyAndAnotherPracticesResourceIsUnknown() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let token = try await Self.connectionToken(app, practice: s.world.practiceA)
            let practitioners = try Self.decode(Bundle.self, try await app.api(.GET, "/fhir/Practitioner", token: token))
            #expect(practitioners.resources.map(\.id) == [s.world.practitionerA.uuidString])
            for path in ["/fhir/Practitioner/\(s.world.practitionerB)", "/fhir/Organization/\(s.world.practiceB)", "/fhir/Schedule/\(s.world.practitionerB)",
                         "/fhir/Practitioner/\(UUID())"] {
                let response = try await app.api(.GET, path, token: token)
                #expect(response.status == .notFound, "\(path)")
                #expect(try Self.decode(Outcome.self, response).issue.first?.code == "not-found")
            }
            // Booking with another practice's practitioner: unknown too, nothing written.
            let booked = try await app.api(.POST, "/fhir/Appointment", token: token, json: nil, headers: Self.fhirJSON)
            #expect(booked.status == .badRequest, "an empty body")
            let other = try await app.testing().sendRequest(.POST, "/fhir/Appointment", headers: Self.fhirJSON.merging(bearer: token),
                                                            body: ByteBuffer(string: Self.booking(s, start: "2026-11-26T10:00:00+01:00", practitioner: s.world.practitionerB)))
            #expect(other.status == .notFound)
            #expect(try await AppointmentsAPITests.liveAppointments(app) == 0)
            // Without a token: 401 as an OperationOutcome.
            let anonymous = try await app.api(.GET, "/fhir/Patient", token: nil)
            #expect(anonymous.status == .unauthorized && anonymous.headers.first(name: .wwwAuthenticate) == "Bearer")
            #expect(try Self.decode(Outcome.self, anonymous).issue.first?.code == "login")
        }
    }

    @Test func unknownParametersModifiersAndMalformedValuesAreRefusedNotIgnored() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            for (query, code) in [("Appointment?colour=blue", "not-supported"), ("Patient?family:exact=Durand", "not-supported"),
                                  ("Practitioner?_lastUpdated=ge2026-01-01", "not-supported"), ("Appointment?date=ge2026-13-01", "invalid"),
                                  ("Appointment?date=demain", "invalid"), ("Appointment?_count=1000", "invalid"), ("Appointment?patient=Practitioner/\(UUID())", "invalid"),
                                  ("Slot?schedule=Schedule/\(s.world.practitionerA)", "required"), ("Slot?service-type=\(s.motif)&_id=x", "not-supported")] {
                let response = try await app.api(.GET, "/fhir/" + query, token: s.token)
                #expect(response.status == .badRequest, "\(query): \(response.body.string)")
                #expect(try Self.decode(Outcome.self, response).issue.first?.code == code, "\(query)")
            }
        }
    }

    @Test func slotsAreTheFreeSlotsOfTheAvailabilitySearchInTheWindow() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let path = "/fhir/Slot?schedule=Schedule/\(s.world.practitionerA)&service-type=urn:permanence:motif%7C\(s.motif)"
                + "&start=ge2026-11-30&start=lt2026-12-01&_count=100"
            let bundle = try Self.decode(Bundle.self, try await app.api(.GET, path, token: s.token))
            let availability = try await AgendaAPITests.slots(app, "\(s.base)/availability?motif=\(s.motif)&from=2026-11-30&limit=9", token: s.token)
            // Monday 30 November, 09:00–12:00 in 20-minute slots: the availability search's nine, and no slot of the 1st.
            #expect(bundle.total == 9)
            #expect(bundle.resources.map(\.start) == availability.map(\.start))
            #expect(bundle.resources.allSatisfy { $0.status == "free" })
            // Paged: two at a time, the links carry the search.
            let page = try Self.decode(Bundle.self, try await app.api(.GET, path.replacingOccurrences(of: "_count=100", with: "_count=2&_offset=2"), token: s.token))
            #expect(page.resources.map(\.start) == Array(availability.map(\.start)[2..<4]))
            #expect(Set(page.link.map(\.relation)) == ["self", "next", "previous"])
            #expect(page.link.first { $0.relation == "next" }?.url.contains("_offset=4") == true)
        }
    }

    @Test func theSlotBundleWrittenByHandIsWhatTheEncoderWouldWrite() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let response = try await app.api(.GET, "/fhir/Slot?service-type=\(s.motif)&start=ge2026-11-30&start=lt2026-12-01&_count=3", token: s.token)
            let written = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            let entries = try #require(written["entry"] as? [[String: Any]])
            #expect(entries.count == 3 && written["total"] as? Int == 9 && written["type"] as? String == "searchset")
            let agenda = try await AgendaStore.agenda(.system(s.world.practiceA), app: app, on: app.db)
            let motif = try #require(agenda.motif(s.motif))
            for entry in entries {
                let resource = try #require(entry["resource"] as? [String: Any])
                let (practitioner, start) = try #require(FHIR.parseSlotID(resource["id"] as! String))
                let slot = Domain.Slot(start: start, end: start.addingTimeInterval(1200), practitionerID: practitioner)
                let encoded = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(FHIR.slot(slot, motif: motif, zone: agenda.timeZone))) as! NSDictionary
                #expect(NSDictionary(dictionary: resource) == encoded)
            }
        }
    }

    @Test func aBookingFollowsTheRulesIsJournaledAndATakenSlotAnswers409() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let token = try await Self.connectionToken(app, practice: s.world.practiceA)
            let body = Self.booking(s, start: "2026-11-26T10:00:00+01:00")
            let booked = try await app.testing().sendRequest(.POST, "/fhir/Appointment", headers: Self.fhirJSON.merging(bearer: token), body: ByteBuffer(string: body))
            #expect(booked.status == .created, "\(booked.body.string)")
            let appointment = try Self.decode(Resource.self, booked)
            #expect(appointment.status == "booked" && appointment.end == "2026-11-26T10:20:00+01:00")
            #expect(booked.headers.first(name: .location)?.hasSuffix("/fhir/Appointment/\(appointment.id!)") == true)
            let entry = try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "appointment").filter(\.$entityID == appointment.id!).first()
            #expect(entry?.action == "create" && entry?.actorLabel == "connexion:Logiciel du cabinet")
            #expect(AuditActor.readable(entry!.actorLabel) == "Logiciel du cabinet « Logiciel du cabinet »")
            let stored = try await AppointmentRecord.find(UUID(uuidString: appointment.id!), on: app.db)
            #expect(stored?.source == "practitioner")

            let again = try await app.testing().sendRequest(.POST, "/fhir/Appointment", headers: Self.fhirJSON.merging(bearer: token), body: ByteBuffer(string: body))
            #expect(again.status == .conflict)
            let outcome = try Self.decode(Outcome.self, again)
            #expect(outcome.issue.first?.code == "conflict" && outcome.issue.first?.diagnostics.contains(appointment.id!) == true)
            // Outside the hours: refused by the rules (no override from a software), nothing written.
            let closed = try await app.testing().sendRequest(.POST, "/fhir/Appointment", headers: Self.fhirJSON.merging(bearer: token),
                                                             body: ByteBuffer(string: Self.booking(s, start: "2026-11-26T15:00:00+01:00")))
            #expect(closed.status == .unprocessableEntity)
            #expect(try await AppointmentsAPITests.liveAppointments(app) == 1)
        }
    }

    @Test func aReadOnlyTokenMayNotBook() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let token = try await Self.connectionToken(app, practice: s.world.practiceA, scope: "read")
            let response = try await app.testing().sendRequest(.POST, "/fhir/Appointment", headers: Self.fhirJSON.merging(bearer: token),
                                                               body: ByteBuffer(string: Self.booking(s, start: "2026-11-26T10:00:00+01:00")))
            #expect(response.status == .forbidden)
            #expect(try Self.decode(Outcome.self, response).issue.first?.code == "forbidden")
            #expect(try await AppointmentsAPITests.liveAppointments(app) == 0)
        }
    }

    @Test func patchMovesAndPutCancelsThroughTheStores() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let token = try await Self.connectionToken(app, practice: s.world.practiceA)
            let booked = try await app.testing().sendRequest(.POST, "/fhir/Appointment", headers: Self.fhirJSON.merging(bearer: token),
                                                             body: ByteBuffer(string: Self.booking(s, start: "2026-11-26T10:00:00+01:00")))
            let id = try Self.decode(Resource.self, booked).id!
            let moved = try await app.testing().sendRequest(.PATCH, "/fhir/Appointment/\(id)", headers: HTTPHeaders([("Content-Type", "application/json-patch+json")]).merging(bearer: token),
                                                            body: ByteBuffer(string: #"[{"op":"replace","path":"/start","value":"2026-11-27T11:00:00+01:00"}]"#))
            #expect(moved.status == .ok, "\(moved.body.string)")
            #expect(try Self.decode(Resource.self, moved).start == "2026-11-27T11:00:00+01:00")
            let unsupported = try await app.testing().sendRequest(.PATCH, "/fhir/Appointment/\(id)", headers: HTTPHeaders([("Content-Type", "application/json-patch+json")]).merging(bearer: token),
                                                                  body: ByteBuffer(string: #"[{"op":"remove","path":"/participant"}]"#))
            #expect(unsupported.status == .unprocessableEntity)

            var resource = try JSONSerialization.jsonObject(with: Data(moved.body.readableBytesView)) as! [String: Any]
            resource["status"] = "cancelled"
            let cancelled = try await app.testing().sendRequest(.PUT, "/fhir/Appointment/\(id)", headers: Self.fhirJSON.merging(bearer: token),
                                                                body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: resource)))
            #expect(cancelled.status == .ok, "\(cancelled.body.string)")
            let record = try await AppointmentRecord.find(UUID(uuidString: id), on: app.db)
            #expect(record?.status == "cancelled" && record?.cancellationParty == "practice" && record?.calendarSequence == 2)
            let changes = try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "appointment").filter(\.$entityID == id).count()
            #expect(changes == 3, "booked, moved, cancelled: each journaled")
            // The id of the body must be the address's.
            resource["id"] = UUID().uuidString
            let mismatch = try await app.testing().sendRequest(.PUT, "/fhir/Appointment/\(id)", headers: Self.fhirJSON.merging(bearer: token),
                                                               body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: resource)))
            #expect(mismatch.status == .badRequest)
        }
    }

    @Test func theINSIsGivenOnlyForAQualifiedIdentityAndEachRecordSentIsTraced() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let token = try await Self.connectionToken(app, practice: s.world.practiceA)
            for (name, status) in [("Qualifiee", IdentityStatus.qualifiee), ("Validee", IdentityStatus.validee)] {
                let patient = PatientRecord(id: UUID(), practice: s.world.practiceA, birthName: name, firstNames: "Marie", usedName: nil, birthDate: "1957-12-03", sex: "F")
                patient.insNIR = "257120511511512"
                patient.identityStatus = status.rawValue
                try await patient.create(on: app.db)
            }
            let bundle = try Self.decode(Bundle.self, try await app.api(.GET, "/fhir/Patient?birthdate=1957-12&_count=10", token: token))
            #expect(bundle.total == 3)
            let byName = Dictionary(uniqueKeysWithValues: try await PatientRecord.query(on: app.db).all().map { ($0.id!.uuidString, $0.birthName) })
            for patient in bundle.resources {
                let ins = patient.identifier?.first { $0.system == FHIR.insSystem }?.value
                #expect(ins == (byName[patient.id!] == "Qualifiee" ? "257120511511512" : nil), "\(byName[patient.id!] ?? "")")
            }
            let traces = try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "patient").filter(\.$action == "read").all()
            #expect(Set(traces.map(\.entityID)) == Set(bundle.resources.compactMap(\.id)))
            #expect(traces.allSatisfy { $0.actorLabel == "connexion:Logiciel du cabinet" })
            let qualified = try Self.decode(Bundle.self, try await app.api(.GET, "/fhir/Patient?identifier=\(FHIR.insSystem)%7C257120511511512", token: token))
            #expect(qualified.resources.count == 1)
        }
    }

    @Test func aTransmissionsTextGoesOnlyToATokenAllowedIt() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let sent = try await app.api(.POST, "\(s.base)/transmissions", token: s.token, json: """
                {"practitionerId":"\(s.world.practitionerA)","patientId":"\(s.patient)","priority":"urgent","subject":"Douleur","message":"Rappeler la patiente","callbackNumber":"0612345678"}
                """)
            #expect(sent.status == .created, "\(sent.body.string)")
            for (reads, expected) in [(false, 0), (true, 1)] {
                let token = try await Self.connectionToken(app, practice: s.world.practiceA, readsMessages: reads)
                let bundle = try Self.decode(Bundle.self, try await app.api(.GET, "/fhir/Communication?patient=Patient/\(s.patient)", token: token))
                #expect(bundle.total == 1)
                #expect(bundle.resources.first?.payload?.count ?? 0 == expected)
                #expect(bundle.resources.first?.status == "in-progress")
            }
        }
    }

    @Test func aRevokedTokenOpensNothing() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let token = try await Self.connectionToken(app, practice: s.world.practiceA)
            #expect(try await app.api(.GET, "/fhir/Organization", token: token).status == .ok)
            let record = try await ConnectionTokenRecord.query(on: app.db).first()!
            let context = WriteContext(actor: .system("test"), requestID: nil, writer: app.writer, database: app.db, patientIndex: app.patientIndexCache)
            try await ConnectionStore.revokeToken(record.id, of: .system(s.world.practiceA), context: context, app: app, now: app.clock.now())
            #expect(try await app.api(.GET, "/fhir/Organization", token: token).status == .unauthorized)
            // A connection token opens nothing of the JSON API.
            #expect(try await app.api(.GET, "/api/v1/practices", token: try await Self.connectionToken(app, practice: s.world.practiceA)).status == .unauthorized)
        }
    }
}

extension HTTPHeaders {
    func merging(bearer token: String) -> HTTPHeaders {
        var headers = self
        headers.bearerAuthorization = BearerAuthorization(token: token)
        return headers
    }
}
