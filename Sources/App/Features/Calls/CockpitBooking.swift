import Domain
import Fluent
import Foundation
import Vapor

/// Booking without leaving the call: the slot held from the finder waits beside the call for its confirmation (and
/// shows as held on the practice's day), and once confirmed its read-back is there to be read to the patient — the
/// same words as on the appointment's page.
struct CockpitBooking: Encodable {
    struct Held: Encodable {
        let holdID: UUID
        let slot: String
        let practitioner: String
        let motif: String
        let instructions: String
        let expires: String
        let expiresISO: String
        let active: Bool
        let state: String
    }

    let held: Held?
    let readBack: String?
    let appointmentLink: String?

    /// What `?retenu=HOLD` (a slot held from this call) and `?fait=reserve&rdv=ID` (just booked from it) ask the panel
    /// to show; nil when neither.
    static func make(_ req: Request, practice: AuthorizedPractice, call: CallRecord) async throws -> CockpitBooking? {
        let holdID = AgendaController.uuid(req, "retenu")
        let booked = AgendaController.string(req, "fait") == "reserve" ? AgendaController.uuid(req, "rdv") : nil
        guard holdID != nil || booked != nil else { return nil }
        let ctx = try await BookingContext.make(req, practice: practice)
        var held: Held?
        if let holdID {
            let hold = try await AgendaStore.find(HoldRecord.self, holdID, in: practice, practiceKey: \.$practice, on: req.db, what: "Créneau retenu")
            let motif = ctx.agenda.motif(hold.motifID)
            let names = try await PracticeStore.practitionerNames(of: practice, on: req.db)
            held = Held(holdID: holdID,
                        slot: "\(FrenchFormat.longDate(hold.startsAt, in: ctx.zone)) de \(FrenchFormat.time(hold.startsAt, in: ctx.zone)) à \(FrenchFormat.time(hold.endsAt, in: ctx.zone))",
                        practitioner: names[hold.practitionerID] ?? "", motif: motif?.label ?? "", instructions: motif?.patientInstructions ?? "",
                        expires: FrenchFormat.time(hold.expiresAt, in: ctx.zone), expiresISO: ISOTimestamp.string(hold.expiresAt, in: ctx.zone),
                        active: hold.isActive(at: ctx.now), state: hold.stateLabel(at: ctx.now))
        }
        var readBack: String?, link: String?
        if let booked {
            let appointment = try await AppointmentStore.appointment(booked, in: practice, on: req.db)
            readBack = ReadBack.booking(try await AppointmentStore.readBackDetails(appointment, in: ctx, on: req.db), zone: ctx.zone, now: ctx.now).text
            link = SitePath.appointment.link(practice.id, booked, query: "appel=\(call.id!)")
        }
        return CockpitBooking(held: held, readBack: readBack, appointmentLink: link)
    }
}

extension HoldRecord {
    /// Still keeping its time for the one who holds it.
    func isActive(at now: Date) -> Bool { state == "active" && expiresAt > now }

    /// « retenu », « expiré », « confirmé », « relâché ».
    func stateLabel(at now: Date) -> String {
        if isActive(at: now) { return "retenu" }
        switch state {
        case "active": return "expiré"
        case "confirmed": return "confirmé"
        case "released": return "relâché"
        default: return state
        }
    }
}
