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

    public init(id: String, text: String, hint: String? = nil, levelIfYes: UrgencyLevel?, followUps: [TriageFollowUp] = []) {
        self.id = id
        self.text = text
        self.hint = hint
        self.levelIfYes = levelIfYes
        self.followUps = followUps
    }

    enum CodingKeys: String, CodingKey { case id, text, hint, levelIfYes, followUps }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        text = try container.decode(String.self, forKey: .text)
        hint = try container.decodeIfPresent(String.self, forKey: .hint)
        levelIfYes = try container.decodeIfPresent(UrgencyLevel.self, forKey: .levelIfYes)
        followUps = try container.decodeIfPresent([TriageFollowUp].self, forKey: .followUps) ?? []
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

    /// Every question of the protocol, the red flags first.
    public var questions: [TriageQuestion] { RedFlagScreen.questions + criteria }

    public func question(_ id: String) -> TriageQuestion? {
        RedFlagScreen.question(id) ?? criteria.first { $0.id == id }
    }

    /// Whether `id` is one of the center's red flags.
    public static func isRedFlag(_ id: String) -> Bool { RedFlagScreen.question(id) != nil }
}

extension TriageProtocol {
    static let idPattern = #"^[a-z0-9]+(-[a-z0-9]+)*$"#
    public static let maxCriteria = 60

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
            } else if Self.isRedFlag(question.id) {
                refuse("\(field).id", "« \(question.id) » est un signe d'alerte du centre : il ne se modifie pas dans un protocole de cabinet")
            } else if !seen.insert(question.id).inserted {
                refuse("\(field).id", "« \(question.id) » est déjà l'identifiant d'une autre question")
            }
            let text = question.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { refuse("\(field).text", "obligatoire") }
            if text.count > 300 { refuse("\(field).text", "300 caractères au plus") }
            if (question.hint ?? "").count > 500 { refuse("\(field).hint", "500 caractères au plus") }
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
                    refuse("\(followField).ask", Self.isRedFlag(id)
                        ? "« \(id) » est un signe d'alerte du centre, toujours posé en premier : pas en question de suite"
                        : "aucune question « \(id) » dans ce protocole")
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
