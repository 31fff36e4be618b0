@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The practice's triage protocol and playbook through the API: versions, diff, export and import, refusals that
/// save nothing, and the triage itself with its record.
struct PlaybookAPITests {
    struct ProtocolAnswer: Decodable { let version: Int; let redFlags: [TriageQuestion]; let criteria: [TriageQuestion]; let defaultLevel: Int }
    struct Evaluation: Decodable {
        struct Question: Decodable { let id: String; let redFlag: Bool }
        let id: UUID?
        let protocolVersion: Int
        let level: Int
        let orientation: String
        let script: String
        let doubt: Bool
        let complete: Bool
        let nextQuestions: [Question]
        let computedLevel: Int?
        let reason: String?
    }
    struct Record: Decodable {
        struct Answer: Decodable { let questionId: String; let answer: String; let redFlag: Bool }
        let answers: [Answer]
        let computedLevel: Int
        let level: Int
        let reason: String?
        let action: String?
        let protocolVersion: Int
    }
    struct Diff: Decodable {
        struct Change: Decodable { let change: String; let label: String; let before: String?; let after: String? }
        let from: Int
        let to: Int
        let changes: [Change]
    }
    struct Problem: Decodable {
        struct Field: Decodable { let field: String; let reason: String }
        let errors: [Field]?
    }

    static let protocolJSON = #"""
    {"criteria":[
      {"id":"child-fever","text":"L'enfant a-t-il de la fièvre (38 °C ou plus) ?","levelIfYes":4,
       "followUps":[{"on":["yes"],"ask":["drinks-less"]}]},
      {"id":"drinks-less","text":"Boit-il beaucoup moins que d'habitude ?","levelIfYes":2}
    ]}
    """#

    static func problem(_ response: TestingHTTPResponse) throws -> Problem {
        try JSONDecoder().decode(Problem.self, from: Data(response.body.string.utf8))
    }

    static func allNo(_ extra: [String: String] = [:]) -> String {
        var answers = Dictionary(uniqueKeysWithValues: RedFlagScreen.questions.map { ($0.id, "no") })
        answers["new-problem"] = "yes"
        answers["exposure"] = "no"
        answers.merge(extra) { _, new in new }
        return String(decoding: try! JSONEncoder().encode(answers), as: UTF8.self)
    }

    @Test func aProtocolIsImportedAsANewVersionComparedAndExported() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let supervisor = try await app.apiToken(world.supervisor), secretary = try await app.apiToken(world.secretaryA)
            let base = "/api/v1/practices/\(world.practiceA)/triage/protocol"

            let start = try await app.api(.GET, base, token: secretary).content.decode(ProtocolAnswer.self)
            #expect(start.version == 0 && start.criteria.isEmpty && start.defaultLevel == 5)
            #expect(start.redFlags.map(\.id) == (RedFlagScreen.questions + RedFlagScreen.childQuestions).map(\.id))

            #expect(try await app.api(.PUT, base, token: secretary, json: Self.protocolJSON).status == .forbidden)
            let saved = try await app.api(.PUT, "\(base)?note=Crit%C3%A8res%20du%20Dr%20B", token: supervisor, json: Self.protocolJSON)
            #expect(saved.status == .ok, "\(saved.body.string)")
            #expect(try saved.content.decode(ProtocolAnswer.self).version == 1)

            // A follow-up that loops, a red flag redefined, an answer not offered: refused with the reason, nothing saved.
            let looping = #"{"criteria":[{"id":"a","text":"A ?","levelIfYes":3,"followUps":[{"on":["yes"],"ask":["a"]}]},{"id":"rf-chest","text":"B ?","levelIfYes":4}]}"#
            let refused = try await app.api(.PUT, base, token: supervisor, json: looping)
            #expect(refused.status == .unprocessableEntity)
            let reasons = try Self.problem(refused).errors?.map { "\($0.field): \($0.reason)" } ?? []
            #expect(reasons.contains("criteria[1].id: « rf-chest » est une question du centre (signes d'alerte, problème nouveau, ingestion) : elle ne se modifie pas dans un protocole de cabinet"))
            #expect(reasons.contains("criteria: les questions de suite tournent en rond : a → a"))
            let notOffered = #"{"criteria":[{"id":"a","text":"A ?","levelIfYes":3,"followUps":[{"on":["peut-être"],"ask":["a"]}]}]}"#
            #expect(try await app.api(.PUT, base, token: supervisor, json: notOffered).status == .unprocessableEntity)
            #expect(try await PracticeDocumentRecord.query(on: app.db).count() == 1)

            let diff = try await app.api(.GET, "\(base)/diff", token: secretary).content.decode(Diff.self)
            #expect(diff.from == 0 && diff.to == 1)
            #expect(diff.changes.map(\.change) == ["added", "added", "added", "added", "added"])
            #expect(diff.changes.first?.label == "Critère « child-fever » : question")
            #expect(try await app.api(.GET, "\(base)/diff?from=3", token: secretary).status == .unprocessableEntity)

            let exported = try await app.api(.GET, "\(base)/export", token: secretary)
            #expect(exported.headers.first(name: .contentDisposition)?.contains("protocole-") == true)
            let document = try JSONDecoder().decode(TriageProtocol.self, from: Data(exported.body.string.utf8))
            #expect(document == (try JSONDecoder().decode(TriageProtocol.self, from: Data(Self.protocolJSON.utf8))))
            // The export imports back as the next version, unchanged.
            _ = try await app.api(.PUT, base, token: supervisor, json: exported.body.string)
            #expect(try await app.api(.GET, "\(base)/diff", token: secretary).content.decode(Diff.self).changes.isEmpty)
            let versions = try await app.api(.GET, "\(base)/versions", token: secretary)
            #expect(versions.body.string.contains("Critères du Dr B"))
            #expect(try await app.api(.GET, "\(base)/versions/1", token: secretary).status == .ok)
            #expect(try await app.api(.GET, "\(base)/versions/9", token: secretary).status == .notFound)
        }
    }

    @Test func theTriageGivesEachLevelAndRecordsWhatWasAskedAndDecided() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let supervisor = try await app.apiToken(world.supervisor), secretary = try await app.apiToken(world.secretaryA)
            let practice = "/api/v1/practices/\(world.practiceA)"
            _ = try await app.api(.PUT, "\(practice)/triage/protocol", token: supervisor, json: Self.protocolJSON)
            func evaluate(_ body: String) async throws -> TestingHTTPResponse { try await app.api(.POST, "\(practice)/triage/evaluations", token: secretary, json: body) }

            let start = try await evaluate(#"{"answers":{}}"#).content.decode(Evaluation.self)
            #expect(start.nextQuestions.first?.id == "new-problem" && start.nextQuestions.dropFirst().first?.redFlag == true)
            #expect(start.protocolVersion == 1 && start.id == nil)
            let routine = try await evaluate(#"{"answers":\#(Self.allNo(["child-fever": "no"]))}"#).content.decode(Evaluation.self)
            // A symptom call that no criterion describes is level 4, never 5; a call about no health problem is 5.
            #expect(routine.level == 4 && routine.orientation == "within48Hours" && routine.complete)
            let paperwork = try await evaluate(#"{"answers":{"new-problem":"no"}}"#).content.decode(Evaluation.self)
            #expect(paperwork.level == 5 && paperwork.orientation == "routineBooking" && paperwork.complete)
            let urgent = try await evaluate(#"{"answers":\#(Self.allNo(["child-fever": "yes", "drinks-less": "yes"]))}"#).content.decode(Evaluation.self)
            #expect(urgent.level == 2 && urgent.orientation == "practitionerNow")
            let vital = try await evaluate(#"{"answers":{"rf-breathing":"yes"}}"#).content.decode(Evaluation.self)
            #expect(vital.level == 1 && vital.complete && vital.script.contains("appelez le 15"))
            let doubt = try await evaluate(#"{"answers":{"rf-headache":"unknown"}}"#).content.decode(Evaluation.self)
            #expect(doubt.level == 2 && doubt.doubt && !doubt.complete)

            // Refused, naming the field: an unknown question, a follow-up not reached, an answer not offered.
            let unknown = try await evaluate(#"{"answers":{"sneezes":"yes"}}"#)
            #expect(unknown.status == .unprocessableEntity)
            #expect(try Self.problem(unknown).errors?.first?.field == "answers.sneezes")
            let notReached = try await evaluate(#"{"answers":{"child-fever":"no","drinks-less":"yes"}}"#)
            #expect(try Self.problem(notReached).errors?.first?.field == "answers.drinks-less")
            #expect(try await evaluate(#"{"answers":{"rf-chest":"peut-être"}}"#).status == .unprocessableEntity)

            // Lowering needs a reason; level 1 is never lowered; nothing is recorded when refused.
            let lowered = #"{"answers":\#(Self.allNo(["child-fever": "yes", "drinks-less": "no"])),"record":true,"level":5"#
            #expect(try await evaluate(lowered + "}").status == .unprocessableEntity)
            #expect(try await evaluate(#"{"answers":{"rf-chest":"yes"},"record":true,"level":2,"reason":"La patiente dit que cela va mieux"}"#).status == .unprocessableEntity)
            #expect(try await TriageEvaluationRecord.query(on: app.db).count() == 0)
            let kept = try await evaluate(lowered + #","reason":"Vu hier par le Dr A pour la même fièvre, consigne écrite","action":"adviceGiven","callerName":"Mme Aubert","callbackNumber":"06 12 34 56 78"}"#)
            #expect(kept.status == .created, "\(kept.body.string)")
            let result = try kept.content.decode(Evaluation.self)
            #expect(result.level == 5 && result.computedLevel == 4)
            let record = try await app.api(.GET, "\(practice)/triage/evaluations/\(try #require(result.id))", token: secretary).content.decode(Record.self)
            #expect(record.computedLevel == 4 && record.level == 5 && record.action == "adviceGiven" && record.protocolVersion == 1)
            #expect(record.reason == "Vu hier par le Dr A pour la même fièvre, consigne écrite")
            #expect(record.answers.count == RedFlagScreen.questions.count + 4)
            #expect(record.answers.first?.questionId == "new-problem")
            let screened = record.answers.dropFirst().prefix(RedFlagScreen.questions.count)
            #expect(screened.allSatisfy { $0.redFlag })
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "triage").count() == 1)
        }
    }

    @Test func thePlaybookStartsFromThePracticeAndRefusesASheetWithoutThe15() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let practitioner = try await app.apiToken(world.practitionerUserB)
            let base = "/api/v1/practices/\(world.practiceB)/playbook"
            struct Answer: Decodable { let version: Int; let document: Playbook }
            let start = try await app.api(.GET, base, token: practitioner).content.decode(Answer.self)
            #expect(start.version == 0 && start.document.sheet.outOfHours.contains("116 117"))
            var playbook = start.document
            playbook.sheet.coverage = "Du lundi au vendredi, de 8 h à 19 h."
            playbook.procedures = [Procedure(requestType: .results, collect: ["Examen"], say: "Je transmets au médecin.", outcome: .transmit)]
            let body = String(decoding: try JSONEncoder().encode(["playbook": playbook]), as: UTF8.self)
            #expect(try await app.api(.PUT, base, token: practitioner, json: body).status == .ok)
            playbook.sheet.outOfHours = "Rappelez demain."
            let refused = try await app.api(.PUT, base, token: practitioner, json: String(decoding: try JSONEncoder().encode(["playbook": playbook]), as: UTF8.self))
            #expect(refused.status == .unprocessableEntity)
            #expect(try Self.problem(refused).errors?.map(\.field) == ["sheet.outOfHours"])
            let diff = try await app.api(.GET, "\(base)/diff", token: practitioner).content.decode(Diff.self)
            #expect(diff.to == 1)
            #expect(diff.changes.contains { $0.label == "Horaires du secrétariat" && $0.after == "Du lundi au vendredi, de 8 h à 19 h." })
            #expect(diff.changes.contains { $0.label == "Procédure « Résultats d'examens » : ensuite" })
        }
    }

    @Test func theDemoPracticesHaveValidPlaybooksAndProtocols() {
        for slug in ["cabinet-des-tilleuls", "cabinet-lambert-pediatrie", "kine-roux"] {
            let playbook = DemoPlaybooks.playbook(forSlug: slug), triage = DemoPlaybooks.triage(forSlug: slug)
            #expect(playbook?.problems() == [], "\(slug)")
            #expect(triage?.problems() == [], "\(slug)")
            // Every demo protocol reaches levels 2, 3 and 4 through its own criteria.
            let levels = Set(triage?.criteria.compactMap(\.levelIfYes) ?? [])
            #expect(levels.isSuperset(of: [.immediateAdvice, .sameDay, .within48Hours]), "\(slug)")
        }
    }
}
