import Domain
import Fluent
import Foundation
import Vapor

/// `/api/v1/practices/{practiceId}/…`: motifs, hours, exceptions, urgent-slot rules and availability.
struct AgendaAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let practice = routes.grouped("practices", ":practiceID")
        practice.get("availability", use: availability)

        practice.get("motifs", use: listMotifs)
        practice.post("motifs", use: createMotif)
        practice.put("motifs", ":motifID", use: updateMotif)
        practice.delete("motifs", ":motifID", use: deleteMotif)
        practice.post("motifs", ":motifID", "archive", use: archiveMotif)
        practice.post("motifs", ":motifID", "unarchive", use: unarchiveMotif)

        practice.get("hours", use: listHours)
        practice.post("hours", use: createHours)
        practice.put("hours", ":templateID", use: updateHours)
        practice.delete("hours", ":templateID", use: deleteHours)

        practice.get("exceptions", use: listExceptions)
        practice.post("exceptions", use: createException)
        practice.put("exceptions", ":exceptionID", use: updateException)
        practice.delete("exceptions", ":exceptionID", use: deleteException)

        practice.get("urgent-rules", use: listUrgentRules)
        practice.post("urgent-rules", use: createUrgentRule)
        practice.put("urgent-rules", ":ruleID", use: updateUrgentRule)
        practice.delete("urgent-rules", ":ruleID", use: deleteUrgentRule)
    }

    // MARK: Availability

    /// `{"slots":[{"start":…,"end":…,"practitionerId":…,"reservedForUrgent":…}]}`, written by hand: this is the hottest
    /// route and its values (ISO times, UUIDs, booleans) never need escaping.
    static func slotsJSON(_ slots: [Slot], zone: TimeZone) -> String {
        var json = #"{"slots":["#
        json.reserveCapacity(32 + slots.count * 150)
        var offsets = ZoneOffsets(zone)
        var ids: [UUID: String] = [:]
        for (index, slot) in slots.enumerated() {
            if index > 0 { json += "," }
            json += #"{"start":""# + ISOTimestamp.string(slot.start, offsets: &offsets)
            json += #"","end":""# + ISOTimestamp.string(slot.end, offsets: &offsets)
            if ids[slot.practitionerID] == nil { ids[slot.practitionerID] = slot.practitionerID.uuidString }
            json += #"","practitionerId":""# + ids[slot.practitionerID]!
            json += #"","reservedForUrgent":"# + (slot.reservedForUrgent ? "true}" : "false}")
        }
        return json + "]}"
    }

    @Sendable
    func availability(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let now = req.application.clock.now()
        let agenda = try await AgendaStore.agenda(practice, app: req.application, on: req.db)
        let query = try Self.slotQuery(req, agenda: agenda, now: now)
        do {
            let slots = try agenda.freeSlots(query, now: now)
            let response = Response(status: .ok, body: .init(string: Self.slotsJSON(slots, zone: agenda.timeZone)))
            response.headers.contentType = .json
            return response
        } catch {
            throw AppError.invalid(error.field, error.reason)
        }
    }

    /// Reads the query string; every malformed parameter is named.
    static func slotQuery(_ req: Request, agenda: PracticeAgenda, now: Date) throws -> SlotQuery {
        // No value here may hold a space, so a "+" stays a "+": an offset sent unencoded still reads.
        let parameters = QueryParameters(req.url.query, plusIsSpace: false)
        var errors: [FieldError] = []
        let motif = parameters["motif"].flatMap { UUID(fastString: $0) }
        if motif == nil { errors.append(FieldError(field: "motif", reason: "identifiant de motif attendu")) }
        var from = now
        if let raw = parameters["from"] {
            if let date = LocalDate(iso: raw) {
                from = agenda.startOfDay(date)
            } else if let instant = ISOTimestamp.parse(raw) {
                from = instant
            } else {
                errors.append(FieldError(field: "from", reason: "date AAAA-MM-JJ ou horodatage ISO 8601 avec fuseau attendu"))
            }
        }
        var limit = 10
        if let raw = parameters["limit"] {
            if let value = Int(raw) { limit = value } else { errors.append(FieldError(field: "limit", reason: "nombre entier attendu")) }
        }
        var practitioner: UUID?
        if let raw = parameters["practitioner"] {
            practitioner = UUID(fastString: raw)
            if practitioner == nil { errors.append(FieldError(field: "practitioner", reason: "identifiant de praticien attendu")) }
        }
        var urgent = false
        if let raw = parameters["urgent"] {
            switch raw.lowercased() {
            case "true", "1": urgent = true
            case "false", "0": urgent = false
            default: errors.append(FieldError(field: "urgent", reason: "true ou false"))
            }
        }
        var partOfDay: SlotQuery.PartOfDay?
        if let raw = parameters["partOfDay"] {
            partOfDay = SlotQuery.PartOfDay(rawValue: raw)
            if partOfDay == nil { errors.append(FieldError(field: "partOfDay", reason: "morning ou afternoon")) }
        }
        var after: LocalTime?
        if let raw = parameters["after"] {
            after = LocalTime(parsing: raw)
            if after == nil { errors.append(FieldError(field: "after", reason: "heure au format HH:MM")) }
        }
        var weekdays: Set<Int>?
        if let raw = parameters["weekdays"] {
            let days = raw.split(separator: ",").map { Int($0) }
            if days.isEmpty || days.contains(where: { $0 == nil || !(1...7).contains($0!) }) {
                errors.append(FieldError(field: "weekdays", reason: "jours de 1 (lundi) à 7 (dimanche) séparés par des virgules"))
            } else {
                weekdays = Set(days.compactMap { $0 })
            }
        }
        guard errors.isEmpty, let motif else { throw AppError.validation(errors) }
        return SlotQuery(motifID: motif, practitionerID: practitioner, from: from, limit: limit, partOfDay: partOfDay,
                         notBefore: after, weekdays: weekdays, urgent: urgent)
    }

    // MARK: Motifs

    struct MotifList: Content { let motifs: [MotifDTO] }

    @Sendable
    func listMotifs(req: Request) async throws -> MotifList {
        let practice = try await req.authorizePracticeParameter()
        return MotifList(motifs: try await AgendaStore.motifs(of: practice, on: req.db).map { MotifDTO($0.domain) })
    }

    @Sendable
    func createMotif(req: Request) async throws -> Response {
        try await saveMotif(req, existing: nil)
    }

    @Sendable
    func updateMotif(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let record = try await AgendaStore.find(MotifRecord.self, req.parameters.get("motifID", as: UUID.self), in: practice,
                                                practiceKey: \.$practice, on: req.db, what: "Motif")
        return try await saveMotif(req, existing: record)
    }

    private func saveMotif(_ req: Request, existing: MotifRecord?) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editAgenda)
        let saved = try await Self.saveMotif(try req.content.decode(MotifDTO.self), existing: existing, practice: practice, req: req)
        return try await Self.respond(saved, created: existing == nil, req: req)
    }

    static func saveMotif(_ dto: MotifDTO, existing: MotifRecord?, practice: AuthorizedPractice, req: Request) async throws -> MotifDTO {
        _ = try req.require(.editAgenda)
        let practitioners = Set(try await AgendaStore.practitionerIDs(of: practice, on: req.db))
        let motif = try dto.validated(id: existing?.id ?? UUID(), practitioners: practitioners, archived: existing?.archivedAt != nil)
        let record = existing ?? MotifRecord()
        let before = existing.map { MotifDTO($0.domain) }
        record.apply(motif, practice: practice.id)
        try await AgendaStore.save(record, isNew: existing == nil, entity: "motif", before: before, after: MotifDTO(motif),
                                   practice: practice, context: try req.writeContext(), cache: req.application.agendaCache)
        return MotifDTO(motif)
    }

    @Sendable
    func deleteMotif(req: Request) async throws -> HTTPStatus {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editAgenda)
        let record = try await AgendaStore.find(MotifRecord.self, req.parameters.get("motifID", as: UUID.self), in: practice,
                                                practiceKey: \.$practice, on: req.db, what: "Motif")
        try await Self.deleteMotif(record, practice: practice, req: req)
        return .noContent
    }

    /// Deletes a motif nothing names yet; one used by appointments, holds or waiting-list entries is refused (409 with
    /// the counts, counted in the deleting transaction) and is archived instead.
    static func deleteMotif(_ record: MotifRecord, practice: AuthorizedPractice, req: Request) async throws {
        _ = try req.require(.editAgenda)
        let motifID = record.id!
        if try await AgendaStore.templates(of: practice, on: req.db).contains(where: { $0.ranges.contains(motifID.uuidString) }) {
            throw AppError.conflict("Ce motif est réservé dans des plages horaires : retirez-le des horaires avant de le supprimer.")
        }
        try await AgendaStore.delete(record, entity: "motif", before: MotifDTO(record.domain), practice: practice,
                                     context: try req.writeContext(), cache: req.application.agendaCache) { tx in
            let usage = try await AgendaStore.usage(ofMotif: motifID, on: tx)
            if usage.isUsed { throw AppError.motifInUse(usage) }
        }
    }

    @Sendable
    func archiveMotif(req: Request) async throws -> MotifDTO {
        try await Self.setArchived(true, req: req)
    }

    @Sendable
    func unarchiveMotif(req: Request) async throws -> MotifDTO {
        try await Self.setArchived(false, req: req)
    }

    private static func setArchived(_ archived: Bool, req: Request) async throws -> MotifDTO {
        let practice = try await req.authorizePracticeParameter()
        let record = try await AgendaStore.find(MotifRecord.self, req.parameters.get("motifID", as: UUID.self), in: practice,
                                                practiceKey: \.$practice, on: req.db, what: "Motif")
        return try await setArchived(archived, record, practice: practice, req: req)
    }

    /// Archives a motif (no longer offered for new bookings, its appointments kept and movable) or offers it again;
    /// journaled. Doing it twice changes nothing and is not journaled twice.
    static func setArchived(_ archived: Bool, _ record: MotifRecord, practice: AuthorizedPractice, req: Request) async throws -> MotifDTO {
        _ = try req.require(.editAgenda)
        guard (record.archivedAt != nil) != archived else { return MotifDTO(record.domain) }
        let before = MotifDTO(record.domain)
        record.archivedAt = archived ? req.application.clock.now() : nil
        let after = MotifDTO(record.domain)
        try await AgendaStore.save(record, isNew: false, entity: "motif", before: before, after: after, practice: practice,
                                   context: try req.writeContext(), cache: req.application.agendaCache)
        return after
    }

    // MARK: Hours

    struct HoursList: Content { let hours: [HoursDTO] }

    @Sendable
    func listHours(req: Request) async throws -> HoursList {
        let practice = try await req.authorizePracticeParameter()
        return HoursList(hours: try await AgendaStore.templates(of: practice, on: req.db).map(AgendaStore.dto))
    }

    @Sendable
    func createHours(req: Request) async throws -> Response {
        try await saveHours(req, existing: nil)
    }

    @Sendable
    func updateHours(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let record = try await AgendaStore.find(WeeklyTemplateRecord.self, req.parameters.get("templateID", as: UUID.self), in: practice,
                                                practiceKey: \.$practice, on: req.db, what: "Horaires")
        return try await saveHours(req, existing: record)
    }

    private func saveHours(_ req: Request, existing: WeeklyTemplateRecord?) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editAgenda)
        let saved = try await Self.saveHours(try req.content.decode(HoursDTO.self), existing: existing, practice: practice, req: req)
        return try await Self.respond(saved, created: existing == nil, req: req)
    }

    static func saveHours(_ dto: HoursDTO, existing: WeeklyTemplateRecord?, practice: AuthorizedPractice, req: Request) async throws -> HoursDTO {
        _ = try req.require(.editAgenda)
        let template = try await Self.validatedHours(dto, id: existing?.id ?? UUID(), practice: practice, on: req.db)
        let record = existing ?? WeeklyTemplateRecord()
        let before = try existing.map(AgendaStore.dto)
        try AgendaStore.apply(template, to: record, practice: practice.id)
        let after = try AgendaStore.dto(record)
        try await AgendaStore.save(record, isNew: existing == nil, entity: "weekly_template", before: before, after: after,
                                   practice: practice, context: try req.writeContext(), cache: req.application.agendaCache)
        return after
    }

    static func validatedHours(_ dto: HoursDTO, id: UUID, practice: AuthorizedPractice, on db: any Database) async throws -> WeeklyTemplate {
        let practitioners = Set(try await AgendaStore.practitionerIDs(of: practice, on: db))
        let motifs = Set(try await AgendaStore.motifs(of: practice, on: db).map { $0.id! })
        return try dto.validated(id: id, practitioners: practitioners, motifs: motifs)
    }

    @Sendable
    func deleteHours(req: Request) async throws -> HTTPStatus {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editAgenda)
        let record = try await AgendaStore.find(WeeklyTemplateRecord.self, req.parameters.get("templateID", as: UUID.self), in: practice,
                                                practiceKey: \.$practice, on: req.db, what: "Horaires")
        try await AgendaStore.delete(record, entity: "weekly_template", before: try AgendaStore.dto(record), practice: practice,
                                     context: try req.writeContext(), cache: req.application.agendaCache)
        return .noContent
    }

    // MARK: Exceptions

    struct ExceptionList: Content { let exceptions: [ExceptionDTO] }

    @Sendable
    func listExceptions(req: Request) async throws -> ExceptionList {
        let practice = try await req.authorizePracticeParameter()
        return ExceptionList(exceptions: try await AgendaStore.exceptions(of: practice, on: req.db).map(ExceptionDTO.init))
    }

    @Sendable
    func createException(req: Request) async throws -> Response {
        try await saveException(req, existing: nil)
    }

    @Sendable
    func updateException(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let record = try await AgendaStore.find(AgendaExceptionRecord.self, req.parameters.get("exceptionID", as: UUID.self), in: practice,
                                                practiceKey: \.$practice, on: req.db, what: "Exception")
        return try await saveException(req, existing: record)
    }

    private func saveException(_ req: Request, existing: AgendaExceptionRecord?) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editAgenda)
        let saved = try await Self.saveException(try req.content.decode(ExceptionDTO.self), existing: existing, practice: practice, req: req)
        return try await Self.respond(saved, created: existing == nil, req: req)
    }

    static func saveException(_ dto: ExceptionDTO, existing: AgendaExceptionRecord?, practice: AuthorizedPractice, req: Request) async throws -> ExceptionDTO {
        _ = try req.require(.editAgenda)
        let practitioners = Set(try await AgendaStore.practitionerIDs(of: practice, on: req.db))
        let motifs = Set(try await AgendaStore.motifs(of: practice, on: req.db).map { $0.id! })
        let exception = try dto.validated(id: existing?.id ?? UUID(), practitioners: practitioners, motifs: motifs)
        let record = existing ?? AgendaExceptionRecord()
        let before = existing.map(ExceptionDTO.init)
        record.apply(exception, practice: practice.id)
        let after = ExceptionDTO(record)
        try await AgendaStore.save(record, isNew: existing == nil, entity: "agenda_exception", before: before, after: after,
                                   practice: practice, context: try req.writeContext(), cache: req.application.agendaCache)
        return after
    }

    @Sendable
    func deleteException(req: Request) async throws -> HTTPStatus {
        _ = try await Self.removeException(req: req)
        return .noContent
    }

    /// Deletes the exception named by the route, for the API and the screen alike; returns what was deleted.
    static func removeException(req: Request) async throws -> AgendaExceptionRecord {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editAgenda)
        let record = try await AgendaStore.find(AgendaExceptionRecord.self, req.parameters.get("exceptionID", as: UUID.self), in: practice,
                                                practiceKey: \.$practice, on: req.db, what: "Exception")
        try await AgendaStore.delete(record, entity: "agenda_exception", before: ExceptionDTO(record), practice: practice,
                                     context: try req.writeContext(), cache: req.application.agendaCache)
        return record
    }

    // MARK: Urgent-slot rules

    struct UrgentRuleList: Content { let rules: [UrgentRuleDTO] }

    @Sendable
    func listUrgentRules(req: Request) async throws -> UrgentRuleList {
        let practice = try await req.authorizePracticeParameter()
        return UrgentRuleList(rules: try await AgendaStore.urgentRules(of: practice, on: req.db).map(UrgentRuleDTO.init))
    }

    @Sendable
    func createUrgentRule(req: Request) async throws -> Response {
        try await saveUrgentRule(req, existing: nil)
    }

    @Sendable
    func updateUrgentRule(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let record = try await AgendaStore.find(UrgentSlotRuleRecord.self, req.parameters.get("ruleID", as: UUID.self), in: practice,
                                                practiceKey: \.$practice, on: req.db, what: "Règle")
        return try await saveUrgentRule(req, existing: record)
    }

    private func saveUrgentRule(_ req: Request, existing: UrgentSlotRuleRecord?) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editAgenda)
        let saved = try await Self.saveUrgentRule(try req.content.decode(UrgentRuleDTO.self), existing: existing, practice: practice, req: req)
        return try await Self.respond(saved, created: existing == nil, req: req)
    }

    static func saveUrgentRule(_ dto: UrgentRuleDTO, existing: UrgentSlotRuleRecord?, practice: AuthorizedPractice, req: Request) async throws -> UrgentRuleDTO {
        _ = try req.require(.editAgenda)
        let rule = try dto.validated(practitioners: Set(try await AgendaStore.practitionerIDs(of: practice, on: req.db)))
        let record = existing ?? UrgentSlotRuleRecord()
        let before = existing.map(UrgentRuleDTO.init)
        record.apply(rule, id: existing?.id ?? UUID(), practice: practice.id)
        let after = UrgentRuleDTO(record)
        try await AgendaStore.save(record, isNew: existing == nil, entity: "urgent_slot_rule", before: before, after: after,
                                   practice: practice, context: try req.writeContext(), cache: req.application.agendaCache)
        return after
    }

    @Sendable
    func deleteUrgentRule(req: Request) async throws -> HTTPStatus {
        _ = try await Self.removeUrgentRule(req: req)
        return .noContent
    }

    /// Deletes the urgent-slot rule named by the route, for the API and the screen alike; returns what was deleted.
    static func removeUrgentRule(req: Request) async throws -> UrgentSlotRuleRecord {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editAgenda)
        let record = try await AgendaStore.find(UrgentSlotRuleRecord.self, req.parameters.get("ruleID", as: UUID.self), in: practice,
                                                practiceKey: \.$practice, on: req.db, what: "Règle")
        try await AgendaStore.delete(record, entity: "urgent_slot_rule", before: UrgentRuleDTO(record), practice: practice,
                                     context: try req.writeContext(), cache: req.application.agendaCache)
        return record
    }

    static func respond<T: Content>(_ body: T, created: Bool, req: Request) async throws -> Response {
        let response = try await body.encodeResponse(for: req)
        response.status = created ? .created : .ok
        return response
    }
}
