import Domain
import Fluent
import Foundation
import Leaf
import Vapor

/// The agenda page's forms: weekly hours, absences and extra openings, motifs (archived once used) and urgent-slot rules;
/// each write goes through the API's checks, and a refusal shows the page again with its reasons.
extension AgendaController {
    // MARK: Hours

    @Sendable
    func postHours(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editAgenda)
        let form = try req.content.decode([String: String].self)
        let practitionerID = try Self.requireUUID(form["praticien"], field: "praticien")
        let existing = try await Self.existingTemplate(form["modele"], practice: practice, req: req)
        // Ranges kept for some motifs are not on the form; they are carried over untouched.
        var ranges = try existing.map { try AgendaStore.template($0).ranges.filter { $0.motifIDs != nil }.map(OpeningRangeDTO.init) } ?? []
        var rows: [HoursRow] = []
        for weekday in 1...7 {
            var index = 0
            while form["r\(weekday)_\(index)_start"] != nil || index < 2 {
                let start = form["r\(weekday)_\(index)_start"] ?? "", end = form["r\(weekday)_\(index)_end"] ?? ""
                let weeks = form["r\(weekday)_\(index)_weeks"] ?? "every"
                rows.append(HoursRow(weekday: weekday, day: Self.weekdayNames[weekday - 1], index: index, start: start, end: end,
                                     weeks: Self.weekChoices(WeekParity(rawValue: weeks) ?? .every)))
                if !start.isEmpty || !end.isEmpty {
                    ranges.append(OpeningRangeDTO(weekday: weekday, start: start, end: end, weeks: weeks, motifIds: nil))
                }
                index += 1
            }
        }
        let until = (form["fin"] ?? "").trimmingCharacters(in: .whitespaces)
        let dto = HoursDTO(id: existing?.id ?? UUID(), practitionerID: practitionerID, validFrom: form["debut"] ?? "",
                           validUntil: until.isEmpty ? nil : until, ranges: ranges)
        var draft = Draft(section: "hours")
        do {
            let template = try await AgendaAPI.validatedHours(dto, id: dto.id!, practice: practice, on: req.db)
            draft.hours = (template, dto.id!.uuidString, dto.validFrom, until, rows)
            if form["action"] == "enregistrer" {
                _ = try await AgendaAPI.saveHours(dto, existing: existing, practice: practice, req: req)
                return req.redirect(to: Self.back(req, practitionerID, ok: "Horaires enregistrés."))
            }
            draft.preview = true
            return try await render(req, draft: draft).encodeResponse(for: req)
        } catch AppError.validation(let errors) {
            draft.errors = FormRefusal.faults(errors, labels: Self.labels)
            draft.hours = (WeeklyTemplate(id: dto.id!, practitionerID: practitionerID, validFrom: LocalDate(iso: dto.validFrom) ?? LocalDate(year: 2000, month: 1, day: 1), ranges: []),
                           dto.id!.uuidString, dto.validFrom, until, rows)
            return try await FormRefusal.redisplay(req, status: .unprocessableEntity, render(req, draft: draft))
        }
    }

    static func existingTemplate(_ raw: String?, practice: AuthorizedPractice, req: Request) async throws -> WeeklyTemplateRecord? {
        guard let raw, !raw.isEmpty else { return nil }
        return try await AgendaStore.find(WeeklyTemplateRecord.self, UUID(uuidString: raw), in: practice, practiceKey: \.$practice,
                                          on: req.db, what: "Horaires")
    }

    // MARK: Exceptions

    @Sendable
    func postException(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editAgenda)
        let form = try req.content.decode([String: String].self)
        let zone = TimeZone(identifier: try await PracticeStore.practice(practice, on: req.db).timeZone) ?? FrenchFormat.parisTimeZone
        return try await submit(req, section: "exceptions", practitioner: form["praticien"], success: form["type"] == "extraOpening" ? "Ouverture exceptionnelle enregistrée." : "Absence enregistrée.") {
            let practitionerID = try Self.requireUUID(form["praticien"], field: "praticien")
            let start = try Self.localInstant(form["debut_date"], form["debut_heure"] ?? "00:00", zone: zone, field: "start")
            let end = try Self.localInstant(form["fin_date"], form["fin_heure"] ?? "00:00", zone: zone, field: "end")
            let dto = ExceptionDTO(id: nil, practitionerId: practitionerID, kind: form["type"] ?? "absence", reason: form["motif"],
                                   motifIds: nil, start: start, end: end)
            _ = try await AgendaAPI.saveException(dto, existing: nil, practice: practice, req: req)
        }
    }

    @Sendable
    func deleteException(req: Request) async throws -> Response {
        let record = try await AgendaAPI.removeException(req: req)
        return req.redirect(to: Self.back(req, record.$practitioner.id, ok: "Exception supprimée."))
    }

    // MARK: Motifs

    struct MotifForm: Content {
        var libelle: String?
        var duree: String?
        var battement: String?
        var praticiens: [UUID]?
        var nouveaux: String?
        var prevenance: String?
        var horizon: String?
        var consignes: String?
        var enLigne: String?
        var couleur: String?
    }

    @Sendable
    func postMotif(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editAgenda)
        let form = try req.content.decode(MotifForm.self)
        return try await submit(req, section: "motifs", practitioner: nil, success: "Motif enregistré.") {
            var dto = MotifDTO(Motif(id: UUID(), label: form.libelle ?? "", durationMinutes: try Self.integer(form.duree, field: "durationMinutes"),
                                     practitionerIDs: form.praticiens ?? []))
            dto.id = nil
            dto.bufferAfterMinutes = try Self.integer(form.battement?.isEmpty == false ? form.battement : "0", field: "bufferAfterMinutes")
            dto.newPatientsAllowed = form.nouveaux != nil
            dto.minimumNoticeMinutes = try Self.integer(form.prevenance?.isEmpty == false ? form.prevenance : "0", field: "minimumNoticeMinutes")
            dto.horizonDays = try Self.integer(form.horizon?.isEmpty == false ? form.horizon : "90", field: "horizonDays")
            dto.patientInstructions = form.consignes ?? ""
            dto.bookableBy = form.enLigne != nil ? ["secretary", "online"] : ["secretary"]
            dto.colour = form.couleur?.isEmpty == false ? form.couleur : "#1F5F99"
            _ = try await AgendaAPI.saveMotif(dto, existing: nil, practice: practice, req: req)
        }
    }

    @Sendable
    func deleteMotif(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let record = try await AgendaStore.find(MotifRecord.self, req.parameters.get("motifID", as: UUID.self), in: practice,
                                                practiceKey: \.$practice, on: req.db, what: "Motif")
        return try await submit(req, section: "motifs", practitioner: nil, success: "Motif supprimé.") {
            try await AgendaAPI.deleteMotif(record, practice: practice, req: req)
        }
    }

    @Sendable
    func archiveMotif(req: Request) async throws -> Response {
        try await setArchived(true, req: req, success: "Motif archivé : il n'est plus proposé à la réservation.")
    }

    @Sendable
    func reactivateMotif(req: Request) async throws -> Response {
        try await setArchived(false, req: req, success: "Motif réactivé : il est de nouveau proposé à la réservation.")
    }

    private func setArchived(_ archived: Bool, req: Request, success: String) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let record = try await AgendaStore.find(MotifRecord.self, req.parameters.get("motifID", as: UUID.self), in: practice,
                                                practiceKey: \.$practice, on: req.db, what: "Motif")
        return try await submit(req, section: "motifs", practitioner: nil, success: success) {
            _ = try await AgendaAPI.setArchived(archived, record, practice: practice, req: req)
        }
    }

    // MARK: Urgent slots

    struct UrgentForm: Content {
        var praticien: String?
        var heures: String?
        var nombre: String?
        var duree: String?
        var liberation: String?
        var jours: [Int]?
    }

    @Sendable
    func postUrgentRule(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editAgenda)
        let form = try req.content.decode(UrgentForm.self)
        return try await submit(req, section: "urgent", practitioner: form.praticien, success: "Règle d'urgence enregistrée.") {
            let times = (form.heures ?? "").split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " }).map(String.init)
            let count = (form.nombre ?? "").isEmpty ? nil : try Self.integer(form.nombre, field: "lastSlotsCount")
            let dto = UrgentRuleDTO(id: nil, practitionerId: try Self.requireUUID(form.praticien, field: "praticien"),
                                    fixedTimes: times.isEmpty ? nil : times, lastSlotsCount: count,
                                    slotMinutes: try Self.integer(form.duree, field: "slotMinutes"),
                                    releaseBeforeMinutes: try Self.integer(form.liberation, field: "releaseBeforeMinutes"),
                                    weekdays: form.jours ?? [])
            _ = try await AgendaAPI.saveUrgentRule(dto, existing: nil, practice: practice, req: req)
        }
    }

    @Sendable
    func deleteUrgentRule(req: Request) async throws -> Response {
        let record = try await AgendaAPI.removeUrgentRule(req: req)
        return req.redirect(to: Self.back(req, record.$practitioner.id, ok: "Règle d'urgence supprimée."))
    }

    // MARK: Helpers

    /// Runs a form's write: on success back to the page with a notice, on refusal the page again with the reasons.
    private func submit(_ req: Request, section: String, practitioner: String?, success: String,
                        _ write: () async throws -> Void) async throws -> Response {
        do {
            try await write()
            return req.redirect(to: Self.back(req, practitioner.flatMap(UUID.init(uuidString:)), ok: success))
        } catch let error as AppError {
            guard let faults = FormRefusal.faults(error, labels: Self.labels) else { throw error }
            return try await FormRefusal.redisplay(req, status: error.status, render(req, draft: Draft(section: section, errors: faults)))
        }
    }

    static func back(_ req: Request, _ practitioner: UUID?, ok: String) -> String {
        // A form sent from elsewhere (the practitioner's portal) goes back there.
        if let next = NextPage.path(string(req, "suite")) { return NextPage.adding("ok", ok, to: next) }
        var path = SitePath.agenda.link(req.parameters.get("practiceID") ?? "", query: "ok=\(ok.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
        if let practitioner { path += "&praticien=\(practitioner)" }
        if let week = string(req, "semaine") { path += "&semaine=\(week)" }
        return path
    }

    static func requireUUID(_ raw: String?, field: String) throws -> UUID {
        guard let raw, let id = UUID(uuidString: raw) else { throw AppError.invalid(field, "choisissez un praticien") }
        return id
    }

    static func integer(_ raw: String?, field: String) throws -> Int {
        guard let raw, let value = Int(raw.trimmingCharacters(in: .whitespaces)) else { throw AppError.invalid(field, "nombre entier attendu") }
        return value
    }

    static func localInstant(_ date: String?, _ time: String, zone: TimeZone, field: String) throws -> Date {
        guard let date = date.flatMap(LocalDate.init(iso:)), let clock = LocalTime(parsing: time) else {
            throw AppError.invalid(field, "date (AAAA-MM-JJ) et heure (HH:MM) attendues")
        }
        return WallClock.resolve(date, minutes: clock.minutes, in: zone, ambiguity: .earlier).instant
    }

    /// The agenda's fields as its forms name them, where they differ from the common names.
    static let labels = [
        "ranges[].start": "Début de la plage n° #", "ranges[].end": "Fin de la plage n° #", "ranges[]": "Plage n° #", "ranges": "Plage",
        "validFrom": "Début de validité", "validUntil": "Fin de validité", "label": "Libellé", "durationMinutes": "Durée",
        "bufferAfterMinutes": "Battement", "minimumNoticeMinutes": "Délai de prévenance", "colour": "Couleur", "bookableBy": "Canaux",
        "start": "Début", "end": "Fin", "reason": "Motif de l'absence", "fixedTimes": "Heures réservées", "lastSlotsCount": "Nombre de créneaux",
        "slotMinutes": "Durée du créneau",
    ]
}

extension OpeningRangeDTO {
    init(weekday: Int, start: String, end: String, weeks: String?, motifIds: [UUID]?) {
        self.weekday = weekday
        self.start = start
        self.end = end
        self.weeks = weeks
        self.motifIds = motifIds
    }
}
