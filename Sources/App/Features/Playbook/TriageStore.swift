import Domain
import Fluent
import Foundation
import Vapor

/// A triage as it was run: the protocol version, every question asked and answered, the level computed and the
/// level kept (with the reason when lowered or raised), the orientation and what the secretary did.
final class TriageEvaluationRecord: Model, @unchecked Sendable {
    static let schema = "triage_evaluations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @OptionalField(key: "patient_id") var patientID: UUID?
    @OptionalField(key: "call_id") var callID: UUID?
    @Field(key: "protocol_version") var protocolVersion: Int
    @Field(key: "answers") var answers: String
    @Field(key: "computed_level") var computedLevel: Int
    @Field(key: "final_level") var finalLevel: Int
    @OptionalField(key: "level_reason") var levelReason: String?
    @Field(key: "orientation") var orientation: String
    @OptionalField(key: "action") var action: String?
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Field(key: "created_by_label") var createdByLabel: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    struct Answer: Codable, Sendable, Equatable {
        let questionId: String
        let question: String
        let answer: TriageAnswer
        let redFlag: Bool
    }

    var askedAnswers: [Answer] { (try? JSONDecoder().decode([Answer].self, from: Data(answers.utf8))) ?? [] }
}

/// What a secretary sends to the triage: the answers so far and, to record it, the level kept and the action taken.
struct TriageInput: Content {
    var answers: [String: TriageAnswer]
    var patientId: UUID?
    var practitionerId: UUID?
    /// The call it belongs to: the record is linked from the call's journal entry.
    var callId: UUID?
    /// Record the triage (otherwise the answer only says where it stands and what to ask next).
    var record: Bool?
    /// The level the secretary keeps, when she changes the computed one.
    var level: Int?
    /// Required to lower the level.
    var reason: String?
    var action: TriageAction?
}

/// Running a practice's triage protocol and keeping its records.
enum TriageStore {
    struct Outcome: Sendable {
        let protocolVersion: Int
        let result: TriageResult
        let decision: TriageDecision?
        let script: String
        let record: TriageEvaluationRecord?
        /// The urgent transmission sent because the level needs the practitioner and the call was not transferred.
        var transmission: TransmissionRecord? = nil
        /// Why that transmission could not be sent (no number to call back): the secretary sends it by hand.
        var transmissionProblem: String? = nil
    }

    /// The answers against the practice's current protocol; with `record`, the triage is saved (and journaled).
    static func evaluate(_ input: TriageInput, in practice: AuthorizedPractice, context: WriteContext, now: Date, on db: any Database) async throws -> Outcome {
        let current = try await PlaybookStore.current(TriageProtocol.self, of: practice, on: db)
        let result: TriageResult
        switch TriageEngine.evaluate(current.document, answers: input.answers) {
        case .success(let value): result = value
        case .failure(let problem):
            let id: String
            switch problem { case .unknownQuestion(let question), .notAsked(let question): id = question }
            throw AppError.invalid("answers.\(id)", problem.reason)
        }
        let script = TriageScript.text(for: result.level, practitioner: try await spokenPractitioner(input.practitionerId, of: practice, on: db))
        guard input.record == true else {
            return Outcome(protocolVersion: current.number, result: result, decision: nil, script: script, record: nil)
        }
        var chosen: UrgencyLevel?
        if let level = input.level {
            guard let value = UrgencyLevel(rawValue: level) else { throw AppError.invalid("level", "niveau de 1 à 5") }
            chosen = value
        }
        let decision: TriageDecision
        switch TriageDecision.decide(computed: result.level, chosen: chosen, reason: input.reason) {
        case .success(let value): decision = value
        case .failure(let problem): throw AppError.invalid(problem == .vitalCannotBeLowered ? "level" : "reason", problem.reason)
        }
        if let patientID = input.patientId {
            _ = try await AgendaStore.find(PatientRecord.self, patientID, in: practice, practiceKey: \.$practice, on: db, what: "Patient")
        }
        try await CallStore.requireCall(input.callId, in: practice, on: db)
        let record = TriageEvaluationRecord()
        record.id = UUID()
        record.$practice.id = practice.id
        record.patientID = input.patientId
        record.callID = input.callId
        record.protocolVersion = current.number
        record.answers = String(decoding: try JSONEncoder().encode(result.asked.map {
            TriageEvaluationRecord.Answer(questionId: $0.question.id, question: $0.question.text, answer: $0.answer,
                                          redFlag: TriageProtocol.isRedFlag($0.question.id))
        }), as: UTF8.self)
        record.computedLevel = decision.computed.rawValue
        record.finalLevel = decision.final.rawValue
        record.levelReason = decision.reason
        record.orientation = decision.final.orientation.rawValue
        record.action = input.action?.rawValue
        record.createdBy = context.actor.userID
        record.createdByLabel = context.actor.label
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await record.create(on: tx)
            try await CallStore.link(input.callId, kind: .triage, target: record.id!, in: practice, now: now, on: tx)
            try await journal.record(.create, entity: "triage", entityID: record.id!.uuidString, practiceID: practice.id,
                                     after: ["computedLevel": String(decision.computed.rawValue), "finalLevel": String(decision.final.rawValue),
                                             "reason": decision.reason ?? "", "action": input.action?.rawValue ?? "",
                                             "protocolVersion": String(current.number)])
        }
        var outcome = Outcome(protocolVersion: current.number, result: result, decision: decision, script: script, record: record)
        if decision.final.rawValue <= UrgencyLevel.immediateAdvice.rawValue && input.action != .callTransferred {
            (outcome.transmission, outcome.transmissionProblem) = try await transmitUnreached(decision, result: result, input: input, in: practice,
                                                                                             context: context, now: now, on: db)
        }
        return outcome
    }

    /// Levels 1 and 2 need the practitioner: when the call was not transferred, an urgent transmission goes at once and
    /// climbs the escalation ladder until acknowledged. Its subject is the level, its message the facts answered.
    private static func transmitUnreached(_ decision: TriageDecision, result: TriageResult, input: TriageInput, in practice: AuthorizedPractice,
                                          context: WriteContext, now: Date, on db: any Database) async throws -> (TransmissionRecord?, String?) {
        var practitioner = input.practitionerId
        if practitioner == nil, let patientID = input.patientId { practitioner = try await PatientRecord.find(patientID, on: db)?.preferredPractitionerID }
        if practitioner == nil { practitioner = try await PracticeStore.practitioners(of: practice, on: db).first?.id }
        var callback: String?
        if input.patientId == nil, let callID = input.callId, let call = try await CallRecord.find(callID, on: db), !call.callerNumber.isEmpty {
            callback = call.callerNumber
        }
        let facts = result.asked.filter { $0.answer != .no }.map { "\($0.question.text) \($0.answer.label)" }
        let message = (["\(decision.final.orientation.label)."] + facts).joined(separator: "\n")
        let transmissionInput = TransmissionInput(practitionerId: practitioner, patientId: input.patientId, callId: input.callId, priority: .urgent,
                                                  subject: "Évaluation de l'urgence : \(decision.final.label)", message: message, callbackNumber: callback)
        do {
            return (try await TransmissionStore.send(transmissionInput, in: practice, context: context, now: now), nil)
        } catch AppError.validation(let errors) {
            return (nil, errors.map(\.reason).joined(separator: " ; "))
        }
    }

    static func find(_ id: UUID?, in practice: AuthorizedPractice, on db: any Database) async throws -> TriageEvaluationRecord {
        try await AgendaStore.find(TriageEvaluationRecord.self, id, in: practice, practiceKey: \.$practice, on: db, what: "Évaluation")
    }

    /// "le Dr Lambert"; first and last name when no title is recorded.
    static func spoken(_ practitioner: PractitionerRecord) -> String {
        practitioner.title.trimmed.isEmpty ? "\(practitioner.firstName) \(practitioner.lastName)"
            : FrenchSpeech.practitioner(title: practitioner.title, lastName: practitioner.lastName)
    }

    /// "le Dr Lambert" for the practitioner named, or the practice's only one; "le médecin" or "le praticien" otherwise.
    static func spokenPractitioner(_ id: UUID?, of practice: AuthorizedPractice, on db: any Database) async throws -> String {
        let practitioners = try await PracticeStore.practitioners(of: practice, on: db)
        if let id {
            guard let chosen = practitioners.first(where: { $0.id == id }) else { throw AppError.invalid("practitionerId", "pas un praticien de ce cabinet") }
            return spoken(chosen)
        }
        if practitioners.count == 1, let only = practitioners.first { return spoken(only) }
        return practitioners.allSatisfy({ $0.profession.lowercased().contains("médecin") }) && !practitioners.isEmpty ? "le médecin" : "le praticien"
    }
}
