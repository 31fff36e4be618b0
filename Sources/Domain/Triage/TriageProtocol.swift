import Foundation

/// What a caller answers to a factual question.
public enum TriageAnswer: String, Codable, Sendable, CaseIterable {
    case yes, no
    /// « Ne sait pas »: counts as doubt, and doubt escalates.
    case unknown

    public var label: String {
        switch self {
        case .yes: "Oui"
        case .no: "Non"
        case .unknown: "Ne sait pas"
        }
    }
}

/// Questions asked after an answer to another one ("depuis combien de temps ?" after "a-t-il de la fièvre ?").
public struct TriageFollowUp: Codable, Sendable, Equatable {
    /// The answers that lead to the questions.
    public var on: [TriageAnswer]
    /// The ids of the questions then asked, in order.
    public var ask: [String]

    public init(on: [TriageAnswer], ask: [String]) {
        self.on = on
        self.ask = ask
    }
}

/// A question asked only after given answers to an earlier one ("des boutons, sans fièvre ?" only once « fièvre » was
/// answered « Non »), so that no question contradicts an answer already given.
public struct TriageCondition: Codable, Sendable, Equatable {
    /// The earlier question.
    public var question: String
    /// The answers to it that let this question be asked.
    public var answers: [TriageAnswer]

    public init(question: String, answers: [TriageAnswer]) {
        self.question = question
        self.answers = answers
    }
}

/// A factual question a secretary may ask (yes / no / ne sait pas): what the caller sees or knows, never a disease.
public struct TriageQuestion: Codable, Sendable, Equatable {
    /// Short, stable id (`a-z`, `0-9`, `-`): answers and records name the question by it.
    public var id: String
    /// The question as the secretary reads it.
    public var text: String
    /// What to listen for, or how to ask; optional.
    public var hint: String?
    /// The level a « oui » gives; nil for a question that only leads to others.
    public var levelIfYes: UrgencyLevel?
    public var followUps: [TriageFollowUp]
    /// The ages it is asked at, in months: from `minAgeMonths` included to `maxAgeMonths` excluded (nil: no bound).
    /// When the age is not known, it is asked.
    public var minAgeMonths: Int?
    public var maxAgeMonths: Int?
    /// A question about a pregnancy (asked of whoever may be pregnant; the secretary skips it otherwise with « Non »).
    public var pregnancy: Bool
    /// Asked only when every condition holds.
    public var askIf: [TriageCondition]
    /// Why a « oui » gives its level: for the practitioners who review the protocol.
    public var note: String?

    public init(id: String, text: String, hint: String? = nil, levelIfYes: UrgencyLevel?, followUps: [TriageFollowUp] = [],
                minAgeMonths: Int? = nil, maxAgeMonths: Int? = nil, pregnancy: Bool = false, askIf: [TriageCondition] = [], note: String? = nil) {
        self.id = id
        self.text = text
        self.hint = hint
        self.levelIfYes = levelIfYes
        self.followUps = followUps
        self.minAgeMonths = minAgeMonths
        self.maxAgeMonths = maxAgeMonths
        self.pregnancy = pregnancy
        self.askIf = askIf
        self.note = note
    }

    enum CodingKeys: String, CodingKey { case id, text, hint, levelIfYes, followUps, minAgeMonths, maxAgeMonths, pregnancy, askIf, note }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        text = try container.decode(String.self, forKey: .text)
        hint = try container.decodeIfPresent(String.self, forKey: .hint)
        levelIfYes = try container.decodeIfPresent(UrgencyLevel.self, forKey: .levelIfYes)
        followUps = try container.decodeIfPresent([TriageFollowUp].self, forKey: .followUps) ?? []
        minAgeMonths = try container.decodeIfPresent(Int.self, forKey: .minAgeMonths)
        maxAgeMonths = try container.decodeIfPresent(Int.self, forKey: .maxAgeMonths)
        pregnancy = try container.decodeIfPresent(Bool.self, forKey: .pregnancy) ?? false
        askIf = try container.decodeIfPresent([TriageCondition].self, forKey: .askIf) ?? []
        note = try container.decodeIfPresent(String.self, forKey: .note)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(text, forKey: .text)
        try container.encodeIfPresent(hint, forKey: .hint)
        try container.encodeIfPresent(levelIfYes, forKey: .levelIfYes)
        if !followUps.isEmpty { try container.encode(followUps, forKey: .followUps) }
        try container.encodeIfPresent(minAgeMonths, forKey: .minAgeMonths)
        try container.encodeIfPresent(maxAgeMonths, forKey: .maxAgeMonths)
        if pregnancy { try container.encode(pregnancy, forKey: .pregnancy) }
        if !askIf.isEmpty { try container.encode(askIf, forKey: .askIf) }
        try container.encodeIfPresent(note, forKey: .note)
    }

    /// Whether it is asked of a patient of this age (always when the age is not known).
    public func applies(toAgeInMonths age: Int?) -> Bool {
        guard let age else { return true }
        return age >= (minAgeMonths ?? 0) && age < (maxAgeMonths ?? Int.max)
    }

    /// Who it is asked of, as the screen says it: "de 3 mois à 12 ans", "12 ans et plus · grossesse"; nil for everyone.
    public var audience: String? {
        var parts: [String] = []
        switch (minAgeMonths, maxAgeMonths) {
        case (nil, nil): break
        case (let min?, nil): parts.append("\(TriageSubject.ageText(months: min)) et plus")
        case (nil, let max?): parts.append("moins de \(TriageSubject.ageText(months: max))")
        case (let min?, let max?): parts.append("de \(TriageSubject.ageText(months: min)) à moins de \(TriageSubject.ageText(months: max))")
        }
        if pregnancy { parts.append("grossesse") }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }

    /// When it is asked, as the screen says it: "« fievre » = Non"; nil when always.
    public var condition: String? {
        askIf.isEmpty ? nil : askIf.map { "« \($0.question) » = \($0.answers.map(\.label).joined(separator: " / "))" }.joined(separator: " et ")
    }
}

/// A practice's triage protocol: the center's red-flag screen, which every protocol carries first and no practice can
/// remove or lower, then the practice's own criteria, which may only raise the level.
public struct TriageProtocol: Codable, Sendable, Equatable {
    /// The practice's own questions, in the order they are asked (follow-ups are asked after the question that leads to them).
    public var criteria: [TriageQuestion]
    /// The level when no question raised it: 5, or 4 or 3 for a practice that wants every triaged call seen sooner.
    public var defaultLevel: UrgencyLevel

    public init(criteria: [TriageQuestion], defaultLevel: UrgencyLevel = .routine) {
        self.criteria = criteria
        self.defaultLevel = defaultLevel
    }

    enum CodingKeys: String, CodingKey { case criteria, defaultLevel }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        criteria = try container.decodeIfPresent([TriageQuestion].self, forKey: .criteria) ?? []
        defaultLevel = try container.decodeIfPresent(UrgencyLevel.self, forKey: .defaultLevel) ?? .routine
    }

    /// Every question of the protocol as asked when the age is not known: the center's screen first.
    public var questions: [TriageQuestion] { [RedFlagScreen.symptomGate] + RedFlagScreen.questions + [RedFlagScreen.exposure] + criteria }

    public func question(_ id: String) -> TriageQuestion? {
        RedFlagScreen.question(id) ?? criteria.first { $0.id == id }
    }

    /// Whether `id` is one of the center's red flags.
    public static func isRedFlag(_ id: String) -> Bool { RedFlagScreen.isRedFlag(id) }

    /// Whether `id` is one of the center's questions (the gate, the red flags, the exposure), which no practice edits.
    public static func isCenterQuestion(_ id: String) -> Bool { RedFlagScreen.question(id) != nil }
}

extension TriageProtocol {
    static let idPattern = #"^[a-z0-9]+(-[a-z0-9]+)*$"#
    public static let maxCriteria = 60
    /// 130 years.
    static let maxAgeMonths = 1_560

    /// Why a follow-up asked after `answers` to `parent` could never fit them: its own condition on the parent excludes
    /// every one of those answers, or its ages and the parent's do not meet.
    static func contradiction(parent: TriageQuestion, on answers: [TriageAnswer], child: TriageQuestion) -> String? {
        // « Ne sait pas » leads where « Oui » does.
        let leading = Set(answers + (answers.contains(.yes) ? [.unknown] : []))
        for condition in child.askIf where condition.question == parent.id && leading.isDisjoint(with: condition.answers) {
            return "« \(child.id) » suit « \(parent.id) » après « \(answers.map(\.label).joined(separator: " / ")) » mais ne se pose que si « \(parent.id) » vaut « \(condition.answers.map(\.label).joined(separator: " / ")) » : elle contredirait la réponse donnée"
        }
        let low = max(parent.minAgeMonths ?? 0, child.minAgeMonths ?? 0), high = min(parent.maxAgeMonths ?? .max, child.maxAgeMonths ?? .max)
        if low >= high {
            return "« \(child.id) » (\(child.audience ?? "tous âges")) ne peut jamais suivre « \(parent.id) » (\(parent.audience ?? "tous âges")) : leurs âges ne se rejoignent pas"
        }
        return nil
    }

    /// Every problem of the protocol: ids unique and well formed and not a red flag's, questions that say something
    /// and change something, follow-ups that name questions of the protocol without a loop, levels a criterion may
    /// give (1 to 4: the default is 5 and a criterion never lowers), wording that names no disease.
    public func problems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        func refuse(_ field: String, _ reason: String) { problems.append(.init(field: field, reason: reason)) }
        if criteria.count > Self.maxCriteria { refuse("criteria", "\(Self.maxCriteria) critères au plus") }
        if defaultLevel.isMoreUrgent(than: .sameDay) {
            refuse("defaultLevel", "le niveau par défaut est 3, 4 ou 5 : seul un critère donne les niveaux 1 et 2")
        }
        var seen = Set<String>()
        let ids = Set(criteria.map(\.id))
        for (index, question) in criteria.enumerated() {
            let field = "criteria[\(index)]"
            if question.id.range(of: Self.idPattern, options: .regularExpression) == nil || question.id.count > 40 {
                refuse("\(field).id", "identifiant attendu : lettres minuscules, chiffres et tirets (40 au plus), « \(question.id) »")
            } else if Self.isCenterQuestion(question.id) {
                refuse("\(field).id", "« \(question.id) » est une question du centre (signes d'alerte, problème nouveau, ingestion) : elle ne se modifie pas dans un protocole de cabinet")
            } else if !seen.insert(question.id).inserted {
                refuse("\(field).id", "« \(question.id) » est déjà l'identifiant d'une autre question")
            }
            let text = question.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { refuse("\(field).text", "obligatoire") }
            if text.count > 300 { refuse("\(field).text", "300 caractères au plus") }
            if (question.hint ?? "").count > 500 { refuse("\(field).hint", "500 caractères au plus") }
            if (question.note ?? "").count > 500 { refuse("\(field).note", "500 caractères au plus") }
            if let min = question.minAgeMonths, !(0...Self.maxAgeMonths).contains(min) {
                refuse("\(field).minAgeMonths", "un âge en mois, de 0 à \(Self.maxAgeMonths)")
            }
            if let max = question.maxAgeMonths, !(1...Self.maxAgeMonths).contains(max) {
                refuse("\(field).maxAgeMonths", "un âge en mois, de 1 à \(Self.maxAgeMonths)")
            } else if let min = question.minAgeMonths, let max = question.maxAgeMonths, max <= min {
                refuse("\(field).maxAgeMonths", "l'âge maximal (exclu) doit dépasser l'âge minimal")
            }
            for (position, condition) in question.askIf.enumerated() {
                let conditionField = "\(field).askIf[\(position)]"
                if condition.answers.isEmpty { refuse("\(conditionField).answers", "au moins une réponse (yes, no, unknown)") }
                let earlier = Self.isCenterQuestion(condition.question) || criteria[..<index].contains { $0.id == condition.question }
                if !earlier {
                    refuse("\(conditionField).question", ids.contains(condition.question)
                        ? "« \(condition.question) » doit être posée avant « \(question.id) » (plus haut dans la liste)"
                        : "aucune question « \(condition.question) » dans ce protocole")
                }
            }
            for wording in [question.text, question.hint ?? ""] {
                if let term = TriageWording.diagnosisTerm(in: wording) {
                    refuse("\(field).text", "« \(term) » nomme une maladie : une question décrit ce que la personne constate, jamais un diagnostic")
                }
            }
            if question.levelIfYes == .routine {
                refuse("\(field).levelIfYes", "un critère relève le niveau : 1 à 4 (sans critère, le niveau est \(defaultLevel.rawValue))")
            }
            if question.levelIfYes == nil && question.followUps.isEmpty {
                refuse("\(field).levelIfYes", "cette question ne change rien : donnez le niveau d'un « oui » ou des questions de suite")
            }
            for (position, followUp) in question.followUps.enumerated() {
                let followField = "\(field).followUps[\(position)]"
                if followUp.on.isEmpty { refuse("\(followField).on", "au moins une réponse (yes, no, unknown)") }
                if followUp.ask.isEmpty { refuse("\(followField).ask", "au moins une question") }
                for id in followUp.ask where !ids.contains(id) {
                    refuse("\(followField).ask", Self.isCenterQuestion(id)
                        ? "« \(id) » est une question du centre, toujours posée en premier : pas en question de suite"
                        : "aucune question « \(id) » dans ce protocole")
                }
                for id in followUp.ask {
                    guard let child = criteria.first(where: { $0.id == id }) else { continue }
                    if let contradiction = Self.contradiction(parent: question, on: followUp.on, child: child) {
                        refuse("\(followField).ask", contradiction)
                    }
                }
            }
        }
        if let loop = followUpLoop() {
            refuse("criteria", "les questions de suite tournent en rond : \(loop.joined(separator: " → "))")
        }
        return problems
    }

    /// A chain of follow-ups that comes back to its start, if any.
    func followUpLoop() -> [String]? {
        let next = Dictionary(criteria.map { ($0.id, $0.followUps.flatMap(\.ask)) }, uniquingKeysWith: { first, _ in first })
        var state: [String: Bool] = [:]  // false: on the current path; true: done
        var path: [String] = []
        func visit(_ id: String) -> [String]? {
            if state[id] == true { return nil }
            if state[id] == false { return Array(path[path.firstIndex(of: id)!...]) + [id] }
            state[id] = false
            path.append(id)
            for child in next[id] ?? [] where next[child] != nil {
                if let loop = visit(child) { return loop }
            }
            path.removeLast()
            state[id] = true
            return nil
        }
        for question in criteria {
            if let loop = visit(question.id) { return loop }
        }
        return nil
    }

    /// The criteria nobody leads to: asked in their order after the red flags.
    var topLevelCriteria: [TriageQuestion] {
        let followed = Set(criteria.flatMap { $0.followUps.flatMap(\.ask) })
        return criteria.filter { !followed.contains($0.id) }
    }
}

extension TriageProtocol {
    /// The protocol as lines to compare, criterion by criterion.
    public var versionLines: [VersionLine] {
        var lines = [VersionLine(key: "defaultLevel", label: "Niveau quand aucun critère ne s'applique", value: defaultLevel.label)]
        for question in criteria {
            let name = "Critère « \(question.id) »"
            lines.append(.init(key: "\(question.id).text", label: "\(name) : question", value: question.text))
            if let hint = question.hint, !hint.isEmpty { lines.append(.init(key: "\(question.id).hint", label: "\(name) : aide", value: hint)) }
            lines.append(.init(key: "\(question.id).level", label: "\(name) : niveau si oui", value: question.levelIfYes?.label ?? "aucun (questions de suite)"))
            if let audience = question.audience { lines.append(.init(key: "\(question.id).audience", label: "\(name) : posée pour", value: audience)) }
            if let condition = question.condition {
                lines.append(.init(key: "\(question.id).askIf", label: "\(name) : posée seulement si", value: condition))
            }
            if let note = question.note, !note.isEmpty { lines.append(.init(key: "\(question.id).note", label: "\(name) : pourquoi ce niveau", value: note)) }
            if !question.followUps.isEmpty {
                let text = question.followUps.map { "après « \($0.on.map(\.label).joined(separator: " / ")) » : \($0.ask.joined(separator: ", "))" }
                lines.append(.init(key: "\(question.id).followUps", label: "\(name) : questions de suite", value: text.joined(separator: " ; ")))
            }
        }
        return lines
    }
}

/// Words that name a disease or a diagnosis: a question or a script the secretary reads never says one.
public enum TriageWording {
    static let diagnosisTerms = [
        "infarctus", "avc", "accident vasculaire", "embolie", "phlebite", "thrombose", "meningite", "septicemie", "sepsis", "appendicite",
        "pneumonie", "pneumopathie", "bronchiolite", "asthme", "epilepsie", "anaphylaxie", "anaphylactique", "oedeme de quincke",
        "diabete", "hypoglycemie", "cancer", "tumeur", "grippe", "covid", "angine", "otite", "gastro", "fracture", "entorse",
        "depression", "psychose", "eclampsie", "preeclampsie", "fausse couche", "grossesse extra", "hemorragie cerebrale", "anevrisme",
    ]

    /// The first diagnosis term `text` contains (accents and case ignored), if any.
    public static func diagnosisTerm(in text: String) -> String? {
        let folded = " " + NameFolding.words(text).joined(separator: " ") + " "
        return diagnosisTerms.first { folded.contains(" \($0)") }
    }
}
