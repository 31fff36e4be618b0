import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// `/fhir`: FHIR R4 for the practices' own software. Read and search of Organization, Practitioner,
/// PractitionerRole, Patient, Schedule, Slot, Appointment and Communication; booking (`POST /fhir/Appointment`), moving
/// and cancelling (`PUT`, `PATCH`) through the same rules as the secretaries. A bearer token: a user's API token (their
/// practices) or a practice's connection token (that practice, its scope).
struct FHIRAPI: RouteCollection {
    static let types = ["Organization", "Practitioner", "PractitionerRole", "Patient", "Schedule", "Slot", "Appointment", "Communication"]

    /// The search parameters of each type, beside `_id`, `_count`, `_offset` and `_format`: exactly what
    /// the CapabilityStatement lists.
    static let searchParameters: [String: [(name: String, type: String, documentation: String)]] = [
        "Organization": [("name", "string", "Début du nom du cabinet, sans tenir compte des accents ni de la casse")],
        "Practitioner": [("identifier", "token", "RPPS (urn:oid:1.2.250.1.71.4.2.1|…)"), ("family", "string", "Début du nom"),
                         ("active", "token", "true ou false")],
        "PractitionerRole": [("practitioner", "reference", "Practitioner/…"), ("organization", "reference", "Organization/…"),
                             ("active", "token", "true ou false")],
        "Patient": [("identifier", "token", "INS (urn:oid:1.2.250.1.213.1.4.8|…), identités qualifiées seulement"),
                    ("family", "string", "Début du nom de naissance ou d'usage"), ("given", "string", "Début d'un prénom"),
                    ("birthdate", "date", "Date de naissance"), ("_lastUpdated", "date", "Dernière modification")],
        "Schedule": [("actor", "reference", "Practitioner/…"), ("active", "token", "true ou false")],
        "Slot": [("schedule", "reference", "Schedule/… (l'agenda d'un praticien)"), ("start", "date", "ge… et lt… : la fenêtre cherchée (4 semaines par défaut)"),
                 ("service-type", "token", "Le motif de consultation (urn:permanence:motif|…), obligatoire"), ("status", "token", "free seulement")],
        "Appointment": [("patient", "reference", "Patient/…"), ("practitioner", "reference", "Practitioner/…"), ("date", "date", "Début du rendez-vous"),
                        ("status", "token", "booked, cancelled, arrived, fulfilled, noshow…"), ("_lastUpdated", "date", "Dernière modification")],
        "Communication": [("patient", "reference", "Patient/…"), ("recipient", "reference", "Practitioner/…"), ("sent", "date", "Envoi"),
                          ("status", "token", "in-progress ou completed")],
    ]

    func boot(routes: any RoutesBuilder) throws {
        routes.get("metadata", use: metadata)
        for type in Self.types {
            routes.get(.constant(type), use: { req in try await self.search(type, req) })
            routes.get(.constant(type), ":id", use: { req in try await self.read(type, req) })
        }
        routes.on(.POST, "Appointment", body: .collect(maxSize: "64kb"), use: Idempotency.handler(create))
        routes.on(.PUT, "Appointment", ":id", body: .collect(maxSize: "64kb"), use: update)
        routes.on(.PATCH, "Appointment", ":id", body: .collect(maxSize: "64kb"), use: patch)
    }

    // MARK: Access

    /// What the caller reaches: the practices, and what it may do there.
    struct Access {
        let practices: [UUID]
        let canWrite: Bool
        let readsMessages: Bool
        /// A practice's software (its connection token), not a person's API token.
        var isPracticeSoftware = false
    }

    static func access(_ req: Request) async throws -> Access {
        let principal = try req.requirePrincipal()
        if let grant = principal.connection {
            return Access(practices: [grant.practiceID], canWrite: grant.canWrite, readsMessages: grant.readsMessages, isPracticeSoftware: true)
        }
        let practices = principal.role.seesEveryPractice ? try await req.practiceIDs() : Array(principal.assignedPractices)
        return Access(practices: practices, canWrite: true, readsMessages: true)
    }

    /// The practice of a stored resource, if the caller reaches it; otherwise the resource is "unknown".
    static func authorize(_ practice: UUID, _ access: Access, _ req: Request, type: String, id: String) async throws -> AuthorizedPractice {
        guard access.practices.contains(practice) else { throw FHIRError.notFound(type, id) }
        do { return try await req.authorize(practice: practice) } catch { throw FHIRError.notFound(type, id) }
    }

    static func respond(_ value: some Encodable, status: HTTPResponseStatus = .ok, location: String? = nil) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let response = Response(status: status, body: .init(data: try encoder.encode(value)))
        response.headers.replaceOrAdd(name: .contentType, value: FHIR.mediaType)
        if let location { response.headers.replaceOrAdd(name: .location, value: location) }
        return response
    }

    static func base(_ req: Request) -> String {
        let scheme = req.headers.first(name: "X-Forwarded-Proto") ?? "http"
        let host = req.headers.first(name: .host) ?? "localhost:8080"
        return "\(scheme)://\(host)/fhir"
    }

    static func bundle<R: Encodable>(_ req: Request, _ type: String, query: FHIRQuery, total: Int, page: [R], id: (R) -> String) throws -> Response {
        let base = base(req)
        let now = ISOTimestamp.string(req.application.clock.now(), in: FrenchFormat.parisTimeZone)
        return try respond(FHIR.Bundle(id: UUID().uuidString, meta: FHIR.Meta(lastUpdated: now), total: total,
                                       link: query.links(base: base, path: "/" + type, total: total),
                                       entry: page.isEmpty ? nil : page.map { FHIR.BundleEntry(fullUrl: "\(base)/\(type)/\(id($0))", resource: $0,
                                                                                               search: FHIR.BundleSearch(mode: "match")) }))
    }

    // MARK: Read and search

    @Sendable func read(_ type: String, _ req: Request) async throws -> Response {
        let raw = req.parameters.get("id") ?? ""
        if type == "Slot" {
            throw FHIRError(status: .methodNotAllowed, code: "not-supported", diagnostics: "Un créneau libre est calculé : cherchez-le (GET /fhir/Slot?…)")
        }
        guard let id = UUID(fastString: raw) else { throw FHIRError.notFound(type, raw) }
        let access = try await Self.access(req)
        let found: Response? = switch type {
        case "Organization": try await organizations(req, access, ids: [id], query: nil)
        case "Practitioner", "PractitionerRole", "Schedule": try await practitioners(type, req, access, ids: [id], query: nil)
        case "Patient": try await patients(req, access, ids: [id], query: nil)
        case "Appointment": try await appointments(req, access, ids: [id], query: nil)
        case "Communication": try await communications(req, access, ids: [id], query: nil)
        default: nil
        }
        guard let found else { throw FHIRError.notFound(type, raw) }
        return found
    }

    @Sendable func search(_ type: String, _ req: Request) async throws -> Response {
        let query = try FHIRQuery(req, supported: Set(Self.searchParameters[type, default: []].map(\.name) + (type == "Slot" ? [] : ["_id"])))
        let access = try await Self.access(req)
        let ids = type == "Slot" ? nil : try query.ids()
        return switch type {
        case "Organization": try await organizations(req, access, ids: ids, query: query)!
        case "Practitioner", "PractitionerRole", "Schedule": try await practitioners(type, req, access, ids: ids, query: query)!
        case "Patient": try await patients(req, access, ids: ids, query: query)!
        case "Slot": try await slots(req, access, query: query)
        case "Appointment": try await appointments(req, access, ids: ids, query: query)!
        default: try await communications(req, access, ids: ids, query: query)!
        }
    }

    /// A read (`query` nil: the one resource, or nil when unknown) or a search's bundle.
    private func answer<R: Encodable>(_ req: Request, _ type: String, _ query: FHIRQuery?, total: Int, page: [R], id: (R) -> String) throws -> Response? {
        guard let query else { return try page.first.map { try Self.respond($0) } }
        return try Self.bundle(req, type, query: query, total: total, page: page, id: id)
    }

    private static func bool(_ query: FHIRQuery?, _ name: String) throws -> Bool? {
        guard let text = try query?.single(name) else { return nil }
        guard let value = Bool(text) else { throw FHIRError.invalid(name, "true ou false") }
        return value
    }

    private static func startsWith(_ name: String, _ prefix: String) -> Bool {
        NameFolding.words(name).contains { $0.hasPrefix(NameFolding.fold(prefix)) } || NameFolding.fold(name).hasPrefix(NameFolding.fold(prefix))
    }

    func organizations(_ req: Request, _ access: Access, ids: [UUID]?, query: FHIRQuery?) async throws -> Response? {
        var records = try await PracticeRecord.query(on: req.db).filter(\.$id ~~ (ids.map { $0.filter(access.practices.contains) } ?? access.practices))
            .sort(\.$name).all()
        if let name = try query?.single("name") { records = records.filter { Self.startsWith($0.name, name) } }
        let page = query.map { Array(records.dropFirst($0.offset).prefix($0.count)) } ?? records
        return try answer(req, "Organization", query, total: records.count, page: page.map(FHIR.organization), id: \.id)
    }

    /// Practitioner, PractitionerRole and Schedule share their ids and their rows.
    func practitioners(_ type: String, _ req: Request, _ access: Access, ids: [UUID]?, query: FHIRQuery?) async throws -> Response? {
        var builder = PractitionerRecord.query(on: req.db).filter(\.$practice.$id ~~ access.practices)
        if let ids { builder = builder.filter(\.$id ~~ ids) }
        if let reference = try query?.reference(type == "Schedule" ? "actor" : "practitioner", types: ["Practitioner"]) {
            builder = builder.filter(\.$id == reference)
        }
        if let organization = try query?.reference("organization", types: ["Organization"]) { builder = builder.filter(\.$practice.$id == organization) }
        if let identifier = try query?.token("identifier") {
            guard identifier.system == nil || identifier.system == FHIR.rppsSystem else { throw FHIRError.invalid("identifier", "système \(FHIR.rppsSystem) (RPPS) attendu") }
            builder = builder.filter(\.$rpps == identifier.code)
        }
        var records = try await builder.sort(\.$lastName).sort(\.$firstName).all()
        if let active = try Self.bool(query, "active") { records = records.filter { ($0.deactivatedAt == nil) == active } }
        if let family = try query?.single("family") { records = records.filter { Self.startsWith($0.lastName, family) } }
        let page = query.map { Array(records.dropFirst($0.offset).prefix($0.count)) } ?? records
        switch type {
        case "Practitioner":
            return try answer(req, type, query, total: records.count, page: page.map(FHIR.practitioner), id: \.id)
        case "PractitionerRole":
            return try answer(req, type, query, total: records.count, page: page.map(FHIR.practitionerRole), id: \.id)
        default:
            var schedules: [FHIR.Schedule] = []
            for record in page {
                let agenda = try await AgendaStore.agenda(.system(record.$practice.id), app: req.application, on: req.db)
                schedules.append(FHIR.schedule(record, motifs: agenda.motifs(of: record.id!)))
            }
            return try answer(req, type, query, total: records.count, page: schedules, id: \.id)
        }
    }

    func patients(_ req: Request, _ access: Access, ids: [UUID]?, query: FHIRQuery?) async throws -> Response? {
        var builder = PatientRecord.query(on: req.db).filter(\.$practice.$id ~~ access.practices).filter(\.$anonymisedAt == nil)
        if let ids { builder = builder.filter(\.$id ~~ ids) }
        if let identifier = try query?.token("identifier") {
            guard identifier.system == nil || identifier.system == FHIR.insSystem else { throw FHIRError.invalid("identifier", "système \(FHIR.insSystem) (INS) attendu") }
            builder = builder.filter(\.$insNIR == identifier.code).filter(\.$identityStatus == IdentityStatus.qualifiee.rawValue)
        }
        if let birth = try query?.period("birthdate", zone: FrenchFormat.parisTimeZone), birth.from != nil || birth.before != nil {
            let zone = FrenchFormat.parisTimeZone
            if let from = birth.from { builder = builder.filter(\.$birthDate >= LocalDate(from, in: zone).description) }
            if let before = birth.before { builder = builder.filter(\.$birthDate < LocalDate(before, in: zone).description) }
        }
        if let updated = try query?.period("_lastUpdated", zone: FrenchFormat.parisTimeZone) {
            if let from = updated.from { builder = builder.filter(\.$updatedAt >= from) }
            if let before = updated.before { builder = builder.filter(\.$updatedAt < before) }
        }
        builder = builder.sort(\.$birthName).sort(\.$firstNames).sort(\.$id)
        let family = try query?.single("family"), given = try query?.single("given")
        let total: Int, page: [PatientRecord]
        if family == nil && given == nil {
            // Counted and paged by the database.
            total = query == nil ? 0 : try await builder.count()
            page = try await (query.map { builder.range($0.offset..<($0.offset + $0.count)) } ?? builder).all()
        } else {
            // Names are compared folded (accents, case, hyphens), as the secretaries' search does.
            var records = try await builder.all()
            if let family { records = records.filter { Self.startsWith($0.birthName, family) || ($0.usedName.map { Self.startsWith($0, family) } ?? false) } }
            if let given { records = records.filter { Self.startsWith($0.firstNames, given) } }
            total = records.count
            page = query.map { Array(records.dropFirst($0.offset).prefix($0.count)) } ?? records
        }
        guard !page.isEmpty else { return try answer(req, "Patient", query, total: total, page: [FHIR.Patient](), id: \.id) }
        // Every record sent is a record read: traced as the secretaries' openings are.
        let context = try req.writeContext()
        let traced = page.map { ($0.id!.uuidString, $0.$practice.id) }
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { _, journal in
            for (id, practice) in traced { try await journal.record(.read, entity: "patient", entityID: id, practiceID: practice) }
        }
        let phones = try await PatientSearch.phones(of: page.map { $0.id! }, on: req.db)
        return try answer(req, "Patient", query, total: total, page: page.map { FHIR.patient($0, phones: phones[$0.id!] ?? []) }, id: \.id)
    }

    func appointments(_ req: Request, _ access: Access, ids: [UUID]?, query: FHIRQuery?) async throws -> Response? {
        let zone = FrenchFormat.parisTimeZone
        var builder = AppointmentRecord.query(on: req.db).filter(\.$practice.$id ~~ access.practices)
        if let ids { builder = builder.filter(\.$id ~~ ids) }
        if let query {
            if let patient = try query.reference("patient", types: ["Patient"]) { builder = builder.filter(\.$patient.$id == patient) }
            if let practitioner = try query.reference("practitioner", types: ["Practitioner"]) { builder = builder.filter(\.$practitioner.$id == practitioner) }
            if let status = try query.single("status") {
                let statuses = status.split(separator: ",").map(String.init)
                guard statuses.allSatisfy({ AppointmentStatus(rawValue: $0) != nil }) else {
                    throw FHIRError.invalid("status", "statuts FHIR attendus : " + AppointmentStatus.allCases.map(\.rawValue).joined(separator: ", "))
                }
                builder = builder.filter(\.$status ~~ statuses)
            }
            let date = try query.period("date", zone: zone)
            if let from = date.from { builder = builder.filter(\.$startsAt >= from) }
            if let before = date.before { builder = builder.filter(\.$startsAt < before) }
            let updated = try query.period("_lastUpdated", zone: zone)
            if let from = updated.from { builder = builder.filter(\.$updatedAt >= from) }
            if let before = updated.before { builder = builder.filter(\.$updatedAt < before) }
        }
        let total = query == nil ? 0 : try await builder.count()
        if let query { builder = builder.sort(\.$startsAt).sort(\.$id).range(query.offset..<(query.offset + query.count)) }
        let page = try await builder.all().map { FHIR.appointment($0, zone: zone) }
        return try answer(req, "Appointment", query, total: total, page: page, id: { $0.id ?? "" })
    }

    func communications(_ req: Request, _ access: Access, ids: [UUID]?, query: FHIRQuery?) async throws -> Response? {
        let zone = FrenchFormat.parisTimeZone
        var builder = TransmissionRecord.query(on: req.db).filter(\.$practice.$id ~~ access.practices)
        if let ids { builder = builder.filter(\.$id ~~ ids) }
        if let query {
            if let patient = try query.reference("patient", types: ["Patient"]) { builder = builder.filter(\.$patientID == patient) }
            if let recipient = try query.reference("recipient", types: ["Practitioner"]) { builder = builder.filter(\.$practitionerID == recipient) }
            if let status = try query.single("status") {
                switch status {
                case "in-progress": builder = builder.filter(\.$stateText ~~ TransmissionState.allCases.filter(\.awaitsPractitioner).map(\.rawValue))
                case "completed": builder = builder.filter(\.$stateText ~~ TransmissionState.allCases.filter { !$0.awaitsPractitioner }.map(\.rawValue))
                default: throw FHIRError.invalid("status", "in-progress ou completed")
                }
            }
            let sent = try query.period("sent", zone: zone)
            if let from = sent.from { builder = builder.filter(\.$sentAt >= from) }
            if let before = sent.before { builder = builder.filter(\.$sentAt < before) }
        }
        let total = query == nil ? 0 : try await builder.count()
        if let query { builder = builder.sort(\.$sentAt, .descending).sort(\.$id).range(query.offset..<(query.offset + query.count)) }
        let page = try await builder.all().map { FHIR.communication($0, readsMessages: access.readsMessages, zone: zone) }
        return try answer(req, "Communication", query, total: total, page: page, id: \.id)
    }

    /// Free slots of a motif (`service-type`, required), for one practitioner (`schedule`) or every one who takes it,
    /// in the window `start=ge…&start=lt…` (from now, 4 weeks unless said; at most a year), as the secretaries see them.
    func slots(_ req: Request, _ access: Access, query: FHIRQuery) async throws -> Response {
        guard let service = try query.token("service-type") else {
            throw FHIRError(status: .badRequest, code: "required", diagnostics: "Paramètre « service-type » obligatoire : le motif de consultation (urn:permanence:motif|…)",
                            expression: ["service-type"])
        }
        guard service.system == nil || service.system == FHIR.motifSystem, let motifID = UUID(fastString: service.code) else {
            throw FHIRError.invalid("service-type", "motif attendu : \(FHIR.motifSystem)|<identifiant du motif>")
        }
        if let status = try query.single("status"), status != "free" { throw FHIRError.invalid("status", "seuls les créneaux libres (free) sont servis") }
        let schedule = try query.reference("schedule", types: ["Schedule"])
        let now = req.application.clock.now()
        // The practice whose agenda knows the motif (and the practitioner): another practice's is "unknown".
        var found: (AuthorizedPractice, PracticeAgenda)?
        for practice in access.practices {
            let agenda = try await AgendaStore.agenda(.system(practice), app: req.application, on: req.db)
            if agenda.motif(motifID) != nil { found = (try await req.authorize(practice: practice), agenda); break }
        }
        guard let (_, agenda) = found, let motif = agenda.motif(motifID) else { throw FHIRError.invalid("service-type", "motif inconnu") }
        if let schedule, !agenda.practitionerIDs.contains(schedule) { throw FHIRError.invalid("schedule", "agenda inconnu pour ce motif") }
        let window = try query.period("start", zone: agenda.timeZone)
        let from = max(window.from ?? now, now)
        let until = window.before ?? from.addingTimeInterval(28 * 86_400)
        guard until.timeIntervalSince(from) <= 366 * 86_400 else { throw FHIRError.invalid("start", "une fenêtre d'un an au plus") }
        let slots: [Domain.Slot]
        do {
            slots = until <= from ? [] : try agenda.freeSlots(SlotQuery(motifID: motifID, practitionerID: schedule, from: from,
                                                                        limit: SlotQuery.maximumWindowLimit, until: until), now: now)
        } catch {
            throw FHIRError(status: .unprocessableEntity, code: "business-rule", diagnostics: error.reason, expression: ["service-type"])
        }
        let response = Response(status: .ok, body: .init(string: Self.slotBundle(Array(slots.dropFirst(query.offset).prefix(query.count)), total: slots.count,
                                                                           motif: motif, zone: agenda.timeZone, query: query, req: req)))
        response.headers.replaceOrAdd(name: .contentType, value: FHIR.mediaType)
        return response
    }

    /// The Slot bundle written by hand (the `Bundle` of `FHIR.slot`s that `bundle` would encode): this is the hot search
    /// of a practice's software, and Foundation's encoder took most of its time.
    static func slotBundle(_ slots: [Domain.Slot], total: Int, motif: Motif, zone: TimeZone, query: FHIRQuery, req: Request) -> String {
        let base = base(req)
        var json = #"{"resourceType":"Bundle","id":""# + UUID().uuidString + #"","meta":{"lastUpdated":""#
            + ISOTimestamp.string(req.application.clock.now(), in: FrenchFormat.parisTimeZone) + #""},"type":"searchset","total":"# + String(total)
        json += #","link":["# + query.links(base: base, path: "/Slot", total: total)
            .map { #"{"relation":"# + JSONText.quoted($0.relation) + #","url":"# + JSONText.quoted($0.url) + "}" }.joined(separator: ",") + "]"
        guard !slots.isEmpty else { return json + "}" }
        let serviceType = #"[{"coding":[{"system":""# + FHIR.motifSystem + #"","code":""# + motif.id.uuidString + #"","display":"#
            + JSONText.quoted(motif.label) + #"}],"text":"# + JSONText.quoted(motif.label) + "}]"
        var offsets = ZoneOffsets(zone)
        var schedules: [UUID: String] = [:]
        json.reserveCapacity(json.utf8.count + slots.count * (500 + serviceType.utf8.count))
        json += #","entry":["#
        for (index, slot) in slots.enumerated() {
            if index > 0 { json += "," }
            if schedules[slot.practitionerID] == nil { schedules[slot.practitionerID] = slot.practitionerID.uuidString }
            let id = FHIR.slotID(practitioner: schedules[slot.practitionerID]!, start: slot.start)
            json += #"{"fullUrl":""# + base + "/Slot/" + id + #"","resource":{"resourceType":"Slot","id":""# + id + #"","serviceType":"# + serviceType
            json += #","schedule":{"reference":"Schedule/"# + schedules[slot.practitionerID]! + #""},"status":"free","start":""#
            json += ISOTimestamp.string(slot.start, offsets: &offsets) + #"","end":""# + ISOTimestamp.string(slot.end, offsets: &offsets)
            json += #""},"search":{"mode":"match"}}"#
        }
        return json + "]}"
    }

    // MARK: CapabilityStatement

    @Sendable func metadata(req: Request) async throws -> Response {
        struct Interaction: Encodable { let code: String }
        struct SearchParam: Encodable { let name: String; let type: String; let documentation: String }
        struct Resource: Encodable {
            let type: String
            let interaction: [Interaction]
            let searchParam: [SearchParam]
        }
        struct Security: Encodable { let cors: Bool; let description: String }
        struct Rest: Encodable { let mode: String; let security: Security; let resource: [Resource] }
        struct Software: Encodable { let name: String; let version: String }
        struct Implementation: Encodable { let description: String; let url: String }
        struct Capability: Encodable {
            var resourceType = "CapabilityStatement"
            let status: String
            let date: String
            let publisher: String
            let kind: String
            let software: Software
            let implementation: Implementation
            let fhirVersion: String
            let format: [String]
            let rest: [Rest]
        }
        let common = [SearchParam(name: "_id", type: "token", documentation: "Identifiant de la ressource"),
                      SearchParam(name: "_count", type: "number", documentation: "Résultats par page, de 0 à \(FHIRQuery.maximumCount) (\(FHIRQuery.defaultCount) par défaut)"),
                      SearchParam(name: "_offset", type: "number", documentation: "Rang du premier résultat de la page (liens next et previous)")]
        let resources = Self.types.map { type in
            var interactions = type == "Slot" ? ["search-type"] : ["read", "search-type"]
            if type == "Appointment" { interactions += ["create", "update", "patch"] }
            return Resource(type: type, interaction: interactions.map(Interaction.init),
                            searchParam: (type == "Slot" ? [] : common.prefix(1)) + common.dropFirst()
                                + Self.searchParameters[type, default: []].map { SearchParam(name: $0.name, type: $0.type, documentation: $0.documentation) })
        }
        let capability = Capability(
            status: "active", date: "2026-12-06", publisher: "Permanence", kind: "instance",
            software: Software(name: "Permanence", version: "1.0"),
            implementation: Implementation(description: "Télésecrétariat médical : agendas, patients et transmissions des cabinets", url: Self.base(req)),
            fhirVersion: FHIR.version, format: ["application/fhir+json", "json"],
            rest: [Rest(mode: "server",
                        security: Security(cors: false, description: "Authorization: Bearer — jeton d'API d'un utilisateur, ou jeton de connexion d'un cabinet (pcx_…) avec sa portée"),
                        resource: resources)])
        return try Self.respond(capability)
    }
}
