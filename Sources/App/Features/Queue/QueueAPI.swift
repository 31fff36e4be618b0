import Domain
import Fluent
import Foundation
import Vapor

struct TaskDTO: Content {
    let id: UUID
    let practiceId: UUID
    let patientId: UUID?
    let transmissionId: UUID?
    let kind: TaskKind
    let title: String
    let details: String
    let phone: String
    let priority: QueuePriority
    let dueAt: Date?
    let state: String
    let outcome: String?
    let createdAt: Date
    let createdBy: String
    let closedAt: Date?
    let closedBy: String?

    init(_ task: TaskRecord) {
        id = task.id!
        practiceId = task.$practice.id
        patientId = task.patientID
        transmissionId = task.transmissionID
        kind = task.kind
        title = task.title
        details = task.details
        phone = task.phone
        priority = task.priority
        dueAt = task.dueAt
        state = task.state
        outcome = task.outcome
        createdAt = task.createdAt
        createdBy = task.createdByLabel
        closedAt = task.closedAt
        closedBy = task.closedByLabel
    }
}

struct TaskListDTO: Content { let tasks: [TaskDTO] }
struct ClaimDTO: Content { let item: String; let claimedBy: String; let expiresAt: Date }
struct QueueDTO: Content { let items: [QueueEntryDTO] }
struct HandoverListDTO: Content { let notes: [HandoverNoteDTO] }

/// `/api/v1/practices/{id}/tasks` (with claim, release and close), `/api/v1/practices/{id}/queue/{item}/claim|release`
/// for any queue item, `/api/v1/queue` across the caller's practices, and `/api/v1/handover-notes`.
struct QueueAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let practice = routes.grouped("practices", ":practiceID")
        let tasks = practice.grouped("tasks")
        tasks.get(use: listTasks)
        tasks.post(use: Idempotency.handler(createTask))
        tasks.get(":taskID", use: showTask)
        tasks.post(":taskID", "claim", use: claimTask)
        tasks.post(":taskID", "release", use: releaseTask)
        tasks.post(":taskID", "done", use: Idempotency.handler(doneTask))
        tasks.post(":taskID", "cancel", use: Idempotency.handler(cancelTask))
        practice.post("queue", ":item", "claim", use: claimItem)
        practice.post("queue", ":item", "release", use: releaseItem)
        routes.get("queue", use: queue)
        let notes = routes.grouped("handover-notes")
        notes.get(use: handoverNotes)
        notes.post(use: Idempotency.handler(createNote))
        notes.post(":noteID", "read", use: readNote)
    }

    static func task(_ req: Request, _ practice: AuthorizedPractice) async throws -> TaskRecord {
        try await TaskStore.find(req.parameters.get("taskID").flatMap(UUID.init(uuidString:)), in: practice, on: req.db)
    }

    @Sendable func listTasks(req: Request) async throws -> TaskListDTO {
        let practice = try await req.authorizePracticeParameter()
        let all = try req.query.get(Bool?.self, at: "all") ?? false
        return TaskListDTO(tasks: try await TaskStore.list(in: practice, openOnly: !all, on: req.db).map(TaskDTO.init))
    }

    @Sendable func createTask(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let task = try await TaskStore.create(try req.content.decode(TaskInput.self), in: practice, context: try req.writeContext(), now: req.application.clock.now())
        return try await TaskDTO(task).encodeResponse(status: .created, for: req)
    }

    @Sendable func showTask(req: Request) async throws -> TaskDTO {
        TaskDTO(try await Self.task(req, try await req.authorizePracticeParameter()))
    }

    @Sendable func claimTask(req: Request) async throws -> ClaimDTO {
        let practice = try await req.authorizePracticeParameter()
        return try await Self.claim(req, practice, key: try await Self.task(req, practice).queueItem.key)
    }

    @Sendable func releaseTask(req: Request) async throws -> HTTPStatus {
        let practice = try await req.authorizePracticeParameter()
        return try await Self.release(req, practice, key: try await Self.task(req, practice).queueItem.key)
    }

    @Sendable func claimItem(req: Request) async throws -> ClaimDTO {
        try await Self.claim(req, try await req.authorizePracticeParameter(), key: req.parameters.get("item") ?? "")
    }

    @Sendable func releaseItem(req: Request) async throws -> HTTPStatus {
        try await Self.release(req, try await req.authorizePracticeParameter(), key: req.parameters.get("item") ?? "")
    }

    static func claim(_ req: Request, _ practice: AuthorizedPractice, key: String) async throws -> ClaimDTO {
        let claim = try await QueueStore.claim(key, in: practice, principal: try req.requirePrincipal(), context: try req.writeContext(), now: req.application.clock.now())
        return ClaimDTO(item: claim.itemKey, claimedBy: claim.userLabel, expiresAt: claim.expiresAt)
    }

    static func release(_ req: Request, _ practice: AuthorizedPractice, key: String) async throws -> HTTPStatus {
        try await QueueStore.release(key, in: practice, principal: try req.requirePrincipal(), context: try req.writeContext())
        return .noContent
    }

    struct CloseInput: Content { let outcome: String? }

    @Sendable func doneTask(req: Request) async throws -> Response { try await close(req, done: true) }
    @Sendable func cancelTask(req: Request) async throws -> Response { try await close(req, done: false) }

    private func close(_ req: Request, done: Bool) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let task = try await Self.task(req, practice)
        let outcome = try req.content.decode(CloseInput.self).outcome ?? ""
        try await TaskStore.close(task, done: done, outcome: outcome, in: practice, principal: try req.requirePrincipal(),
                                  context: try req.writeContext(), now: req.application.clock.now())
        return try await TaskDTO(task).encodeResponse(for: req)
    }

    @Sendable func queue(req: Request) async throws -> QueueDTO {
        QueueDTO(items: try await QueueStore.entries(for: try req.requirePrincipal(), on: req.db, now: req.application.clock.now()))
    }

    @Sendable func handoverNotes(req: Request) async throws -> HandoverListDTO {
        let unread = try req.query.get(Bool?.self, at: "unread") ?? false
        return HandoverListDTO(notes: try await HandoverStore.notes(for: try req.requirePrincipal(), unreadOnly: unread, now: req.application.clock.now(), on: req.db))
    }

    @Sendable func createNote(req: Request) async throws -> Response {
        let now = req.application.clock.now()
        let note = try await HandoverStore.create(try req.content.decode(HandoverNoteInput.self), request: req, now: now)
        guard let dto = try await HandoverStore.notes(for: try req.requirePrincipal(), unreadOnly: false, now: now, on: req.db).first(where: { $0.id == note.id }) else {
            throw AppError.notFound(what: "Consigne")
        }
        return try await dto.encodeResponse(status: .created, for: req)
    }

    @Sendable func readNote(req: Request) async throws -> HTTPStatus {
        try await HandoverStore.markRead(req.parameters.get("noteID").flatMap(UUID.init(uuidString:)), request: req, now: req.application.clock.now())
        return .noContent
    }
}
