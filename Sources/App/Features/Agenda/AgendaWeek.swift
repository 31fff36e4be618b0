import Domain
import Fluent
import Foundation
import Vapor

/// A week of the agenda, one column per day and, in each, one lane per practitioner shown: the practice's week at a
/// glance (`…/agenda/semaine`, all its practitioners side by side) and a practitioner's week on the page that edits
/// her hours (one lane).
struct AgendaWeek: Encodable {
    struct Day: Encodable {
        let label: String
        let date: String
        let isToday: Bool
        /// The opening hours when one practitioner is shown; empty when the lanes name theirs.
        let summary: String
        /// Book on this day (with the practitioner, when one is shown).
        let bookLink: String
        /// One per practitioner, named by `label`.
        let lanes: [AgendaController.DayColumn]
    }

    let days: [Day]
    /// How many lanes each day holds.
    let laneCount: Int

    /// The week from `monday` of `practitioners`, with their appointments, holds, urgent slots and absences.
    static func make(_ req: Request, practice: AuthorizedPractice, agenda: PracticeAgenda, monday: LocalDate,
                     practitioners: [PractitionerRecord]) async throws -> AgendaWeek {
        let zone = agenda.timeZone
        let now = req.application.clock.now()
        let start = WallClock.resolve(monday, minutes: 0, in: zone, ambiguity: .earlier).instant
        let end = WallClock.resolve(monday.adding(days: 7), minutes: 0, in: zone, ambiguity: .earlier).instant
        let ids = practitioners.map { $0.id! }
        let booked = try await AgendaController.bookedBlocks(in: practice, practitioners: ids, from: start, to: end, zone: zone, now: now,
                                                             agenda: agenda, on: req.db)
        let today = LocalDate(now, in: zone)
        let days = (0..<7).map { offset -> Day in
            let date = monday.adding(days: offset)
            let lanes = practitioners.map { practitioner -> AgendaController.DayColumn in
                let id = practitioner.id!
                var lane = AgendaController.column(agenda.dayPlan(for: id, on: date), zone: zone, now: now)
                lane.blocks += booked[id]?.filter { $0.date == date }.map(\.block) ?? []
                lane.label = practitioner.displayName
                lane.practitionerID = id
                return lane
            }
            var booking = AppointmentsController.BookingQuery()
            (booking.practitioner, booking.date) = (ids.count == 1 ? ids[0] : nil, date)
            let noon = WallClock.resolve(date, minutes: 720, in: zone, ambiguity: .earlier).instant
            return Day(label: FrenchFormat.shortDate(noon, in: zone), date: date.description, isToday: date == today,
                       summary: lanes.count == 1 ? lanes[0].summary : "", bookLink: booking.link(practice.id), lanes: lanes)
        }
        return AgendaWeek(days: days, laneCount: max(practitioners.count, 1))
    }

    /// "Semaine 49 — du lundi 30 novembre 2026 au dimanche 6 décembre 2026".
    static func title(_ monday: LocalDate, zone: TimeZone) -> String {
        let first = WallClock.resolve(monday, minutes: 720, in: zone, ambiguity: .earlier).instant
        let last = WallClock.resolve(monday.adding(days: 6), minutes: 720, in: zone, ambiguity: .earlier).instant
        return "Semaine \(monday.isoWeek.week) — du \(FrenchFormat.longDate(first, in: zone)) au \(FrenchFormat.longDate(last, in: zone))"
    }

    /// The Monday of the week asked for by `?semaine=` (any day of it), or of this week.
    static func monday(_ req: Request, today: LocalDate) -> LocalDate {
        let anyDay = AgendaController.string(req, "semaine").flatMap(LocalDate.init(iso:)) ?? today
        return anyDay.adding(days: 1 - anyDay.isoWeekday)
    }
}

extension AgendaController {
    /// `GET /cabinets/{id}/agenda/semaine?semaine=YYYY-MM-DD`: the practice's week, all its practitioners side by side
    /// (`&partiel=1`: the grid alone, for the live region).
    @Sendable
    func practiceWeekPage(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let practitioners = try await PracticeStore.practitioners(of: practice, on: req.db)
        let agenda = try await AgendaStore.agenda(practice, app: req.application, on: req.db)
        let monday = AgendaWeek.monday(req, today: LocalDate(req.application.clock.now(), in: agenda.timeZone))
        let week = try await AgendaWeek.make(req, practice: practice, agenda: agenda, monday: monday, practitioners: practitioners)
        struct Page: Encodable {
            let layout: PracticesController.Layout
            let practiceID: UUID
            let practiceName: String
            let practitioners: [PractitionerChoice]
            let weekTitle: String
            let weekParam: String
            let previousWeek: String
            let nextWeek: String
            let week: AgendaWeek
            let hourMarks: [HourMark]
            let motifKeys: [MotifKey]
        }
        let page = Page(layout: .init(principal), practiceID: practice.id, practiceName: record.name,
                        practitioners: practitioners.map { PractitionerChoice(id: $0.id!, name: $0.displayName, selected: false) },
                        weekTitle: AgendaWeek.title(monday, zone: agenda.timeZone), weekParam: monday.description,
                        previousWeek: monday.adding(days: -7).description, nextWeek: monday.adding(days: 7).description,
                        week: week, hourMarks: Self.hourMarks, motifKeys: MotifKey.of(agenda.motifList))
        return try await req.view.render(Self.string(req, "partiel") == nil ? "agenda/practice-week" : "agenda/week-grid", page)
    }
}

/// `GET /cabinets/{id}/agenda/liste?jour=YYYY-MM-DD&praticien=ID`: the day's list of a practitioner (of each, without
/// `praticien`, one per printed page), to print on A4: time, patient, age, phone, motif, notes.
struct AgendaDayList: Encodable {
    struct Row: Encodable { let time: String; let patient: String; let age: String; let phone: String; let motif: String; let notes: String }
    struct Sheet: Encodable { let practitioner: String; let rows: [Row] }

    let title: String
    let date: String
    let sheets: [Sheet]

    static func make(_ req: Request, practice: AuthorizedPractice) async throws -> AgendaDayList {
        let agenda = try await AgendaStore.agenda(practice, app: req.application, on: req.db)
        let zone = agenda.timeZone
        let now = req.application.clock.now()
        let day = try AgendaDay.requested(req) ?? LocalDate(now, in: zone)
        let only = AgendaController.uuid(req, "praticien")
        let practitioners = try await PracticeStore.practitioners(of: practice, on: req.db).filter { only == nil || $0.id == only }
        if let only, practitioners.isEmpty { throw AppError.invalid("praticien", "aucun praticien de ce cabinet ne porte l'identifiant \(only)") }
        let start = WallClock.resolve(day, minutes: 0, in: zone, ambiguity: .earlier).instant
        let end = WallClock.resolve(day.adding(days: 1), minutes: 0, in: zone, ambiguity: .earlier).instant
        let appointments = try await AppointmentRecord.query(on: req.db).filter(\.$practice.$id == practice.id)
            .filter(\.$practitioner.$id ~~ practitioners.map { $0.id! }).filter(\.$startsAt < end).filter(\.$startsAt >= start)
            .sort(\.$startsAt).all().filter { $0.statusValue.occupiesTime }
        let patientIDs = Array(Set(appointments.map { $0.$patient.id }))
        let patients = patientIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await PatientRecord.query(on: req.db)
            .filter(\.$id ~~ patientIDs).all().map { ($0.id!, $0) })
        let phones = try await PatientSearch.phones(of: patientIDs, on: req.db)
        let motifs = Dictionary(uniqueKeysWithValues: try await AgendaStore.motifs(of: practice, on: req.db).map { ($0.id!, $0.label) })
        let sheets = practitioners.map { practitioner in
            Sheet(practitioner: practitioner.displayName, rows: appointments.filter { $0.$practitioner.id == practitioner.id }.map { appointment in
                let patient = patients[appointment.$patient.id]
                let age = patient.flatMap { LocalDate(iso: $0.birthDate) }?.age(on: day)
                return Row(time: "\(FrenchFormat.time(appointment.startsAt, in: zone))–\(FrenchFormat.time(appointment.endsAt, in: zone))",
                           patient: patient?.displayName ?? "", age: age ?? "",
                           phone: FrenchFormat.phone(phones[appointment.$patient.id]?.first?.e164),
                           motif: appointment.motifID.flatMap { motifs[$0] } ?? appointment.reason,
                           notes: [appointment.notes, patient?.notes].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " — "))
            })
        }
        let noon = WallClock.resolve(day, minutes: 720, in: zone, ambiguity: .earlier).instant
        return AgendaDayList(title: FrenchFormat.longDate(noon, in: zone).capitalizedFirst, date: day.description, sheets: sheets)
    }
}

extension AgendaController {
    @Sendable
    func dayListPage(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        struct Page: Encodable { let layout: PracticesController.Layout; let practiceID: UUID; let practiceName: String; let list: AgendaDayList }
        return try await req.view.render("agenda/day-list", Page(layout: .init(principal), practiceID: practice.id, practiceName: record.name,
                                                                  list: try await AgendaDayList.make(req, practice: practice)))
    }
}
