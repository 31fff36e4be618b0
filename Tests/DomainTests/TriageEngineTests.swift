import Domain
import Testing

/// A paediatrician's protocol as the tests use it: criteria of several levels, one with follow-ups.
enum TriageFixtures {
    static let paediatrics = TriageProtocol(criteria: [
        TriageQuestion(id: "fever", text: "L'enfant a-t-il de la fièvre (38 °C ou plus) ?", levelIfYes: .within48Hours, followUps: [
            TriageFollowUp(on: [.yes], ask: ["fever-48h", "drinks-less"]),
        ]),
        TriageQuestion(id: "fever-48h", text: "La fièvre dure-t-elle depuis plus de 48 heures ?", levelIfYes: .sameDay),
        TriageQuestion(id: "drinks-less", text: "L'enfant boit-il beaucoup moins que d'habitude ou refuse-t-il de boire ?", levelIfYes: .immediateAdvice),
        TriageQuestion(id: "rash", text: "Des boutons ou des plaques sont-ils apparus sur la peau ?", levelIfYes: .within48Hours),
    ])

    static let noAnswers: [String: TriageAnswer] = Dictionary(uniqueKeysWithValues: RedFlagScreen.questions.map { ($0.id, .no) })

    static func answers(_ extra: [String: TriageAnswer], base: [String: TriageAnswer] = noAnswers) -> [String: TriageAnswer] {
        base.merging(extra) { _, new in new }
    }

    static func evaluate(_ answers: [String: TriageAnswer], protocol triage: TriageProtocol = paediatrics) throws -> TriageResult {
        try TriageEngine.evaluate(triage, answers: answers).get()
    }

    /// Kept here, apart from the Domain's own list: what no question, hint, finding or script may ever say.
    static let diagnosisTerms = [
        "infarctus", "avc", "accident vasculaire", "embolie", "phlébite", "thrombose", "méningite", "septicémie", "sepsis",
        "appendicite", "pneumonie", "bronchiolite", "asthme", "épilepsie", "anaphylaxie", "œdème de quincke", "diabète",
        "hypoglycémie", "cancer", "tumeur", "grippe", "covid", "angine", "otite", "gastro-entérite", "fracture", "entorse",
        "dépression", "psychose", "éclampsie", "fausse couche", "hémorragie cérébrale", "anévrisme", "crise cardiaque",
        "insuffisance", "syndrome", "maladie", "diagnostic",
    ]
}

struct TriageEngineTests {
    @Test(arguments: RedFlagScreen.questions.map(\.id))
    func everyRedFlagAloneGivesLevelOneWhateverTheOtherAnswers(flag: String) throws {
        // Whatever else was answered: every other red flag no, every criterion yes, or in doubt.
        for others in [TriageAnswer.no, .yes, .unknown] {
            var answers = TriageFixtures.noAnswers
            answers["fever"] = others
            answers["rash"] = others
            if others != .no { answers["fever-48h"] = others; answers["drinks-less"] = others }
            answers[flag] = .yes
            let result = try TriageFixtures.evaluate(answers)
            #expect(result.level == .vital, "\(flag) with the others \(others)")
            #expect(result.orientation == .samu)
            #expect(result.isComplete, "a confirmed red flag asks nothing more: act now")
            #expect(result.findings.first?.questionID == flag)
        }
    }

    @Test(arguments: RedFlagScreen.questions.map(\.id))
    func doubtOnARedFlagEscalatesToAPractitionerNow(flag: String) throws {
        let result = try TriageFixtures.evaluate(TriageFixtures.answers([flag: .unknown]))
        #expect(result.level == .immediateAdvice)
        #expect(result.doubt)
        #expect(result.orientation == .practitionerNow)
        #expect(!result.isComplete, "the practice's criteria are still asked: one may give level 1")
    }

    @Test func redFlagsAreAskedFirstOneAfterTheOtherThenThePracticeCriteria() throws {
        let start = try TriageFixtures.evaluate([:])
        #expect(start.nextQuestions.map(\.id) == RedFlagScreen.questions.map(\.id) + ["fever", "rash"])
        #expect(start.level == .routine)
        let screened = try TriageFixtures.evaluate(TriageFixtures.noAnswers)
        #expect(screened.nextQuestions.map(\.id) == ["fever", "rash"])
    }

    @Test(arguments: [
        // (answers to the criteria, level, doubt)
        ([String: TriageAnswer](), UrgencyLevel.routine, false),
        (["fever": .no, "rash": .no], .routine, false),
        (["fever": .yes, "fever-48h": .no, "drinks-less": .no, "rash": .no], .within48Hours, false),
        (["fever": .yes, "fever-48h": .yes, "drinks-less": .no], .sameDay, false),
        (["fever": .yes, "fever-48h": .no, "drinks-less": .yes], .immediateAdvice, false),
        (["fever": .yes, "fever-48h": .unknown, "drinks-less": .no], .sameDay, true),
        (["fever": .no, "rash": .yes], .within48Hours, false),
        (["fever": .unknown, "fever-48h": .no, "drinks-less": .no], .within48Hours, true),
    ])
    func practiceCriteriaGiveTheirLevel(criteria: [String: TriageAnswer], level: UrgencyLevel, doubt: Bool) throws {
        let result = try TriageFixtures.evaluate(TriageFixtures.answers(criteria))
        #expect(result.level == level)
        #expect(result.doubt == doubt)
        #expect(result.orientation == level.orientation)
    }

    @Test func practiceCriteriaRaiseButNeverLowerARedFlag() throws {
        // A criterion answered yes that gives level 4 does not soften a confirmed red flag, nor a red flag in doubt.
        let confirmed = try TriageFixtures.evaluate(TriageFixtures.answers(["rf-breathing": .yes, "rash": .yes]))
        #expect(confirmed.level == .vital)
        let doubtful = try TriageFixtures.evaluate(TriageFixtures.answers(["rf-breathing": .unknown, "rash": .yes, "fever": .no]))
        #expect(doubtful.level == .immediateAdvice)
        // And a practice whose every criterion is answered yes stays at the most urgent of them.
        let all = try TriageFixtures.evaluate(TriageFixtures.answers(["fever": .yes, "fever-48h": .yes, "drinks-less": .yes, "rash": .yes]))
        #expect(all.level == .immediateAdvice)
        #expect(all.findings.map(\.level) == [.immediateAdvice, .sameDay, .within48Hours, .within48Hours])
    }

    @Test func doubtAsksTheFollowUpsOfAYes() throws {
        let result = try TriageFixtures.evaluate(TriageFixtures.answers(["fever": .unknown]))
        #expect(result.nextQuestions.map(\.id) == ["fever-48h", "drinks-less", "rash"])
    }

    @Test func aFollowUpIsOnlyAskedAfterTheAnswerThatLeadsToIt() throws {
        let noFever = try TriageFixtures.evaluate(TriageFixtures.answers(["fever": .no]))
        #expect(noFever.nextQuestions.map(\.id) == ["rash"])
        #expect(throws: TriageEvaluationProblem.notAsked("fever-48h")) {
            try TriageEngine.evaluate(TriageFixtures.paediatrics, answers: TriageFixtures.answers(["fever": .no, "fever-48h": .yes])).get()
        }
    }

    @Test func anUnknownQuestionIsRefused() {
        #expect(throws: TriageEvaluationProblem.unknownQuestion("sneezes")) {
            try TriageEngine.evaluate(TriageFixtures.paediatrics, answers: ["sneezes": .yes]).get()
        }
    }

    @Test func aPracticeMaySetAMoreUrgentDefault() throws {
        let practice = TriageProtocol(criteria: [], defaultLevel: .within48Hours)
        #expect(try TriageFixtures.evaluate(TriageFixtures.noAnswers, protocol: practice).level == .within48Hours)
    }
}

struct TriageDecisionTests {
    @Test(arguments: UrgencyLevel.allCases)
    func theSecretaryMayAlwaysRaiseWithoutAReason(computed: UrgencyLevel) throws {
        for chosen in UrgencyLevel.allCases where !computed.isMoreUrgent(than: chosen) {
            let decision = try TriageDecision.decide(computed: computed, chosen: chosen, reason: nil).get()
            #expect(decision.final == chosen)
            #expect(decision.wasRaised == (chosen != computed))
            #expect(!decision.wasLowered)
        }
    }

    @Test func loweringNeedsAWrittenReasonThatIsKept() throws {
        #expect(throws: TriageDecisionProblem.reasonRequiredToLower) {
            try TriageDecision.decide(computed: .sameDay, chosen: .routine, reason: nil).get()
        }
        #expect(throws: TriageDecisionProblem.reasonRequiredToLower) {
            try TriageDecision.decide(computed: .sameDay, chosen: .routine, reason: "   vu   ").get()
        }
        let lowered = try TriageDecision.decide(computed: .sameDay, chosen: .routine, reason: " Vue hier par le Dr Martin pour la même chose ").get()
        #expect(lowered.wasLowered)
        #expect(lowered.final == .routine)
        #expect(lowered.reason == "Vue hier par le Dr Martin pour la même chose")
    }

    @Test(arguments: [UrgencyLevel.immediateAdvice, .sameDay, .within48Hours, .routine])
    func levelOneIsNeverLowered(to chosen: UrgencyLevel) {
        #expect(throws: TriageDecisionProblem.vitalCannotBeLowered) {
            try TriageDecision.decide(computed: .vital, chosen: chosen, reason: "La patiente dit que ça va mieux maintenant").get()
        }
    }

    @Test func keepingTheComputedLevelRecordsNoOverride() throws {
        let kept = try TriageDecision.decide(computed: .within48Hours, chosen: nil, reason: "rien")
        #expect(try kept.get() == TriageDecision.decide(computed: .within48Hours, chosen: .within48Hours, reason: nil).get())
        #expect(try kept.get().reason == nil)
    }
}

struct TriageWordingTests {
    static func containsDiagnosis(_ text: String) -> String? {
        let lowered = text.lowercased()
        return TriageFixtures.diagnosisTerms.first { term in
            lowered.range(of: "\\b\(term)\\b", options: .regularExpression) != nil
        }
    }

    @Test func noRedFlagQuestionOrHintNamesADisease() {
        for question in RedFlagScreen.questions {
            #expect(Self.containsDiagnosis(question.text) == nil, "\(question.id)")
            #expect(Self.containsDiagnosis(question.hint ?? "") == nil, "\(question.id)")
        }
    }

    @Test(arguments: UrgencyLevel.allCases)
    func noScriptOrientationOrLevelNameNamesADisease(level: UrgencyLevel) {
        let texts = [TriageScript.text(for: level, practitioner: "le Dr Martin"), level.name, level.label, level.orientation.label]
            + level.orientation.steps
        for text in texts { #expect(Self.containsDiagnosis(text) == nil, "\(text)") }
    }

    @Test func everyResultOfTheProtocolSpeaksWithoutADiagnosis() throws {
        // Every combination of the criteria's answers, with every red flag no, one yes, one in doubt.
        let bases = [TriageFixtures.noAnswers, TriageFixtures.answers(["rf-chest": .yes]), TriageFixtures.answers(["rf-headache": .unknown])]
        for base in bases {
            for fever in TriageAnswer.allCases {
                for rash in TriageAnswer.allCases {
                    var answers = TriageFixtures.answers(["fever": fever, "rash": rash], base: base)
                    if fever != .no { answers["fever-48h"] = .unknown; answers["drinks-less"] = .no }
                    guard let result = try? TriageFixtures.evaluate(answers) else { continue }
                    let texts = result.findings.map(\.question) + result.nextQuestions.map(\.text)
                        + [TriageScript.text(for: result.level, practitioner: "le Dr Martin")]
                    for text in texts { #expect(Self.containsDiagnosis(text) == nil, "\(text)") }
                }
            }
        }
    }

    @Test func theScriptsSayTheRightNumbers() {
        #expect(TriageScript.text(for: .vital, practitioner: "le Dr Martin").contains("le 15"))
        #expect(UrgencyLevel.vital.orientation.steps.joined().contains("114"))
        for level in UrgencyLevel.allCases where level != .vital {
            #expect(TriageScript.text(for: level, practitioner: "le Dr Martin").contains("15"), "an aggravation always leads to the 15")
        }
    }
}
