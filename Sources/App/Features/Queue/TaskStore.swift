import Domain
import Fluent
import Foundation
import Vapor

/// What a secretary writes to plan a callback.
struct TaskInput: Content {
    var kind: TaskKind?
    var patientId: UUID?
    var title: String?
    var details: String?
    var phone: String?
    var priority: QueuePriority?
    /// ISO 8601 with offset.
    var dueAt: String?
}

/// Callback tasks: planned by hand or by the escalation ladder and the practitioners' answers, closed when done.
enum TaskStore {
    static func find(_ id: UUID?, in practice: AuthorizedPractice, on db: any Database) async throws -> TaskRecord {
        try await AgendaStore.find(TaskRecord.self, id, in: practice, practiceKey: \.$practice, on: db, what: "Tâche")
    }

    /// A task planned by hand; `call`: the call it was planned in, which lists it (in the same transaction).
    static func create(_ input: TaskInput, call: UUID? = nil, in practice: AuthorizedPractice, context: WriteContext, now: Date) async throws -> TaskRecord {
        var problems: [FieldError] = []
        let title = (input.title ?? "").trimmed
        if title.isEmpty { problems.append(FieldError(field: "title", reason: "intitulé obligatoire (« Rappeler Mme X quand le docteur a répondu »)")) }
        if title.count > 200 { problems.append(FieldError(field: "title", reason: "200 caractères au plus")) }
        if (input.details ?? "").count > 4000 { problems.append(FieldError(field: "details", reason: "4 000 caractères au plus")) }
        if input.kind?.isAutomatic == true {
            problems.append(FieldError(field: "kind", reason: "créée par l'application (escalade, réponse du praticien, demande d'aide), pas à la main"))
        }
        var phone = ""
        do { phone = try CallStore.callerNumber(input.phone, field: "phone") } catch let AppError.validation(errors) { problems += errors }
        var due: Date?
        if let text = input.dueAt, !text.trimmed.isEmpty {
            if let parsed = ISOTimestamp.parse(text) { due = parsed } else { problems.append(FieldError(field: "dueAt", reason: "date et heure ISO 8601 avec décalage attendues")) }
        }
        if input.patientId == nil && phone.isEmpty { problems.append(FieldError(field: "patientId", reason: "patient ou numéro à rappeler obligatoire")) }
        guard problems.isEmpty else { throw AppError.validation(problems) }
        if let patientID = input.patientId { _ = try await AppointmentStore.patient(patientID, in: practice, on: context.database) }
        try await CallStore.requireCall(call, in: practice, on: context.database)

        let task = TaskRecord(practice: practice.id, kind: input.kind ?? .callback, patient: input.patientId, title: title,
                              details: (input.details ?? "").trimmed, phone: phone, priority: input.priority ?? .normal, due: due, now: now,
                              by: context.actor)
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await task.create(on: tx)
            try await CallStore.link(call, act: .taskPlanned, target: task.id!, in: practice, now: now, on: tx, journal: journal)
            try await journal.record(.create, entity: "task", entityID: task.id!.uuidString, practiceID: practice.id, after: task.journalState)
        }
        await context.publish(.queue, practice: practice.id)
        return task
    }

    /// A task made by the system (the ladder, an answer), inside the transaction that decided it.
    static func insert(_ task: TaskRecord, in practice: AuthorizedPractice, on tx: any Database) async throws {
        try await task.create(on: tx)
    }

    /// Done (or dropped) with what happened; refused while a colleague holds it.
    static func close(_ task: TaskRecord, done: Bool, outcome: String, in practice: AuthorizedPractice, principal: Principal,
                      context: WriteContext, now: Date) async throws {
        guard task.state == "open" else { throw AppError.conflict("tâche déjà close") }
        guard !outcome.trimmed.isEmpty else { throw AppError.invalid("outcome", "dites ce qui a été fait (« patiente prévenue »)") }
        let key = task.queueItem.key
        if let claim = try await QueueStore.claim(of: key, on: context.database), claim.userID != principal.userID,
           WorkQueue.isHeld(expiresAt: claim.expiresAt, now: now) {
            throw AppError.conflict("\(claim.userLabel) s'en occupe jusqu'à \(FrenchFormat.time(claim.expiresAt))")
        }
        let before = task.journalState
        task.state = done ? "done" : "cancelled"
        task.outcome = outcome.trimmed
        task.closedAt = now
        task.closedByLabel = context.actor.name
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            guard let fresh = try await TaskRecord.find(task.id, on: tx), fresh.state == "open" else { throw AppError.conflict("tâche déjà close") }
            try await task.update(on: tx)
            try await QueueClaimRecord.query(on: tx).filter(\.$itemKey == key).delete()
            try await journal.record(.update, entity: "task", entityID: task.id!.uuidString, practiceID: practice.id, before: before, after: task.journalState)
        }
        await context.publish(.queue, practice: practice.id)
    }

    /// The "phone the practitioner" tasks of a transmission end when the practitioner acknowledges or answers it.
    static func closeEscalationTasks(of transmission: TransmissionRecord, outcome: String, actor: AuditActor, now: Date, on tx: any Database) async throws {
        let open = try await TaskRecord.query(on: tx).filter(\.$transmissionID == transmission.id).filter(\.$kindText == TaskKind.callPractitioner.rawValue)
            .filter(\.$state == "open").all()
        for task in open {
            task.state = "cancelled"
            task.outcome = outcome
            task.closedAt = now
            task.closedByLabel = actor.name
            try await task.update(on: tx)
            try await QueueClaimRecord.query(on: tx).filter(\.$itemKey == task.queueItem.key).delete()
        }
    }

    static func list(in practice: AuthorizedPractice, openOnly: Bool = true, patient: UUID? = nil, on db: any Database) async throws -> [TaskRecord] {
        var query = TaskRecord.query(on: db).filter(\.$practice.$id == practice.id)
        if openOnly { query = query.filter(\.$state == "open") }
        if let patient { query = query.filter(\.$patientID == patient) }
        return try await query.sort(\.$createdAt, .descending).limit(200).all()
    }
}
