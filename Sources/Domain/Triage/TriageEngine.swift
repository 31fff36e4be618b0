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
    /// The questions still to ask, in order; none once a red flag is confirmed (act now), once the call is not about a
    /// health problem, or when everything is answered. A question that waits on an answer not given yet is not listed.
    public let nextQuestions: [TriageQuestion]
    /// Every question asked so far, in the order of the protocol, with its answer.
    public let asked: [(question: TriageQuestion, answer: TriageAnswer)]
    /// How many questions may still be asked, the next one included: exact (some answers ask that many) and never
    /// more after an answer than before it.
    public let remainingAtMost: Int
    /// Whether the call is about a new or worsening health problem: true until the caller said « Non ».
    public let symptomCall: Bool
    /// An ingestion or exposure was answered « Oui » or « Ne sait pas ».
    public let exposure: Bool
    public let orientation: TriageOrientation

    public var isComplete: Bool { nextQuestions.isEmpty }
    /// The red flags answered « Oui ».
    public var confirmedRedFlags: [String] { findings.filter { $0.isRedFlag && $0.answer == .yes }.map(\.questionID) }
    /// A symptom call that no question matched: level 4 at least, and the practitioner is told.
    public var unmatchedSymptom: Bool { symptomCall && findings.isEmpty }

    /// Whether the practitioner must be told by a transmission (unless the call was put through to him): levels 1 and 2,
    /// and a symptom call that matched nothing, unless the secretary lowered it to a routine booking with her reason.
    public func needsTransmission(at kept: UrgencyLevel) -> Bool {
        kept.isMoreUrgent(than: .sameDay) || (unmatchedSymptom && kept != .routine)
    }

    public static func == (a: TriageResult, b: TriageResult) -> Bool {
        a.level == b.level && a.findings == b.findings && a.doubt == b.doubt && a.nextQuestions == b.nextQuestions
            && a.asked.map(\.question.id) == b.asked.map(\.question.id) && a.asked.map(\.answer) == b.asked.map(\.answer)
            && a.remainingAtMost == b.remainingAtMost && a.symptomCall == b.symptomCall && a.orientation == b.orientation
    }
}

/// Answers the engine refuses.
public enum TriageEvaluationProblem: Error, Equatable, Sendable {
    /// No such question in the protocol.
    case unknownQuestion(String)
    /// A question not reached by the answers given (a follow-up of another answer, another age, after « Non » to the
    /// first question).
    case notAsked(String)

    public var reason: String {
        switch self {
        case .unknownQuestion(let id): "aucune question « \(id) » dans le protocole de ce cabinet"
        case .notAsked(let id): "la question « \(id) » ne se pose pas avec les réponses données (question de suite d'une autre réponse, ou d'un autre âge)"
        }
    }
}

/// The triage: from the answers to a protocol's questions, a level, the orientation, and what is left to ask.
/// Rules (DOMAIN.md): the first question asks whether the call is about a new or worsening health problem; « Non »
/// ends the triage at level 5. Otherwise (« Oui », « Ne sait pas », or not answered yet) the red flags for the patient's
/// age, the exposure question, then the practice's criteria; when nothing matched, level 4 and a transmission, never 5.
/// A red flag confirmed gives level 1 whatever else was answered; « ne sait pas » is doubt and doubt escalates (a red
/// flag in doubt gives level 2; a criterion in doubt gives its own level, and its follow-ups are asked as after a
/// « oui »); the practice's criteria only raise the level.
public enum TriageEngine {
    public static func evaluate(_ triage: TriageProtocol, subject: TriageSubject = .unknown,
                                answers: [String: TriageAnswer]) -> Result<TriageResult, TriageEvaluationProblem> {
        if let unknown = answers.keys.sorted().first(where: { triage.question($0) == nil }) { return .failure(.unknownQuestion(unknown)) }
        let age = subject.ageInMonths
        let gate = RedFlagScreen.symptomGate
        let top = [gate] + RedFlagScreen.questions(forAgeInMonths: age) + [RedFlagScreen.exposure]
            + triage.topLevelCriteria.filter { $0.applies(toAgeInMonths: age) }

        func leadsTo(_ question: TriageQuestion, _ answer: TriageAnswer) -> [TriageQuestion] {
            question.followUps.filter { $0.on.contains(answer) || (answer == .unknown && $0.on.contains(.yes)) }
                .flatMap(\.ask).compactMap { triage.question($0) }.filter { $0.applies(toAgeInMonths: age) }
        }
        /// true: its conditions hold; false: an answer given rules it out; nil: it waits on an answer not given yet.
        func conditionsHold(_ question: TriageQuestion) -> Bool? {
            var pending = false
            for condition in question.askIf {
                guard let given = answers[condition.question] else { pending = true; continue }
                if !condition.answers.contains(given) { return false }
            }
            return pending ? nil : true
        }

        // The questions reached, in the order they are asked: each one's follow-ups come right after it.
        var reached: [TriageQuestion] = []
        var seen = Set<String>()
        func reach(_ question: TriageQuestion) {
            guard conditionsHold(question) == true, seen.insert(question.id).inserted else { return }
            reached.append(question)
            guard let answer = answers[question.id] else { return }
            for next in leadsTo(question, answer) { reach(next) }
        }
        for question in top { reach(question) }
        // A red flag answered in another age's wording still counts: a « oui » to any red flag is level 1.
        for id in answers.keys.sorted() where RedFlagScreen.isRedFlag(id) && !seen.contains(id) { reach(RedFlagScreen.question(id)!) }
        if let stray = answers.keys.sorted().first(where: { !seen.contains($0) }) { return .failure(.notAsked(stray)) }

        let symptomCall = answers[gate.id] != .no
        var level = symptomCall ? UrgencyLevel.mostUrgent(triage.defaultLevel, .within48Hours) : .routine
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
        let ended = confirmedRedFlag || !symptomCall

        // The most questions some answers could still ask: every unanswered question counted with the follow-ups of its
        // answer that asks the most; a red flag's « Oui » and the gate's « Non » end the triage.
        func most(_ question: TriageQuestion, _ counted: inout Set<String>) -> Int {
            guard conditionsHold(question) != false, !counted.contains(question.id) else { return 0 }
            if let answer = answers[question.id] {
                counted.insert(question.id)
                return leadsTo(question, answer).reduce(0) { $0 + most($1, &counted) }
            }
            var best = 0
            var bestCounted = counted
            for answer in TriageAnswer.allCases {
                var branch = counted
                branch.insert(question.id)
                let further = (TriageProtocol.isRedFlag(question.id) && answer == .yes) || (question.id == gate.id && answer == .no)
                    ? 0 : leadsTo(question, answer).reduce(0) { $0 + most($1, &branch) }
                if further >= best { best = further; bestCounted = branch }
            }
            counted = bestCounted
            return 1 + best
        }
        var remaining = 0
        if !ended {
            var counted = Set<String>()
            remaining = top.reduce(0) { $0 + most($1, &counted) }
        }
        let exposure = answers[RedFlagScreen.exposure.id].map { $0 != .no } ?? false
        let orientation: TriageOrientation = exposure && level == .sameDay ? .poisonCentre : level.orientation
        let next = ended ? [] : reached.filter { answers[$0.id] == nil }
        if next.isEmpty { remaining = 0 }
        return .success(TriageResult(level: level, findings: findings, doubt: doubt, nextQuestions: next, asked: asked,
                                     remainingAtMost: remaining, symptomCall: symptomCall, exposure: exposure, orientation: orientation))
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

/// What the secretary did with the result, recorded with the triage. Only what she can vouch for is chosen: what she
/// advised, or a transfer she made. A transmission or an appointment is never an action chosen from a list: it is the
/// link to the transmission or appointment made, shown from that link.
public enum TriageAction: String, Codable, Sendable, CaseIterable {
    case samuAdvised, samuTransferred, callTransferred, adviceGiven
    /// Kept to read triages recorded before these were links; refused on input.
    case urgentSlotBooked, appointmentBooked, transmissionSent

    /// The actions a secretary may record.
    public static let recordable: [TriageAction] = [.samuAdvised, .samuTransferred, .callTransferred, .adviceGiven]

    public var label: String {
        switch self {
        case .samuAdvised: "Appel du 15 conseillé à l'appelant"
        case .samuTransferred: "Appel transféré au 15 (confirmé par la secrétaire)"
        case .callTransferred: "Appel transféré au praticien (confirmé par la secrétaire)"
        case .adviceGiven: "Conseil donné à l'appelant"
        case .urgentSlotBooked: "Créneau d'urgence annoncé (non lié)"
        case .appointmentBooked: "Rendez-vous annoncé (non lié)"
        case .transmissionSent: "Transmission annoncée (non liée)"
        }
    }

    /// The action a level suggests.
    public static func suggested(for level: UrgencyLevel) -> TriageAction {
        switch level {
        case .vital: .samuAdvised
        case .immediateAdvice: .callTransferred
        case .sameDay, .within48Hours, .routine: .adviceGiven
        }
    }
}

/// What the secretary reads to the caller for the level kept: an orientation and a concrete next step, never a
/// diagnosis. A level 1 is worded for its red flag and for whom the caller speaks.
public enum TriageScript {
    /// What the script must know beyond the level.
    public struct Context: Equatable, Sendable {
        /// `practitioner` as it is said ("le Dr Martin"), or "le médecin".
        public var practitioner: String
        public var confirmedRedFlags: [String]
        public var exposure: Bool
        public var unmatchedSymptom: Bool
        public var callerIsPatient: Bool?
        /// The practice's regional poison centre, when its address tells it.
        public var poisonCentre: PoisonCentre?

        public init(practitioner: String, confirmedRedFlags: [String] = [], exposure: Bool = false, unmatchedSymptom: Bool = false,
                    callerIsPatient: Bool? = nil, poisonCentre: PoisonCentre? = nil) {
            self.practitioner = practitioner
            self.confirmedRedFlags = confirmedRedFlags
            self.exposure = exposure
            self.unmatchedSymptom = unmatchedSymptom
            self.callerIsPatient = callerIsPatient
            self.poisonCentre = poisonCentre
        }

        public init(_ result: TriageResult, subject: TriageSubject, practitioner: String, poisonCentre: PoisonCentre?) {
            self.init(practitioner: practitioner, confirmedRedFlags: result.confirmedRedFlags, exposure: result.exposure,
                      unmatchedSymptom: result.unmatchedSymptom, callerIsPatient: subject.callerIsPatient, poisonCentre: poisonCentre)
        }

        var centre: String { poisonCentre?.spoken ?? "le centre antipoison de votre région (le 15 vous y oriente)" }
    }

    public static func text(for level: UrgencyLevel, practitioner: String) -> String {
        text(for: level, context: Context(practitioner: practitioner))
    }

    public static func text(for level: UrgencyLevel, context: Context) -> String {
        let practitioner = context.practitioner
        switch level {
        case .vital:
            let flags = Set(context.confirmedRedFlags)
            if flags.contains("rf-suicide-danger") { return suicide(context) }
            let call = "Ce que vous me décrivez demande une aide immédiate : appelez le 15 tout de suite (ou le 112). Si vous le voulez, je vous mets en relation et je reste en ligne jusqu'à ce que le SAMU vous réponde."
            let presence = switch context.callerIsPatient {
            case true?: "Si vous le pouvez, ouvrez votre porte et prévenez quelqu'un près de vous."
            case false?: "Restez auprès de la personne et suivez ce que le SAMU vous dira."
            case nil: "Si vous appelez pour quelqu'un, restez auprès de la personne ; suivez ce que le SAMU vous dira."
            }
            let poison = flags.contains("rf-poisoning-burn")
                ? " \(PoisonCentre.whileWaiting) Avec ces signes, c'est le 15 d'abord ; \(context.centre) conseille aussi." : ""
            return "\(call) \(presence)\(poison) Je préviens \(practitioner)."
        case .immediateAdvice:
            return "Je vous passe \(practitioner) maintenant. S'il ne peut pas répondre tout de suite, je lui transmets votre appel en urgence et on vous rappelle au plus vite. Si l'état s'aggrave d'ici là, appelez le 15."
        case .sameDay:
            if context.exposure {
                return "Appelez maintenant \(context.centre), ouvert jour et nuit : il vous dira quoi faire. \(PoisonCentre.whileWaiting) \(PoisonCentre.ifWorse) \(practitioner.capitalizedFirst) doit aussi vous voir aujourd'hui : je vous propose un créneau réservé aux urgences."
            }
            return "\(practitioner.capitalizedFirst) doit vous voir aujourd'hui : je vous propose un créneau réservé aux urgences aujourd'hui. Si l'état s'aggrave avant, appelez le 15."
        case .within48Hours:
            if context.unmatchedSymptom {
                return "Je transmets votre appel à \(practitioner), qui vous rappellera si besoin, et je vous propose le premier rendez-vous possible dans les 48 heures. Si l'état s'aggrave d'ici là, rappelez-nous, ou appelez le 15 en cas d'urgence."
            }
            return "Il faut consulter dans les 48 heures : je vous propose le premier rendez-vous possible avec \(practitioner). Si l'état s'aggrave d'ici là, rappelez-nous, ou appelez le 15 en cas d'urgence."
        case .routine:
            return "Je vous propose un rendez-vous avec \(practitioner). Si quelque chose change d'ici là, rappelez-nous ; en cas d'urgence, appelez le 15."
        }
    }

    /// The suicidal crisis: the 15 now and the 3114 beside it, worded for a caller who speaks of herself or of someone.
    static func suicide(_ context: Context) -> String {
        let close = "Je préviens \(context.practitioner)."
        switch context.callerIsPatient {
        case true?:
            return "Je vous entends, et vous avez bien fait d'appeler. Ce que vous vivez demande une aide tout de suite : appelez le 15 maintenant, ou je vous mets en relation et je reste en ligne avec vous jusqu'à ce qu'ils répondent. Le 3114, le numéro national de prévention du suicide, répond aussi jour et nuit, gratuitement. Si vous le pouvez, éloignez de vous ce qui pourrait vous faire du mal et appelez quelqu'un de proche pour qu'il vienne. \(close)"
        case false?:
            return "Vous avez bien fait d'appeler. Appelez le 15 maintenant, ou je vous mets en relation et je reste en ligne jusqu'à ce qu'ils répondent. Ne laissez pas la personne seule et, si vous pouvez le faire sans danger, éloignez ce qui pourrait servir à se faire du mal. Le 3114, le numéro national de prévention du suicide, peut aussi vous conseiller, jour et nuit. \(close)"
        case nil:
            return "Vous avez bien fait d'appeler. Appelez le 15 maintenant, ou je vous mets en relation et je reste en ligne jusqu'à ce qu'ils répondent. Le 3114, le numéro national de prévention du suicide, répond aussi jour et nuit, gratuitement. Si vous appelez pour quelqu'un, ne le laissez pas seul ; éloignez, sans vous mettre en danger, ce qui pourrait servir à se faire du mal. \(close)"
        }
    }

    /// What the secretary herself does at level 1 while the caller dials, in order.
    public static func whileDialling(_ context: Context) -> [String] {
        var steps = ["Rester en ligne avec l'appelant ; si la téléphonie le permet, transférer l'appel au 15 et rester jusqu'à ce que le SAMU réponde.",
                     "Noter l'heure, le numéro de rappel et l'adresse où se trouve la personne, à donner au SAMU s'il rappelle."]
        if context.confirmedRedFlags.contains("rf-suicide-danger") {
            steps.append("Ne pas raccrocher la première : garder la personne en ligne, parler calmement, rappeler le 3114.")
        }
        if context.confirmedRedFlags.contains("rf-poisoning-burn") || context.exposure {
            steps.append("Faire garder l'emballage ou le produit pour le SAMU.")
        }
        steps.append("Enregistrer l'évaluation : la transmission urgente part au praticien et le relance jusqu'à son accusé de réception.")
        return steps
    }
}

extension String {
    var nilIfEmptyText: String? { isEmpty ? nil : self }
    /// "mardi 1 décembre" → "Mardi 1 décembre".
    public var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
