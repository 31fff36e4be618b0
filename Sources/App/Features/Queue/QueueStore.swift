import Domain
import Fluent
import Foundation
import Vapor

/// One line of a secretary's work queue, ready for the screen and the API.
struct QueueEntryDTO: Content {
    let key: String
    let source: QueueItem.Source
    let kind: String
    let practiceId: UUID
    let practiceName: String
    let patientId: UUID?
    let patientName: String?
    let title: String
    let details: String
    let phone: String
    let priority: QueuePriority
    let priorityLabel: String
    let dueAt: Date?
    let overdue: Bool
    let claimedBy: String?
    let claimedByMe: Bool
    let claimExpiresAt: Date?
    /// The page that handles it.
    let link: String
}

/// The work queue across the practices a user reaches, and the claims that keep two people off one patient.
enum QueueStore {
    static func claim(of key: String, on db: any Database) async throws -> QueueClaimRecord? {
        try await QueueClaimRecord.query(on: db).filter(\.$itemKey == key).first()
    }

    /// The item behind a key, if it is open in `practice`: only open items are claimed.
    static func requireOpenItem(_ key: String, in practice: AuthorizedPractice, on db: any Database) async throws {
        let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let source = QueueItem.Source(rawValue: parts[0]), let id = UUID(uuidString: parts[1]) else {
            throw AppError.invalid("item", "élément de file inconnu (task:…, transmission:…, waitingList:…)")
        }
        let open: Bool
        switch source {
        case .task:
            open = try await TaskRecord.query(on: db).filter(\.$id == id).filter(\.$practice.$id == practice.id).filter(\.$state == "open").count() > 0
        case .transmission:
            open = try await TransmissionRecord.query(on: db).filter(\.$id == id).filter(\.$practice.$id == practice.id)
                .filter(\.$stateText ~~ [TransmissionState.new.rawValue, TransmissionState.read.rawValue]).count() > 0
        case .waitingList:
            open = try await WaitingListEntryRecord.query(on: db).filter(\.$id == id).filter(\.$practice.$id == practice.id)
                .filter(\.$state == "to-call").count() > 0
        }
        guard open else { throw AppError.notFound(what: "Élément de la file") }
    }

    /// Takes the item for `claimDuration`, or extends one's own claim; a live claim of a colleague is refused with her
    /// name. Two secretaries claiming at once: the unique key decides, exactly one wins.
    static func claim(_ key: String, in practice: AuthorizedPractice, principal: Principal, context: WriteContext, now: Date) async throws -> QueueClaimRecord {
        try await requireOpenItem(key, in: practice, on: context.database)
        do {
            let claim = try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
                try await QueueClaimRecord.query(on: tx).filter(\.$itemKey == key).filter(\.$expiresAt <= now).delete()
                if let existing = try await QueueClaimRecord.query(on: tx).filter(\.$itemKey == key).first() {
                    guard existing.userID == principal.userID else { throw Self.taken(existing) }
                    existing.expiresAt = now.addingTimeInterval(WorkQueue.claimDuration)
                    try await existing.update(on: tx)
                    return existing
                }
                let claim = QueueClaimRecord()
                claim.id = UUID()
                claim.itemKey = key
                claim.$practice.id = practice.id
                claim.userID = principal.userID
                claim.userLabel = principal.displayName
                claim.claimedAt = now
                claim.expiresAt = now.addingTimeInterval(WorkQueue.claimDuration)
                try await claim.create(on: tx)
                try await journal.record(.create, entity: "queue-claim", entityID: key, practiceID: practice.id, after: ["by": principal.displayName])
                return claim
            }
            await context.publish(.queue, practice: practice.id)
            return claim
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // The colleague's insert committed first.
            guard let winner = try await claim(of: key, on: context.database) else { throw AppError.conflict("élément pris à l'instant par une collègue") }
            throw taken(winner)
        }
    }

    private static func taken(_ claim: QueueClaimRecord) -> AppError {
        .conflict("déjà pris par \(claim.userLabel) jusqu'à \(FrenchFormat.spokenTime(claim.expiresAt)) : choisissez un autre élément")
    }

    /// Gives one's claim back; a colleague's claim is not released by someone else (it expires by itself).
    static func release(_ key: String, in practice: AuthorizedPractice, principal: Principal, context: WriteContext) async throws {
        guard let existing = try await claim(of: key, on: context.database), existing.$practice.id == practice.id else {
            throw AppError.notFound(what: "Prise en charge")
        }
        guard existing.userID == principal.userID else { throw AppError.forbiddenBecause("prise en charge par \(existing.userLabel) : elle seule la libère") }
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await existing.delete(on: tx)
            try await journal.record(.delete, entity: "queue-claim", entityID: key, practiceID: practice.id, before: ["by": existing.userLabel])
        }
        await context.publish(.queue, practice: practice.id)
    }

    /// Every open item of the practices `principal` reaches, in queue order: urgent transmissions not yet acknowledged,
    /// tasks, waiting-list patients to call.
    static func entries(for principal: Principal, on db: any Database, now: Date) async throws -> [QueueEntryDTO] {
        var practices: [UUID: PracticeRecord] = [:]
        for practice in try await PracticeStore.visible(to: principal, on: db) { practices[practice.id!] = practice }
        let ids = Array(practices.keys)
        guard !ids.isEmpty else { return [] }
        let tasks = try await TaskRecord.query(on: db).filter(\.$practice.$id ~~ ids).filter(\.$state == "open").all()
        let transmissions = try await TransmissionRecord.query(on: db).filter(\.$practice.$id ~~ ids)
            .filter(\.$priorityText == TransmissionPriority.urgent.rawValue)
            .filter(\.$stateText ~~ [TransmissionState.new.rawValue, TransmissionState.read.rawValue]).all()
        let waiting = try await WaitingListEntryRecord.query(on: db).filter(\.$practice.$id ~~ ids).filter(\.$state == "to-call").all()
        let patientIDs = Set(tasks.compactMap(\.patientID) + transmissions.compactMap(\.patientID) + waiting.map(\.patientID))
        let patients = patientIDs.isEmpty ? [] : try await PatientRecord.query(on: db).filter(\.$id ~~ Array(patientIDs)).all()
        let names = Dictionary(uniqueKeysWithValues: patients.map { ($0.id!, $0.displayName) })
        let practitionerIDs = Set(transmissions.map(\.practitionerID))
        let practitioners = practitionerIDs.isEmpty ? [] : try await PractitionerRecord.query(on: db).filter(\.$id ~~ Array(practitionerIDs)).all()
        let practitionerNames = practitioners.namesByID
        // One matter, one line: the phone task the ladder made for an urgent transmission shows on the transmission's line.
        let openTransmissions = Set(transmissions.map { $0.id! })
        let callTasks = Dictionary(tasks.filter { $0.kind == .callPractitioner && $0.transmissionID.map(openTransmissions.contains) == true }
            .map { ($0.transmissionID!, $0) }, uniquingKeysWith: { first, _ in first })
        let claims = try await QueueClaimRecord.query(on: db).filter(\.$practice.$id ~~ ids).filter(\.$expiresAt > now).all()
        let reachable = try await Outbox.recipients(of: Array(practitionerIDs), on: db)
        let policies = Dictionary(try await EscalationPolicyRecord.query(on: db).filter(\.$practice.$id ~~ ids).all().map { ($0.$practice.id, $0.policy) },
                                  uniquingKeysWith: { first, _ in first })
        let claimsByKey = Dictionary(claims.map { ($0.itemKey, $0) }, uniquingKeysWith: { a, _ in a })

        struct Pending { let item: QueueItem; let make: (QueueClaimRecord?) -> QueueEntryDTO }
        var pending: [Pending] = []
        func entry(_ item: QueueItem, kind: String, practice: UUID, patient: UUID?, title: String, details: String, phone: String,
                   link: String, claim: QueueClaimRecord?) -> QueueEntryDTO {
            let priority = item.effectivePriority(now: now)
            return QueueEntryDTO(key: item.key, source: item.source, kind: kind, practiceId: practice, practiceName: practices[practice]?.name ?? "",
                                 patientId: patient, patientName: patient.flatMap { names[$0] }, title: title, details: details,
                                 phone: FrenchFormat.phone(phone.isEmpty ? nil : phone), priority: priority, priorityLabel: priority.label,
                                 dueAt: item.due, overdue: item.isOverdue(now: now), claimedBy: claim?.userLabel,
                                 claimedByMe: claim?.userID == principal.userID, claimExpiresAt: claim?.expiresAt, link: link)
        }
        for task in tasks where !(task.kind == .callPractitioner && task.transmissionID.map(openTransmissions.contains) == true) {
            let item = task.queueItem
            pending.append(Pending(item: item) { claim in
                entry(item, kind: task.kind.label, practice: task.$practice.id, patient: task.patientID, title: task.title, details: task.details,
                      phone: task.phone, link: SitePath.task.link(task.$practice.id, task.id!), claim: claim)
            })
        }
        for transmission in transmissions {
            let policy = policies[transmission.$practice.id] ?? EscalationPolicy()
            let next = EscalationLadder.nextStep(policy: policy, priority: transmission.priority, state: transmission.state,
                                                 addressee: transmission.practitionerID, sentAt: transmission.sentAt, reached: transmission.escalationStep,
                                                 noticeReachable: reachable[transmission.practitionerID] != nil)
            let item = QueueItem(source: .transmission, id: transmission.id!, priority: .urgent, due: next?.1, createdAt: transmission.sentAt)
            let to = practitionerNames[transmission.practitionerID] ?? ""
            let callTask = callTasks[transmission.id!]
            let later = next.map { "Étape suivante à \(FrenchFormat.time($0.1)) : \($0.0.label)" }
            let callback = transmission.callbackNumber.isEmpty ? "" : " Rappeler ensuite l'appelant au \(FrenchFormat.phone(transmission.callbackNumber))."
            pending.append(Pending(item: item) { claim in
                entry(item, kind: callTask == nil ? "Transmission urgente non prise en compte" : "Appeler le praticien : transmission urgente non prise en compte",
                      practice: transmission.$practice.id, patient: transmission.patientID,
                      title: "\(transmission.subject) — pour \(to)",
                      details: callTask.map { $0.details + callback } ?? later ?? "Toutes les étapes de relance sont passées : appeler le praticien.",
                      phone: callTask.map(\.phone) ?? transmission.callbackNumber,
                      link: callTask.map { SitePath.task.link(transmission.$practice.id, $0.id!) } ?? SitePath.transmission.link(transmission.$practice.id, transmission.id!),
                      claim: claim)
            })
        }
        for entryRecord in waiting {
            let item = QueueItem(source: .waitingList, id: entryRecord.id!, priority: WaitingPriority(rawValue: entryRecord.priority) == .high ? .high : .normal,
                                 due: entryRecord.matchedStart, createdAt: entryRecord.matchedAt ?? entryRecord.createdAt)
            let slot = entryRecord.matchedStart.map { "Créneau libéré le \(FrenchFormat.longDate($0)) à \(FrenchFormat.time($0))" } ?? "Créneau libéré"
            pending.append(Pending(item: item) { claim in
                entry(item, kind: TaskKind.waitingListMatch.label, practice: entryRecord.$practice.id, patient: entryRecord.patientID,
                      title: slot, details: entryRecord.notes, phone: "", link: SitePath.waitingList.link(entryRecord.$practice.id), claim: claim)
            })
        }
        let byKey = Dictionary(pending.map { ($0.item.key, $0) }, uniquingKeysWith: { a, _ in a })
        return WorkQueue.ordered(pending.map(\.item), now: now).compactMap { item in byKey[item.key].map { $0.make(claimsByKey[item.key]) } }
    }
}
