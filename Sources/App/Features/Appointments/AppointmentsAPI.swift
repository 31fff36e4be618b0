import Domain
import Fluent
import Foundation
import Vapor

/// `/api/v1/practices/{practiceId}/…`: holds, appointments, moves with alternatives, cancellations, statuses,
/// series and the waiting list. Every POST honours `Idempotency-Key`.
struct AppointmentsAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let practice = routes.grouped("practices", ":practiceID")
        practice.post("holds", use: idempotent(createHold))
        practice.delete("holds", ":holdID", use: releaseHold)

        practice.post("appointments", use: idempotent(book))
        practice.on(.POST, "agenda-import", body: .stream, use: importAgenda)
        practice.get("appointments", use: list)
        practice.get("appointments", ":appointmentID", use: show)
        practice.get("appointments", ":appointmentID", "alternatives", use: alternatives)
        practice.post("appointments", ":appointmentID", "move", use: idempotent(move))
        practice.post("appointments", ":appointmentID", "cancel", use: idempotent(cancel))
        practice.post("appointments", ":appointmentID", "status", use: idempotent(status))

        practice.post("series", use: idempotent(series))

        practice.get("waiting-list", use: waitingList)
        practice.post("waiting-list", use: idempotent(addToWaitingList))
        practice.post("waiting-list", ":entryID", "withdraw", use: idempotent(withdraw))
    }

    private func idempotent(_ handler: @escaping @Sendable (Request) async throws -> Response) -> @Sendable (Request) async throws -> Response {
        Idempotency.handler(handler)
    }

    private static func context(_ req: Request) async throws -> BookingContext {
        try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
    }

    private static func json(_ value: some Encodable, status: HTTPResponseStatus = .ok) throws -> Response {
        let response = Response(status: status)
        try response.content.encode(value, using: JSONEncoder())
        return response
    }

    // MARK: Holds

    @Sendable func createHold(req: Request) async throws -> Response {
        let ctx = try await Self.context(req)
        let hold = try await AppointmentStore.hold(try req.content.decode(HoldInput.self), in: ctx, on: req.db)
        return try Self.json(HoldDTO(id: hold.id!, practitionerId: hold.practitionerID, motifId: hold.motifID, patientId: hold.patientID,
                                     start: ISOTimestamp.string(hold.startsAt, in: ctx.zone), end: ISOTimestamp.string(hold.endsAt, in: ctx.zone),
                                     expiresAt: ISOTimestamp.string(hold.expiresAt, in: ctx.zone), state: hold.state), status: .created)
    }

    @Sendable func releaseHold(req: Request) async throws -> HTTPStatus {
        let ctx = try await Self.context(req)
        try await AppointmentStore.release(hold: req.parameters.get("holdID").flatMap { UUID(fastString: $0) }, in: ctx, on: req.db)
        return .noContent
    }

    // MARK: Appointments

    /// The previous agenda's file (.ics as `text/calendar`, or CSV as `text/csv`) for `practitionerId`: with `dryRun=true`
    /// the report alone, otherwise the import of what it accepts. `motifId` is the motif of the lines that name none.
    @Sendable func importAgenda(req: Request) async throws -> AgendaImportStore.Report {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        guard let practitioner = try req.query.get(UUID?.self, at: "practitionerId") else {
            throw AppError.invalid("practitionerId", "praticien obligatoire : celui dont l'agenda est repris")
        }
        let motif = try req.query.get(UUID?.self, at: "motifId")
        let dryRun = try req.query.get(Bool?.self, at: "dryRun") ?? false
        guard let body = try await req.collectBody(max: AgendaImportStore.maxBytes), body.readableBytes > 0 else {
            throw AppError.invalid("file", "le corps de la requête doit être le fichier de l'agenda (.ics ou CSV)")
        }
        return try await AgendaImportStore.run(Array(body.readableBytesView), contentType: req.headers.contentType, practitioner: practitioner,
                                               motif: motif, dryRun: dryRun, in: try await BookingContext.make(req, practice: practice),
                                               today: req.parisToday, on: req.db)
    }

    @Sendable func book(req: Request) async throws -> Response {
        let ctx = try await Self.context(req)
        let appointment: AppointmentRecord
        do {
            appointment = try await AppointmentStore.book(try req.content.decode(BookingInput.self), in: ctx, on: req.db)
        } catch let error as AppError where error.status == .conflict {
            req.application.metrics.count("permanence_bookings_total", [("outcome", "conflict")])
            throw error
        }
        req.application.metrics.count("permanence_bookings_total", [("outcome", "booked")])
        let readBack = ReadBack.booking(try await AppointmentStore.readBackDetails(appointment, in: ctx, on: req.db), zone: ctx.zone, now: ctx.now)
        return try Self.json(AppointmentResult(appointment: AppointmentDTO(appointment, zone: ctx.zone), alsoChanged: [], readBack: readBack.text),
                             status: .created)
    }

    struct ListAppointments: Content { let appointments: [AppointmentDTO] }

    /// `?practitioner=…&from=…&to=…` (a range of at most 62 days), or `?patient=…` (with the recent no-shows).
    @Sendable func list(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let zone = try await AgendaStore.agenda(practice, app: req.application, on: req.db).timeZone
        if let raw = req.query[String.self, at: "patient"] {
            guard let patientID = UUID(fastString: raw) else { throw AppError.invalid("patient", "identifiant de patient attendu") }
            _ = try await AppointmentStore.patient(patientID, in: practice, on: req.db)
            let records = try await AppointmentRecord.query(on: req.db).filter(\.$practice.$id == practice.id).filter(\.$patient.$id == patientID)
                .sort(\.$startsAt, .descending).limit(500).all()
            let noShows = try await AppointmentStore.recentNoShows(patient: patientID, in: practice, now: req.application.clock.now(), on: req.db)
            return try Self.json(PatientAppointmentsDTO(appointments: records.map { AppointmentDTO($0, zone: zone) }, recentNoShows: noShows))
        }
        var errors: [FieldError] = []
        let practitioner = req.query[String.self, at: "practitioner"].flatMap { UUID(fastString: $0) }
        if practitioner == nil { errors.append(.init(field: "practitioner", reason: "identifiant de praticien attendu (ou patient=…)")) }
        let from = req.query[String.self, at: "from"].flatMap(ISOTimestamp.parse)
        let to = req.query[String.self, at: "to"].flatMap(ISOTimestamp.parse)
        if from == nil { errors.append(.init(field: "from", reason: "date et heure ISO 8601 avec décalage attendues")) }
        if to == nil { errors.append(.init(field: "to", reason: "date et heure ISO 8601 avec décalage attendues")) }
        if let from, let to, to <= from { errors.append(.init(field: "to", reason: "la fin doit suivre le début")) }
        if let from, let to, to.timeIntervalSince(from) > 62 * 86_400 { errors.append(.init(field: "to", reason: "62 jours au plus")) }
        if !errors.isEmpty { throw AppError.validation(errors) }
        let records = try await AppointmentRecord.query(on: req.db).filter(\.$practice.$id == practice.id)
            .filter(\.$practitioner.$id == practitioner!).filter(\.$startsAt < to!).filter(\.$endsAt > from!).sort(\.$startsAt).all()
        return try Self.json(ListAppointments(appointments: records.map { AppointmentDTO($0, zone: zone) }))
    }

    private static func appointmentID(_ req: Request) -> UUID? { req.parameters.get("appointmentID").flatMap { UUID(fastString: $0) } }

    @Sendable func show(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let zone = try await AgendaStore.agenda(practice, app: req.application, on: req.db).timeZone
        let appointment = try await AppointmentStore.appointment(Self.appointmentID(req), in: practice, on: req.db)
        return try Self.json(AppointmentDetailDTO(appointment: AppointmentDTO(appointment, zone: zone),
                                                  history: try await AppointmentStore.history(of: appointment, zone: zone, on: req.db)))
    }

    /// `?count=N` (3–20, 5 by default): free slots close to the appointment, best first.
    @Sendable func alternatives(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let agenda = try await AgendaStore.agenda(practice, app: req.application, on: req.db)
        let appointment = try await AppointmentStore.appointment(Self.appointmentID(req), in: practice, on: req.db)
        let countText = req.query[String.self, at: "count"]
        guard let count = countText.map({ Int($0) }) ?? 5, (3...20).contains(count) else { throw AppError.invalid("count", "de 3 à 20") }
        guard let motif = appointment.motifID else { throw AppError.conflict("Ce rendez-vous n'a pas de motif : cherchez les créneaux libres depuis l'agenda.") }
        do {
            let slots = try agenda.alternatives(to: appointment.startsAt, practitioner: appointment.$practitioner.id, motif: motif,
                                                now: req.application.clock.now(), count: count, urgent: (appointment.urgencyLevel ?? 5) <= 3)
            let response = Response(status: .ok, body: .init(string: AgendaAPI.slotsJSON(slots, zone: agenda.timeZone)))
            response.headers.contentType = .json
            return response
        } catch {
            throw AppError.invalid("motif", error.reason)
        }
    }

    @Sendable func move(req: Request) async throws -> Response {
        let ctx = try await Self.context(req)
        let moved = try await AppointmentStore.move(Self.appointmentID(req), try req.content.decode(MoveInput.self), in: ctx, on: req.db)
        let (appointment, from) = moved[0]
        let readBack = ReadBack.move(from: from, to: try await AppointmentStore.readBackDetails(appointment, in: ctx, on: req.db), zone: ctx.zone, now: ctx.now)
        return try Self.json(AppointmentResult(appointment: AppointmentDTO(appointment, zone: ctx.zone),
                                               alsoChanged: moved.dropFirst().map { AppointmentDTO($0.0, zone: ctx.zone) }, readBack: readBack.text))
    }

    @Sendable func cancel(req: Request) async throws -> Response {
        let ctx = try await Self.context(req)
        let cancelled = try await AppointmentStore.cancel(Self.appointmentID(req), try req.content.decode(CancelInput.self), in: ctx, on: req.db)
        let readBack = ReadBack.cancellation(try await AppointmentStore.readBackDetails(cancelled[0], in: ctx, on: req.db), zone: ctx.zone, now: ctx.now)
        return try Self.json(AppointmentResult(appointment: AppointmentDTO(cancelled[0], zone: ctx.zone),
                                               alsoChanged: cancelled.dropFirst().map { AppointmentDTO($0, zone: ctx.zone) }, readBack: readBack.text))
    }

    @Sendable func status(req: Request) async throws -> Response {
        let ctx = try await Self.context(req)
        let appointment = try await AppointmentStore.setStatus(Self.appointmentID(req), try req.content.decode(StatusInput.self), in: ctx, on: req.db)
        return try Self.json(AppointmentDTO(appointment, zone: ctx.zone))
    }

    // MARK: Series and waiting list

    @Sendable func series(req: Request) async throws -> Response {
        let ctx = try await Self.context(req)
        let result = try await AppointmentStore.series(try req.content.decode(SeriesInput.self), in: ctx, on: req.db)
        var details: [ReadBack.Appointment] = []
        for record in result.booked { details.append(try await AppointmentStore.readBackDetails(record, in: ctx, on: req.db)) }
        return try Self.json(SeriesResult(seriesId: result.id, booked: result.booked.map { AppointmentDTO($0, zone: ctx.zone) }, failed: result.failed,
                                          readBack: ReadBack.series(details, zone: ctx.zone, now: ctx.now).text), status: .created)
    }

    struct WaitingListDTO: Content { let entries: [WaitingListEntryDTO] }

    /// `?state=waiting|to-call|booked|withdrawn`; by default the open entries, callbacks first.
    @Sendable func waitingList(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let zone = try await AgendaStore.agenda(practice, app: req.application, on: req.db).timeZone
        let state = req.query[String.self, at: "state"]
        if let state, !["waiting", "to-call", "booked", "withdrawn"].contains(state) {
            throw AppError.invalid("state", "waiting, to-call, booked ou withdrawn")
        }
        let entries = try await AppointmentStore.waitingList(of: practice, state: state, on: req.db)
        return try Self.json(WaitingListDTO(entries: entries.map { WaitingListEntryDTO($0, zone: zone) }))
    }

    @Sendable func addToWaitingList(req: Request) async throws -> Response {
        let ctx = try await Self.context(req)
        let entry = try await AppointmentStore.addToWaitingList(try req.content.decode(WaitingListInput.self), in: ctx, on: req.db)
        return try Self.json(WaitingListEntryDTO(entry, zone: ctx.zone), status: .created)
    }

    @Sendable func withdraw(req: Request) async throws -> Response {
        let ctx = try await Self.context(req)
        let entry = try await AppointmentStore.closeWaitingListEntry(req.parameters.get("entryID").flatMap { UUID(fastString: $0) }, state: "withdrawn",
                                                                     in: ctx, on: req.db)
        return try Self.json(WaitingListEntryDTO(entry, zone: ctx.zone))
    }
}
