import Domain
import Fluent
import Foundation
import Leaf
import Vapor

/// `/cabinets/{id}/agenda`: the week of a practitioner and the forms that set hours, absences, motifs and urgent slots.
struct AgendaController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.agenda, use: page)
        routes.get(.agendaDay, use: dayPage)
        routes.get(.agendaWeek, use: practiceWeekPage)
        routes.get(.agendaList, use: dayListPage)
        routes.post(.hours, use: postHours)
        routes.post(.exceptions, use: postException)
        routes.post(.exceptionDelete, use: deleteException)
        routes.post(.motifs, use: postMotif)
        routes.post(.motifDelete, use: deleteMotif)
        routes.post(.motifArchive, use: archiveMotif)
        routes.post(.motifReactivate, use: reactivateMotif)
        routes.post(.urgentRules, use: postUrgentRule)
        routes.post(.urgentRuleDelete, use: deleteUrgentRule)
    }

    static let weekdayNames = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]
    /// The week view spans 07:00–20:00.
    static let gridStart = 7 * 60, gridEnd = 20 * 60

    // MARK: View models

    /// `place`: the classes that put the block on the grid (`t-…` its start, `h-…` its length, in minutes: `AgendaGridStyle`).
    /// `title`: the whole of what the block stands for (shown on hover and read by screen readers); `colour`: its
    /// motif's (#RRGGBB, checked when the motif was saved).
    struct Block: Encodable {
        let kind: String; let place: String; let label: String; var link: String? = nil
        var title: String? = nil; var colour: String? = nil
        /// Where a move of this appointment is posted (dragged or moved with the keyboard on the grid).
        var move: String? = nil
    }
    /// `past`: the classes of the part of the day gone by (greyed), `now`: of the line at the present minute.
    struct DayColumn: Encodable {
        var label: String; let date: String; let holiday: String?; let summary: String; var blocks: [Block]
        var past: String? = nil; var now: String? = nil
        /// Whose lane this is, for a move dropped on it.
        var practitionerID: UUID? = nil
    }
    struct HourMark: Encodable { let label: String; let place: String }
    /// A motif in the grid's legend, with its colour.
    struct MotifKey: Encodable {
        let label: String; let colour: String

        /// The practice's motifs open to booking, for the legend.
        static func of(_ motifs: [Motif]) -> [MotifKey] {
            motifs.filter { !$0.archived }.map { MotifKey(label: $0.label, colour: $0.colour) }
        }
    }
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
    struct Section: Encodable { let errors: [FormFault]; let notice: String? }

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
        let week: AgendaWeek
        let hourMarks: [HourMark]
        let motifKeys: [MotifKey]
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
        var errors: [FormFault] = []
        var hours: (template: WeeklyTemplate, templateID: String, from: String, until: String, rows: [HoursRow])?
        var preview = false
    }

    // MARK: Page

    @Sendable
    func page(req: Request) async throws -> View {
        try await render(req, draft: Draft())
    }

    func render(_ req: Request, draft: Draft) async throws -> View {
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
        let monday = AgendaWeek.monday(req, today: today)
        let practitionerID = selected.id!
        let names = Dictionary(uniqueKeysWithValues: practitioners.map { ($0.id!, $0.displayName) })

        // The template the form edits: the one in force on the week's Monday, or the latest.
        let templates = agenda.templates(of: practitionerID)
        let current = templates.last { $0.applies(on: monday) } ?? templates.last
        if let draftTemplate = draft.hours?.template, draft.preview {
            agenda = agenda.replacingTemplates(of: practitionerID, with: templates.filter { $0.id != draftTemplate.id } + [draftTemplate])
        }
        let motifRecords = try await AgendaStore.motifs(of: practice, on: req.db)
        let week = try await AgendaWeek.make(req, practice: practice, agenda: agenda, monday: monday, practitioners: [selected])

        let hoursRows = draft.hours?.rows ?? Self.rows(for: current)
        let kept = (current?.ranges ?? []).filter { $0.motifIDs != nil }.map { range in
            "\(Self.weekdayNames[range.weekday - 1]) \(range.start)–\(range.end)"
        }
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
            Section(errors: draft.section == name ? draft.errors : [],
                    notice: nil)
        }
        // The live region fetches the grid alone.
        return try await req.view.render(AgendaController.string(req, "partiel") == nil ? "agenda/week" : "agenda/week-grid", Page(
            layout: .init(principal),
            practiceID: practice.id,
            practiceName: practiceRecord.name,
            canEdit: AccessPolicy.role(principal.role, has: .editAgenda),
            practitioners: practitioners.map { PractitionerChoice(id: $0.id!, name: $0.displayName, selected: $0.id == practitionerID) },
            practitionerID: practitionerID,
            practitionerName: selected.displayName,
            weekTitle: AgendaWeek.title(monday, zone: zone),
            weekParam: monday.description,
            previousWeek: monday.adding(days: -7).description,
            nextWeek: monday.adding(days: 7).description,
            week: week,
            hourMarks: Self.hourMarks,
            motifKeys: MotifKey.of(agenda.motifList),
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
    static func block(_ interval: DateInterval, _ kind: String, _ label: String, zone: TimeZone, link: String? = nil,
                      title: String? = nil, colour: String? = nil) -> Block? {
        let start = WallClock.minutes(of: interval.start, in: zone)
        let end = start + Int(interval.duration / 60)
        let top = max(start, gridStart), bottom = min(end, gridEnd)
        guard bottom > top else { return nil }
        let times = "\(FrenchFormat.time(interval.start, in: zone))–\(FrenchFormat.time(interval.end, in: zone))"
        // An appointment says its start (narrow lanes keep it readable); its title, the whole range.
        let text = link == nil ? "\(label) \(times)" : "\(FrenchFormat.time(interval.start, in: zone)) \(label)"
        return Block(kind: kind, place: "t-\(top - gridStart) h-\(bottom - top)", label: text, link: link,
                     title: title.map { "\(times) · \($0)" } ?? text, colour: colour)
    }

    /// The part of `day` gone by at `now` (the whole grid for a past day, nothing for a day to come) and the line at
    /// the present minute (today only), as the grid's classes.
    static func timeMarks(_ day: LocalDate, now: Date, zone: TimeZone) -> (past: String?, now: String?) {
        let today = LocalDate(now, in: zone)
        if day < today { return ("t-0 h-\(gridEnd - gridStart)", nil) }
        guard day == today else { return (nil, nil) }
        let minute = min(max(WallClock.minutes(of: now, in: zone), gridStart), gridEnd) - gridStart
        return (minute > 0 ? "t-0 h-\(minute)" : nil, "t-\(minute)")
    }

    static func column(_ plan: DayPlan, zone: TimeZone, now: Date) -> DayColumn {
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
        let marks = timeMarks(plan.date, now: now, zone: zone)
        return DayColumn(label: FrenchFormat.shortDate(noon, in: zone), date: plan.date.description, holiday: plan.holiday, summary: summary,
                         blocks: blocks, past: marks.past, now: marks.now)
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

    // MARK: Helpers

    static func string(_ req: Request, _ name: String) -> String? {
        guard let value = req.query[String.self, at: name], !value.isEmpty else { return nil }
        return value
    }

    static func uuid(_ req: Request, _ name: String) -> UUID? { string(req, name).flatMap(UUID.init(uuidString:)) }

    static func duration(_ minutes: Int) -> String {
        if minutes == 0 { return "aucun" }
        if minutes % 1440 == 0 { return "\(minutes / 1440) j" }
        if minutes % 60 == 0 { return "\(minutes / 60) h" }
        return "\(minutes) min"
    }
}
