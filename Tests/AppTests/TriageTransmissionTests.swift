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

    static func answers(_ answer: String, onFirst count: Int = 1) -> String {
        let pairs = RedFlagScreen.questions.enumerated().map { "\"\($0.element.id)\":\"\($0.offset < count ? answer : "no")\"" }
        return "{" + pairs.joined(separator: ",") + "}"
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
                {"answers":\(Self.answers("yes")),"record":true,"action":"samuAdvised","callId":"\(call)"}
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
            #expect(try await TriageEvaluationRecord.find(evaluation.id, on: app.db)?.callID == call)
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
                {"answers":\(Self.answers("no", onFirst: 0)),"record":true,"action":"appointmentBooked","patientId":"\(w.patient)"}
                """)
            #expect(try APIJSON.decode(Evaluation.self, routine).level > 2)
            #expect(try await TransmissionRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func withoutANumberToCallBackTheTriageIsRecordedAndSaysToTransmitByHand() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let call = try await Self.call(app, w, number: nil)
            let recorded = try await app.api(.POST, "\(w.base)/triage/evaluations", token: w.secretary, json: """
                {"answers":\(Self.answers("unknown")),"record":true,"action":"transmissionSent","callId":"\(call)"}
                """)
            #expect(recorded.status == .created)
            let evaluation = try APIJSON.decode(Evaluation.self, recorded)
            #expect(evaluation.transmissionId == nil)
            #expect(evaluation.transmissionProblem?.contains("numéro de rappel") == true)
            #expect(try await TriageEvaluationRecord.query(on: app.db).count() == 1)
            #expect(try await TransmissionRecord.query(on: app.db).count() == 0)
        }
    }
}
