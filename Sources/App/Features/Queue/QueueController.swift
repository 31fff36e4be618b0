import Domain
import Fluent
import Foundation
import Vapor

/// The work queue in the browser (French), live through server-sent events; callback tasks; handover notes.
struct QueueController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.queue, use: queue)
        routes.post(.claim, use: claim)
        routes.post(.release, use: release)
        routes.get(.newTask, use: newTask)
        routes.post(.tasks, use: createTask)
        routes.get(.task, use: showTask)
        routes.post(.taskClose, use: closeTask)
        routes.get(.handover, use: handover)
        routes.post(.handover, use: createNote)
        routes.post(.handoverRead, use: readNote)
    }

    struct Row: Encodable {
        let entry: QueueEntryDTO
        let due: String?
        let claimUntil: String?
        let levelClass: String
    }

    struct QueuePage: Encodable {
        let layout: PracticesController.Layout
        let rows: [Row]
        let errors: [FormFault]
    }

    static func rows(_ req: Request) async throws -> [Row] {
        try await QueueStore.entries(for: try req.requirePrincipal(), on: req.db, now: req.application.clock.now()).map {
            Row(entry: $0, due: $0.dueAt.map { "\(FrenchFormat.shortDate($0)) \(FrenchFormat.time($0))" },
                claimUntil: $0.claimExpiresAt.map { FrenchFormat.time($0) }, levelClass: "queue-\($0.priority.rawValue)")
        }
    }

    @Sendable func queue(req: Request) async throws -> View {
        let page = QueuePage(layout: .init(try req.requirePrincipal()), rows: try await Self.rows(req), errors: [])
        // The live region of the queue page; "court": the short list beside a call.
        switch req.query[String.self, at: "partiel"] {
        case "court": return try await req.view.render("queue/compact", page)
        case .some: return try await req.view.render("queue/items", page)
        case nil: break
        }
        return try await req.view.render("queue/queue", page)
    }

    struct ClaimForm: Content { let cabinet: UUID?; let element: String? }

    @Sendable func claim(req: Request) async throws -> Response {
        try await claimOrRelease(req, claim: true)
    }

    @Sendable func release(req: Request) async throws -> Response {
        try await claimOrRelease(req, claim: false)
    }

    private func claimOrRelease(_ req: Request, claim: Bool) async throws -> Response {
        let form = try req.content.decode(ClaimForm.self)
        guard let practiceID = form.cabinet else { throw AppError.invalid("cabinet", "cabinet manquant") }
        let practice = try await req.authorize(practice: practiceID)
        let principal = try req.requirePrincipal()
        return try await FormRefusal.run(req, back: {
            try await req.view.render("queue/queue", QueuePage(layout: .init(principal), rows: try await Self.rows(req), errors: $0))
        }) {
            if claim {
                _ = try await QueueStore.claim(form.element ?? "", in: practice, principal: principal, context: try req.writeContext(), now: req.application.clock.now())
            } else {
                try await QueueStore.release(form.element ?? "", in: practice, principal: principal, context: try req.writeContext())
            }
            return req.redirect(to: SitePath.queue.link())
        }
    }

    // MARK: Tasks

    struct TaskPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let patientID: UUID?
        let patientName: String?
        let callID: UUID?
        let title: String
        let details: String
        let phone: String
        let due: String
        let priorities: [Choice]
        let errors: [FormFault]
    }

    struct TaskForm: Content {
        let patient: UUID?
        let appel: UUID?
        let intitule: String?
        let details: String?
        let telephone: String?
        let priorite: Int?
        /// "2026-12-01T15:30" from the datetime-local field, Paris time.
        let echeance: String?
    }

    @Sendable func newTask(req: Request) async throws -> View {
        let practice = try await req.authorizePracticeParameter()
        return try await renderNew(req, practice: practice, form: TaskForm(patient: req.query[UUID.self, at: "patient"], appel: req.query[UUID.self, at: "appel"],
                                                                          intitule: nil, details: nil, telephone: nil, priorite: nil, echeance: nil), errors: [])
    }

    func renderNew(_ req: Request, practice: AuthorizedPractice, form: TaskForm, errors: [FormFault]) async throws -> View {
        let record = try await PracticeStore.practice(practice, on: req.db)
        var patient: PatientRecord?
        if let id = form.patient, let found = try await PatientRecord.find(id, on: req.db), found.$practice.id == practice.id { patient = found }
        var phone = form.telephone
        if phone == nil, let callID = form.appel, let call = try await CallRecord.find(callID, on: req.db), call.$practice.id == practice.id, !call.callerNumber.isEmpty {
            phone = FrenchFormat.phone(call.callerNumber)
        }
        let priority = form.priorite ?? QueuePriority.normal.rawValue
        return try await req.view.render("queue/task-new", TaskPage(
            layout: .init(try req.requirePrincipal()), practiceID: practice.id, practiceName: record.name, patientID: patient?.id,
            patientName: patient?.displayName, callID: form.appel,
            title: form.intitule ?? patient.map { "Rappeler \($0.displayName)" } ?? "", details: form.details ?? "", phone: phone ?? "",
            due: form.echeance ?? "",
            priorities: QueuePriority.allCases.map { Choice(value: String($0.rawValue), label: $0.label, selected: $0.rawValue == priority) },
            errors: errors))
    }

    @Sendable func createTask(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let form = try req.content.decode(TaskForm.self)
        var due: String?
        if let local = form.echeance, !local.isEmpty {
            due = Self.parisInstant(local).map { ISOTimestamp.string($0, in: FrenchFormat.parisTimeZone) } ?? local
        }
        let input = TaskInput(kind: .callback, patientId: form.patient, title: form.intitule, details: form.details, phone: form.telephone,
                              priority: form.priorite.flatMap(QueuePriority.init(rawValue:)), dueAt: due)
        return try await FormRefusal.run(req, back: { try await renderNew(req, practice: practice, form: form, errors: $0) }) {
            _ = try await TaskStore.create(input, call: form.appel, in: practice, context: try req.writeContext(), now: req.application.clock.now())
            if let callID = form.appel {
                return req.redirect(to: SitePath.call.link(practice.id, callID))
            }
            return req.redirect(to: SitePath.queue.link())
        }
    }

    /// "2026-12-01T15:30" as the browser's datetime-local field sends it, read as Paris time.
    static func parisInstant(_ text: String) -> Date? {
        let parts = text.split(separator: "T")
        guard parts.count == 2, let date = LocalDate(iso: String(parts[0])) else { return nil }
        let clock = parts[1].split(separator: ":").compactMap { Int($0) }
        guard clock.count >= 2, (0..<24).contains(clock[0]), (0..<60).contains(clock[1]) else { return nil }
        return WallClock.resolve(date, minutes: clock[0] * 60 + clock[1], in: FrenchFormat.parisTimeZone, ambiguity: .earlier).instant
    }

    struct ShowTaskPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let task: TaskDTO
        let kind: String
        let priority: String
        let phone: String
        let patientName: String?
        let due: String?
        let open: Bool
        let claimedBy: String?
        let claimedByMe: Bool
        let key: String
        let errors: [FormFault]
    }

    @Sendable func showTask(req: Request) async throws -> View {
        let practice = try await req.authorizePracticeParameter()
        return try await renderTask(req, practice: practice, task: try await QueueAPI.task(req, practice), errors: [])
    }

    func renderTask(_ req: Request, practice: AuthorizedPractice, task: TaskRecord, errors: [FormFault]) async throws -> View {
        let principal = try req.requirePrincipal()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let now = req.application.clock.now()
        let claim = try await QueueStore.claim(of: task.queueItem.key, on: req.db).flatMap { WorkQueue.isHeld(expiresAt: $0.expiresAt, now: now) ? $0 : nil }
        var patientName: String?
        if let id = task.patientID { patientName = try await PatientRecord.find(id, on: req.db)?.displayName }
        return try await req.view.render("queue/task", ShowTaskPage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name, task: TaskDTO(task), kind: task.kind.label,
            priority: task.priority.label, phone: FrenchFormat.phone(task.phone.isEmpty ? nil : task.phone), patientName: patientName,
            due: task.dueAt.map { "\(FrenchFormat.shortDate($0)) \(FrenchFormat.time($0))" }, open: task.state == "open",
            claimedBy: claim?.userLabel, claimedByMe: claim?.userID == principal.userID, key: task.queueItem.key, errors: errors))
    }

    struct CloseForm: Content { let issue: String?; let fait: String? }

    @Sendable func closeTask(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let task = try await QueueAPI.task(req, practice)
        let form = try req.content.decode(CloseForm.self)
        return try await FormRefusal.run(req, back: { try await renderTask(req, practice: practice, task: task, errors: $0) }) {
            try await TaskStore.close(task, done: form.fait != "non", outcome: form.issue ?? "", in: practice, principal: try req.requirePrincipal(),
                                      context: try req.writeContext(), now: req.application.clock.now())
            return req.redirect(to: SitePath.queue.link())
        }
    }

    // MARK: Handover notes

    struct NoteRow: Encodable {
        let note: HandoverNoteDTO
        let when: String
    }

    struct HandoverPage: Encodable {
        let layout: PracticesController.Layout
        let notes: [NoteRow]
        let practices: [Choice]
        let mayWriteForCenter: Bool
        let errors: [FormFault]
    }

    static func noteRows(_ notes: [HandoverNoteDTO]) -> [NoteRow] {
        notes.map { NoteRow(note: $0, when: "\(FrenchFormat.shortDate($0.createdAt)) \(FrenchFormat.time($0.createdAt))") }
    }

    @Sendable func handover(req: Request) async throws -> View {
        try await renderHandover(req, errors: [])
    }

    func renderHandover(_ req: Request, errors: [FormFault]) async throws -> View {
        let principal = try req.requirePrincipal()
        let notes = try await HandoverStore.notes(for: principal, unreadOnly: false, now: req.application.clock.now(), on: req.db)
        let practices = try await PracticeStore.visible(to: principal, on: req.db)
        return try await req.view.render("queue/handover", HandoverPage(
            layout: .init(principal), notes: Self.noteRows(notes),
            practices: practices.map { Choice(value: $0.id!.uuidString, label: $0.name, selected: false) },
            mayWriteForCenter: principal.role.seesEveryPractice, errors: errors))
    }

    struct NoteForm: Content { let cabinet: String?; let texte: String? }

    @Sendable func createNote(req: Request) async throws -> Response {
        let form = try req.content.decode(NoteForm.self)
        let input = HandoverNoteInput(practiceId: form.cabinet.flatMap(UUID.init(uuidString:)), text: form.texte, expiresAt: nil)
        return try await FormRefusal.run(req, back: { try await renderHandover(req, errors: $0) }) {
            _ = try await HandoverStore.create(input, request: req, now: req.application.clock.now())
            return req.redirect(to: SitePath.handover.link())
        }
    }

    struct ReadForm: Content { let suite: String? }

    @Sendable func readNote(req: Request) async throws -> Response {
        try await HandoverStore.markRead(req.parameters.get("noteID", as: UUID.self), request: req, now: req.application.clock.now())
        return req.redirect(to: NextPage.path((try? req.content.decode(ReadForm.self))?.suite) ?? SitePath.home.link())
    }
}
