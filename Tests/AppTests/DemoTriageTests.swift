@testable import App
import Domain
import Testing

/// The demo practices' protocols are valid and send frequent symptom calls where a careful secretary would: each
/// scenario answers « Oui » to what the caller describes and « Non » to everything else, question after question.
struct DemoTriageTests {
    static let slugs = ["cabinet-des-tilleuls", "cabinet-lambert-pediatrie", "kine-roux"]

    @Test(arguments: slugs)
    func theDemoProtocolsAreValidAndExplainEachLevel(slug: String) throws {
        let triage = try #require(DemoPlaybooks.triage(forSlug: slug))
        #expect(triage.problems().isEmpty, "\(triage.problems())")
        #expect(triage.criteria.allSatisfy { !($0.note ?? "").isEmpty }, "every criterion says why its level")
    }

    static func run(_ slug: String, ageMonths: Int, yes: Set<String>) throws -> TriageResult {
        let triage = try #require(DemoPlaybooks.triage(forSlug: slug))
        var answers: [String: TriageAnswer] = [:]
        var previous = Int.max
        while true {
            let result = try TriageEngine.evaluate(triage, subject: TriageSubject(ageInMonths: ageMonths), answers: answers).get()
            #expect(result.remainingAtMost < previous, "the count never rises")
            previous = result.remainingAtMost
            guard let next = result.nextQuestions.first else { return result }
            answers[next.id] = next.id == "new-problem" || yes.contains(next.id) ? .yes : .no
        }
    }

    @Test(arguments: [
        // (practice, age in months, what the caller describes, the least urgent level acceptable)
        ("cabinet-des-tilleuls", 480, ["fever", "fever-48h"], UrgencyLevel.sameDay),
        ("cabinet-des-tilleuls", 480, ["fall", "fall-cannot-bear"], .sameDay),
        ("cabinet-des-tilleuls", 480, [], .within48Hours),
        ("cabinet-des-tilleuls", 360, ["rf-suicide-danger"], .vital),
        ("cabinet-des-tilleuls", 360, ["dark-thoughts"], .immediateAdvice),
        ("cabinet-des-tilleuls", 900, ["fall", "fall-elderly"], .immediateAdvice),
        ("cabinet-des-tilleuls", 480, ["urinary", "urinary-fever-back"], .sameDay),
        ("cabinet-des-tilleuls", 480, ["back-pain", "back-legs"], .immediateAdvice),
        ("cabinet-des-tilleuls", 480, ["sting", "sting-spreading"], .immediateAdvice),
        ("cabinet-lambert-pediatrie", 30, ["exposure"], .sameDay),
        ("cabinet-lambert-pediatrie", 2, ["rf-baby-fever"], .vital),
        ("cabinet-lambert-pediatrie", 4, ["fever-baby"], .sameDay),
        ("cabinet-lambert-pediatrie", 30, ["child-fever", "fever-drinks-less"], .immediateAdvice),
        ("cabinet-lambert-pediatrie", 30, ["child-fever"], .within48Hours),
        ("cabinet-lambert-pediatrie", 60, ["belly", "belly-testicle"], .vital),
        ("cabinet-lambert-pediatrie", 8, ["knock", "knock-head-baby"], .sameDay),
        ("kine-roux", 600, ["calf-after-surgery"], .immediateAdvice),
        ("kine-roux", 600, ["fall", "fall-cannot-bear"], .sameDay),
        ("kine-roux", 600, [], .within48Hours),
    ] as [(String, Int, Set<String>, UrgencyLevel)])
    func aFrequentSymptomCallIsNeverUnderTriaged(slug: String, ageMonths: Int, yes: Set<String>, atLeast: UrgencyLevel) throws {
        let result = try Self.run(slug, ageMonths: ageMonths, yes: yes)
        #expect(!atLeast.isMoreUrgent(than: result.level), "\(slug) \(yes): level \(result.level.rawValue), expected \(atLeast.rawValue) or more urgent")
        #expect(result.level != .routine, "a symptom call is never routine")
    }

    @Test func anIngestionWithoutSignsGivesThePoisonCentre() throws {
        let result = try Self.run("cabinet-lambert-pediatrie", ageMonths: 30, yes: ["exposure"])
        #expect(result.orientation == .poisonCentre)
    }
}
