import Domain
import Fluent
import Foundation
import Leaf
import Vapor

/// `/cabinets/{id}/agenda`: the week of a practitioner and the forms that set hours, absences, motifs and urgent slots.
struct AgendaController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let agenda = routes.grouped("cabinets", ":practiceID", "agenda")
        agenda.get(use: page)
        agenda.get("jour", use: dayPage)
        agenda.post("horaires", use: postHours)
        agenda.post("exceptions", use: postException)
        agenda.post("exceptions", ":exceptionID", "supprimer", use: deleteException)
        agenda.post("motifs", use: postMotif)
        agenda.post("motifs", ":motifID", "supprimer", use: deleteMotif)
        agenda.post("motifs", ":motifID", "archiver", use: archiveMotif)
        agenda.post("motifs", ":motifID", "reactiver", use: reactivateMotif)
        agenda.post("urgences", use: postUrgentRule)
        agenda.post("urgences", ":ruleID", "supprimer", use: deleteUrgentRule)
    }

    static let weekdayNames = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]
    /// The week view spans 07:00–20:00.
    static let gridStart = 7 * 60, gridEnd = 20 * 60

    // MARK: View models

    /// `place`: the classes that put the block on the grid (`t-…` its start, `h-…` its length, in minutes: `AgendaGridStyle`).
    struct Block: Encodable { let kind: String; let place: String; let label: String; var link: String? = nil }
    struct DayColumn: Encodable { let label: String; let date: String; let holiday: String?; let summary: String; var blocks: [Block] }
    struct HourMark: Encodable { let label: String; let place: String }
    struct Choice: Encodable { let value: String; let label: String; let selected: Bool }
    struct HoursRow: Encodable { let weekday: Int; let day: String; let index: Int; let start: String; let end: String; let weeks: [Choice] }
    struct HoursDay: Encodable { let day: String; let ranges: [HoursRow] }
    struct ExceptionRow: Encodable { let id: UUID; let practitioner: String; let kind: String; let reason: String; let period: String }
    struct MotifRow: Encodable {
        let id: UUID; let label: String; let duration: Int; let buffer: Int; let practitioners: String; let newPatients: Bool
        let notice: String; let horizon: Int; let instructions: String; let channels: String; let colour: String; let archived: Bool
    }
    struct UrgentRow: Encodable { let id: UUID; let practitioner: String; let rule: String; let release: String; let days: String }
    struct PractitionerChoice: Encodable { let id: UUID; let name: String; let selected: Bool }
    struct Section: Encodable { let errors: [FieldError]; let notice: String? }

    struct Page: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let canEdit: Bool
        let practitioners: [PractitionerChoice]
        let practitionerID: UUID
        let practitionerName: String
        let weekTitle: String
        let weekParam: String
        let previousWeek: String
        let nextWeek: String
        let days: [DayColumn]
        let hourMarks: [HourMark]
        let preview: Bool
        let hoursValidFrom: String
        let hoursValidUntil: String
        let hoursTemplateID: String
        let hoursDays: [HoursDay]
        let keptRanges: [String]
        let exceptions: [ExceptionRow]
        let motifs: [MotifRow]
        let urgentRules: [UrgentRow]
        let hours: Section
        let exceptionsSection: Section
        let motifsSection: Section
        let urgentSection: Section
        let notice: String?
    }

    /// What a failed or previewed form brings back to the page.
    struct Draft {
        var section = ""
        var errors: [FieldError] = []
        var hours: (template: WeeklyTemplate, templateID: String, from: String, until: String, rows: [HoursRow])?
        var preview = false
    }

    // MARK: Page

    @Sendable
    func page(req: Request) async throws -> View {
        try await render(req, draft: Draft())
    }

    private func render(_ req: Request, draft: Draft) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let practiceRecord = try await PracticeStore.practice(practice, on: req.db)
        let practitioners = try await PracticeStore.practitioners(of: practice, on: req.db)
        guard let first = practitioners.first else { throw AppError.notFound(what: "Praticien") }
        let selected = Self.uuid(req, "praticien").flatMap { id in practitioners.first { $0.id == id } } ?? first
        let now = req.application.clock.now()
        var agenda = try await AgendaStore.agenda(practice, app: req.application, on: req.db)
        let zone = agenda.timeZone
        let today = LocalDate(now, in: zone)
        let anyDay = Self.string(req, "semaine").flatMap(LocalDate.init(iso:)) ?? today
        let monday = anyDay.adding(days: 1 - anyDay.isoWeekday)
        let practitionerID = selected.id!
        let names = Dictionary(uniqueKeysWithValues: practitioners.map { ($0.id!, $0.displayName) })

        // The template the form edits: the one in force on the week's Monday, or the latest.
        let templates = agenda.templates(of: practitionerID)
        let current = templates.last { $0.applies(on: monday) } ?? templates.last
        if let draftTemplate = draft.hours?.template, draft.preview {
            agenda = agenda.replacingTemplates(of: practitionerID, with: templates.filter { $0.id != draftTemplate.id } + [draftTemplate])
        }
        // The week's live appointments, each a link to its page, over the busy time they fill.
        let weekStart = WallClock.resolve(monday, minutes: 0, in: zone, ambiguity: .earlier).instant
        let weekEnd = WallClock.resolve(monday.adding(days: 7), minutes: 0, in: zone, ambiguity: .earlier).instant
        let appointments = try await Self.appointmentBlocks(in: practice, practitioners: [practitionerID], from: weekStart, to: weekEnd,
                                                            zone: zone, on: req.db)[practitionerID] ?? []
        let days = (0..<7).map { offset -> DayColumn in
            let date = monday.adding(days: offset)
            var column = Self.column(agenda.dayPlan(for: practitionerID, on: date), zone: zone)
            column.blocks += appointments.filter { $0.date == date }.map(\.block)
            return column
        }

        let hoursRows = draft.hours?.rows ?? Self.rows(for: current)
        let kept = (current?.ranges ?? []).filter { $0.motifIDs != nil }.map { range in
            "\(Self.weekdayNames[range.weekday - 1]) \(range.start)–\(range.end)"
        }
        let motifRecords = try await AgendaStore.motifs(of: practice, on: req.db)
        let motifNames = Dictionary(uniqueKeysWithValues: motifRecords.map { ($0.id!, $0.label) })
        let keptWithMotifs = zip(kept, (current?.ranges ?? []).filter { $0.motifIDs != nil }).map { text, range in
            "\(text) (réservée à : \(range.motifIDs!.compactMap { motifNames[$0] }.sorted().joined(separator: ", ")))"
        }
        let exceptionRows = try await AgendaStore.exceptions(of: practice, on: req.db)
            .filter { $0.endsAt > now.addingTimeInterval(-7 * 86_400) }
            .map { record in
                ExceptionRow(id: record.id!, practitioner: names[record.$practitioner.id] ?? "",
                             kind: record.kind == "absence" ? "Absence" : "Ouverture exceptionnelle", reason: record.reason,
                             period: "du \(FrenchFormat.shortDate(record.startsAt, in: zone)) \(FrenchFormat.time(record.startsAt, in: zone)) au \(FrenchFormat.shortDate(record.endsAt, in: zone)) \(FrenchFormat.time(record.endsAt, in: zone))")
            }
        let motifRows = motifRecords.map { record -> MotifRow in
            let motif = record.domain
            return MotifRow(id: motif.id, label: motif.label, duration: motif.durationMinutes, buffer: motif.bufferAfterMinutes,
                            practitioners: motif.practitionerIDs.compactMap { names[$0] }.joined(separator: ", "),
                            newPatients: motif.newPatientsAllowed, notice: Self.duration(motif.minimumNoticeMinutes), horizon: motif.horizonDays,
                            instructions: motif.patientInstructions,
                            channels: motif.bookableBy.contains(.online) ? "Secrétariat, en ligne" : "Secrétariat", colour: motif.colour,
                            archived: motif.archived)
        }
        let urgentRows = try await AgendaStore.urgentRules(of: practice, on: req.db).map { record -> UrgentRow in
            let rule = record.domain
            let text: String
            switch rule.kind {
            case .fixedTimes(let times): text = "Créneaux de \(rule.slotMinutes) min à " + times.map(\.description).joined(separator: ", ")
            case .lastSlotsOfDay(let count): text = "Les \(count) derniers créneaux de \(rule.slotMinutes) min de la journée"
            }
            return UrgentRow(id: record.id!, practitioner: names[rule.practitionerID] ?? "", rule: text,
                             release: "libérés \(Self.duration(rule.releaseBeforeMinutes)) avant",
                             days: rule.weekdays.sorted().map { Self.weekdayNames[$0 - 1].prefix(3) + "." }.joined(separator: " "))
        }
        func section(_ name: String) -> Section {
            Section(errors: draft.section == name ? draft.errors.map { FieldError(field: Self.label(for: $0.field), reason: $0.reason) } : [],
                    notice: nil)
        }
        let sunday = monday.adding(days: 6)
        let mondayInstant = WallClock.resolve(monday, minutes: 720, in: zone, ambiguity: .earlier).instant
        let sundayInstant = WallClock.resolve(sunday, minutes: 720, in: zone, ambiguity: .earlier).instant
        // The live region fetches the grid alone.
        return try await req.view.render(AgendaController.string(req, "partiel") == nil ? "agenda/week" : "agenda/week-grid", Page(
            layout: .init(principal),
            practiceID: practice.id,
            practiceName: practiceRecord.name,
            canEdit: AccessPolicy.role(principal.role, has: .editAgenda),
            practitioners: practitioners.map { PractitionerChoice(id: $0.id!, name: $0.displayName, selected: $0.id == practitionerID) },
            practitionerID: practitionerID,
            practitionerName: selected.displayName,
            weekTitle: "Semaine \(monday.isoWeek.week) — du \(FrenchFormat.longDate(mondayInstant, in: zone)) au \(FrenchFormat.longDate(sundayInstant, in: zone))",
            weekParam: monday.description,
            previousWeek: monday.adding(days: -7).description,
            nextWeek: monday.adding(days: 7).description,
            days: days,
            hourMarks: Self.hourMarks,
            preview: draft.preview,
            hoursValidFrom: draft.hours?.from ?? (current?.validFrom ?? monday).description,
            hoursValidUntil: draft.hours?.until ?? current?.validUntil?.description ?? "",
            hoursTemplateID: draft.hours?.templateID ?? current?.id.uuidString ?? "",
            hoursDays: (1...7).map { weekday in
                HoursDay(day: Self.weekdayNames[weekday - 1], ranges: hoursRows.filter { $0.weekday == weekday })
            },
            keptRanges: keptWithMotifs,
            exceptions: exceptionRows,
            motifs: motifRows,
            urgentRules: urgentRows,
            hours: section("hours"),
            exceptionsSection: section("exceptions"),
            motifsSection: section("motifs"),
            urgentSection: section("urgent"),
            notice: Self.string(req, "ok")))
    }

    /// The part of `interval` inside the grid's hours, placed on the day column.
    static func block(_ interval: DateInterval, _ kind: String, _ label: String, zone: TimeZone, link: String? = nil) -> Block? {
        let start = WallClock.minutes(of: interval.start, in: zone)
        let end = start + Int(interval.duration / 60)
        let top = max(start, gridStart), bottom = min(end, gridEnd)
        guard bottom > top else { return nil }
        let times = "\(FrenchFormat.time(interval.start, in: zone))–\(FrenchFormat.time(interval.end, in: zone))"
        return Block(kind: kind, place: "t-\(top - gridStart) h-\(bottom - top)",
                     label: link == nil ? "\(label) \(times)" : "\(times) \(label)", link: link)
    }

    static func column(_ plan: DayPlan, zone: TimeZone) -> DayColumn {
        func block(_ interval: DateInterval, _ kind: String, _ label: String) -> Block? { Self.block(interval, kind, label, zone: zone) }
        var blocks = plan.openings.compactMap { block($0, "open", "Ouvert") }
        blocks += plan.busy.compactMap { block($0, "busy", "Occupé") }
        blocks += plan.reservedForUrgent.compactMap { block($0, "urgent", "Urgences") }
        blocks += plan.absences.compactMap { block($0.interval, "absent", "Absent (\($0.reason))") }
        let summary: String
        if let holiday = plan.holiday, !plan.holidayOpened, plan.openings.isEmpty {
            summary = "Férié : \(holiday)"
        } else if plan.openings.isEmpty {
            summary = plan.absences.isEmpty ? "Fermé" : "Absent"
        } else {
            summary = plan.openings.map { "\(FrenchFormat.time($0.start, in: zone))–\(FrenchFormat.time($0.end, in: zone))" }.joined(separator: ", ")
        }
        let noon = WallClock.resolve(plan.date, minutes: 720, in: zone, ambiguity: .earlier).instant
        return DayColumn(label: FrenchFormat.shortDate(noon, in: zone), date: plan.date.description, holiday: plan.holiday, summary: summary, blocks: blocks)
    }

    static func rows(for template: WeeklyTemplate?) -> [HoursRow] {
        (1...7).flatMap { weekday -> [HoursRow] in
            let ranges = (template?.ranges ?? []).filter { $0.weekday == weekday && $0.motifIDs == nil }.sorted { $0.start < $1.start }
            return (0..<max(2, ranges.count)).map { index in
                let range = index < ranges.count ? ranges[index] : nil
                return HoursRow(weekday: weekday, day: weekdayNames[weekday - 1], index: index,
                                start: range?.start.description ?? "", end: range?.end.description ?? "",
                                weeks: weekChoices(range?.weeks ?? .every))
            }
        }
    }

    static func weekChoices(_ selected: WeekParity) -> [Choice] {
        [Choice(value: "every", label: "Toutes les semaines", selected: selected == .every),
         Choice(value: "even", label: "Semaines paires", selected: selected == .even),
         Choice(value: "odd", label: "Semaines impaires", selected: selected == .odd)]
    }

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
            draft.errors = errors
            draft.hours = (WeeklyTemplate(id: dto.id!, practitionerID: practitionerID, validFrom: LocalDate(iso: dto.validFrom) ?? LocalDate(year: 2000, month: 1, day: 1), ranges: []),
                           dto.id!.uuidString, dto.validFrom, until, rows)
            let response = try await render(req, draft: draft).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
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
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editAgenda)
        let record = try await AgendaStore.find(UrgentSlotRuleRecord.self, req.parameters.get("ruleID", as: UUID.self), in: practice,
                                                practiceKey: \.$practice, on: req.db, what: "Règle")
        try await AgendaStore.delete(record, entity: "urgent_slot_rule", before: UrgentRuleDTO(record), practice: practice,
                                     context: try req.writeContext(), cache: req.application.agendaCache)
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
            let errors: [FieldError]
            switch error {
            case .validation(let list): errors = list
            case .conflict, .motifInUse: errors = [FieldError(field: "", reason: error.detail)]
            default: throw error
            }
            let response = try await render(req, draft: Draft(section: section, errors: errors)).encodeResponse(for: req)
            response.status = error.status
            return response
        }
    }

    static func back(_ req: Request, _ practitioner: UUID?, ok: String) -> String {
        // A form sent from elsewhere (the practitioner's portal) goes back there.
        if let next = NextPage.path(string(req, "suite")) { return NextPage.adding("ok", ok, to: next) }
        var path = "/cabinets/\(req.parameters.get("practiceID") ?? "")/agenda?ok=\(ok.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        if let practitioner { path += "&praticien=\(practitioner)" }
        if let week = string(req, "semaine") { path += "&semaine=\(week)" }
        return path
    }

    static func string(_ req: Request, _ name: String) -> String? {
        guard let value = req.query[String.self, at: name], !value.isEmpty else { return nil }
        return value
    }

    static func uuid(_ req: Request, _ name: String) -> UUID? { string(req, name).flatMap(UUID.init(uuidString:)) }

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

    static func duration(_ minutes: Int) -> String {
        if minutes == 0 { return "aucun" }
        if minutes % 1440 == 0 { return "\(minutes / 1440) j" }
        if minutes % 60 == 0 { return "\(minutes / 60) h" }
        return "\(minutes) min"
    }

    /// The French name of an API field, for errors shown on the forms.
    static func label(for field: String) -> String {
        let labels: [(String, String)] = [
            ("ranges", "Plage"), ("validFrom", "Début de validité"), ("validUntil", "Fin de validité"), ("practitionerId", "Praticien"),
            ("praticien", "Praticien"), ("label", "Libellé"), ("durationMinutes", "Durée"), ("bufferAfterMinutes", "Battement"),
            ("practitionerIds", "Praticiens"), ("minimumNoticeMinutes", "Délai de prévenance"), ("horizonDays", "Horizon"),
            ("colour", "Couleur"), ("bookableBy", "Canaux"), ("start", "Début"), ("end", "Fin"), ("reason", "Motif de l'absence"),
            ("kind", "Type"), ("fixedTimes", "Heures réservées"), ("lastSlotsCount", "Nombre de créneaux"), ("slotMinutes", "Durée du créneau"),
            ("releaseBeforeMinutes", "Libération"), ("weekdays", "Jours"),
        ]
        guard !field.isEmpty else { return "Refus" }
        for (prefix, label) in labels where field.hasPrefix(prefix) {
            if prefix == "ranges", let range = field.range(of: #"\[\d+\]"#, options: .regularExpression) {
                return "\(label) \(Int(field[range].dropFirst().dropLast())! + 1)"
            }
            return label
        }
        return field
    }
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
