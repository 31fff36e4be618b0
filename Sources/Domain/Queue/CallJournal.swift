import Foundation

/// Why a patient called; a call may have several.
public enum CallReason: String, CaseIterable, Codable, Sendable {
    case appointment, move, cancellation, information, prescriptionRenewal, results, urgent, administrative, other

    /// The French name shown in the journal.
    public var label: String {
        switch self {
        case .appointment: "Prise de rendez-vous"
        case .move: "Déplacement de rendez-vous"
        case .cancellation: "Annulation"
        case .information: "Renseignement"
        case .prescriptionRenewal: "Renouvellement d'ordonnance"
        case .results: "Résultats"
        case .urgent: "Urgence"
        case .administrative: "Administratif"
        case .other: "Autre"
        }
    }
}

extension CallReason {
    /// The practice procedure a reason calls for, if any.
    public var requestType: RequestType? {
        switch self {
        case .appointment, .move, .cancellation: .appointment
        case .prescriptionRenewal: .prescriptionRenewal
        case .results: .results
        case .administrative: .administrative
        case .information, .urgent, .other: nil
        }
    }
}

/// The checklist of a call: the items of the practice's procedures the secretary ticked, named "Procédure : élément" so
/// that the journal reads without the playbook at hand.
public enum CallChecklist {
    public static func item(_ procedure: Procedure, _ index: Int) -> String { "\(procedure.requestType.label) : \(procedure.collect[index])" }

    /// Every item the playbook offers, in order.
    public static func items(of playbook: Playbook) -> [String] {
        playbook.procedures.flatMap { procedure in procedure.collect.indices.map { item(procedure, $0) } }
    }

    /// The ticked items that are not in the playbook the call follows.
    public static func unknown(_ ticked: [String], in playbook: Playbook) -> [String] {
        let offered = Set(items(of: playbook))
        return ticked.filter { !offered.contains($0) }
    }
}

/// How a call ended, said in one choice so that the next secretary reads it at a glance.
public enum CallOutcome: String, CaseIterable, Codable, Sendable {
    /// Everything was done during the call (booked, moved, answered).
    case handled
    /// A message went to the practitioner.
    case transmitted
    /// Someone has to call the patient back.
    case callbackPlanned
    /// Sent elsewhere: the 15, the on-call service, 116 117.
    case redirected
    /// The caller hung up or the line dropped before the end.
    case interrupted

    public var label: String {
        switch self {
        case .handled: "Traité pendant l'appel"
        case .transmitted: "Transmis au praticien"
        case .callbackPlanned: "Rappel prévu"
        case .redirected: "Orienté (15, garde, 116 117)"
        case .interrupted: "Appel interrompu"
        }
    }
}

extension CallOutcome {
    /// The outcome what the call produced points to, offered (not recorded) until the secretary chooses: a message to
    /// the practitioner, else a callback planned, else something booked, moved or cancelled during the call.
    public static func suggested(by produced: Set<CallLinkKind>) -> CallOutcome? {
        if produced.contains(.transmission) { return .transmitted }
        if produced.contains(.task) { return .callbackPlanned }
        if produced.contains(.appointment) { return .handled }
        return nil
    }
}

/// What a call produced, linked from its journal entry.
public enum CallLinkKind: String, CaseIterable, Codable, Sendable {
    case appointment, transmission, triage, task

    public var label: String {
        switch self {
        case .appointment: "Rendez-vous"
        case .transmission: "Transmission"
        case .triage: "Triage"
        case .task: "Tâche"
        }
    }
}

/// What was done during a call, as it says why the caller rang: the link it leaves on the call and the reason it ticks.
public enum CallAct: Sendable, Equatable {
    case booked, moved, cancelled, triaged, transmitted(TransmissionPriority), taskPlanned

    public var linkKind: CallLinkKind {
        switch self {
        case .booked, .moved, .cancelled: .appointment
        case .triaged: .triage
        case .transmitted: .transmission
        case .taskPlanned: .task
        }
    }

    /// The reason this act ticks on the call; nil when the act alone does not say why the caller rang (a routine
    /// message to the practitioner may be about a prescription, results or anything else: the secretary ticks it).
    public var reason: CallReason? {
        switch self {
        case .booked: .appointment
        case .moved: .move
        case .cancelled: .cancellation
        case .triaged, .transmitted(.urgent): .urgent
        case .transmitted, .taskPlanned: nil
        }
    }
}

/// The rules of a call's journal entry: it is written while the call runs and frozen once closed.
public enum CallRules {
    /// Why a change to a call is refused, or nil when it is allowed.
    public enum Refusal: Error, Equatable, Sendable {
        case closed
        case notClosed
        case emptyCorrection
        case noReason

        public var reason: String {
            switch self {
            case .closed: "appel clôturé : il ne se modifie plus, ajoutez une correction"
            case .notClosed: "appel en cours : modifiez-le directement, les corrections sont pour les appels clôturés"
            case .emptyCorrection: "texte de la correction vide"
            case .noReason: "au moins un motif d'appel"
            }
        }
    }

    /// A call is closed with at least one reason and an outcome; its duration is from opening to closing.
    public static func close(openedAt: Date, now: Date, reasons: [CallReason]) -> Result<TimeInterval, Refusal> {
        guard !reasons.isEmpty else { return .failure(.noReason) }
        return .success(max(0, now.timeIntervalSince(openedAt)))
    }

    /// "3 min 05 s", "45 s".
    public static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.rounded())
        let minutes = total / 60, rest = total % 60
        if minutes == 0 { return "\(rest) s" }
        return "\(minutes) min " + (rest < 10 ? "0\(rest)" : String(rest)) + " s"
    }
}
