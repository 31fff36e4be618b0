import Domain
import Foundation
import Testing

struct TriageProtocolTests {
    static func question(_ id: String, level: UrgencyLevel? = .sameDay, then followUps: [TriageFollowUp] = []) -> TriageQuestion {
        TriageQuestion(id: id, text: "La personne a-t-elle « \(id) » ?", levelIfYes: level, followUps: followUps)
    }

    static func reasons(_ triage: TriageProtocol) -> [String] { triage.problems().map { "\($0.field): \($0.reason)" } }

    @Test func theFixtureProtocolIsValid() {
        #expect(TriageFixtures.paediatrics.problems().isEmpty)
        #expect(TriageProtocol(criteria: []).problems().isEmpty, "the red-flag screen alone is a protocol")
    }

    @Test func aFollowUpNamingAMissingQuestionIsRefused() {
        let triage = TriageProtocol(criteria: [Self.question("fever", then: [TriageFollowUp(on: [.yes], ask: ["since-when"])])])
        #expect(Self.reasons(triage) == ["criteria[0].followUps[0].ask: aucune question « since-when » dans ce protocole"])
    }

    @Test func followUpsThatLoopAreRefused() {
        let triage = TriageProtocol(criteria: [
            Self.question("a", then: [TriageFollowUp(on: [.yes], ask: ["b"])]),
            Self.question("b", then: [TriageFollowUp(on: [.no], ask: ["c"])]),
            Self.question("c", then: [TriageFollowUp(on: [.unknown], ask: ["a"])]),
        ])
        #expect(Self.reasons(triage) == ["criteria: les questions de suite tournent en rond : a → b → c → a"])
        let itself = TriageProtocol(criteria: [Self.question("a", then: [TriageFollowUp(on: [.yes], ask: ["a"])])])
        #expect(Self.reasons(itself) == ["criteria: les questions de suite tournent en rond : a → a"])
    }

    @Test func aRedFlagCannotBeRedefinedLoweredOrFollowedUp() {
        var lowered = RedFlagScreen.questions[0]
        lowered.levelIfYes = .within48Hours
        let triage = TriageProtocol(criteria: [lowered, Self.question("x", then: [TriageFollowUp(on: [.yes], ask: ["rf-headache"])])])
        #expect(Self.reasons(triage) == [
            "criteria[0].id: « rf-chest » est une question du centre (signes d'alerte, problème nouveau, ingestion) : elle ne se modifie pas dans un protocole de cabinet",
            "criteria[1].followUps[0].ask: « rf-headache » est une question du centre, toujours posée en premier : pas en question de suite",
        ])
    }

    @Test func theRedFlagsAreInEveryProtocolEvenAnEmptyOne() {
        let triage = TriageProtocol(criteria: [Self.question("x")])
        #expect(triage.questions.map(\.id) == ["new-problem"] + RedFlagScreen.questions.map(\.id) + ["exposure", "x"])
        #expect((RedFlagScreen.questions + RedFlagScreen.childQuestions).allSatisfy { $0.levelIfYes == .vital })
    }

    @Test func aFollowUpThatContradictsItsParentIsRefused() {
        // "Des boutons, sans fièvre ?" asked after « Oui » to the fever: it could never be asked, and would contradict.
        let fever = Self.question("fever", then: [TriageFollowUp(on: [.yes], ask: ["rash"])])
        var rash = Self.question("rash")
        rash.askIf = [TriageCondition(question: "fever", answers: [.no])]
        #expect(Self.reasons(TriageProtocol(criteria: [fever, rash])) == [
            "criteria[0].followUps[0].ask: « rash » suit « fever » après « Oui » mais ne se pose que si « fever » vaut « Non » : elle contredirait la réponse donnée",
        ])
        // Ages that never meet: an infant's follow-up under an adult's question.
        var adult = Self.question("adult", then: [TriageFollowUp(on: [.yes], ask: ["infant"])])
        adult.minAgeMonths = 144
        var infant = Self.question("infant")
        infant.maxAgeMonths = 12
        #expect(Self.reasons(TriageProtocol(criteria: [adult, infant])) == [
            "criteria[0].followUps[0].ask: « infant » (moins de 1 an) ne peut jamais suivre « adult » (12 ans et plus) : leurs âges ne se rejoignent pas",
        ])
        // A condition on a later question, or on none, is refused; on an earlier one it is kept.
        var early = Self.question("early")
        early.askIf = [TriageCondition(question: "late", answers: [.yes])]
        #expect(Self.reasons(TriageProtocol(criteria: [early, Self.question("late")])) == [
            "criteria[0].askIf[0].question: « late » doit être posée avant « early » (plus haut dans la liste)",
        ])
        var fine = Self.question("fine")
        fine.askIf = [TriageCondition(question: "fever", answers: [.no])]
        #expect(Self.reasons(TriageProtocol(criteria: [Self.question("fever"), fine])).isEmpty)
    }

    @Test(arguments: [
        (TriageProtocol(criteria: [TriageProtocolTests.question("a"), TriageProtocolTests.question("a")]), "criteria[1].id: « a » est déjà l'identifiant d'une autre question"),
        (TriageProtocol(criteria: [TriageProtocolTests.question("Fièvre")]), "criteria[0].id: identifiant attendu : lettres minuscules, chiffres et tirets (40 au plus), « Fièvre »"),
        (TriageProtocol(criteria: [TriageProtocolTests.question("a", level: .routine)]), "criteria[0].levelIfYes: un critère relève le niveau : 1 à 4 (sans critère, le niveau est 5)"),
        (TriageProtocol(criteria: [TriageProtocolTests.question("a", level: nil)]), "criteria[0].levelIfYes: cette question ne change rien : donnez le niveau d'un « oui » ou des questions de suite"),
        (TriageProtocol(criteria: [], defaultLevel: .immediateAdvice), "defaultLevel: le niveau par défaut est 3, 4 ou 5 : seul un critère donne les niveaux 1 et 2"),
        (TriageProtocol(criteria: [TriageQuestion(id: "a", text: "  ", levelIfYes: .sameDay)]), "criteria[0].text: obligatoire"),
        (TriageProtocol(criteria: [TriageQuestion(id: "a", text: "Signes de méningite ?", levelIfYes: .vital)]),
         "criteria[0].text: « meningite » nomme une maladie : une question décrit ce que la personne constate, jamais un diagnostic"),
        (TriageProtocol(criteria: [TriageProtocolTests.question("a", then: [TriageFollowUp(on: [], ask: ["a"])])]), "criteria[0].followUps[0].on: au moins une réponse (yes, no, unknown)"),
    ])
    func aBadProtocolIsRefusedWithTheReason(triage: TriageProtocol, reason: String) {
        #expect(Self.reasons(triage).first == reason)
    }

    @Test func aProtocolGoesOutAndComesBackAsJSON() throws {
        let data = try JSONEncoder().encode(TriageFixtures.paediatrics)
        #expect(try JSONDecoder().decode(TriageProtocol.self, from: data) == TriageFixtures.paediatrics)
        let written = #"{"criteria":[{"id":"calf","text":"Le mollet est-il devenu douloureux et gonflé d'un coup depuis l'opération ?","levelIfYes":2}]}"#
        let read = try JSONDecoder().decode(TriageProtocol.self, from: Data(written.utf8))
        #expect(read.defaultLevel == .routine)
        #expect(read.criteria.first?.followUps == [])
        #expect(read.problems().isEmpty)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(TriageProtocol.self, from: Data(#"{"criteria":[{"id":"a","text":"?","levelIfYes":7}]}"#.utf8))
        }
    }
}

struct VersionDiffTests {
    @Test func addedRemovedAndChangedLinesInTheNewOrder() {
        let old = [VersionLine(key: "a", label: "A", value: "1"), VersionLine(key: "b", label: "B", value: "2"), VersionLine(key: "c", label: "C", value: "3")]
        let new = [VersionLine(key: "a", label: "A", value: "1"), VersionLine(key: "c", label: "C", value: "trois"), VersionLine(key: "d", label: "D", value: "4")]
        #expect(VersionDiff.between(old, new) == [
            .removed(label: "B", value: "2"), .changed(label: "C", before: "3", after: "trois"), .added(label: "D", value: "4"),
        ])
        #expect(VersionDiff.between(new, new).isEmpty)
    }

    @Test func twoProtocolVersionsShowWhatThePractitionerChanged() {
        var next = TriageFixtures.paediatrics
        next.criteria[3].levelIfYes = .sameDay
        next.criteria.append(TriageQuestion(id: "vomits", text: "L'enfant vomit-il tout ce qu'il boit ?", levelIfYes: .immediateAdvice))
        next.defaultLevel = .within48Hours
        #expect(VersionDiff.between(TriageFixtures.paediatrics.versionLines, next.versionLines) == [
            .changed(label: "Niveau quand aucun critère ne s'applique", before: "Niveau 5 — Rendez-vous programmé", after: "Niveau 4 — Consultation sous 48 h"),
            .changed(label: "Critère « rash » : niveau si oui", before: "Niveau 4 — Consultation sous 48 h", after: "Niveau 3 — Consultation dans la journée"),
            .added(label: "Critère « vomits » : question", value: "L'enfant vomit-il tout ce qu'il boit ?"),
            .added(label: "Critère « vomits » : niveau si oui", value: "Niveau 2 — Avis médical immédiat"),
        ])
    }
}
