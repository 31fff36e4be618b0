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

    /// A symptom call whose center questions were all answered « Non ».
    static let noAnswers: [String: TriageAnswer] = Dictionary(uniqueKeysWithValues: RedFlagScreen.questions.map { ($0.id, .no) })
        .merging(["new-problem": .yes, "exposure": .no]) { $1 }

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
        #expect(start.nextQuestions.map(\.id) == ["new-problem"] + RedFlagScreen.questions.map(\.id) + ["exposure", "fever", "rash"])
        // Until the caller says the call is not about a health problem, it is a symptom call: never routine.
        #expect(start.level == .within48Hours)
        let screened = try TriageFixtures.evaluate(TriageFixtures.noAnswers)
        #expect(screened.nextQuestions.map(\.id) == ["fever", "rash"])
    }

    @Test(arguments: [
        // (answers to the criteria, level, doubt): a symptom call that nothing matched is level 4, never 5.
        ([String: TriageAnswer](), UrgencyLevel.within48Hours, false),
        (["fever": .no, "rash": .no], .within48Hours, false),
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
        #expect(result.remainingAtMost == 3)
    }

    @Test func aFollowUpIsOnlyAskedAfterTheAnswerThatLeadsToIt() throws {
        let noFever = try TriageFixtures.evaluate(TriageFixtures.answers(["fever": .no]))
        #expect(noFever.nextQuestions.map(\.id) == ["rash"])
        #expect(noFever.remainingAtMost == 1)
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

/// The center's rules for symptom calls, exposures and ages (DOMAIN.md "Symptom calls are never routine").
struct SymptomCallTests {
    static let empty = TriageProtocol(criteria: [])

    @Test(arguments: [
        // (answers, level, needs a transmission at that level, orientation)
        (["new-problem": TriageAnswer.no], UrgencyLevel.routine, false, TriageOrientation.routineBooking),
        (TriageFixtures.noAnswers, .within48Hours, true, .within48Hours),
        (TriageFixtures.answers(["new-problem": .unknown]), .within48Hours, true, .within48Hours),
        (TriageFixtures.answers(["exposure": .yes]), .sameDay, false, .poisonCentre),
        (TriageFixtures.answers(["exposure": .unknown]), .sameDay, false, .poisonCentre),
        (TriageFixtures.answers(["rf-poisoning-burn": .yes]), .vital, true, .samu),
        (TriageFixtures.answers(["rf-headache": .unknown]), .immediateAdvice, true, .practitionerNow),
    ])
    func theRuleOfSymptomCalls(answers: [String: TriageAnswer], level: UrgencyLevel, transmit: Bool, orientation: TriageOrientation) throws {
        let result = try TriageEngine.evaluate(Self.empty, answers: answers).get()
        #expect(result.level == level)
        #expect(result.needsTransmission(at: result.level) == transmit)
        #expect(result.orientation == orientation)
    }

    @Test func notAHealthProblemEndsTheTriageAtLevelFive() throws {
        let result = try TriageEngine.evaluate(TriageFixtures.paediatrics, answers: ["new-problem": .no]).get()
        #expect(result.isComplete)
        #expect(result.remainingAtMost == 0)
        #expect(!result.symptomCall)
        #expect(result.level == .routine)
    }

    @Test func aPracticeDefaultOfFiveStillGivesFourToASymptomCall() throws {
        let result = try TriageEngine.evaluate(TriageProtocol(criteria: [], defaultLevel: .routine), answers: TriageFixtures.noAnswers).get()
        #expect(result.level == .within48Hours)
        #expect(result.unmatchedSymptom)
        #expect(try TriageEngine.evaluate(TriageProtocol(criteria: [], defaultLevel: .sameDay), answers: TriageFixtures.noAnswers).get().level == .sameDay)
    }

    @Test func aMatchedCriterionOfLevelFourNeedsNoTransmission() throws {
        let result = try TriageFixtures.evaluate(TriageFixtures.answers(["fever": .no, "rash": .yes]))
        #expect(result.level == .within48Hours)
        #expect(!result.unmatchedSymptom)
        #expect(!result.needsTransmission(at: .within48Hours))
    }
}

struct AgeAwareTriageTests {
    static func ids(_ age: Int?) -> [String] { RedFlagScreen.questions(forAgeInMonths: age).map(\.id) }

    @Test func aChildIsAskedAChildsRedFlagsNeverAnAdults() {
        for age in [0, 2, 8, 30, 100] {
            let asked = Self.ids(age)
            #expect(!asked.contains("rf-chest"), "\(age) months")
            #expect(!asked.contains("rf-face-arm-speech"))
            #expect(!asked.contains("rf-pregnancy"))
            #expect(asked.contains("rf-child-drowsy") && asked.contains("rf-child-breathing") && asked.contains("rf-child-dehydration"))
        }
        #expect(Self.ids(2).contains("rf-baby-fever") && !Self.ids(2).contains("rf-child-purpura"))
        #expect(!Self.ids(8).contains("rf-baby-fever") && Self.ids(8).contains("rf-child-purpura"))
        #expect(!Self.ids(30).contains("rf-suicide-danger") && Self.ids(100).contains("rf-suicide-danger"))
    }

    @Test func anAdultIsAskedAnAdultsRedFlags() {
        #expect(Self.ids(45 * 12) == ["rf-chest", "rf-face-arm-speech", "rf-breathing", "rf-consciousness", "rf-bleeding-trauma", "rf-swelling",
                                       "rf-suicide-danger", "rf-poisoning-burn", "rf-pregnancy", "rf-headache"])
        #expect(!Self.ids(70 * 12).contains("rf-pregnancy"))
        #expect(Self.ids(nil) == RedFlagScreen.questions.map(\.id))
    }

    @Test func aCriterionIsAskedOnlyAtItsAges() throws {
        var baby = TriageQuestion(id: "baby-fever", text: "Le bébé a-t-il de la fièvre ?", levelIfYes: .sameDay)
        baby.maxAgeMonths = 6
        let triage = TriageProtocol(criteria: [baby, TriageQuestion(id: "cough", text: "Tousse-t-il ?", levelIfYes: .within48Hours)])
        let infant = try TriageEngine.evaluate(triage, subject: TriageSubject(ageInMonths: 4), answers: ["new-problem": .yes]).get()
        #expect(infant.nextQuestions.map(\.id).contains("baby-fever"))
        let older = try TriageEngine.evaluate(triage, subject: TriageSubject(ageInMonths: 40), answers: ["new-problem": .yes]).get()
        #expect(!older.nextQuestions.map(\.id).contains("baby-fever"))
        #expect(throws: TriageEvaluationProblem.notAsked("baby-fever")) {
            try TriageEngine.evaluate(triage, subject: TriageSubject(ageInMonths: 40), answers: ["new-problem": .yes, "baby-fever": .yes]).get()
        }
        #expect(baby.audience == "moins de 6 mois")
    }

    @Test func aQuestionWaitsForTheAnswerItDependsOnAndIsNotAskedAgainstIt() throws {
        var rash = TriageQuestion(id: "rash", text: "Des boutons ?", levelIfYes: .within48Hours)
        rash.askIf = [TriageCondition(question: "fever", answers: [.no])]
        let triage = TriageProtocol(criteria: [TriageQuestion(id: "fever", text: "De la fièvre ?", levelIfYes: .within48Hours), rash])
        let base = TriageFixtures.noAnswers
        #expect(try TriageEngine.evaluate(triage, answers: base).get().nextQuestions.map(\.id) == ["fever"])
        #expect(try TriageEngine.evaluate(triage, answers: base.merging(["fever": .yes]) { $1 }).get().isComplete)
        #expect(try TriageEngine.evaluate(triage, answers: base.merging(["fever": .no]) { $1 }).get().nextQuestions.map(\.id) == ["rash"])
    }

    @Test func ageFromTheBirthDate() {
        #expect(TriageSubject.ageInMonths(born: LocalDate(year: 2026, month: 9, day: 15), on: LocalDate(year: 2026, month: 12, day: 2)) == 2)
        #expect(TriageSubject.ageInMonths(born: LocalDate(year: 2026, month: 9, day: 2), on: LocalDate(year: 2026, month: 12, day: 2)) == 3)
        #expect(TriageSubject.ageInMonths(born: LocalDate(year: 1980, month: 12, day: 3), on: LocalDate(year: 2026, month: 12, day: 2)) == 551)
        #expect(TriageSubject.ageInMonths(born: LocalDate(year: 2027, month: 1, day: 1), on: LocalDate(year: 2026, month: 12, day: 2)) == nil)
        #expect(TriageSubject.ageText(months: 8) == "8 mois")
        #expect(TriageSubject.ageText(months: 18) == "18 mois")
        #expect(TriageSubject.ageText(months: 12) == "1 an")
        #expect(TriageSubject.ageText(months: 551) == "45 ans")
    }
}

struct RemainingCountTests {
    /// "encore N au plus" never rises, and the last question says 1: every path through a protocol with follow-ups.
    @Test func theCountNeverRisesAndIsReachedOnSomePath() throws {
        let triage = TriageFixtures.paediatrics
        var maxReached = 0
        var seeds: [[(String, TriageAnswer)]] = [[]]
        var explored = 0
        while let path = seeds.popLast(), explored < 4_000 {
            explored += 1
            let answers = Dictionary(path, uniquingKeysWith: { a, _ in a })
            let result = try TriageEngine.evaluate(triage, subject: TriageSubject(ageInMonths: 30), answers: answers).get()
            guard let next = result.nextQuestions.first else {
                #expect(result.remainingAtMost == 0)
                maxReached = max(maxReached, path.count)
                continue
            }
            #expect(result.remainingAtMost >= 1)
            for answer in TriageAnswer.allCases {
                let after = try TriageEngine.evaluate(triage, subject: TriageSubject(ageInMonths: 30), answers: answers.merging([next.id: answer]) { $1 }).get()
                #expect(after.remainingAtMost <= result.remainingAtMost - 1, "after \(next.id) = \(answer)")
            }
            // Explore the red flags with « Non » only (their « Oui » ends it), the rest with every answer.
            let answersToTry: [TriageAnswer] = TriageProtocol.isRedFlag(next.id) ? [.no] : TriageAnswer.allCases
            for answer in answersToTry { seeds.append(path + [(next.id, answer)]) }
        }
        let start = try TriageEngine.evaluate(triage, subject: TriageSubject(ageInMonths: 30), answers: [:]).get()
        #expect(start.remainingAtMost == maxReached, "the count at the start is what the longest path asks")
    }
}

struct ScriptTests {
    @Test func aSuicidalCrisisGivesTheFifteenAndThe3114WordedForWhoSpeaks() {
        for speaker in [true, false, nil] as [Bool?] {
            let text = TriageScript.text(for: .vital, context: .init(practitioner: "le Dr Martin", confirmedRedFlags: ["rf-suicide-danger"], callerIsPatient: speaker))
            #expect(text.contains("15") && text.contains("3114"), "\(String(describing: speaker))")
        }
        let herself = TriageScript.text(for: .vital, context: .init(practitioner: "le Dr Martin", confirmedRedFlags: ["rf-suicide-danger"], callerIsPatient: true))
        #expect(!herself.contains("ne laissez pas la personne seule") && !herself.lowercased().contains("la personne"))
        let someone = TriageScript.text(for: .vital, context: .init(practitioner: "le Dr Martin", confirmedRedFlags: ["rf-suicide-danger"], callerIsPatient: false))
        #expect(someone.contains("Ne laissez pas la personne seule"))
        let generic = TriageScript.text(for: .vital, context: .init(practitioner: "le Dr Martin", confirmedRedFlags: ["rf-chest"], callerIsPatient: true))
        #expect(!generic.contains("laissez pas la personne seule") && !generic.contains("auprès de la personne"))
    }

    @Test func levelOneSaysWhatTheSecretaryDoesWhileTheCallerDials() {
        let steps = TriageScript.whileDialling(.init(practitioner: "le Dr Martin", confirmedRedFlags: ["rf-suicide-danger"]))
        #expect(steps.first?.contains("Rester en ligne") == true)
        #expect(steps.contains { $0.contains("3114") })
        #expect(steps.last?.contains("transmission urgente") == true)
    }

    @Test func anExposureGivesThePracticesPoisonCentreAndItsAdvice() {
        let text = TriageScript.text(for: .sameDay, context: .init(practitioner: "le Dr Lambert", exposure: true, poisonCentre: .paris))
        #expect(text.contains("01 40 05 48 48") && text.contains("ne faites pas vomir") && text.contains("15"))
        let unknown = TriageScript.text(for: .sameDay, context: .init(practitioner: "le Dr Lambert", exposure: true))
        #expect(unknown.contains("centre antipoison de votre région"))
        let withSigns = TriageScript.text(for: .vital, context: .init(practitioner: "le Dr Lambert", confirmedRedFlags: ["rf-poisoning-burn"], poisonCentre: .lyon))
        #expect(withSigns.contains("le 15") && withSigns.contains("04 72 11 69 11"))
    }

    @Test(arguments: [
        ("92100", PoisonCentre.paris), ("94300", .paris), ("75019", .paris), ("69003", .lyon), ("13001", .marseille), ("33000", .bordeaux),
        ("59000", .lille), ("31000", .toulouse), ("67000", .nancy), ("21000", .nancy), ("49000", .angers), ("35000", .angers), ("14000", .angers),
        ("20000", .marseille), ("20200", .marseille), ("97400", .marseille), ("97600", .marseille), ("97100", .paris), ("97200", .paris),
        ("97300", .paris), ("97500", .paris),
    ])
    func thePoisonCentreServesThePracticesDepartement(postalCode: String, centre: PoisonCentre) {
        #expect(PoisonCentre.serving(postalCode: postalCode) == centre)
    }

    @Test func theDepartementIsReadFromAnAddress() {
        #expect(Departement.of(address: "14 rue des Tilleuls, 92100 Boulogne-Billancourt") == "92")
        #expect(Departement.of(address: "3 place de la Mairie, 94300 Vincennes") == "94")
        #expect(Departement.of(address: "Cours Napoléon, 20000 Ajaccio") == "2A")
        #expect(Departement.of(address: "sans code postal") == nil)
        #expect(Departement.of(postalCode: "00000") == nil)
    }
}
