import Foundation

/// One rung of the ladder an urgent transmission climbs until the practitioner acknowledges it.
public enum EscalationStep: Int, CaseIterable, Codable, Sendable, Comparable {
    /// Shown in the practitioner's inbox (at once, when sent).
    case inApp = 0
    /// A notice by e-mail or SMS that says only that something waits (no health data).
    case notice = 1
    /// A task for a secretary: phone the practitioner.
    case callPractitioner = 2
    /// The practice's backup practitioner is asked too.
    case backup = 3

    public var label: String {
        switch self {
        case .inApp: "Affichée dans la messagerie du praticien"
        case .notice: "Avis au praticien (e-mail, sans donnée de santé)"
        case .callPractitioner: "Tâche : appeler le praticien"
        case .backup: "Transmise au praticien suppléant"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A practice's delays between the rungs, each counted from the sending of the transmission.
public struct EscalationPolicy: Codable, Equatable, Sendable {
    /// Minutes after sending before the notice goes.
    public var noticeAfterMinutes: Int
    /// Minutes after sending before a secretary is asked to phone the practitioner.
    public var callAfterMinutes: Int
    /// Minutes after sending before the backup practitioner is asked.
    public var backupAfterMinutes: Int
    /// The practice's backup practitioner; without one the ladder stops at the phone call.
    public var backupPractitionerID: UUID?

    enum CodingKeys: String, CodingKey {
        case noticeAfterMinutes, callAfterMinutes, backupAfterMinutes
        case backupPractitionerID = "backupPractitionerId"
    }

    public init(noticeAfterMinutes: Int = 5, callAfterMinutes: Int = 15, backupAfterMinutes: Int = 30, backupPractitionerID: UUID? = nil) {
        self.noticeAfterMinutes = noticeAfterMinutes
        self.callAfterMinutes = callAfterMinutes
        self.backupAfterMinutes = backupAfterMinutes
        self.backupPractitionerID = backupPractitionerID
    }

    /// A policy a practice may keep: delays in order, each under four hours (an urgent transmission cannot wait a day).
    public func problems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        for (field, value) in [("noticeAfterMinutes", noticeAfterMinutes), ("callAfterMinutes", callAfterMinutes), ("backupAfterMinutes", backupAfterMinutes)]
        where !(0...240).contains(value) {
            problems.append(FieldProblem(field: field, reason: "de 0 à 240 minutes"))
        }
        if problems.isEmpty {
            if callAfterMinutes < noticeAfterMinutes {
                problems.append(FieldProblem(field: "callAfterMinutes", reason: "pas avant l'avis (\(noticeAfterMinutes) min)"))
            }
            if backupAfterMinutes < callAfterMinutes {
                problems.append(FieldProblem(field: "backupAfterMinutes", reason: "pas avant l'appel au praticien (\(callAfterMinutes) min)"))
            }
        }
        return problems
    }

    /// When `step` is due for a transmission sent at `sentAt`.
    /// When the addressee cannot be notified (no address at all), the phone call comes when the notice would have gone.
    public func dueDate(of step: EscalationStep, sentAt: Date, noticeReachable: Bool = true) -> Date {
        let minutes: Int
        switch step {
        case .inApp: minutes = 0
        case .notice: minutes = noticeAfterMinutes
        case .callPractitioner: minutes = noticeReachable ? callAfterMinutes : noticeAfterMinutes
        case .backup: minutes = backupAfterMinutes
        }
        return sentAt.addingTimeInterval(TimeInterval(minutes * 60))
    }

    /// The rungs the ladder has, in order: no backup rung without a backup practitioner (nor when the transmission is
    /// already addressed to the backup).
    /// A notice rung only when the addressee can be notified: otherwise the ladder goes straight to a person.
    public func steps(addressee: UUID, noticeReachable: Bool = true) -> [EscalationStep] {
        EscalationStep.allCases.filter {
            ($0 != .backup || (backupPractitionerID != nil && backupPractitionerID != addressee)) && ($0 != .notice || noticeReachable)
        }
    }
}

/// Which rungs to climb now: the pure rule the escalation worker applies at each tick.
public enum EscalationLadder {
    /// The rungs above `reached` that are due at `now`, in order; none once the transmission is acknowledged or when it
    /// is not urgent.
    /// `noticeReachable`: whether the addressee has anywhere a notice can go; if not, that rung is skipped and the phone
    /// call comes at the notice's time.
    public static func dueSteps(policy: EscalationPolicy, priority: TransmissionPriority, state: TransmissionState,
                                addressee: UUID, sentAt: Date, reached: EscalationStep, now: Date, noticeReachable: Bool = true) -> [EscalationStep] {
        guard priority == .urgent, state.awaitsPractitioner else { return [] }
        return policy.steps(addressee: addressee, noticeReachable: noticeReachable)
            .filter { $0 > reached && policy.dueDate(of: $0, sentAt: sentAt, noticeReachable: noticeReachable) <= now }
    }

    /// The next rung still to come and when, for the screens ("avis à 10:05").
    public static func nextStep(policy: EscalationPolicy, priority: TransmissionPriority, state: TransmissionState,
                                addressee: UUID, sentAt: Date, reached: EscalationStep, noticeReachable: Bool = true) -> (EscalationStep, Date)? {
        guard priority == .urgent, state.awaitsPractitioner,
              let next = policy.steps(addressee: addressee, noticeReachable: noticeReachable).first(where: { $0 > reached }) else { return nil }
        return (next, policy.dueDate(of: next, sentAt: sentAt, noticeReachable: noticeReachable))
    }
}

/// The notice sent outside the application: it says that something waits and where, never what. E-mail and SMS leave
/// the health-data host (HDS), so no patient name, subject, message or phone number goes in them.
public struct EscalationNotice: Equatable, Sendable {
    public let subject: String
    public let body: String

    public init(practiceName: String, reference: String) {
        subject = "Permanence : transmission urgente en attente"
        body = """
        Bonjour,

        Une transmission urgente du télésecrétariat vous attend pour le cabinet \(practiceName) (référence \(reference)).
        Merci de la consulter dans votre espace Permanence et d'en accuser réception.

        Ce message ne contient aucune information médicale.
        """
    }

    /// The SMS form: one short line.
    public var sms: String { "Permanence : une transmission urgente vous attend. Consultez votre espace et accusez réception." }
}
