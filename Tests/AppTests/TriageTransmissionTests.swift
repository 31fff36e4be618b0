@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Levels 1 and 2 need the practitioner: recorded without transferring the call, the triage sends an urgent
/// transmission that climbs the ladder; the triage is linked from its call.
struct TriageTransmissionTests {
    struct Evaluation: Decodable { let id: UUID?; let level: Int; let transmissionId: UUID?; let transmissionProblem: String? }
    struct Call: Decodable { struct Link: Decodable { let kind: String; let id: UUID }; let id: UUID; let links: [Link]? }

    /// A symptom call: the red flags (the first `count` with `answer`, the others « Non »), the exposure « Non ».
    static func answers(_ answer: String, onFirst count: Int = 1) -> String {
        let pairs = RedFlagScreen.questions.enumerated().map { "\"\($0.element.id)\":\"\($0.offset < count ? answer : "no")\"" }
        return "{" + (["\"new-problem\":\"yes\"", "\"exposure\":\"no\""] + pairs).joined(separator: ",") + "}"
    }

    static func call(_ app: Application, _ w: JournalWorld, number: String?) async throws -> UUID {
        let body = number.map { #"{"callerNumber":"\#($0)"}"# } ?? "{}"
        return try APIJSON.decode(Call.self, try await app.api(.POST, "\(w.base)/calls", token: w.secretary, json: body)).id
    }

    @Test func aVitalTriageNotTransferredSendsAnUrgentTransmissionLinkedToTheCall() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let call = try await Self.call(app, w, number: "07 11 22 33 44")
            let recorded = try await app.api(.POST, "\(w.base)/triage/evaluations", token: w.secretary, json: """
                {"answers":\(Self.answers("yes")),"record":true,"action":"samuAdvised","callId":"\(call)","callerName":"M. Petit"}
                """)
            #expect(recorded.status == .created)
            let evaluation = try APIJSON.decode(Evaluation.self, recorded)
            #expect(evaluation.level == 1)
            let sent = try #require(try await TransmissionRecord.find(try #require(evaluation.transmissionId), on: app.db))
            #expect(sent.priority == .urgent)
            #expect(sent.callbackNumber == "+33711223344", "the caller's number when no patient is identified")
            #expect(sent.subject == "Évaluation de l'urgence : Niveau 1 — Urgence vitale")
            #expect(sent.callID == call)
            let links = try APIJSON.decode(Call.self, try await app.api(.GET, "\(w.base)/calls/\(call)", token: w.secretary)).links ?? []
            #expect(Set(links.map(\.kind)) == ["triage", "transmission"])
            #expect(links.contains { $0.kind == "triage" && $0.id == evaluation.id })
            let saved = try #require(try await TriageEvaluationRecord.find(evaluation.id, on: app.db))
            #expect(saved.callID == call)
            #expect(saved.transmissionID == sent.id, "the triage links the transmission it made")
            #expect(sent.message.contains("Pour :") == false || sent.message.contains("Appelant : M. Petit."))
            #expect(sent.message.contains("Appelant : M. Petit."))
        }
    }

    @Test func aTransferredCallOrALowerLevelSendsNothing() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let transferred = try await app.api(.POST, "\(w.base)/triage/evaluations", token: w.secretary, json: """
                {"answers":\(Self.answers("unknown")),"record":true,"action":"callTransferred","patientId":"\(w.patient)"}
                """)
            #expect(try APIJSON.decode(Evaluation.self, transferred).level == 2)
            #expect(try APIJSON.decode(Evaluation.self, transferred).transmissionId == nil)
            let routine = try await app.api(.POST, "\(w.base)/triage/evaluations", token: w.secretary, json: """
                {"answers":{"new-problem":"no"},"record":true,"action":"adviceGiven","patientId":"\(w.patient)"}
                """)
            #expect(try APIJSON.decode(Evaluation.self, routine).level == 5)
            #expect(try await TransmissionRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func withoutANumberToCallBackTheTriageIsRecordedAndSaysToTransmitByHand() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let call = try await Self.call(app, w, number: nil)
            let recorded = try await app.api(.POST, "\(w.base)/triage/evaluations", token: w.secretary, json: """
                {"answers":\(Self.answers("unknown")),"record":true,"action":"adviceGiven","callId":"\(call)","callerName":"Mme Roy"}
                """)
            // A triage without a patient must know whom to call back: refused, nothing saved.
            #expect(recorded.status == .unprocessableEntity)
            #expect(recorded.body.string.contains("callbackNumber"))
            #expect(try await TriageEvaluationRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func aSymptomCallThatNoCriterionDescribesIsLevelFourAndTransmitted() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let recorded = try await app.api(.POST, "\(w.base)/triage/evaluations", token: w.secretary, json: """
                {"answers":\(Self.answers("no", onFirst: 0)),"record":true,"action":"adviceGiven","patientId":"\(w.patient)"}
                """)
            #expect(recorded.status == .created)
            let evaluation = try APIJSON.decode(Evaluation.self, recorded)
            #expect(evaluation.level == 4)
            let sent = try #require(try await TransmissionRecord.find(try #require(evaluation.transmissionId), on: app.db))
            #expect(sent.priority == .normal)
            #expect(sent.patientID == w.patient)
            #expect(sent.message.contains("qu'aucun critère ne décrit"))
        }
    }

    @Test func aTransmissionActionCannotBeClaimed() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            for action in ["transmissionSent", "appointmentBooked", "urgentSlotBooked"] {
                let recorded = try await app.api(.POST, "\(w.base)/triage/evaluations", token: w.secretary, json: """
                    {"answers":{"new-problem":"no"},"record":true,"action":"\(action)","patientId":"\(w.patient)"}
                    """)
                #expect(recorded.status == .unprocessableEntity, "\(action)")
            }
            #expect(try await TriageEvaluationRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func theTransmissionFormFromATriageComesFilledIn() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let recorded = try await app.api(.POST, "\(w.base)/triage/evaluations", token: w.secretary, json: """
                {"answers":\(Self.answers("unknown")),"record":true,"level":2,"action":"callTransferred","patientId":"\(w.patient)"}
                """)
            let evaluation = try APIJSON.decode(Evaluation.self, recorded)
            #expect(evaluation.transmissionId == nil, "the call was put through: nothing sent")
            let id = try #require(evaluation.id)
            let draft = TriageStore.transmissionDraft(try #require(try await TriageEvaluationRecord.find(id, on: app.db)))
            #expect(draft.priority == .urgent)
            #expect(draft.patientId == w.patient)
            #expect(draft.subject == "Évaluation de l'urgence : Niveau 2 — Avis médical immédiat")
            #expect(draft.message?.contains("Ne sait pas") == true)
            #expect(draft.triageId == id)
        }
    }

    @Test func theLevelKeptGivesTheScript() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            struct Scripted: Decodable { let level: Int; let script: String; let computedLevel: Int? }
            let raised = try APIJSON.decode(Scripted.self, try await app.api(.POST, "\(w.base)/triage/evaluations", token: w.secretary, json: """
                {"answers":{"new-problem":"no"},"record":true,"level":2,"action":"adviceGiven","patientId":"\(w.patient)"}
                """))
            #expect(raised.level == 2 && raised.computedLevel == 5)
            #expect(raised.script.contains("Je vous passe"), "the script of level 2, not of the routine booking")
            let saved = try #require(try await TriageEvaluationRecord.query(on: app.db).first())
            #expect(saved.script?.contains("Je vous passe") == true)
        }
    }

    @Test func aRecordedTriageWithoutNumberIsRefusedButWithACallItUsesTheCallersNumber() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let call = try await Self.call(app, w, number: nil)
            let recorded = try await app.api(.POST, "\(w.base)/triage/evaluations", token: w.secretary, json: """
                {"answers":\(Self.answers("unknown")),"record":true,"action":"adviceGiven","callId":"\(call)","callerName":"Mme Roy","callbackNumber":"06 98 76 54 32"}
                """)
            #expect(recorded.status == .created)
            let evaluation = try APIJSON.decode(Evaluation.self, recorded)
            let sent = try #require(try await TransmissionRecord.find(try #require(evaluation.transmissionId), on: app.db))
            #expect(sent.callbackNumber == "+33698765432")
        }
    }
}
