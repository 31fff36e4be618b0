import Domain
import Fluent
import Foundation
import Vapor

/// Booking, moving, cancelling and changing the status of an appointment from a practice's software: the same
/// stores, rules and journal as the secretaries' screens; no hold is needed, the database still refuses any overlap.
extension FHIRAPI {
    private static func requireWrite(_ access: Access) throws {
        guard access.canWrite else {
            throw FHIRError(status: .forbidden, code: "forbidden", diagnostics: "Ce jeton de connexion ne permet que la lecture.")
        }
    }

    /// The request's body as JSON of `type`; 415 for another media type, 400 for what is not that JSON.
    static func body(_ req: Request, accepting types: [String]) throws -> Data {
        let given = req.headers.first(name: .contentType)?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let given, types.contains(given) else {
            throw FHIRError(status: .unsupportedMediaType, code: "not-supported", diagnostics: "Corps attendu en \(types.joined(separator: " ou "))")
        }
        guard let buffer = req.body.data, buffer.readableBytes > 0 else {
            throw FHIRError(status: .badRequest, code: "required", diagnostics: "Corps de la requête vide")
        }
        return Data(buffer: buffer)
    }

    static func decodeAppointment(_ data: Data) throws -> FHIR.Appointment {
        let resource: FHIR.Appointment
        do {
            resource = try JSONDecoder().decode(FHIR.Appointment.self, from: data)
        } catch {
            throw FHIRError(status: .badRequest, code: "structure", diagnostics: "Ressource Appointment illisible : \(Self.describe(error))")
        }
        guard resource.resourceType == "Appointment" else {
            throw FHIRError(status: .badRequest, code: "invalid", diagnostics: "resourceType « Appointment » attendu", expression: ["Appointment.resourceType"])
        }
        return resource
    }

    private static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "JSON invalide" }
        switch decoding {
        case .keyNotFound(let key, let context): return "élément « \((context.codingPath + [key]).map(\.stringValue).joined(separator: ".")) » manquant"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "élément « \(context.codingPath.map(\.stringValue).joined(separator: ".")) » de type inattendu"
        case .dataCorrupted: return "JSON invalide"
        @unknown default: return "JSON invalide"
        }
    }

    /// The patient and the practitioner the resource names.
    private static func participants(_ resource: FHIR.Appointment) throws -> (patient: UUID, practitioner: UUID) {
        var patient: UUID?, practitioner: UUID?
        for participant in resource.participant {
            guard let reference = participant.actor?.reference else { continue }
            let parts = reference.split(separator: "/")
            guard parts.count >= 2, let id = UUID(fastString: String(parts[parts.count - 1])) else {
                throw FHIRError(status: .unprocessableEntity, code: "invalid", diagnostics: "Référence « \(reference) » illisible",
                                expression: ["Appointment.participant.actor"])
            }
            switch parts[parts.count - 2] {
            case "Patient": patient = id
            case "Practitioner", "PractitionerRole": practitioner = id
            default: break
            }
        }
        guard let patient, let practitioner else {
            throw FHIRError(status: .unprocessableEntity, code: "required", diagnostics: "Un participant Patient/… et un participant Practitioner/… sont obligatoires",
                            expression: ["Appointment.participant"])
        }
        return (patient, practitioner)
    }

    private static func motifID(_ resource: FHIR.Appointment) throws -> UUID {
        let codes = (resource.serviceType ?? []).flatMap { $0.coding ?? [] }.filter { $0.system == nil || $0.system == FHIR.motifSystem }
        guard let code = codes.first?.code, let id = UUID(fastString: code) else {
            throw FHIRError(status: .unprocessableEntity, code: "required", diagnostics: "Le motif est obligatoire : serviceType.coding \(FHIR.motifSystem)|<identifiant du motif>",
                            expression: ["Appointment.serviceType"])
        }
        return id
    }

    /// The appointment's start: `start`, or the `Slot/…` it takes (both given, they must agree).
    private static func start(_ resource: FHIR.Appointment, practitioner: UUID) throws -> Date {
        let fromStart = try resource.start.map { text -> Date in
            guard let date = ISOTimestamp.parse(text) else {
                throw FHIRError(status: .badRequest, code: "invalid", diagnostics: "start : instant FHIR attendu (2026-12-08T09:00:00+01:00)", expression: ["Appointment.start"])
            }
            return date
        }
        var fromSlot: Date?
        if let reference = resource.slotReference {
            guard let slot = FHIR.parseSlotID(String(reference.split(separator: "/").last ?? "")), slot.practitioner == practitioner else {
                throw FHIRError(status: .unprocessableEntity, code: "invalid", diagnostics: "Créneau « \(reference) » inconnu pour ce praticien", expression: ["Appointment.slot"])
            }
            fromSlot = slot.start
        }
        if let fromStart, let fromSlot, fromStart != fromSlot {
            throw FHIRError(status: .unprocessableEntity, code: "invalid", diagnostics: "start et slot ne désignent pas la même heure", expression: ["Appointment.start"])
        }
        guard let start = fromStart ?? fromSlot else {
            throw FHIRError(status: .unprocessableEntity, code: "required", diagnostics: "start (ou slot) obligatoire", expression: ["Appointment.start"])
        }
        return start
    }

    // MARK: Create

    @Sendable func create(req: Request) async throws -> Response {
        let access = try await Self.access(req)
        try Self.requireWrite(access)
        let resource = try Self.decodeAppointment(try Self.body(req, accepting: ["application/fhir+json", "application/json"]))
        guard resource.id == nil else {
            throw FHIRError(status: .badRequest, code: "invalid", diagnostics: "Pas d'id à la création : le serveur le donne", expression: ["Appointment.id"])
        }
        guard resource.status == AppointmentStatus.booked.rawValue else {
            throw FHIRError(status: .unprocessableEntity, code: "business-rule", diagnostics: "Seul un rendez-vous « booked » se crée ici", expression: ["Appointment.status"])
        }
        let (patient, practitionerID) = try Self.participants(resource)
        let motif = try Self.motifID(resource)
        guard let practitioner = try await PractitionerRecord.find(practitionerID, on: req.db) else { throw FHIRError.notFound("Practitioner", practitionerID.uuidString) }
        let practice = try await Self.authorize(practitioner.$practice.id, access, req, type: "Practitioner", id: practitionerID.uuidString)
        guard let patientRecord = try await PatientRecord.find(patient, on: req.db), patientRecord.$practice.id == practice.id else {
            throw FHIRError.notFound("Patient", patient.uuidString)
        }
        let start = try Self.start(resource, practitioner: practitionerID)
        let ctx = try await BookingContext.make(req, practice: practice)
        if let end = resource.end, let motifRules = ctx.agenda.motif(motif) {
            guard ISOTimestamp.parse(end) == AppointmentStore.end(of: start, motif: motifRules) else {
                throw FHIRError(status: .unprocessableEntity, code: "business-rule",
                                diagnostics: "end : la durée est celle du motif (\(motifRules.durationMinutes) minutes)", expression: ["Appointment.end"])
            }
        }
        let input = BookingInput(patientId: patient, practitionerId: practitionerID, motifId: motif, start: ISOTimestamp.string(start, in: ctx.zone),
                                 source: access.isPracticeSoftware ? BookingSource.practitioner.rawValue : nil, notes: resource.comment,
                                 urgencyLevel: nil, holdId: nil, override: nil)
        let appointment: AppointmentRecord
        do {
            appointment = try await AppointmentStore.book(input, in: ctx, on: req.db)
        } catch let error as AppError where error.status == .conflict {
            req.application.metrics.count("permanence_bookings_total", [("outcome", "conflict")])
            throw error
        }
        req.application.metrics.count("permanence_bookings_total", [("outcome", "booked")])
        return try Self.respond(FHIR.appointment(appointment, zone: ctx.zone), status: .created,
                                location: "\(Self.base(req))/Appointment/\(appointment.id!.uuidString)")
    }

    // MARK: Update and patch

    @Sendable func update(req: Request) async throws -> Response {
        let (record, ctx, access) = try await Self.stored(req)
        try Self.requireWrite(access)
        let resource = try Self.decodeAppointment(try Self.body(req, accepting: ["application/fhir+json", "application/json"]))
        guard resource.id == record.id!.uuidString else {
            throw FHIRError(status: .badRequest, code: "invalid", diagnostics: "L'id de la ressource doit être celui de l'adresse", expression: ["Appointment.id"])
        }
        return try await Self.apply(resource, to: record, in: ctx, req: req)
    }

    /// JSON Patch (RFC 6902) of `/status`, `/start` and `/cancelationReason`.
    @Sendable func patch(req: Request) async throws -> Response {
        let (record, ctx, access) = try await Self.stored(req)
        try Self.requireWrite(access)
        let data = try Self.body(req, accepting: ["application/json-patch+json"])
        guard let operations = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw FHIRError(status: .badRequest, code: "structure", diagnostics: "JSON Patch attendu : une liste d'opérations")
        }
        var resource = FHIR.appointment(record, zone: ctx.zone)
        for operation in operations {
            let op = operation["op"] as? String ?? "", path = operation["path"] as? String ?? ""
            guard op == "replace" || op == "add" else {
                throw FHIRError(status: .unprocessableEntity, code: "not-supported", diagnostics: "Opération « \(op) » non prise en charge (replace, add)")
            }
            switch path {
            case "/status":
                guard let value = operation["value"] as? String else { throw FHIRError(status: .unprocessableEntity, code: "invalid", diagnostics: "/status : texte attendu") }
                resource.status = value
            case "/start":
                guard let value = operation["value"] as? String else { throw FHIRError(status: .unprocessableEntity, code: "invalid", diagnostics: "/start : instant attendu") }
                resource.start = value
                resource.end = nil
            case "/cancelationReason":
                guard let value = operation["value"], let json = try? JSONSerialization.data(withJSONObject: value),
                      let reason = try? JSONDecoder().decode(FHIR.CodeableConcept.self, from: json) else {
                    throw FHIRError(status: .unprocessableEntity, code: "invalid", diagnostics: "/cancelationReason : CodeableConcept attendu")
                }
                resource.cancelationReason = reason
            default:
                throw FHIRError(status: .unprocessableEntity, code: "not-supported", diagnostics: "Chemin « \(path) » non modifiable (/status, /start, /cancelationReason)")
            }
        }
        return try await Self.apply(resource, to: record, in: ctx, req: req)
    }

    private static func stored(_ req: Request) async throws -> (AppointmentRecord, BookingContext, Access) {
        let raw = req.parameters.get("id") ?? ""
        let access = try await access(req)
        guard let id = UUID(fastString: raw), let record = try await AppointmentRecord.find(id, on: req.db) else { throw FHIRError.notFound("Appointment", raw) }
        let practice = try await authorize(record.$practice.id, access, req, type: "Appointment", id: raw)
        return (record, try await BookingContext.make(req, practice: practice), access)
    }

    /// One change at a time, through the store that makes it: a cancellation, a move (another start or practitioner),
    /// or another status; nothing changed answers the appointment as it is.
    private static func apply(_ resource: FHIR.Appointment, to record: AppointmentRecord, in ctx: BookingContext, req: Request) async throws -> Response {
        let current = FHIR.appointment(record, zone: ctx.zone)
        let (patient, practitioner) = try participants(resource)
        guard patient == record.$patient.id else {
            throw FHIRError(status: .unprocessableEntity, code: "business-rule", diagnostics: "Le patient d'un rendez-vous ne change pas : annulez-le et prenez-en un autre",
                            expression: ["Appointment.participant"])
        }
        if let motif = record.motifID, try motifID(resource) != motif {
            throw FHIRError(status: .unprocessableEntity, code: "business-rule", diagnostics: "Le motif d'un rendez-vous ne change pas : annulez-le et prenez-en un autre",
                            expression: ["Appointment.serviceType"])
        }
        let newStart = try start(resource, practitioner: practitioner)
        let moved = newStart != record.startsAt || practitioner != record.$practitioner.id
        let statusChanged = resource.status != current.status
        if moved && statusChanged {
            throw FHIRError(status: .unprocessableEntity, code: "business-rule", diagnostics: "Un changement à la fois : l'heure ou le statut")
        }
        let id = record.id!
        var result = record
        if statusChanged && resource.status == AppointmentStatus.cancelled.rawValue {
            let byPatient = resource.cancelationReason?.coding?.contains { $0.code == "pat" } ?? false
            let reason = resource.cancelationReason?.text.flatMap { $0.isEmpty ? nil : $0 } ?? "Annulé depuis le logiciel du cabinet"
            result = try await AppointmentStore.cancel(id, CancelInput(party: byPatient ? "patient" : "practice", reason: reason, scope: nil), in: ctx, on: req.db)[0]
        } else if statusChanged {
            guard AppointmentStatus(rawValue: resource.status) != nil else {
                throw FHIRError(status: .unprocessableEntity, code: "invalid", diagnostics: "Statut « \(resource.status) » inconnu", expression: ["Appointment.status"])
            }
            result = try await AppointmentStore.setStatus(id, StatusInput(status: resource.status), in: ctx, on: req.db)
        } else if moved {
            let input = MoveInput(start: ISOTimestamp.string(newStart, in: ctx.zone),
                                  practitionerId: practitioner == record.$practitioner.id ? nil : practitioner, override: nil, scope: nil)
            result = try await AppointmentStore.move(id, input, in: ctx, on: req.db)[0].0
        }
        return try respond(FHIR.appointment(result, zone: ctx.zone))
    }
}
