import Foundation

/// An answer that decided or raised the level.
public struct TriageFinding: Equatable, Sendable {
    public let questionID: String
    public let question: String
    public let answer: TriageAnswer
    /// The level this answer gives on its own.
    public let level: UrgencyLevel
    public let isRedFlag: Bool
}

/// Where a triage stands after the answers given so far.
public struct TriageResult: Equatable, Sendable {
    public let level: UrgencyLevel
    /// The answers that gave the level, most urgent first.
    public let findings: [TriageFinding]
    /// A « ne sait pas » raised the level.
    public let doubt: Bool
    /// The questions still to ask, in order; none once a red flag is confirmed (act now) or everything is answered.
    public let nextQuestions: [TriageQuestion]
    /// Every question asked so far, in the order of the protocol, with its answer.
    public let asked: [(question: TriageQuestion, answer: TriageAnswer)]

    public var orientation: TriageOrientation { level.orientation }
    public var isComplete: Bool { nextQuestions.isEmpty }

    public static func == (a: TriageResult, b: TriageResult) -> Bool {
        a.level == b.level && a.findings == b.findings && a.doubt == b.doubt && a.nextQuestions == b.nextQuestions
            && a.asked.map(\.question.id) == b.asked.map(\.question.id) && a.asked.map(\.answer) == b.asked.map(\.answer)
    }
}

/// Answers the engine refuses.
public enum TriageEvaluationProblem: Error, Equatable, Sendable {
    /// No such question in the protocol.
    case unknownQuestion(String)
    /// A follow-up whose question was not reached by the answers given.
    case notAsked(String)

    public var reason: String {
        switch self {
        case .unknownQuestion(let id): "aucune question « \(id) » dans le protocole de ce cabinet"
        case .notAsked(let id): "la question « \(id) » ne se pose pas avec les réponses données (question de suite d'une autre réponse)"
        }
    }
}

/// The triage: from the answers to a protocol's questions, a level, the orientation, and what is left to ask.
/// Rules (DOMAIN.md): a red flag confirmed gives level 1 whatever else was answered; « ne sait pas » is doubt and doubt
/// escalates (a red flag in doubt gives level 2; a criterion in doubt gives its own level, and its follow-ups are asked
/// as after a « oui »); the practice's criteria only raise the level.
public enum TriageEngine {
    public static func evaluate(_ triage: TriageProtocol, answers: [String: TriageAnswer]) -> Result<TriageResult, TriageEvaluationProblem> {
        if let unknown = answers.keys.sorted().first(where: { triage.question($0) == nil }) { return .failure(.unknownQuestion(unknown)) }
        // The questions reached, in the order they are asked: each one's follow-ups come right after it.
        var reached: [TriageQuestion] = []
        var seen = Set<String>()
        func reach(_ question: TriageQuestion) {
            guard seen.insert(question.id).inserted else { return }
            reached.append(question)
            guard let answer = answers[question.id] else { return }
            for followUp in question.followUps where followUp.on.contains(answer) || (answer == .unknown && followUp.on.contains(.yes)) {
                for id in followUp.ask { if let next = triage.question(id) { reach(next) } }
            }
        }
        for question in RedFlagScreen.questions + triage.topLevelCriteria { reach(question) }
        if let stray = answers.keys.sorted().first(where: { !seen.contains($0) }) { return .failure(.notAsked(stray)) }

        var level = triage.defaultLevel
        var findings: [TriageFinding] = []
        var asked: [(question: TriageQuestion, answer: TriageAnswer)] = []
        for question in reached {
            guard let answer = answers[question.id] else { continue }
            asked.append((question, answer))
            guard let ifYes = question.levelIfYes, answer != .no else { continue }
            let given = answer == .yes ? ifYes : ifYes.whenInDoubt
            level = UrgencyLevel.mostUrgent(level, given)
            findings.append(TriageFinding(questionID: question.id, question: question.text, answer: answer, level: given,
                                          isRedFlag: TriageProtocol.isRedFlag(question.id)))
        }
        findings.sort { $0.level.rawValue < $1.level.rawValue }
        let doubt = findings.contains { $0.answer == .unknown && $0.level == level }
        let confirmedRedFlag = findings.contains { $0.isRedFlag && $0.answer == .yes }
        let next = confirmedRedFlag ? [] : reached.filter { answers[$0.id] == nil }
        return .success(TriageResult(level: level, findings: findings, doubt: doubt, nextQuestions: next, asked: asked))
    }
}

/// The level the secretary keeps: she may always raise it; lowering it needs a written reason, which is recorded, and
/// level 1 is never lowered.
public struct TriageDecision: Equatable, Sendable {
    public let computed: UrgencyLevel
    public let final: UrgencyLevel
    /// The secretary's reason when she changed the level (required to lower it).
    public let reason: String?

    public var wasRaised: Bool { final.isMoreUrgent(than: computed) }
    public var wasLowered: Bool { computed.isMoreUrgent(than: final) }

    public static func decide(computed: UrgencyLevel, chosen: UrgencyLevel?, reason: String?) -> Result<TriageDecision, TriageDecisionProblem> {
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmptyText
        let final = chosen ?? computed
        if let reason, reason.count > 1_000 { return .failure(.reasonTooLong) }
        if computed.isMoreUrgent(than: final) {
            if computed == .vital { return .failure(.vitalCannotBeLowered) }
            guard let reason, reason.count >= 10 else { return .failure(.reasonRequiredToLower) }
        }
        return .success(TriageDecision(computed: computed, final: final, reason: final == computed ? nil : reason))
    }
}

public enum TriageDecisionProblem: Error, Equatable, Sendable {
    case vitalCannotBeLowered, reasonRequiredToLower, reasonTooLong

    public var reason: String {
        switch self {
        case .vitalCannotBeLowered: "une urgence vitale (niveau 1) ne s'abaisse jamais : le 15 reste l'orientation"
        case .reasonRequiredToLower: "abaisser le niveau demande une raison écrite (10 caractères au moins), qui est enregistrée"
        case .reasonTooLong: "1 000 caractères au plus"
        }
    }
}

/// What the secretary did with the result, recorded with the triage.
public enum TriageAction: String, Codable, Sendable, CaseIterable {
    case samuAdvised, callTransferred, urgentSlotBooked, appointmentBooked, transmissionSent, adviceGiven

    public var label: String {
        switch self {
        case .samuAdvised: "Appel du 15 conseillé"
        case .callTransferred: "Appel transféré au praticien"
        case .urgentSlotBooked: "Créneau d'urgence réservé"
        case .appointmentBooked: "Rendez-vous pris"
        case .transmissionSent: "Transmission envoyée au praticien"
        case .adviceGiven: "Renseignement donné"
        }
    }
}

/// What the secretary reads to the caller for each level: an orientation and a concrete next step, never a diagnosis.
public enum TriageScript {
    /// `practitioner` as it is said ("le Dr Martin"); the practice's name when the call is not for one practitioner.
    public static func text(for level: UrgencyLevel, practitioner: String) -> String {
        switch level {
        case .vital:
            "Ce que vous me décrivez demande une aide immédiate : appelez le 15 tout de suite (ou le 112). Si vous le voulez, je vous mets en relation et je reste en ligne jusqu'à ce que le SAMU vous réponde. Ne laissez pas la personne seule. Je préviens \(practitioner)."
        case .immediateAdvice:
            "Je vous passe \(practitioner) maintenant. S'il ne peut pas répondre tout de suite, je lui transmets votre appel en urgence et on vous rappelle au plus vite. Si l'état s'aggrave d'ici là, appelez le 15."
        case .sameDay:
            "\(practitioner.capitalizedFirst) doit vous voir aujourd'hui : je vous propose un créneau réservé aux urgences aujourd'hui. Si l'état s'aggrave avant, appelez le 15."
        case .within48Hours:
            "Il faut consulter dans les 48 heures : je vous propose le premier rendez-vous possible avec \(practitioner). Si l'état s'aggrave d'ici là, rappelez-nous, ou appelez le 15 en cas d'urgence."
        case .routine:
            "Je vous propose un rendez-vous avec \(practitioner). Si quelque chose change d'ici là, rappelez-nous ; en cas d'urgence, appelez le 15."
        }
    }
}

extension String {
    var nilIfEmptyText: String? { isEmpty ? nil : self }
    /// "mardi 1 décembre" → "Mardi 1 décembre".
    public var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
