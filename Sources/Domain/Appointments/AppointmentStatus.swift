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

    /// Going back: a patient marked arrived, seen or absent by mistake. Allowed the same day as the mark, with a reason.
    public func isUndo(to next: AppointmentStatus) -> Bool {
        switch (self, next) {
        case (.arrived, .booked), (.noshow, .booked), (.fulfilled, .arrived): true
        default: false
        }
    }

    /// The appointment may still be moved or cancelled: until the patient has been seen.
    public var movable: Bool { [.proposed, .pending, .booked, .arrived].contains(self) }

    /// Why `self` may not become `next` for an appointment starting at `start`, seen at `now`; nil when it may.
    /// `calendar` is in the practice's time zone (what "the appointment's day" means); `changedAt` is when the current
    /// status was set, `reason` the secretary's words for an undo.
    public func problem(changingTo next: AppointmentStatus, start: Date, now: Date, calendar: Calendar,
                        changedAt: Date? = nil, reason: String? = nil) -> String? {
        guard next != self else { return "le rendez-vous est déjà « \(label) »" }
        if isUndo(to: next) {
            if let changedAt, !calendar.isDate(changedAt, inSameDayAs: now) {
                return "« \(label) » ne s'annule que le jour même où il a été noté"
            }
            if (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).count < 5 {
                return "revenir de « \(label) » à « \(next.label) » demande une raison (5 caractères au moins), qui est tracée"
            }
            return nil
        }
        let allowed: Set<AppointmentStatus> = switch self {
        case .proposed, .pending: [.booked, .cancelled, .enteredInError]
        case .booked: [.arrived, .fulfilled, .noshow, .cancelled, .enteredInError]
        case .arrived: [.fulfilled, .cancelled, .enteredInError]
        case .fulfilled: [.enteredInError]
        // A patient marked absent who was only late: the secretary corrects it.
        case .noshow: [.arrived, .fulfilled, .enteredInError]
        case .cancelled, .enteredInError: []
        }
        guard allowed.contains(next) else { return "un rendez-vous « \(label) » ne peut pas devenir « \(next.label) »" }
        // Arrived and seen are known from the appointment's day; an absence once its time has come.
        let day = calendar.startOfDay(for: start)
        if next == .arrived || next == .fulfilled, now < day {
            return "le rendez-vous est le \(Self.dayText(start, calendar)) : « \(next.label) » se note à partir de ce jour-là"
        }
        if next == .noshow, now < start { return "le rendez-vous n'a pas encore commencé : « \(next.label) » se note après son heure" }
        return nil
    }

    static func dayText(_ date: Date, _ calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.day, .month, .year], from: date)
        return String(format: "%02d/%02d/%04d", parts.day ?? 0, parts.month ?? 0, parts.year ?? 0)
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
