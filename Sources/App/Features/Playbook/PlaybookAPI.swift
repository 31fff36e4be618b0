import Domain
import Fluent
import Foundation
import Vapor

/// `/api/v1/practices/{id}/playbook` and `…/triage`: the practice's sheet and procedures, its triage protocol (each
/// saved as a new version, compared between versions, the protocol exported and imported as JSON) and the triage itself.
struct PlaybookAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let practice = routes.grouped("practices", ":practiceID")
        let playbook = practice.grouped("playbook")
        playbook.get(use: currentPlaybook)
        playbook.put(use: savePlaybook)
        playbook.get("versions", use: playbookVersions)
        playbook.get("versions", ":version", use: playbookVersion)
        playbook.get("diff", use: playbookDiff)
        let triage = practice.grouped("triage")
        let triageProtocol = triage.grouped("protocol")
        triageProtocol.get(use: currentProtocol)
        triageProtocol.put(use: importProtocol)
        triageProtocol.get("export", use: exportProtocol)
        triageProtocol.get("versions", use: protocolVersions)
        triageProtocol.get("versions", ":version", use: protocolVersion)
        triageProtocol.get("diff", use: protocolDiff)
        triage.post("evaluations", use: evaluate)
        triage.get("evaluations", ":evaluationID", use: evaluation)
    }

    struct VersionDTO<Document: VersionedDocument & Content>: Content {
        let version: Int
        let savedAt: Date?
        let savedBy: String
        let note: String
        let document: Document?

        init(_ version: DocumentVersion<Document>, withDocument: Bool = true) {
            self.version = version.number
            savedAt = version.savedAt
            savedBy = version.savedBy
            note = version.note
            document = withDocument ? version.document : nil
        }
    }

    struct VersionList<Document: VersionedDocument & Content>: Content { let versions: [VersionDTO<Document>] }

    struct ChangeDTO: Content {
        let change: String
        let label: String
        let before: String?
        let after: String?

        init(_ change: VersionChange) {
            switch change {
            case .added: self.change = "added"
            case .removed: self.change = "removed"
            case .changed: self.change = "changed"
            }
            (label, before, after) = change.parts
        }
    }

    struct DiffDTO: Content { let from: Int; let to: Int; let changes: [ChangeDTO] }

    struct PlaybookInput: Content { let playbook: Playbook; let note: String? }

    // MARK: playbook

    @Sendable func currentPlaybook(req: Request) async throws -> VersionDTO<Playbook> {
        let practice = try await req.authorizePracticeParameter()
        return VersionDTO(try await PlaybookStore.current(Playbook.self, of: practice, on: req.db))
    }

    @Sendable func savePlaybook(req: Request) async throws -> VersionDTO<Playbook> {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editPlaybook)
        let input = try req.content.decode(PlaybookInput.self)
        return VersionDTO(try await PlaybookStore.save(input.playbook, note: input.note, of: practice, context: try req.writeContext()))
    }

    @Sendable func playbookVersions(req: Request) async throws -> VersionList<Playbook> {
        try await Self.versions(Playbook.self, req)
    }

    @Sendable func playbookVersion(req: Request) async throws -> VersionDTO<Playbook> {
        let practice = try await req.authorizePracticeParameter()
        return VersionDTO(try await PlaybookStore.version(Playbook.self, try Self.versionNumber(req), of: practice, on: req.db, cache: req.application.savedVersions))
    }

    @Sendable func playbookDiff(req: Request) async throws -> DiffDTO { try await Self.diff(Playbook.self, req) }

    // MARK: triage protocol

    /// The protocol as it is asked: the center's red flags (which no practice removes), then the practice's criteria.
    struct ProtocolDTO: Content {
        let version: Int
        let savedAt: Date?
        let savedBy: String
        /// The center's first question: is the call about a new or worsening health problem.
        let symptomGate: TriageQuestion
        /// The center's red flags, every wording of every age.
        let redFlags: [TriageQuestion]
        /// The center's ingestion or exposure question, after the red flags.
        let exposure: TriageQuestion
        let criteria: [TriageQuestion]
        let defaultLevel: UrgencyLevel

        init(_ version: DocumentVersion<TriageProtocol>) {
            self.version = version.number
            savedAt = version.savedAt
            savedBy = version.savedBy
            symptomGate = RedFlagScreen.symptomGate
            redFlags = RedFlagScreen.questions + RedFlagScreen.childQuestions
            exposure = RedFlagScreen.exposure
            criteria = version.document.criteria
            defaultLevel = version.document.defaultLevel
        }
    }

    @Sendable func currentProtocol(req: Request) async throws -> ProtocolDTO {
        let practice = try await req.authorizePracticeParameter()
        return ProtocolDTO(try await PlaybookStore.current(TriageProtocol.self, of: practice, on: req.db))
    }

    /// The body is the protocol as `…/export` gives it (`{"criteria": […], "defaultLevel": 5}`); `?note=` says what changed.
    @Sendable func importProtocol(req: Request) async throws -> ProtocolDTO {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editPlaybook)
        let document = try req.content.decode(TriageProtocol.self)
        let note = QueryParameters(req.url.query, plusIsSpace: true)["note"]
        return ProtocolDTO(try await PlaybookStore.save(document, note: note, of: practice, context: try req.writeContext()))
    }

    /// The practice's criteria as a JSON file, for review or for another practice (the red flags are the center's and
    /// travel with no file).
    @Sendable func exportProtocol(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let current = try await PlaybookStore.current(TriageProtocol.self, of: practice, on: req.db)
        let slug = try await PracticeStore.practice(practice, on: req.db).slug
        let response = Response(status: .ok, body: .init(data: try JSONEncoder.sorted.encode(current.document)))
        response.headers.contentType = .json
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"protocole-\(slug)-v\(current.number).json\"")
        return response
    }

    @Sendable func protocolVersions(req: Request) async throws -> VersionList<TriageProtocol> {
        try await Self.versions(TriageProtocol.self, req)
    }

    @Sendable func protocolVersion(req: Request) async throws -> VersionDTO<TriageProtocol> {
        let practice = try await req.authorizePracticeParameter()
        return VersionDTO(try await PlaybookStore.version(TriageProtocol.self, try Self.versionNumber(req), of: practice, on: req.db, cache: req.application.savedVersions))
    }

    @Sendable func protocolDiff(req: Request) async throws -> DiffDTO { try await Self.diff(TriageProtocol.self, req) }

    // MARK: triage

    struct EvaluationDTO: Content {
        struct Finding: Content { let questionId: String; let question: String; let answer: TriageAnswer; let level: Int; let redFlag: Bool }
        struct Question: Content { let id: String; let text: String; let hint: String?; let redFlag: Bool; let audience: String? }
        struct Centre: Content { let city: String; let number: String }
        let id: UUID?
        let protocolVersion: Int
        /// The age used (from the patient's record, or `ageMonths`) and who speaks.
        let subject: TriageSubject
        /// The level kept when recorded, else the computed one: the script and orientation are this level's.
        let level: Int
        let levelName: String
        let orientation: TriageOrientation
        let orientationLabel: String
        let steps: [String]
        let script: String
        /// At level 1, what the secretary does while the caller dials.
        let whileDialling: [String]
        /// The practice's regional poison centre (from its address).
        let poisonCentre: Centre?
        let doubt: Bool
        /// False once the caller said the call is not about a new or worsening health problem.
        let symptomCall: Bool
        let complete: Bool
        /// The most questions that may still be asked, the next one included; never rises.
        let remainingAtMost: Int
        let findings: [Finding]
        let nextQuestions: [Question]
        let computedLevel: Int?
        let reason: String?
        /// Whether the practitioner must be told (levels 1–2, or a symptom call no criterion described).
        let needsTransmission: Bool
        /// The transmission sent on recording, linked from the triage.
        let transmissionId: UUID?
        /// Why it could not be sent: the secretary sends it from the triage's "Transmettre".
        let transmissionProblem: String?

        init(_ outcome: TriageStore.Outcome) {
            transmissionId = outcome.transmission?.id
            transmissionProblem = outcome.transmissionProblem
            let level = outcome.level
            id = outcome.record?.id
            protocolVersion = outcome.protocolVersion
            subject = outcome.subject
            self.level = level.rawValue
            levelName = level.name
            orientation = outcome.orientation
            orientationLabel = outcome.orientation.label
            steps = outcome.orientation.steps
            script = outcome.script
            whileDialling = outcome.whileDialling
            poisonCentre = outcome.poisonCentre.map { Centre(city: $0.city, number: $0.number) }
            doubt = outcome.result.doubt
            symptomCall = outcome.result.symptomCall
            complete = outcome.result.isComplete
            remainingAtMost = outcome.result.remainingAtMost
            findings = outcome.result.findings.map {
                Finding(questionId: $0.questionID, question: $0.question, answer: $0.answer, level: $0.level.rawValue, redFlag: $0.isRedFlag)
            }
            nextQuestions = outcome.result.nextQuestions.map {
                Question(id: $0.id, text: $0.text, hint: $0.hint, redFlag: TriageProtocol.isRedFlag($0.id), audience: $0.audience)
            }
            computedLevel = outcome.decision?.computed.rawValue
            reason = outcome.decision?.reason
            needsTransmission = outcome.result.needsTransmission(at: level)
        }
    }

    /// Where the triage stands (level, orientation, script, the questions still to ask); with `"record": true`, saved
    /// with the level kept (lowering it needs `reason`) and the action taken: 201.
    @Sendable func evaluate(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let input = try req.content.decode(TriageInput.self)
        let outcome = try await TriageStore.evaluate(input, in: practice, context: try req.writeContext(), now: req.application.clock.now(), on: req.db)
        let response = Response(status: outcome.record == nil ? .ok : .created)
        try response.content.encode(EvaluationDTO(outcome))
        return response
    }

    struct RecordDTO: Content {
        let id: UUID
        let protocolVersion: Int
        let patientId: UUID?
        let callId: UUID?
        let ageMonths: Int?
        let callerIsPatient: Bool?
        let callerName: String?
        let callbackNumber: String?
        let answers: [TriageEvaluationRecord.Answer]
        let computedLevel: Int
        let level: Int
        let reason: String?
        let orientation: String
        /// What the secretary confirmed or advised (never a transmission or a booking: those are links).
        let action: String?
        let actionLabel: String?
        /// The transmission this triage made, if one was.
        let transmissionId: UUID?
        /// The script read, as it was then.
        let script: String?
        let by: String
        let at: Date?
    }

    @Sendable func evaluation(req: Request) async throws -> RecordDTO {
        let practice = try await req.authorizePracticeParameter()
        let record = try await TriageStore.find(req.parameters.get("evaluationID", as: UUID.self), in: practice, on: req.db)
        let action = record.action.flatMap(TriageAction.init(rawValue:))
        return RecordDTO(id: record.id!, protocolVersion: record.protocolVersion, patientId: record.patientID, callId: record.callID,
                         ageMonths: record.ageMonths, callerIsPatient: record.callerIsPatient, callerName: record.callerName,
                         callbackNumber: record.callbackNumber, answers: record.askedAnswers,
                         computedLevel: record.computedLevel, level: record.finalLevel, reason: record.levelReason,
                         orientation: record.orientation, action: record.action, actionLabel: action?.label, transmissionId: record.transmissionID,
                         script: record.script, by: record.createdByLabel, at: record.createdAt)
    }

    // MARK: shared

    static func versionNumber(_ req: Request, name: String = "version") throws -> Int {
        guard let number = req.parameters.get(name, as: Int.self), number >= 0 else { throw AppError.notFound(what: "Version") }
        return number
    }

    static func versions<Document: VersionedDocument & Content>(_ type: Document.Type, _ req: Request) async throws -> VersionList<Document> {
        let practice = try await req.authorizePracticeParameter()
        return VersionList(versions: try await PlaybookStore.versions(type, of: practice, on: req.db).map { VersionDTO($0, withDocument: false) })
    }

    /// `?from=…&to=…` (versions; `to` defaults to the current one, `from` to the one before it).
    static func diff<Document: VersionedDocument>(_ type: Document.Type, _ req: Request) async throws -> DiffDTO {
        let practice = try await req.authorizePracticeParameter()
        let parameters = QueryParameters(req.url.query, plusIsSpace: true)
        let current = try await PlaybookStore.current(type, of: practice, on: req.db).number
        var errors: [FieldError] = []
        func number(_ name: String, _ fallback: Int) -> Int {
            guard let text = parameters[name] else { return fallback }
            guard let value = Int(text), (0...current).contains(value) else {
                errors.append(FieldError(field: name, reason: "une version de 0 à \(current)"))
                return 0
            }
            return value
        }
        let to = number("to", current), from = number("from", max(0, to - 1))
        guard errors.isEmpty else { throw AppError.validation(errors) }
        return DiffDTO(from: from, to: to, changes: try await PlaybookStore.diff(type, from: from, to: to, of: practice, on: req.db).map(ChangeDTO.init))
    }
}

extension Playbook: Content {}
extension TriageProtocol: Content {}
