import Domain
import Fluent
import Foundation
import Vapor

/// The triage wizard as the secretary runs it during a call: one question at a time (keys O, N, S), the level and its
/// orientation always in view, then the script in large type and the record of what was asked and decided.
/// Each answer is a plain link carrying the answers so far (`?r=rf-chest:n,…`): nothing is written until the
/// secretary records the triage, and the back button goes back one answer.
struct TriageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.triage, use: wizard)
        routes.post(.triage, use: record)
        routes.get(.evaluation, use: show)
    }

    struct LevelView: Encodable {
        let number: Int
        let label: String
        let orientation: String
        let steps: [String]

        init(_ level: UrgencyLevel) {
            number = level.rawValue
            label = level.label
            orientation = level.orientation.label
            steps = level.orientation.steps
        }
    }

    struct AnswerView: Encodable { let question: String; let answer: String; let redFlag: Bool; let level: Int? }
    struct AnswerChoice: Encodable { let key: String; let label: String; let link: String }

    struct WizardPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let protocolVersion: Int
        /// "Pour qui, quel âge ?" is asked first when no record gives the age.
        let askSubject: Bool
        let subject: String?
        let patientName: String?
        let asked: [AnswerView]
        /// Red flags answered « Non », counted rather than listed.
        let clearedRedFlags: Int
        let redFlagCount: Int
        let question: String?
        let hint: String?
        let audience: String?
        let redFlag: Bool
        let position: Int
        let remaining: Int
        let choices: [AnswerChoice]
        let back: String?
        let call: CallContext
        let level: LevelView
        let orientation: String
        let steps: [String]
        let whileDialling: [String]
        let doubt: Bool
        let complete: Bool
        let needsTransmission: Bool
        let script: String
        let answers: String
        let levels: [Choice]
        let actions: [Choice]
        let reason: String
        /// Without a patient record: who called and the number to call back, asked before recording.
        let needsCaller: Bool
        let callerName: String
        let callback: String
        let errors: [FormFault]
    }

    static let keys: [(TriageAnswer, String, String)] = [(.yes, "o", "y"), (.no, "n", "n"), (.unknown, "s", "u")]

    /// `rf-chest:n,child-fever:y` → answers in the order given (an unknown code or a repeated question is refused).
    static func answers(_ text: String?) throws -> [(String, TriageAnswer)] {
        var answers: [(String, TriageAnswer)] = []
        for pair in (text ?? "").split(separator: ",") {
            let parts = pair.split(separator: ":")
            guard parts.count == 2, let answer = keys.first(where: { $0.2 == parts[1] })?.0, !answers.contains(where: { $0.0 == parts[0] }) else {
                throw AppError.invalid("r", "réponses attendues sous la forme question:y, question:n ou question:u")
            }
            answers.append((String(parts[0]), answer))
        }
        return answers
    }

    static func encode(_ answers: [(String, TriageAnswer)]) -> String {
        answers.map { id, answer in "\(id):\(keys.first { $0.0 == answer }!.2)" }.joined(separator: ",")
    }

    @Sendable func wizard(req: Request) async throws -> View {
        let parameters = QueryParameters(req.url.query, plusIsSpace: true)
        let call = try CallContext(parameters)
        return try await render(req, answers: try Self.answers(parameters["r"]), call: call, chosen: nil, reason: "", action: nil,
                                callerName: "", callback: "", errors: [])
    }

    /// The call the triage runs in and whom it is about, carried from answer to answer.
    struct CallContext: Encodable {
        let call: UUID?
        let patient: UUID?
        /// Age in months, when asked ("pour qui, quel âge ?").
        let age: Int?
        /// "moi": the caller speaks of herself; "proche": of someone else.
        let who: String?

        init(call: UUID?, patient: UUID?, age: Int? = nil, who: String? = nil) {
            self.call = call
            self.patient = patient
            self.age = age
            self.who = who
        }

        /// From the query: `appel`, `patient`, `age` with `unite` (mois or ans), `qui`.
        init(_ parameters: QueryParameters) throws {
            call = parameters["appel"].flatMap(UUID.init(uuidString:))
            patient = parameters["patient"].flatMap(UUID.init(uuidString:))
            who = parameters["qui"].flatMap { ["moi", "proche"].contains($0) ? $0 : nil }
            if let text = parameters["age"]?.trimmed, !text.isEmpty {
                guard let value = Int(text), value >= 0 else { throw AppError.invalid("age", "un âge en nombre entier, « \(text) » reçu") }
                let months = parameters["unite"] == "mois" ? value : value * 12
                guard months <= 1_560 else { throw AppError.invalid("age", "130 ans au plus") }
                age = months
            } else {
                age = nil
            }
        }

        var callerIsPatient: Bool? { who.map { $0 == "moi" } }

        var suffix: String {
            (call.map { "&appel=\($0)" } ?? "") + (patient.map { "&patient=\($0)" } ?? "") + (age.map { "&age=\($0)&unite=mois" } ?? "")
                + (who.map { "&qui=\($0)" } ?? "")
        }
    }

    private func render(_ req: Request, answers: [(String, TriageAnswer)], call: CallContext, chosen: Int?, reason: String, action: TriageAction?,
                        callerName: String, callback: String, errors: [FormFault]) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        var input = TriageInput(answers: Dictionary(answers, uniquingKeysWith: { first, _ in first }))
        input.patientId = call.patient
        input.ageMonths = call.age
        input.callerIsPatient = call.callerIsPatient
        input.level = chosen
        let outcome = try await TriageStore.evaluate(input, in: practice, context: try req.writeContext(), now: req.application.clock.now(), on: req.db)
        let result = outcome.result
        var patientName: String?
        if let id = call.patient { patientName = try await PatientRecord.find(id, on: req.db)?.displayName }
        var defaultCallback = callback
        if defaultCallback.isEmpty, let callID = call.call, let found = try await CallRecord.find(callID, on: req.db), found.$practice.id == practice.id {
            defaultCallback = FrenchFormat.phone(found.callerNumber.isEmpty ? nil : found.callerNumber)
        }
        let base = SitePath.triage.link(practice.id, query: "r=")
        let next = result.nextQuestions.first
        let level = result.level
        let findings = Dictionary(result.findings.map { ($0.questionID, $0.level.rawValue) }, uniquingKeysWith: { first, _ in first })
        let suggested = chosen ?? level.rawValue
        let redFlags = result.asked.filter { TriageProtocol.isRedFlag($0.question.id) }
        return try await req.view.render("triage/wizard", WizardPage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name, protocolVersion: outcome.protocolVersion,
            askSubject: outcome.subject.ageInMonths == nil && answers.isEmpty && call.who == nil, subject: outcome.subject.label, patientName: patientName,
            asked: result.asked.filter { !(TriageProtocol.isRedFlag($0.question.id) && $0.answer == .no) }.map {
                AnswerView(question: $0.question.text, answer: $0.answer.label, redFlag: TriageProtocol.isRedFlag($0.question.id), level: findings[$0.question.id])
            },
            clearedRedFlags: redFlags.filter { $0.answer == .no }.count,
            redFlagCount: RedFlagScreen.questions(forAgeInMonths: outcome.subject.ageInMonths).count,
            question: next?.text, hint: next?.hint, audience: next?.audience, redFlag: next.map { TriageProtocol.isRedFlag($0.id) } ?? false,
            position: result.asked.count + 1, remaining: result.remainingAtMost,
            choices: next.map { question in
                Self.keys.map { answer, key, _ in
                    AnswerChoice(key: key.uppercased(), label: answer.label, link: base + Self.encode(answers + [(question.id, answer)]) + call.suffix)
                }
            } ?? [],
            back: answers.isEmpty ? nil : base + Self.encode(Array(answers.dropLast())) + call.suffix, call: call,
            level: LevelView(outcome.level), orientation: outcome.orientation.label, steps: outcome.orientation.steps, whileDialling: outcome.whileDialling,
            doubt: result.doubt, complete: result.isComplete, needsTransmission: result.needsTransmission(at: outcome.level), script: outcome.script,
            answers: Self.encode(answers),
            levels: UrgencyLevel.allCases.map { Choice(value: String($0.rawValue), label: $0.label, selected: $0.rawValue == suggested) },
            actions: TriageAction.recordable.map { Choice(value: $0.rawValue, label: $0.label, selected: $0 == (action ?? TriageAction.suggested(for: level))) },
            reason: reason, needsCaller: call.patient == nil, callerName: callerName, callback: defaultCallback, errors: errors))
    }

    struct RecordForm: Content {
        let reponses: String?
        let niveau: String?
        let raison: String?
        let action: String?
        let appel: UUID?
        let patient: UUID?
        let age: Int?
        let qui: String?
        let appelant: String?
        let rappel: String?
    }

    @Sendable func record(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let form = try req.content.decode(RecordForm.self)
        let answers = try Self.answers(form.reponses)
        let chosen = form.niveau.flatMap { Int($0) }
        let action = form.action.flatMap(TriageAction.init(rawValue:))
        let call = CallContext(call: form.appel, patient: form.patient, age: form.age, who: form.qui)
        var input = TriageInput(answers: Dictionary(answers, uniquingKeysWith: { first, _ in first }))
        input.record = true
        input.level = chosen
        input.reason = form.raison
        input.action = action
        input.callId = form.appel
        input.patientId = form.patient
        input.ageMonths = form.age
        input.callerIsPatient = call.callerIsPatient
        input.callerName = form.appelant
        input.callbackNumber = form.rappel
        return try await FormRefusal.run(req, back: {
            try await render(req, answers: answers, call: call, chosen: chosen, reason: form.raison ?? "", action: action,
                             callerName: form.appelant ?? "", callback: form.rappel ?? "", errors: $0)
        }) {
            let outcome = try await TriageStore.evaluate(input, in: practice, context: try req.writeContext(), now: req.application.clock.now(), on: req.db)
            let query = outcome.transmissionProblem.map { "transmission=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? ""
            return req.redirect(to: SitePath.evaluation.link(practice.id, outcome.record!.id!, query: query))
        }
    }

    struct RecordPage: Encodable {
        let layout: PracticesController.Layout
        let id: UUID
        let practiceID: UUID
        let practiceName: String
        let when: String
        let by: String
        let protocolVersion: Int
        let level: LevelView
        let computed: LevelView
        let orientation: String
        let changed: Bool
        let reason: String?
        let action: String?
        let subject: String?
        let caller: String?
        let callback: String?
        let script: String?
        let asked: [AnswerView]
        let callID: UUID?
        let patientID: UUID?
        /// The transmission the triage made: the only thing that lets it say "transmise".
        let transmissionID: UUID?
        let transmissionState: String?
        let transmissionProblem: String?
        /// The practitioner must be told and nothing was sent: "Transmettre" is offered first.
        let transmitFirst: Bool
    }

    @Sendable func show(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let evaluation = try await TriageStore.find(req.parameters.get("evaluationID", as: UUID.self), in: practice, on: req.db)
        let record = try await PracticeStore.practice(practice, on: req.db)
        let final = UrgencyLevel(rawValue: evaluation.finalLevel) ?? .vital, computed = UrgencyLevel(rawValue: evaluation.computedLevel) ?? .vital
        let when = evaluation.createdAt.map { "\(FrenchFormat.longDate($0)) à \(FrenchFormat.time($0))" } ?? ""
        var transmission: TransmissionRecord?
        if let id = evaluation.transmissionID { transmission = try await TransmissionRecord.find(id, on: req.db) }
        let action = evaluation.action.flatMap(TriageAction.init(rawValue:))
        let orientation = TriageOrientation(rawValue: evaluation.orientation) ?? final.orientation
        return try await req.view.render("triage/record", RecordPage(
            layout: .init(principal), id: evaluation.id!, practiceID: practice.id, practiceName: record.name, when: when,
            by: try await PeopleNames.label(userID: evaluation.createdBy, fallback: evaluation.createdByLabel, on: req.db),
            protocolVersion: evaluation.protocolVersion, level: LevelView(final), computed: LevelView(computed), orientation: orientation.label,
            changed: final != computed, reason: evaluation.levelReason,
            action: action.map { TriageAction.recordable.contains($0) ? $0.label : "\($0.label) — rien n'est lié à cette évaluation" },
            subject: TriageSubject(ageInMonths: evaluation.ageMonths, callerIsPatient: evaluation.callerIsPatient).label,
            caller: evaluation.callerName, callback: evaluation.callbackNumber.map { FrenchFormat.phone($0) }, script: evaluation.script,
            asked: evaluation.askedAnswers.map { AnswerView(question: $0.question, answer: $0.answer.label, redFlag: $0.redFlag, level: nil) },
            callID: evaluation.callID, patientID: evaluation.patientID, transmissionID: transmission?.id, transmissionState: transmission?.state.label,
            transmissionProblem: req.query[String.self, at: "transmission"],
            transmitFirst: transmission == nil && evaluation.transmissionNeeded == true && action != .callTransferred))
    }
}
