import Domain
import Fluent
import Foundation
import Vapor

/// What a secretary writes to a practitioner.
struct TransmissionInput: Content {
    var practitionerId: UUID?
    var patientId: UUID?
    var callId: UUID?
    var priority: TransmissionPriority?
    var subject: String?
    var message: String?
    var callbackNumber: String?
    /// The triage this transmission reports: the triage then links it.
    var triageId: UUID? = nil
}

/// Transmissions: sent by the secretaries, read, acknowledged and answered by the practitioner they are addressed to.
enum TransmissionStore {
    static func find(_ id: UUID?, in practice: AuthorizedPractice, on db: any Database) async throws -> TransmissionRecord {
        try await AgendaStore.find(TransmissionRecord.self, id, in: practice, practiceKey: \.$practice, on: db, what: "Transmission")
    }

    static func send(_ input: TransmissionInput, in practice: AuthorizedPractice, context: WriteContext, now: Date) async throws -> TransmissionRecord {
        var problems: [FieldError] = []
        let subject = (input.subject ?? "").trimmed, message = (input.message ?? "").trimmed
        if input.practitionerId == nil { problems.append(FieldError(field: "practitionerId", reason: "praticien destinataire à choisir")) }
        if input.priority == nil { problems.append(FieldError(field: "priority", reason: "priorité à choisir : urgent, normal ou information")) }
        if subject.isEmpty { problems.append(FieldError(field: "subject", reason: "objet obligatoire")) }
        if subject.count > 200 { problems.append(FieldError(field: "subject", reason: "200 caractères au plus")) }
        if message.count > 4000 { problems.append(FieldError(field: "message", reason: "4 000 caractères au plus")) }
        var callback = ""
        do { callback = try CallStore.callerNumber(input.callbackNumber, field: "callbackNumber") } catch let AppError.validation(errors) { problems += errors }
        if callback.isEmpty && input.priority == .urgent && input.patientId == nil {
            problems.append(FieldError(field: "callbackNumber", reason: "numéro de rappel obligatoire pour une transmission urgente sans patient identifié"))
        }
        guard problems.isEmpty, let practitionerID = input.practitionerId, let priority = input.priority else { throw AppError.validation(problems) }
        _ = try await AppointmentStore.practitioner(practitionerID, in: practice, on: context.database)
        var patient: PatientRecord?
        if let patientID = input.patientId { patient = try await AppointmentStore.patient(patientID, in: practice, on: context.database) }
        try await CallStore.requireCall(input.callId, in: practice, on: context.database)
        var linkedTriage: TriageEvaluationRecord?
        if let triageID = input.triageId { linkedTriage = try await TriageStore.find(triageID, in: practice, on: context.database) }
        let triage = linkedTriage
        if callback.isEmpty, let patient { callback = try await PatientSearch.phones(of: [patient.id!], on: context.database)[patient.id!]?.first?.e164 ?? "" }

        let transmission = TransmissionRecord()
        transmission.id = UUID()
        transmission.$practice.id = practice.id
        transmission.callID = input.callId
        transmission.patientID = input.patientId
        transmission.practitionerID = practitionerID
        transmission.priorityText = priority.rawValue
        transmission.subject = subject
        transmission.message = message
        transmission.callbackNumber = callback
        transmission.stateText = TransmissionState.new.rawValue
        transmission.escalationStepValue = EscalationStep.inApp.rawValue
        transmission.sentAt = now
        transmission.sentByLabel = context.actor.name
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await transmission.create(on: tx)
            try await CallStore.link(input.callId, act: .transmitted(priority), target: transmission.id!, in: practice, now: now, on: tx, journal: journal)
            if let triage, triage.transmissionID == nil {
                triage.transmissionID = transmission.id
                try await triage.update(on: tx)
            }
            try await journal.record(.create, entity: "transmission", entityID: transmission.id!.uuidString, practiceID: practice.id,
                                     after: transmission.journalState.merging(["subject": subject]) { $1 })
        }
        await context.publish(.transmission, .queue, practice: practice.id)
        return transmission
    }

    /// The practitioner user acting on the transmission, refused unless it is addressed to them (or to them as backup).
    static func requireAddressee(_ transmission: TransmissionRecord, principal: Principal) throws {
        guard let practitioner = principal.practitionerID,
              TransmissionRules.mayAct(practitioner: practitioner, addressee: transmission.practitionerID, backup: transmission.backupPractitionerID) else {
            throw AppError.forbiddenBecause(TransmissionRules.Refusal.notAddressee.reason)
        }
    }

    /// What happened to it, in order, as facts: who sent it, each notice with its channel, address and state (queued,
    /// sent once the provider accepted it, failed), a ladder step that could notify nobody, each phone task and how it
    /// ended, the backup, the practitioner's reading, acknowledgement and answer.
    static func trace(of transmission: TransmissionRecord, on db: any Database) async throws -> [String] {
        var lines: [(Date, String)] = [(transmission.sentAt, "envoyée par \(AuditActor.readable(transmission.sentByLabel))")]
        let practitioners = try await PractitionerRecord.query(on: db).filter(\.$practice.$id == transmission.$practice.id).all()
        let names = practitioners.namesByID
        let notices = try await OutboxMessageRecord.query(on: db).filter(\.$transmissionID == transmission.id).sort(\.$createdAt).all()
        for notice in notices {
            let whom = notice.practitionerID.flatMap { names[$0] }.map { " pour \($0)" } ?? ""
            lines.append((notice.createdAt, "avis par \(notice.channel == "email" ? "e-mail" : notice.channel) à \(notice.recipient)\(whom) : \(Outbox.stateLabel(notice))"))
        }
        if transmission.escalationStep >= .notice, !notices.contains(where: { $0.practitionerID == nil || $0.practitionerID == transmission.practitionerID }) {
            lines.append((transmission.sentAt, "aucun avis possible : ni e-mail d'avis ni compte pour \(names[transmission.practitionerID] ?? "le praticien") — appel téléphonique demandé aussitôt"))
        }
        let tasks = try await TaskRecord.query(on: db).filter(\.$transmissionID == transmission.id)
            .filter(\.$kindText == TaskKind.callPractitioner.rawValue).sort(\.$createdAt).all()
        for task in tasks {
            let state = task.state == "open" ? "à faire" : "faite\(task.closedByLabel.map { " par \(AuditActor.readable($0))" } ?? "")\(task.outcome.map { " : \($0)" } ?? "")"
            lines.append((task.createdAt, "tâche : \(task.title.prefix(1).lowercased() + task.title.dropFirst()) — \(task.phone.isEmpty ? "aucun numéro enregistré" : FrenchFormat.phone(task.phone)) — \(state)"))
        }
        if let backup = transmission.backupPractitionerID { lines.append((transmission.sentAt, "confiée aussi au suppléant, \(names[backup] ?? "praticien suppléant")")) }
        if let at = transmission.readAt { lines.append((at, "lue par le praticien")) }
        if let at = transmission.acknowledgedAt { lines.append((at, "prise en compte par \(AuditActor.readable(transmission.acknowledgedByLabel ?? ""))")) }
        if let at = transmission.answeredAt { lines.append((at, "réponse du praticien")) }
        return lines.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map { "\(FrenchFormat.time($0.element.0)) — \($0.element.1)" }
    }

    /// Opening it in the inbox marks it read.
    static func markRead(_ transmission: TransmissionRecord, in practice: AuthorizedPractice, context: WriteContext, now: Date) async throws {
        guard transmission.state == .new else { return }
        let before = transmission.journalState
        transmission.stateText = TransmissionRules.read(transmission.state).rawValue
        transmission.readAt = now
        try await save(transmission, before: before, in: practice, context: context)
    }

    static func acknowledge(_ transmission: TransmissionRecord, in practice: AuthorizedPractice, context: WriteContext, now: Date) async throws {
        let before = transmission.journalState
        switch TransmissionRules.acknowledge(transmission.state) {
        case .success(let state): transmission.stateText = state.rawValue
        case .failure(let refusal): throw AppError.conflict(refusal.reason)
        }
        if transmission.readAt == nil { transmission.readAt = now }
        transmission.acknowledgedAt = now
        transmission.acknowledgedByLabel = context.actor.name
        try await save(transmission, before: before, in: practice, context: context) { tx in
            try await TaskStore.closeEscalationTasks(of: transmission, outcome: "Prise en compte par le praticien", actor: context.actor, now: now, on: tx)
        }
    }

    /// The practitioner's answer ends the transmission and gives the secretaries a task: relay it to the patient.
    static func answer(_ transmission: TransmissionRecord, text: String, in practice: AuthorizedPractice, context: WriteContext, now: Date) async throws -> TaskRecord? {
        let before = transmission.journalState
        switch TransmissionRules.answer(transmission.state, text: text) {
        case .success(let state): transmission.stateText = state.rawValue
        case .failure(let refusal): throw refusal == .emptyAnswer ? AppError.invalid("answer", refusal.reason) : AppError.conflict(refusal.reason)
        }
        guard text.count <= 4000 else { throw AppError.invalid("answer", "4 000 caractères au plus") }
        if transmission.readAt == nil { transmission.readAt = now }
        if transmission.acknowledgedAt == nil {
            transmission.acknowledgedAt = now
            transmission.acknowledgedByLabel = context.actor.name
        }
        transmission.answer = text.trimmed
        transmission.answeredAt = now
        let urgent = transmission.priority == .urgent
        let relay = transmission.patientID == nil && transmission.callbackNumber.isEmpty ? nil
            : TaskRecord(practice: practice.id, kind: .relayAnswer, patient: transmission.patientID, transmission: transmission.id,
                         title: "Transmettre la réponse : \(transmission.subject)", details: text.trimmed, phone: transmission.callbackNumber,
                         priority: urgent ? .urgent : .high, due: now.addingTimeInterval(urgent ? 15 * 60 : 2 * 3600), now: now, by: context.actor)
        try await save(transmission, before: before, in: practice, context: context) { tx in
            try await TaskStore.closeEscalationTasks(of: transmission, outcome: "Le praticien a répondu", actor: context.actor, now: now, on: tx)
            if let relay { try await TaskStore.insert(relay, in: practice, on: tx) }
        }
        return relay
    }

    private static func save(_ transmission: TransmissionRecord, before: [String: String], in practice: AuthorizedPractice, context: WriteContext,
                             also: (@Sendable (any Database) async throws -> Void)? = nil) async throws {
        let expected = before["state"] ?? ""
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            // The state read before is still the stored one: two clicks, or two practitioners, cannot both move it.
            guard let fresh = try await TransmissionRecord.find(transmission.id, on: tx), fresh.stateText == expected else {
                throw AppError.conflict("transmission modifiée entre-temps : rechargez-la")
            }
            try await transmission.update(on: tx)
            try await also?(tx)
            try await journal.record(.update, entity: "transmission", entityID: transmission.id!.uuidString, practiceID: practice.id,
                                     before: before, after: transmission.journalState)
        }
        await context.publish(.transmission, .queue, practice: practice.id)
    }

    /// A practice's transmissions, newest first; filtered by state, practitioner (addressee or backup) or patient.
    static func list(in practice: AuthorizedPractice, states: [TransmissionState]? = nil, practitioner: UUID? = nil, patient: UUID? = nil,
                     limit: Int = 100, on db: any Database) async throws -> [TransmissionRecord] {
        var query = TransmissionRecord.query(on: db).filter(\.$practice.$id == practice.id)
        if let states { query = query.filter(\.$stateText ~~ states.map(\.rawValue)) }
        if let practitioner { query = query.group(.or) { $0.filter(\.$practitionerID == practitioner).filter(\.$backupPractitionerID == practitioner) } }
        if let patient { query = query.filter(\.$patientID == patient) }
        return try await query.sort(\.$sentAt, .descending).limit(limit).all()
    }

    static func policy(of practice: AuthorizedPractice, on db: any Database) async throws -> EscalationPolicy {
        try await EscalationPolicyRecord.query(on: db).filter(\.$practice.$id == practice.id).first()?.policy ?? EscalationPolicy()
    }

    static func savePolicy(_ policy: EscalationPolicy, in practice: AuthorizedPractice, context: WriteContext, now: Date) async throws {
        let problems = policy.problems()
        guard problems.isEmpty else { throw AppError.validation(problems.map { FieldError(field: $0.field, reason: $0.reason) }) }
        if let backup = policy.backupPractitionerID {
            do { _ = try await AppointmentStore.practitioner(backup, in: practice, on: context.database) }
            catch { throw AppError.invalid("backupPractitionerId", "praticien inconnu dans ce cabinet") }
        }
        let record = try await EscalationPolicyRecord.query(on: context.database).filter(\.$practice.$id == practice.id).first() ?? {
            let fresh = EscalationPolicyRecord()
            fresh.$practice.id = practice.id
            return fresh
        }()
        let before = record.id.map { _ in record.policy }
        record.noticeAfterMinutes = policy.noticeAfterMinutes
        record.callAfterMinutes = policy.callAfterMinutes
        record.backupAfterMinutes = policy.backupAfterMinutes
        record.backupPractitionerID = policy.backupPractitionerID
        record.updatedAt = now
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            if record.id == nil { record.id = UUID(); try await record.create(on: tx) } else { try await record.update(on: tx) }
            try await journal.record(before == nil ? .create : .update, entity: "escalation-policy", entityID: record.id!.uuidString,
                                     practiceID: practice.id, before: before, after: policy)
        }
    }
}
