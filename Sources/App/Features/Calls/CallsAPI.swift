import Domain
import Fluent
import Foundation
import Vapor

struct CallDTO: Content {
    /// A correction of a closed call, or an incident (a difficult caller).
    struct Correction: Content { let kind: String; let text: String; let author: String; let at: Date }
    struct Link: Content { let kind: CallLinkKind; let label: String; let id: UUID }

    let id: UUID
    let practiceId: UUID
    let callerNumber: String
    let patientId: UUID?
    let reasons: [CallReason]
    let notes: String
    let outcome: CallOutcome?
    /// The playbook version the call followed, and the procedure items ticked.
    let playbookVersion: Int?
    let checklist: [String]
    let state: String
    let source: String
    let openedAt: Date
    let closedAt: Date?
    let durationSeconds: Int?
    let openedBy: String
    let closedBy: String?
    let corrections: [Correction]?
    let links: [Link]?

    init(_ call: CallRecord, corrections: [CallFile.Correction]? = nil, links: [CallFile.Link]? = nil) {
        id = call.id!
        practiceId = call.$practice.id
        callerNumber = call.callerNumber
        patientId = call.patientID
        reasons = call.reasons
        notes = call.notes
        outcome = call.outcome
        playbookVersion = call.playbookVersion
        checklist = call.checklist
        state = call.state
        source = call.source
        openedAt = call.openedAt
        closedAt = call.closedAt
        durationSeconds = call.durationSeconds
        openedBy = call.openedByLabel
        closedBy = call.closedByLabel
        self.corrections = corrections?.map { Correction(kind: $0.kind, text: $0.text, author: $0.authorLabel, at: $0.createdAt) }
        self.links = links?.compactMap { link in CallLinkKind(rawValue: link.kind).map { Link(kind: $0, label: $0.label, id: link.targetID) } }
    }
}

struct CallListDTO: Content { let calls: [CallDTO] }

/// `/api/v1/practices/{id}/calls`: the call journal. A closed call answers 409 to any change; corrections are appended.
struct CallsAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let calls = routes.grouped("practices", ":practiceID", "calls")
        calls.get(use: list)
        calls.post(use: Idempotency.handler(open))
        calls.get(":callID", use: show)
        calls.patch(":callID", use: update)
        calls.post(":callID", "close", use: Idempotency.handler(close))
        calls.post(":callID", "corrections", use: Idempotency.handler(correct))
        calls.post(":callID", "incidents", use: Idempotency.handler(incident))
        routes.get("practices", ":practiceID", "patients", ":patientID", "timeline", use: timeline)
    }

    @Sendable func list(req: Request) async throws -> CallListDTO {
        let practice = try await req.authorizePracticeParameter()
        let patient = try req.query.get(String?.self, at: "patientId").map { raw in
            guard let id = UUID(uuidString: raw) else { throw AppError.invalid("patientId", "identifiant UUID attendu") }
            return id
        }
        let open = try req.query.get(Bool?.self, at: "open") ?? false
        return CallListDTO(calls: try await CallStore.list(in: practice, patient: patient, openOnly: open, on: req.db).map { CallDTO($0) })
    }

    @Sendable func open(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let call = try await CallStore.open(try req.content.decode(CallInput.self), in: practice, context: try req.writeContext(), now: req.application.clock.now())
        let response = Response(status: .created)
        try response.content.encode(CallDTO(call, corrections: [], links: []))
        return response
    }

    @Sendable func show(req: Request) async throws -> CallDTO {
        let practice = try await req.authorizePracticeParameter()
        let call = try await CallStore.find(req.parameters.get("callID").flatMap(UUID.init(uuidString:)), in: practice, on: req.db)
        let file = try await CallFile.read(patient: nil, call: call.id, upcomingAfter: nil, in: practice, on: req.db)
        return CallDTO(call, corrections: file.corrections, links: file.links)
    }

    @Sendable func update(req: Request) async throws -> CallDTO {
        let practice = try await req.authorizePracticeParameter()
        let call = try await CallStore.find(req.parameters.get("callID").flatMap(UUID.init(uuidString:)), in: practice, on: req.db)
        try await CallStore.update(call, with: try req.content.decode(CallInput.self), in: practice, context: try req.writeContext())
        return try await show(req: req)
    }

    @Sendable func close(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let call = try await CallStore.find(req.parameters.get("callID").flatMap(UUID.init(uuidString:)), in: practice, on: req.db)
        let input = req.body.data == nil ? CallInput() : try req.content.decode(CallInput.self)
        try await CallStore.close(call, with: input, in: practice, context: try req.writeContext(), now: req.application.clock.now())
        return try await show(req: req).encodeResponse(for: req)
    }

    struct CorrectionInput: Content { let text: String? }

    @Sendable func correct(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let call = try await CallStore.find(req.parameters.get("callID").flatMap(UUID.init(uuidString:)), in: practice, on: req.db)
        _ = try await CallStore.correct(call, text: try req.content.decode(CorrectionInput.self).text ?? "", in: practice,
                                        context: try req.writeContext(), now: req.application.clock.now())
        let response = try await show(req: req).encodeResponse(status: .created, for: req)
        return response
    }

    /// A difficult caller: the incident is noted on the call and a supervisor is asked, through the queue, to take over.
    @Sendable func incident(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let call = try await CallStore.find(req.parameters.get("callID").flatMap(UUID.init(uuidString:)), in: practice, on: req.db)
        let text = req.body.data == nil ? "" : try req.content.decode(CorrectionInput.self).text ?? ""
        let task = try await CallStore.incident(call, text: text, in: practice, context: try req.writeContext(), now: req.application.clock.now())
        return try await TaskDTO(task).encodeResponse(status: .created, for: req)
    }

    @Sendable func timeline(req: Request) async throws -> TimelineDTO {
        let practice = try await req.authorizePracticeParameter()
        let patient = try await AgendaStore.find(PatientRecord.self, req.parameters.get("patientID").flatMap(UUID.init(uuidString:)), in: practice,
                                                 practiceKey: \.$practice, on: req.db, what: "Patient")
        return TimelineDTO(entries: try await Timeline.entries(of: patient, in: practice, on: req.db))
    }
}
