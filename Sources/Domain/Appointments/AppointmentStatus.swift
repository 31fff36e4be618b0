import Foundation

/// An appointment's status, with FHIR R4's values (DOMAIN.md).
public enum AppointmentStatus: String, Codable, Sendable, CaseIterable {
    case proposed, pending, booked, arrived, fulfilled, cancelled, noshow
    case enteredInError = "entered-in-error"

    /// The time stays taken: no other appointment or hold may overlap it.
    public var occupiesTime: Bool {
        switch self {
        case .proposed, .pending, .booked, .arrived, .fulfilled: true
        case .cancelled, .noshow, .enteredInError: false
        }
    }

    /// The French label shown on the agenda and the patient.
    public var label: String {
        switch self {
        case .proposed: "proposé"
        case .pending: "en attente"
        case .booked: "réservé"
        case .arrived: "arrivé"
        case .fulfilled: "honoré"
        case .cancelled: "annulé"
        case .noshow: "absent (non excusé)"
        case .enteredInError: "saisi par erreur"
        }
    }

    /// Why `self` may not become `next` for an appointment starting at `start`, seen at `now`; nil when it may.
    public func problem(changingTo next: AppointmentStatus, start: Date, now: Date) -> String? {
        guard next != self else { return "le rendez-vous est déjà « \(label) »" }
        let allowed: Set<AppointmentStatus> = switch self {
        case .proposed, .pending: [.booked, .cancelled, .enteredInError]
        case .booked: [.arrived, .fulfilled, .noshow, .cancelled, .enteredInError]
        case .arrived: [.fulfilled, .enteredInError]
        case .fulfilled: [.enteredInError]
        // A patient marked absent who was only late: the secretary corrects it.
        case .noshow: [.arrived, .fulfilled, .enteredInError]
        case .cancelled, .enteredInError: []
        }
        guard allowed.contains(next) else { return "un rendez-vous « \(label) » ne peut pas devenir « \(next.label) »" }
        // An absence or a consultation is only known once the time has come; arriving early the same day is normal.
        if next == .noshow || next == .fulfilled, now < start { return "le rendez-vous n'a pas encore commencé" }
        return nil
    }
}

/// Who cancels: the patient or the practice (the distinction counts for follow-up and statistics).
public enum CancellationParty: String, Codable, Sendable, CaseIterable {
    case patient, practice

    public var label: String { self == .patient ? "à la demande du patient" : "à l'initiative du cabinet" }
}

/// Where a booking came from.
public enum BookingSource: String, Codable, Sendable, CaseIterable {
    case phone, practitioner, online

    public var label: String {
        switch self {
        case .phone: "téléphone"
        case .practitioner: "praticien"
        case .online: "en ligne"
        }
    }
}
