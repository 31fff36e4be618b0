import Domain
import Fluent
import Foundation
import Vapor

struct TransmissionDTO: Content {
    let id: UUID
    let practiceId: UUID
    let callId: UUID?
    let patientId: UUID?
    let practitionerId: UUID
    let backupPractitionerId: UUID?
    let priority: TransmissionPriority
    let subject: String
    let message: String
    let callbackNumber: String
    let state: TransmissionState
    let stateLabel: String
    let escalationStep: EscalationStep
    let answer: String?
    let sentAt: Date
    let sentBy: String
    let readAt: Date?
    let acknowledgedAt: Date?
    let acknowledgedBy: String?
    let answeredAt: Date?
    /// What the secretary reads to the caller.
    let readBack: String?
    /// The task created for the secretaries when the practitioner answered.
    let relayTaskId: UUID?
    /// What happened to it, line by line (notices with their state, phone tasks, acknowledgement); on reading one.
    var trace: [String]? = nil

    init(_ t: TransmissionRecord, readBack: String? = nil, relayTaskId: UUID? = nil) {
        id = t.id!
        practiceId = t.$practice.id
        callId = t.callID
        patientId = t.patientID
        practitionerId = t.practitionerID
        backupPractitionerId = t.backupPractitionerID
        priority = t.priority
        subject = t.subject
        message = t.message
        callbackNumber = t.callbackNumber
        state = t.state
        stateLabel = t.state.label
        escalationStep = t.escalationStep
        answer = t.answer
        sentAt = t.sentAt
        sentBy = AuditActor.readable(t.sentByLabel)
        readAt = t.readAt
        acknowledgedAt = t.acknowledgedAt
        acknowledgedBy = t.acknowledgedByLabel
        answeredAt = t.answeredAt
        self.readBack = readBack
        self.relayTaskId = relayTaskId
    }
}

struct TransmissionListDTO: Content { let transmissions: [TransmissionDTO] }

/// `/api/v1/practices/{id}/transmissions`: sent by secretaries; read, acknowledged and answered only by the practitioner
/// they are addressed to (403 for anyone else). `…/escalation-policy`: the practice's ladder.
struct TransmissionsAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let practice = routes.grouped("practices", ":practiceID")
        let transmissions = practice.grouped("transmissions")
        transmissions.get(use: list)
        transmissions.post(use: Idempotency.handler(send))
        transmissions.get(":transmissionID", use: show)
        transmissions.post(":transmissionID", "read", use: read)
        transmissions.post(":transmissionID", "acknowledge", use: Idempotency.handler(acknowledge))
        transmissions.post(":transmissionID", "answer", use: Idempotency.handler(answer))
        practice.get("escalation-policy", use: policy)
        practice.put("escalation-policy", use: savePolicy)
    }

    static func transmission(_ req: Request, _ practice: AuthorizedPractice) async throws -> TransmissionRecord {
        try await TransmissionStore.find(req.parameters.get("transmissionID").flatMap(UUID.init(uuidString:)), in: practice, on: req.db)
    }

    @Sendable func list(req: Request) async throws -> TransmissionListDTO {
        let practice = try await req.authorizePracticeParameter()
        var states: [TransmissionState]?
        if let raw = try req.query.get(String?.self, at: "state") {
            states = try raw.split(separator: ",").map {
                guard let state = TransmissionState(rawValue: String($0)) else { throw AppError.invalid("state", "new, read, acknowledged ou done") }
                return state
            }
        }
        let practitioner = try req.query.get(String?.self, at: "practitionerId").map { raw in
            guard let id = UUID(uuidString: raw) else { throw AppError.invalid("practitionerId", "identifiant UUID attendu") }
            return id
        }
        return TransmissionListDTO(transmissions: try await TransmissionStore.list(in: practice, states: states, practitioner: practitioner, on: req.db)
            .map { TransmissionDTO($0) })
    }

    @Sendable func send(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let input = try req.content.decode(TransmissionInput.self)
        let transmission = try await TransmissionStore.send(input, in: practice, context: try req.writeContext(), now: req.application.clock.now())
        let response = Response(status: .created)
        try response.content.encode(TransmissionDTO(transmission, readBack: try await Self.readBack(transmission, on: req.db)))
        return response
    }

    static func readBack(_ t: TransmissionRecord, on db: any Database) async throws -> String {
        let practitioner = try await PractitionerRecord.find(t.practitionerID, on: db)
        let name = practitioner.map(TriageStore.spoken) ?? "le praticien"
        return TransmissionReadBack.text(practitioner: name, subject: t.subject, priority: t.priority,
                                         callback: t.callbackNumber.isEmpty ? nil : FrenchFormat.phone(t.callbackNumber))
    }

    @Sendable func show(req: Request) async throws -> TransmissionDTO {
        let practice = try await req.authorizePracticeParameter()
        let transmission = try await Self.transmission(req, practice)
        var dto = TransmissionDTO(transmission)
        dto.trace = try await TransmissionStore.trace(of: transmission, on: req.db)
        return dto
    }

    /// The practitioner opened it.
    @Sendable func read(req: Request) async throws -> TransmissionDTO {
        let practice = try await req.authorizePracticeParameter()
        let transmission = try await Self.transmission(req, practice)
        try TransmissionStore.requireAddressee(transmission, principal: try req.requirePrincipal())
        try await TransmissionStore.markRead(transmission, in: practice, context: try req.writeContext(), now: req.application.clock.now())
        return TransmissionDTO(transmission)
    }

    @Sendable func acknowledge(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let transmission = try await Self.transmission(req, practice)
        try TransmissionStore.requireAddressee(transmission, principal: try req.requirePrincipal())
        try await TransmissionStore.acknowledge(transmission, in: practice, context: try req.writeContext(), now: req.application.clock.now())
        return try await TransmissionDTO(transmission).encodeResponse(for: req)
    }

    struct AnswerInput: Content { let answer: String? }

    @Sendable func answer(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let transmission = try await Self.transmission(req, practice)
        try TransmissionStore.requireAddressee(transmission, principal: try req.requirePrincipal())
        let text = try req.content.decode(AnswerInput.self).answer ?? ""
        let relay = try await TransmissionStore.answer(transmission, text: text, in: practice, context: try req.writeContext(), now: req.application.clock.now())
        return try await TransmissionDTO(transmission, relayTaskId: relay?.id).encodeResponse(for: req)
    }

    @Sendable func policy(req: Request) async throws -> EscalationPolicy {
        try await TransmissionStore.policy(of: try await req.authorizePracticeParameter(), on: req.db)
    }

    @Sendable func savePolicy(req: Request) async throws -> EscalationPolicy {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editPlaybook)
        let policy = try req.content.decode(EscalationPolicy.self)
        try await TransmissionStore.savePolicy(policy, in: practice, context: try req.writeContext(), now: req.application.clock.now())
        return policy
    }
}

extension EscalationPolicy: Content {}
