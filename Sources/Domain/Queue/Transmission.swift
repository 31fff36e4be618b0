import Foundation

/// How soon the practitioner must read a transmission.
public enum TransmissionPriority: String, CaseIterable, Codable, Sendable, Comparable {
    case urgent, normal, information

    public var label: String {
        switch self {
        case .urgent: "Urgent"
        case .normal: "Normal"
        case .information: "Pour information"
        }
    }

    /// Urgent first.
    public var rank: Int {
        switch self {
        case .urgent: 0
        case .normal: 1
        case .information: 2
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// Where a transmission stands, from the secretary's sending to the practitioner's last word.
public enum TransmissionState: String, CaseIterable, Codable, Sendable {
    case new, read, acknowledged, done

    public var label: String {
        switch self {
        case .new: "Nouvelle"
        case .read: "Lue"
        case .acknowledged: "Prise en compte"
        case .done: "Terminée"
        }
    }

    /// Still climbing the escalation ladder when urgent.
    public var awaitsPractitioner: Bool { self == .new || self == .read }
}

/// The moves of a transmission between states: forward only, each by the practitioner it is addressed to.
public enum TransmissionRules {
    public enum Refusal: Error, Equatable, Sendable {
        case notAddressee
        case alreadyAcknowledged
        case alreadyDone
        case emptyAnswer

        public var reason: String {
            switch self {
            case .notAddressee: "cette transmission est adressée à un autre praticien"
            case .alreadyAcknowledged: "transmission déjà prise en compte"
            case .alreadyDone: "transmission déjà terminée"
            case .emptyAnswer: "réponse vide"
            }
        }
    }

    /// Whether `practitioner` may act on a transmission addressed to `addressee` (or, once escalated, to `backup`).
    public static func mayAct(practitioner: UUID, addressee: UUID, backup: UUID?) -> Bool {
        practitioner == addressee || practitioner == backup
    }

    /// Opening the inbox marks a new transmission read; nothing else changes.
    public static func read(_ state: TransmissionState) -> TransmissionState { state == .new ? .read : state }

    public static func acknowledge(_ state: TransmissionState) -> Result<TransmissionState, Refusal> {
        switch state {
        case .new, .read: .success(.acknowledged)
        case .acknowledged: .failure(.alreadyAcknowledged)
        case .done: .failure(.alreadyDone)
        }
    }

    /// An answer acknowledges too and ends the transmission: what is left is for a secretary to relay.
    public static func answer(_ state: TransmissionState, text: String) -> Result<TransmissionState, Refusal> {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return .failure(.emptyAnswer) }
        return state == .done ? .failure(.alreadyDone) : .success(.done)
    }
}

/// What the secretary says to the caller once the transmission is written (DOMAIN.md: the read-back).
public enum TransmissionReadBack {
    /// "Je transmets au Dr Martin votre demande : renouvellement d'ordonnance. Il vous rappellera au 06 12 34 56 78
    /// dès que possible."
    public static func text(practitioner: String, subject: String, priority: TransmissionPriority, callback: String?) -> String {
        let to = practitioner.hasPrefix("le ") ? "au " + practitioner.dropFirst(3) : "à " + practitioner
        var sentence = "Je transmets \(to) votre demande : \(subject.trimmingCharacters(in: .whitespacesAndNewlines))."
        let when: String
        switch priority {
        case .urgent: when = "dans les plus brefs délais"
        case .normal: when = "dès que possible"
        case .information: when = ""
        }
        if priority == .information {
            sentence += " C'est noté pour son information."
        } else if let callback, !callback.isEmpty {
            sentence += " Nous vous rappellerons au \(callback) \(when)."
        } else {
            sentence += " Nous vous rappellerons \(when)."
        }
        return sentence
    }
}
