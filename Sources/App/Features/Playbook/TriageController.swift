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
        let triage = routes.grouped("cabinets", ":practiceID", "urgence")
        triage.get(use: wizard)
        triage.post(use: record)
        triage.get(":evaluationID", use: show)
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
    struct Choice: Encodable { let key: String; let label: String; let link: String }
    typealias Option = AppointmentsController.Option

    struct WizardPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let protocolVersion: Int
        let asked: [AnswerView]
        /// Red flags answered « Non », counted rather than listed.
        let clearedRedFlags: Int
        let redFlagCount = RedFlagScreen.questions.count
        let question: String?
        let hint: String?
        let redFlag: Bool
        let position: Int
        let remaining: Int
        let choices: [Choice]
        let back: String?
        let call: CallContext
        let level: LevelView
        let doubt: Bool
        let complete: Bool
        let script: String
        let answers: String
        let levels: [Option]
        let actions: [Option]
        let reason: String
        let errors: [String]
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
        let call = CallContext(call: parameters["appel"].flatMap(UUID.init(uuidString:)), patient: parameters["patient"].flatMap(UUID.init(uuidString:)))
        return try await render(req, answers: try Self.answers(parameters["r"]), call: call, chosen: nil, reason: "", action: nil, errors: [])
    }

    /// The call the triage runs in, carried from answer to answer.
    struct CallContext: Encodable {
        let call: UUID?
        let patient: UUID?

        var suffix: String { (call.map { "&appel=\($0)" } ?? "") + (patient.map { "&patient=\($0)" } ?? "") }
    }

    private func render(_ req: Request, answers: [(String, TriageAnswer)], call: CallContext, chosen: Int?, reason: String, action: TriageAction?,
                        errors: [String]) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let input = TriageInput(answers: Dictionary(answers, uniquingKeysWith: { first, _ in first }))
        let outcome = try await TriageStore.evaluate(input, in: practice, context: try req.writeContext(), now: req.application.clock.now(), on: req.db)
        let result = outcome.result
        let base = "/cabinets/\(practice.id)/urgence?r="
        let next = result.nextQuestions.first
        let level = result.level
        let findings = Dictionary(result.findings.map { ($0.questionID, $0.level.rawValue) }, uniquingKeysWith: { first, _ in first })
        let suggested = chosen ?? level.rawValue
        let defaultAction: TriageAction = switch level {
        case .vital: .samuAdvised
        case .immediateAdvice: .callTransferred
        case .sameDay: .urgentSlotBooked
        case .within48Hours, .routine: .appointmentBooked
        }
        return try await req.view.render("triage/wizard", WizardPage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name, protocolVersion: outcome.protocolVersion,
            asked: result.asked.filter { !(TriageProtocol.isRedFlag($0.question.id) && $0.answer == .no) }.map {
                AnswerView(question: $0.question.text, answer: $0.answer.label, redFlag: TriageProtocol.isRedFlag($0.question.id), level: findings[$0.question.id])
            },
            clearedRedFlags: result.asked.filter { TriageProtocol.isRedFlag($0.question.id) && $0.answer == .no }.count,
            question: next?.text, hint: next?.hint, redFlag: next.map { TriageProtocol.isRedFlag($0.id) } ?? false,
            position: result.asked.count + 1, remaining: result.nextQuestions.count,
            choices: next.map { question in
                Self.keys.map { answer, key, _ in
                    Choice(key: key.uppercased(), label: answer.label, link: base + Self.encode(answers + [(question.id, answer)]) + call.suffix)
                }
            } ?? [],
            back: answers.isEmpty ? nil : base + Self.encode(Array(answers.dropLast())) + call.suffix, call: call,
            level: LevelView(level), doubt: result.doubt, complete: result.isComplete, script: outcome.script,
            answers: Self.encode(answers),
            levels: UrgencyLevel.allCases.map { Option(value: String($0.rawValue), label: $0.label, selected: $0.rawValue == suggested) },
            actions: TriageAction.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: $0 == (action ?? defaultAction)) },
            reason: reason, errors: errors))
    }

    struct RecordForm: Content {
        let reponses: String?
        let niveau: String?
        let raison: String?
        let action: String?
        let appel: UUID?
        let patient: UUID?
    }

    @Sendable func record(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let form = try req.content.decode(RecordForm.self)
        let answers = try Self.answers(form.reponses)
        let chosen = form.niveau.flatMap { Int($0) }
        let action = form.action.flatMap(TriageAction.init(rawValue:))
        var input = TriageInput(answers: Dictionary(answers, uniquingKeysWith: { first, _ in first }))
        input.record = true
        input.level = chosen
        input.reason = form.raison
        input.action = action
        input.callId = form.appel
        input.patientId = form.patient
        let call = CallContext(call: form.appel, patient: form.patient)
        return try await AppointmentsController.refusals(req, back: {
            try await render(req, answers: answers, call: call, chosen: chosen, reason: form.raison ?? "", action: action, errors: $0)
        }) {
            let outcome = try await TriageStore.evaluate(input, in: practice, context: try req.writeContext(), now: req.application.clock.now(), on: req.db)
            if outcome.transmission != nil { await TransmissionsAPI.publish(req, practice) }
            var query = ""
            if let sent = outcome.transmission { query = "?transmise=\(sent.id!)" }
            if let problem = outcome.transmissionProblem { query = "?transmission=" + (problem.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") }
            return req.redirect(to: "/cabinets/\(practice.id)/urgence/\(outcome.record!.id!)\(query)")
        }
    }

    struct RecordPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let when: String
        let by: String
        let protocolVersion: Int
        let level: LevelView
        let computed: LevelView
        let changed: Bool
        let reason: String?
        let action: String?
        let asked: [AnswerView]
        let callID: UUID?
        let transmissionID: UUID?
        let transmissionProblem: String?
    }

    @Sendable func show(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let evaluation = try await TriageStore.find(req.parameters.get("evaluationID", as: UUID.self), in: practice, on: req.db)
        let record = try await PracticeStore.practice(practice, on: req.db)
        let final = UrgencyLevel(rawValue: evaluation.finalLevel) ?? .vital, computed = UrgencyLevel(rawValue: evaluation.computedLevel) ?? .vital
        let when = evaluation.createdAt.map { "\(FrenchFormat.longDate($0)) à \(FrenchFormat.time($0))" } ?? ""
        return try await req.view.render("triage/record", RecordPage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name, when: when, by: evaluation.createdByLabel,
            protocolVersion: evaluation.protocolVersion, level: LevelView(final), computed: LevelView(computed), changed: final != computed,
            reason: evaluation.levelReason, action: evaluation.action.flatMap(TriageAction.init(rawValue:))?.label,
            asked: evaluation.askedAnswers.map { AnswerView(question: $0.question, answer: $0.answer.label, redFlag: $0.redFlag, level: nil) },
            callID: evaluation.callID, transmissionID: req.query[UUID.self, at: "transmise"],
            transmissionProblem: req.query[String.self, at: "transmission"]))
    }
}
