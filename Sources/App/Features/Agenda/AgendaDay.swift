import Domain
import Fluent
import Foundation
import Vapor

/// The day of a practice, one column per practitioner: opening hours, holds, reserved urgent slots, absences and the
/// appointments (each a link to its page, where it is moved or cancelled). Shown alone (`…/agenda/jour`), in the call
/// panel, and in the practitioner's portal (her column only).
struct AgendaDay: Encodable {
    struct Column: Encodable {
        let practitionerID: UUID
        let date: String
        let name: String
        let summary: String
        /// The week of this practitioner.
        let weekLink: String
        /// Book with this practitioner on this day.
        let bookLink: String
        let blocks: [AgendaController.Block]
        /// The time gone by and the present minute (`AgendaController.timeMarks`).
        let past: String?
        let now: String?
    }

    let title: String
    let date: String
    let previousLink: String
    let nextLink: String
    let todayLink: String
    /// The day's list of the practitioners shown, to print.
    let printLink: String
    let isToday: Bool
    let holiday: String?
    let columns: [Column]
    let columnCount: Int
    let hourMarks: [AgendaController.HourMark]
    let motifKeys: [AgendaController.MotifKey]
    /// Where the live region fetches the grid again.
    let source: String

    /// What a link from the grid carries: the call being taken and its patient, so that a booking or a move made from
    /// the grid comes back to the call.
    struct Carry {
        var call: UUID?
        var patient: UUID?
        var query: String {
            [call.map { "appel=\($0)" }, patient.map { "patient=\($0)" }].compactMap { $0 }.joined(separator: "&")
        }
    }

    /// The day asked for by `?jour=` (nil: none asked); a day that is not one is refused, not replaced by today.
    static func requested(_ req: Request) throws -> LocalDate? {
        guard let raw = AgendaController.string(req, "jour") else { return nil }
        guard let day = LocalDate(iso: raw) else { throw AppError.invalid("jour", "date attendue sous la forme année-mois-jour (2026-11-24), reçu « \(raw) »") }
        return day
    }

    /// - Parameters:
    ///   - only: the practitioners shown (nil: all those of the practice).
    ///   - page: the address of the page showing the grid, `?jour=` is added for the day links.
    ///   - known: the practice's practitioners when the caller has read them already.
    static func make(_ req: Request, practice: AuthorizedPractice, date: LocalDate?, only: Set<UUID>? = nil,
                     carry: Carry = Carry(), page: String, known: [PractitionerRecord]? = nil) async throws -> AgendaDay {
        let agenda = try await AgendaStore.agenda(practice, app: req.application, on: req.db)
        let zone = agenda.timeZone
        let now = req.application.clock.now()
        let today = LocalDate(now, in: zone)
        let day = date ?? today
        let all = if let known { known } else { try await PracticeStore.practitioners(of: practice, on: req.db) }
        let practitioners = all.filter { only?.contains($0.id!) ?? true }
        let start = WallClock.resolve(day, minutes: 0, in: zone, ambiguity: .earlier).instant
        let end = WallClock.resolve(day.adding(days: 1), minutes: 0, in: zone, ambiguity: .earlier).instant
        let booked = try await AgendaController.bookedBlocks(in: practice, practitioners: practitioners.map { $0.id! },
                                                             from: start, to: end, zone: zone, now: now, agenda: agenda, carry: carry, on: req.db)
        let carried = carry.query.isEmpty ? "" : "&" + carry.query
        let columns = practitioners.map { practitioner -> Column in
            let id = practitioner.id!
            let plan = AgendaController.column(agenda.dayPlan(for: id, on: day), zone: zone, now: now)
            var booking = AppointmentsController.BookingQuery()
            (booking.practitioner, booking.date, booking.call, booking.patient) = (id, day, carry.call, carry.patient)
            let book = booking.link(practice.id)
            // An open range is a way to book with this practitioner on this day.
            let blocks = plan.blocks.map { block -> AgendaController.Block in
                var block = block
                if block.kind == "open" { block.link = book }
                return block
            }
            return Column(practitionerID: id, date: day.description, name: practitioner.displayName, summary: plan.summary,
                          weekLink: SitePath.agenda.link(practice.id, query: "praticien=\(id)&semaine=\(day)"),
                          bookLink: book, blocks: blocks + (booked[id]?.filter { $0.date == day }.map(\.block) ?? []),
                          past: plan.past, now: plan.now)
        }
        let separator = page.contains("?") ? "&" : "?"
        let noon = WallClock.resolve(day, minutes: 720, in: zone, ambiguity: .earlier).instant
        let holiday = FrenchHolidays.holiday(on: day, alsaceMoselle: agenda.alsaceMoselle)?.name
        return AgendaDay(
            title: FrenchFormat.longDate(noon, in: zone).capitalizedFirst, date: day.description,
            previousLink: "\(page)\(separator)jour=\(day.adding(days: -1))", nextLink: "\(page)\(separator)jour=\(day.adding(days: 1))",
            todayLink: page,
            printLink: SitePath.agendaList.link(practice.id, query: "jour=\(day)") + (only.map { $0.map { "&praticien=\($0)" }.joined() } ?? ""), isToday: day == today, holiday: holiday, columns: columns, columnCount: max(columns.count, 1),
            hourMarks: AgendaController.hourMarks, motifKeys: AgendaController.MotifKey.of(agenda.motifList),
            source: SitePath.agendaDay.link(practice.id, query: "jour=\(day)&partiel=1") + (only.map { $0.map { "&praticien=\($0)" }.joined() } ?? "") + carried)
    }
}

extension AgendaController {
    /// One mark per hour of the grid.
    static let hourMarks = stride(from: gridStart, through: gridEnd, by: 60).map {
        HourMark(label: String(format: "%02d:00", $0 / 60), place: "t-\($0 - gridStart)")
    }

    /// The live appointments and the slots held at `now` of these practitioners between two instants, as blocks of
    /// the grid keyed by practitioner: an appointment shows its time, its patient and its motif (in the motif's colour)
    /// and links to its page; a hold says who holds it.
    static func bookedBlocks(in practice: AuthorizedPractice, practitioners: [UUID], from: Date, to: Date, zone: TimeZone, now: Date,
                             agenda: PracticeAgenda, carry: AgendaDay.Carry = .init(), on db: any Database) async throws -> [UUID: [(date: LocalDate, block: Block)]] {
        guard !practitioners.isEmpty else { return [:] }
        let appointments = try await AppointmentRecord.query(on: db).filter(\.$practice.$id == practice.id)
            .filter(\.$practitioner.$id ~~ practitioners).filter(\.$startsAt < to).filter(\.$endsAt > from).sort(\.$startsAt).all()
            .filter { $0.statusValue.occupiesTime }
        let holds = try await HoldRecord.query(on: db).filter(\.$practice.$id == practice.id).filter(\.$practitionerID ~~ practitioners)
            .filter(\.$state == "active").filter(\.$expiresAt > now).filter(\.$startsAt < to).filter(\.$endsAt > from).all()
        let patientIDs = Array(Set(appointments.map { $0.$patient.id }))
        let patients = patientIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await PatientRecord.query(on: db)
            .filter(\.$id ~~ patientIDs).all().map { ($0.id!, $0) })
        let call = carry.call.map { "?appel=\($0)" } ?? ""
        let today = LocalDate(now, in: zone)
        var blocks: [UUID: [(date: LocalDate, block: Block)]] = [:]
        for appointment in appointments {
            let patient = patients[appointment.$patient.id]
            let motif = appointment.motifID.flatMap(agenda.motif)
            let what = motif?.label ?? appointment.reason
            guard var block = Self.block(DateInterval(start: appointment.startsAt, end: appointment.endsAt), "appointment",
                                         "\((patient.map { $0.usedName ?? $0.birthName } ?? "").uppercased()) · \(what)", zone: zone,
                                         link: SitePath.appointment.link(practice.id, appointment.id!) + call,
                                         title: "\(patient.map { Self.named($0, today: today) } ?? "Patient") · \(what)", colour: motif?.colour) else { continue }
            block.move = SitePath.appointmentMove.link(practice.id, appointment.id!)
            blocks[appointment.$practitioner.id, default: []].append((LocalDate(appointment.startsAt, in: zone), block))
        }
        for hold in holds {
            let motif = agenda.motif(hold.motifID)
            guard let block = Self.block(DateInterval(start: hold.startsAt, end: hold.endsAt), "hold",
                                         "Retenu · \(hold.heldByLabel)", zone: zone,
                                         title: "Retenu par \(hold.heldByLabel)\(motif.map { " · \($0.label)" } ?? ""), en attente de confirmation",
                                         colour: motif?.colour) else { continue }
            blocks[hold.practitionerID, default: []].append((LocalDate(hold.startsAt, in: zone), block))
        }
        return blocks
    }

    /// "DURAND Léa, 36 ans": a patient named with the age that tells apart the children of one family.
    static func named(_ patient: PatientRecord, today: LocalDate) -> String {
        guard let age = LocalDate(iso: patient.birthDate)?.age(on: today) else { return patient.displayName }
        return "\(patient.displayName), \(age)"
    }

    /// `GET /cabinets/{id}/agenda/jour?jour=YYYY-MM-DD`: the day of all the practitioners (`&partiel=1`: the grid alone,
    /// for the live region; `&praticien=`: that practitioner's column only).
    @Sendable
    func dayPage(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let only = Self.uuid(req, "praticien").map { Set([$0]) }
        let day = try await AgendaDay.make(req, practice: practice, date: try AgendaDay.requested(req), only: only,
                                           carry: .init(call: Self.uuid(req, "appel"), patient: Self.uuid(req, "patient")),
                                           page: SitePath.agendaDay.link(practice.id))
        struct Page: Encodable { let layout: PracticesController.Layout; let practiceID: UUID; let practiceName: String; let day: AgendaDay }
        let page = Page(layout: .init(principal), practiceID: practice.id, practiceName: record.name, day: day)
        return try await req.view.render(Self.string(req, "partiel") == nil ? "agenda/day" : "agenda/day-grid", page)
    }
}
