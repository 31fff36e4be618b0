import Domain
import Fluent
import Foundation
import Vapor

/// What a secretary writes on a call; every field optional so that the panel can save as the call runs.
struct CallInput: Content {
    var callerNumber: String?
    var patientId: UUID?
    /// Explicitly "not identified": clears the patient.
    var patientUnidentified: Bool?
    var reasons: [CallReason]?
    var notes: String?
    var outcome: CallOutcome?
    /// The procedure items ticked ("Renouvellement d'ordonnance : Nom du médicament"), replacing those of before.
    var checklist: [String]?
}

/// The call journal: opening, writing, closing and correcting calls, and linking what they produced.
enum CallStore {
    static func find(_ id: UUID?, in practice: AuthorizedPractice, on db: any Database) async throws -> CallRecord {
        try await AgendaStore.find(CallRecord.self, id, in: practice, practiceKey: \.$practice, on: db, what: "Appel")
    }

    /// "06 12 34 56 78" typed or from the telephony → E.164; empty for a hidden number.
    static func callerNumber(_ text: String?, field: String = "callerNumber") throws -> String {
        let trimmed = (text ?? "").trimmed
        guard !trimmed.isEmpty else { return "" }
        do { return try PhoneNumber(parsing: trimmed).e164 } catch { throw AppError.invalid(field, error.reason) }
    }

    static func open(_ input: CallInput, source: String = "manual", telephonyCallID: String? = nil,
                     in practice: AuthorizedPractice, context: WriteContext, now: Date) async throws -> CallRecord {
        let call = CallRecord()
        call.id = UUID()
        call.$practice.id = practice.id
        call.callerNumber = try callerNumber(input.callerNumber)
        call.reasonsText = ""
        call.notes = ""
        call.checklistText = ""
        // The call follows the playbook of the moment it was taken, even if the practice saves a new one meanwhile.
        call.playbookVersion = try await PlaybookStore.current(Playbook.self, of: practice, on: context.database).number
        call.state = "open"
        call.source = source
        call.telephonyCallID = telephonyCallID
        call.openedAt = now
        call.openedBy = context.actor.userID
        call.openedByLabel = context.actor.name
        try await apply(input, to: call, in: practice, on: context.database)
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await call.create(on: tx)
            try await journal.record(.create, entity: "call", entityID: call.id!.uuidString, practiceID: practice.id, after: call.journalState)
        }
        return call
    }

    /// Changes to a call that is still open; a closed call is refused (corrections are appended instead).
    static func update(_ call: CallRecord, with input: CallInput, in practice: AuthorizedPractice, context: WriteContext) async throws {
        guard !call.isClosed else { throw AppError.conflict(CallRules.Refusal.closed.reason) }
        let before = call.journalState
        if input.callerNumber != nil { call.callerNumber = try callerNumber(input.callerNumber) }
        try await apply(input, to: call, in: practice, on: context.database)
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            // Checked again inside the transaction: a colleague may have closed it meanwhile.
            guard let fresh = try await CallRecord.find(call.id, on: tx), !fresh.isClosed else { throw AppError.conflict(CallRules.Refusal.closed.reason) }
            try await call.update(on: tx)
            try await journal.record(.update, entity: "call", entityID: call.id!.uuidString, practiceID: practice.id, before: before, after: call.journalState)
        }
    }

    /// Closes the call with its reasons and outcome; its duration is measured from the opening.
    static func close(_ call: CallRecord, with input: CallInput, in practice: AuthorizedPractice, context: WriteContext, now: Date) async throws {
        guard !call.isClosed else { throw AppError.conflict(CallRules.Refusal.closed.reason) }
        let before = call.journalState
        if input.callerNumber != nil { call.callerNumber = try callerNumber(input.callerNumber) }
        try await apply(input, to: call, in: practice, on: context.database)
        var problems: [FieldError] = []
        let duration: TimeInterval
        switch CallRules.close(openedAt: call.openedAt, now: now, reasons: call.reasons) {
        case .success(let value): duration = value
        case .failure(let refusal): problems.append(FieldError(field: "reasons", reason: refusal.reason)); duration = 0
        }
        if call.outcome == nil { problems.append(FieldError(field: "outcome", reason: "issue de l'appel à choisir")) }
        guard problems.isEmpty else { throw AppError.validation(problems) }
        call.state = "closed"
        call.closedAt = now
        call.durationSeconds = Int(duration.rounded())
        call.closedByLabel = context.actor.name
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            guard let fresh = try await CallRecord.find(call.id, on: tx), !fresh.isClosed else { throw AppError.conflict(CallRules.Refusal.closed.reason) }
            try await call.update(on: tx)
            try await journal.record(.update, entity: "call", entityID: call.id!.uuidString, practiceID: practice.id, before: before,
                                     after: call.journalState.merging(["durationSeconds": String(call.durationSeconds!)]) { $1 })
        }
    }

    /// A correction appended to a closed call.
    static func correct(_ call: CallRecord, text: String, in practice: AuthorizedPractice, context: WriteContext, now: Date) async throws -> CallCorrectionRecord {
        guard call.isClosed else { throw AppError.conflict(CallRules.Refusal.notClosed.reason) }
        guard !text.trimmed.isEmpty else { throw AppError.invalid("text", CallRules.Refusal.emptyCorrection.reason) }
        guard text.count <= 4000 else { throw AppError.invalid("text", "4 000 caractères au plus") }
        let correction = CallCorrectionRecord()
        correction.id = UUID()
        correction.$call.id = call.id!
        correction.kind = "correction"
        correction.text = text.trimmed
        correction.authorLabel = context.actor.name
        correction.createdAt = now
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await correction.create(on: tx)
            try await journal.record(.create, entity: "call-correction", entityID: correction.id!.uuidString, practiceID: practice.id,
                                     after: ["callId": call.id!.uuidString, "text": correction.text])
        }
        return correction
    }

    /// Links what a call produced, inside the transaction that produced it, and ticks on a call still open the reason
    /// the act tells (a booking ticks « Prise de rendez-vous », journaled as a change of the call). A closed call still
    /// takes links: what it led to (a triage recorded a moment after hanging up) belongs to it, and links add without
    /// changing anything said. What is already linked (booked, then moved in the same call) stays one link.
    static func link(_ callID: UUID?, act: CallAct, target: UUID, in practice: AuthorizedPractice, now: Date, on tx: any Database,
                     journal: Journal) async throws {
        guard let callID else { return }
        let call = try await named(callID, in: practice, on: tx)
        if let reason = act.reason, !call.isClosed, !call.reasons.contains(reason) {
            let before = call.journalState
            let ticked = Set(call.reasons + [reason])
            call.reasonsText = CallReason.allCases.filter(ticked.contains).map(\.rawValue).joined(separator: ",")
            try await call.update(on: tx)
            try await journal.record(.update, entity: "call", entityID: callID.uuidString, practiceID: practice.id, before: before, after: call.journalState)
        }
        let kind = act.linkKind
        guard try await CallLinkRecord.query(on: tx).filter(\.$call.$id == callID).filter(\.$kind == kind.rawValue)
            .filter(\.$targetID == target).first() == nil else { return }
        let link = CallLinkRecord()
        link.id = UUID()
        link.$call.id = call.id!
        link.kind = kind.rawValue
        link.targetID = target
        link.createdAt = now
        try await link.create(on: tx)
    }

    /// Checks a call named by a request before anything is written.
    static func requireCall(_ callID: UUID?, in practice: AuthorizedPractice, on db: any Database) async throws {
        guard let callID else { return }
        _ = try await named(callID, in: practice, on: db)
    }

    /// A call a request names as a field (`callId`): 422 rather than 404, the request being about something else.
    private static func named(_ callID: UUID, in practice: AuthorizedPractice, on db: any Database) async throws -> CallRecord {
        guard let call = try await CallRecord.find(callID, on: db), call.$practice.id == practice.id else {
            throw AppError.invalid("callId", "appel inconnu dans ce cabinet")
        }
        return call
    }

    /// The practice's calls, newest first; of one patient when named.
    static func list(in practice: AuthorizedPractice, patient: UUID? = nil, openOnly: Bool = false, limit: Int = 50, on db: any Database) async throws -> [CallRecord] {
        var query = CallRecord.query(on: db).filter(\.$practice.$id == practice.id)
        if let patient { query = query.filter(\.$patientID == patient) }
        if openOnly { query = query.filter(\.$state == "open") }
        return try await query.sort(\.$openedAt, .descending).limit(limit).all()
    }

    private static func apply(_ input: CallInput, to call: CallRecord, in practice: AuthorizedPractice, on db: any Database) async throws {
        if input.patientUnidentified == true {
            call.patientID = nil
        } else if let patientID = input.patientId {
            guard let patient = try await PatientRecord.find(patientID, on: db), patient.$practice.id == practice.id else {
                throw AppError.invalid("patientId", "patient inconnu dans ce cabinet")
            }
            call.patientID = patientID
        }
        if let reasons = input.reasons {
            call.reasonsText = CallReason.allCases.filter(reasons.contains).map(\.rawValue).joined(separator: ",")
        }
        if let notes = input.notes {
            guard notes.count <= 4000 else { throw AppError.invalid("notes", "4 000 caractères au plus") }
            call.notes = notes.trimmed
        }
        if let outcome = input.outcome { call.outcomeText = outcome.rawValue }
        if let ticked = input.checklist {
            let playbook = try await PlaybookStore.version(Playbook.self, call.playbookVersion ?? 0, of: practice, on: db).document
            let unknown = CallChecklist.unknown(ticked, in: playbook)
            guard unknown.isEmpty else { throw AppError.invalid("checklist", "pas un élément des procédures du cabinet : \(unknown.joined(separator: ", "))") }
            let items = CallChecklist.items(of: playbook)
            call.checklistText = items.filter(ticked.contains).joined(separator: "\n")
        }
    }

    /// A nervous or aggressive caller: the incident is written on the call (open or closed) and a supervisor is asked to
    /// take the call over, through an urgent item of the queue.
    static func incident(_ call: CallRecord, text: String, in practice: AuthorizedPractice, context: WriteContext, now: Date) async throws -> TaskRecord {
        guard text.count <= 2000 else { throw AppError.invalid("text", "2 000 caractères au plus") }
        let said = text.trimmed.isEmpty ? "Appelant nerveux ou agressif : reprise demandée à une responsable." : text.trimmed
        let note = CallCorrectionRecord()
        note.id = UUID()
        note.$call.id = call.id!
        note.kind = "incident"
        note.text = said
        note.authorLabel = context.actor.name
        note.createdAt = now
        let task = TaskRecord(practice: practice.id, kind: .supervisorTakeover, patient: call.patientID,
                              title: "Reprendre l'appel en cours de \(context.actor.name)", details: said, phone: call.callerNumber,
                              priority: .urgent, due: now, now: now, by: context.actor)
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await note.create(on: tx)
            try await TaskStore.insert(task, in: practice, on: tx)
            try await link(call.id, act: .taskPlanned, target: task.id!, in: practice, now: now, on: tx, journal: journal)
            try await journal.record(.create, entity: "call-incident", entityID: note.id!.uuidString, practiceID: practice.id,
                                     after: ["callId": call.id!.uuidString, "text": said, "taskId": task.id!.uuidString])
        }
        await context.publish(.queue, practice: practice.id)
        return task
    }

    /// Sets the patient's "appelant anxieux" flag from the call, so that the next secretary knows at once.
    static func flagAnxious(_ call: CallRecord, in practice: AuthorizedPractice, context: WriteContext) async throws {
        guard let patientID = call.patientID, let patient = try await PatientRecord.find(patientID, on: context.database),
              patient.$practice.id == practice.id else { throw AppError.invalid("patientId", "identifiez d'abord le patient") }
        guard !patient.anxious else { return }
        patient.anxious = true
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await patient.update(on: tx)
            try await journal.record(.update, entity: "patient", entityID: patientID.uuidString, practiceID: practice.id,
                                     before: ["flags.anxious": "false"], after: ["flags.anxious": "true", "callId": call.id!.uuidString])
        }
        context.patientIndex.changed(practice.id, patients: [patientID])
    }
}
