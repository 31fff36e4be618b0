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
    /// The transmission this triage made (sent automatically, or from its "Transmettre"): what "transmise" links to.
    @OptionalField(key: "transmission_id") var transmissionID: UUID?
    /// For whom: the age used (from the record or asked) and whether the caller spoke of herself.
    @OptionalField(key: "age_months") var ageMonths: Int?
    @OptionalField(key: "caller_is_patient") var callerIsPatient: Bool?
    /// Who to call back when no patient record was found.
    @OptionalField(key: "caller_name") var callerName: String?
    @OptionalField(key: "callback_number") var callbackNumber: String?
    /// The script read to the caller, as it was then.
    @OptionalField(key: "script") var script: String?
    /// The level kept needed the practitioner told (levels 1–2, or a symptom call no criterion described).
    @OptionalField(key: "transmission_needed") var transmissionNeeded: Bool?
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
    /// The patient's age in months when no record gives it ("pour qui, quel âge ?").
    var ageMonths: Int?
    /// The caller speaks of herself (true) or of someone else (false).
    var callerIsPatient: Bool?
    /// Without a patient record: who called and the number to call back (the call's number by default).
    var callerName: String?
    var callbackNumber: String?
    /// Record the triage (otherwise the answer only says where it stands and what to ask next).
    var record: Bool?
    /// The level the secretary keeps, when she changes the computed one.
    var level: Int?
    /// Required to lower the level.
    var reason: String?
    /// What she did and can vouch for: samuAdvised, samuTransferred, callTransferred, adviceGiven.
    var action: TriageAction?
}

/// Running a practice's triage protocol and keeping its records.
enum TriageStore {
    struct Outcome: Sendable {
        let protocolVersion: Int
        let subject: TriageSubject
        let result: TriageResult
        let decision: TriageDecision?
        /// The level the script and the orientation are for: the level kept, else the computed one.
        let level: UrgencyLevel
        let script: String
        /// At level 1: what the secretary does while the caller dials.
        let whileDialling: [String]
        let poisonCentre: PoisonCentre?
        let record: TriageEvaluationRecord?
        /// The transmission sent because the level needs the practitioner and the call was not transferred.
        var transmission: TransmissionRecord? = nil
        /// Why that transmission could not be sent: the secretary sends it by hand from the record.
        var transmissionProblem: String? = nil

        var orientation: TriageOrientation { level == result.level ? result.orientation : level.orientation }
    }

    /// The answers against the practice's current protocol; with `record`, the triage is saved (and journaled).
    static func evaluate(_ input: TriageInput, in practice: AuthorizedPractice, context: WriteContext, now: Date, on db: any Database) async throws -> Outcome {
        let current = try await PlaybookStore.current(TriageProtocol.self, of: practice, on: db)
        let practiceRecord = try await PracticeStore.practice(practice, on: db)
        var patient: PatientRecord?
        if let patientID = input.patientId {
            patient = try await AgendaStore.find(PatientRecord.self, patientID, in: practice, practiceKey: \.$practice, on: db, what: "Patient")
        }
        if let age = input.ageMonths, !(0...1_560).contains(age) { throw AppError.invalid("ageMonths", "un âge en mois, de 0 à 1 560") }
        let subject = TriageSubject(ageInMonths: patient.flatMap { ageInMonths($0, now: now, zone: practiceRecord.timeZone) } ?? input.ageMonths,
                                    callerIsPatient: input.callerIsPatient)
        let result: TriageResult
        switch TriageEngine.evaluate(current.document, subject: subject, answers: input.answers) {
        case .success(let value): result = value
        case .failure(let problem):
            let id: String
            switch problem { case .unknownQuestion(let question), .notAsked(let question): id = question }
            throw AppError.invalid("answers.\(id)", problem.reason)
        }
        var chosen: UrgencyLevel?
        if let level = input.level {
            guard let value = UrgencyLevel(rawValue: level) else { throw AppError.invalid("level", "niveau de 1 à 5") }
            chosen = value
        }
        let spoken = try await spokenPractitioner(input.practitionerId, of: practice, on: db)
        let centre = (practiceRecord.departement ?? Departement.of(address: practiceRecord.address)).flatMap { PoisonCentre.serving(departement: $0) }
        let scriptContext = TriageScript.Context(result, subject: subject, practitioner: spoken, poisonCentre: centre)
        func outcome(level: UrgencyLevel, decision: TriageDecision?, record: TriageEvaluationRecord?) -> Outcome {
            Outcome(protocolVersion: current.number, subject: subject, result: result, decision: decision, level: level,
                    script: TriageScript.text(for: level, context: scriptContext),
                    whileDialling: level == .vital ? TriageScript.whileDialling(scriptContext) : [], poisonCentre: centre, record: record)
        }
        guard input.record == true else { return outcome(level: chosen ?? result.level, decision: nil, record: nil) }

        let decision: TriageDecision
        switch TriageDecision.decide(computed: result.level, chosen: chosen, reason: input.reason) {
        case .success(let value): decision = value
        case .failure(let problem): throw AppError.invalid(problem == .vitalCannotBeLowered ? "level" : "reason", problem.reason)
        }
        var errors: [FieldError] = []
        if let action = input.action, !TriageAction.recordable.contains(action) {
            errors.append(FieldError(field: "action", reason: "« \(action.label) » ne se choisit pas : une transmission ou un rendez-vous est lié quand il est fait (samuAdvised, samuTransferred, callTransferred ou adviceGiven)"))
        }
        if !result.isComplete && decision.final.rawValue > UrgencyLevel.immediateAdvice.rawValue {
            errors.append(FieldError(field: "answers", reason: "évaluation inachevée : encore \(result.remainingAtMost) question(s) au plus avant d'enregistrer"))
        }
        try await CallStore.requireCall(input.callId, in: practice, on: db)
        var call: CallRecord?
        if let callID = input.callId { call = try await CallRecord.find(callID, on: db) }
        var callback = ""
        do { callback = try CallStore.callerNumber(input.callbackNumber, field: "callbackNumber") } catch let AppError.validation(problems) { errors += problems }
        if callback.isEmpty, let call, !call.callerNumber.isEmpty { callback = call.callerNumber }
        let callerName = (input.callerName ?? "").trimmed
        if callerName.count > 200 { errors.append(FieldError(field: "callerName", reason: "200 caractères au plus")) }
        if patient == nil {
            if callerName.isEmpty { errors.append(FieldError(field: "callerName", reason: "sans patient identifié, le nom de l'appelant est obligatoire (pour qui rappeler)")) }
            if callback.isEmpty { errors.append(FieldError(field: "callbackNumber", reason: "sans patient identifié, le numéro de rappel est obligatoire")) }
        }
        guard errors.isEmpty else { throw AppError.validation(errors) }

        let record = TriageEvaluationRecord()
        record.id = UUID()
        record.$practice.id = practice.id
        record.patientID = patient?.id
        record.callID = input.callId
        record.protocolVersion = current.number
        record.answers = String(decoding: try JSONEncoder().encode(result.asked.map {
            TriageEvaluationRecord.Answer(questionId: $0.question.id, question: $0.question.text, answer: $0.answer,
                                          redFlag: TriageProtocol.isRedFlag($0.question.id))
        }), as: UTF8.self)
        record.computedLevel = decision.computed.rawValue
        record.finalLevel = decision.final.rawValue
        record.levelReason = decision.reason
        let kept = outcome(level: decision.final, decision: decision, record: record)
        record.orientation = kept.orientation.rawValue
        record.action = input.action?.rawValue
        record.ageMonths = subject.ageInMonths
        record.callerIsPatient = subject.callerIsPatient
        record.callerName = callerName.isEmpty ? nil : callerName
        record.callbackNumber = callback.isEmpty ? nil : callback
        record.script = kept.script
        record.transmissionNeeded = result.needsTransmission(at: decision.final)
        record.createdBy = context.actor.userID
        record.createdByLabel = context.actor.name
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await record.create(on: tx)
            try await CallStore.link(input.callId, act: .triaged, target: record.id!, in: practice, now: now, on: tx, journal: journal)
            try await journal.record(.create, entity: "triage", entityID: record.id!.uuidString, practiceID: practice.id,
                                     after: ["computedLevel": String(decision.computed.rawValue), "finalLevel": String(decision.final.rawValue),
                                             "reason": decision.reason ?? "", "action": input.action?.rawValue ?? "",
                                             "protocolVersion": String(current.number)])
        }
        var recorded = kept
        if record.transmissionNeeded == true && input.action != .callTransferred {
            (recorded.transmission, recorded.transmissionProblem) = try await transmit(record, practitioner: input.practitionerId, patient: patient,
                                                                                      in: practice, context: context, now: now)
        }
        return recorded
    }

    /// Whole months of age at `now` in the practice's time zone, from the record's birth date.
    static func ageInMonths(_ patient: PatientRecord, now: Date, zone: String) -> Int? {
        guard let born = LocalDate(iso: patient.birthDate) else { return nil }
        return TriageSubject.ageInMonths(born: born, on: LocalDate(now, in: TimeZone(identifier: zone) ?? FrenchFormat.parisTimeZone))
    }

    /// The transmission a triage calls for, filled in from it: priority from the level kept (1 to 3 urgent), the
    /// patient or the caller and the number to call back, the level, the orientation, and the answers « Oui » and
    /// « Ne sait pas » as the message. Used by the automatic sending and by the "Transmettre" form.
    static func transmissionDraft(_ record: TriageEvaluationRecord) -> TransmissionInput {
        let level = UrgencyLevel(rawValue: record.finalLevel) ?? .vital
        let orientation = TriageOrientation(rawValue: record.orientation) ?? level.orientation
        var lines = ["\(level.label). \(orientation.label)."]
        let subject = TriageSubject(ageInMonths: record.ageMonths, callerIsPatient: record.callerIsPatient)
        if let name = record.callerName { lines.append("Appelant : \(name).") }
        if let who = subject.label { lines.append("Pour : \(who).") }
        if record.computedLevel != record.finalLevel {
            lines.append("Niveau calculé \(record.computedLevel), retenu \(record.finalLevel)\(record.levelReason.map { " : « \($0) »" } ?? "").")
        }
        let said = record.askedAnswers.filter { $0.answer != .no && $0.questionId != RedFlagScreen.symptomGate.id }
        lines += said.isEmpty ? ["Aucune question n'a reçu « Oui » ni « Ne sait pas » : problème de santé qu'aucun critère ne décrit."]
            : said.map { "\($0.question) \($0.answer.label)." }
        return TransmissionInput(practitionerId: nil, patientId: record.patientID, callId: record.callID,
                                 priority: level.isMoreUrgent(than: .within48Hours) ? .urgent : .normal,
                                 subject: "Évaluation de l'urgence : \(level.label)", message: lines.joined(separator: "\n"),
                                 callbackNumber: record.callbackNumber, triageId: record.id)
    }

    /// Sends the triage's transmission to the practitioner named, else the patient's own, else the practice's first;
    /// the triage then links it. A refusal (no practitioner to address) is said, never hidden.
    private static func transmit(_ record: TriageEvaluationRecord, practitioner: UUID?, patient: PatientRecord?, in practice: AuthorizedPractice,
                                 context: WriteContext, now: Date) async throws -> (TransmissionRecord?, String?) {
        var draft = transmissionDraft(record)
        let first = try await PracticeStore.practitioners(of: practice, on: context.database).first?.id
        draft.practitionerId = practitioner ?? patient?.preferredPractitionerID ?? first
        do {
            return (try await TransmissionStore.send(draft, in: practice, context: context, now: now), nil)
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
