import Foundation

/// What a user does in the center; decides which practices and actions are open to them.
public enum Role: String, CaseIterable, Codable, Sendable {
    /// Answers calls for the practices she is assigned to.
    case secretary
    /// Runs the team and the center: sees every practice.
    case supervisor
    /// Works in one practice and sees only that one.
    case practitioner
    /// Configures the center and manages users.
    case admin

    /// The French name shown in the interface.
    public var label: String {
        switch self {
        case .secretary: "Télésecrétaire"
        case .supervisor: "Responsable de plateau"
        case .practitioner: "Praticien"
        case .admin: "Administrateur"
        }
    }

    /// Whether the role reaches every practice of the center rather than only its assignments.
    public var seesEveryPractice: Bool {
        switch self {
        case .supervisor, .admin: true
        case .secretary, .practitioner: false
        }
    }
}

/// Something a user may be allowed to do, independent of any practice.
public enum Permission: Sendable, Equatable {
    case manageUsers
    case configureCenter
    /// Hours, absences, consultation types and urgent-slot rules of the practices the user reaches.
    case editAgenda
    /// Importing a practice's patients from its previous software, and erasing or anonymising a record (RGPD):
    /// acts on whole files, kept from the secretaries who answer the calls.
    case managePatientFiles
    /// The practice's sheet, procedures and triage criteria: agreed by the practitioners, kept by the supervisors.
    case editPlaybook
    /// The audit journal: who did what, who consulted which record, lockouts and sign-ins.
    case viewAudit
    /// Creating, editing, suspending and reopening practices and their practitioners: putting a practice into service.
    case managePractices
    /// The center's figures (answer rate, times, activity): supervisors and administrators for every practice,
    /// practitioners for their own; never secretaries.
    case viewStatistics
    /// The live board of the center (calls ringing, secretaries on a call, the queue): supervisors and administrators.
    case viewBoard
    /// A practice's connections to its own software (tokens, webhooks): its practitioners, the supervisors and the
    /// administrators; never the secretaries who answer its calls.
    case manageConnections
}

/// Who may reach what: the one place the rules of access are written down.
public enum AccessPolicy {
    /// Whether a user with `role` and `assignedPractices` may reach the data of `practice`.
    public static func mayAccess(practice: UUID, role: Role, assignedPractices: Set<UUID>) -> Bool {
        role.seesEveryPractice || assignedPractices.contains(practice)
    }

    /// Whether `role` holds `permission`.
    public static func role(_ role: Role, has permission: Permission) -> Bool {
        switch permission {
        case .manageUsers, .configureCenter: role == .admin
        case .editAgenda, .managePatientFiles, .editPlaybook: role != .secretary
        case .viewAudit, .managePractices, .viewBoard: role == .admin || role == .supervisor
        case .viewStatistics, .manageConnections: role != .secretary
        }
    }

    /// Whether signing in asks a second factor of this role: always of those who see every practice or change the
    /// center (administrators, supervisors) and of practitioners; of secretaries when the center decided so.
    public static func secondFactorRequired(for role: Role, secretariesToo: Bool) -> Bool {
        switch role {
        case .admin, .supervisor, .practitioner: true
        case .secretary: secretariesToo
        }
    }

    /// How many practices a role must be assigned to when a user is created: a practitioner exactly one,
    /// a secretary at least one, the center-wide roles none.
    public static func assignmentRule(for role: Role) -> ClosedRange<Int> {
        switch role {
        case .practitioner: 1...1
        case .secretary: 1...Int.max
        case .supervisor, .admin: 0...0
        }
    }
}
