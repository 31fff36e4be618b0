import Domain
import Fluent
import Foundation
import Vapor

/// Climbs the escalation ladder of every urgent transmission not yet acknowledged: the Domain says which rungs are
/// due, this writes them — notices into the outbox, a "phone the practitioner" task, the backup practitioner.
enum Escalation {
    static let actor = AuditActor.system("escalade")

    /// One pass at `now`; returns how many rungs were climbed.
    @discardableResult
    static func tick(app: Application, now: Date) async throws -> Int {
        let db = app.db
        let waiting = try await TransmissionRecord.query(on: db).filter(\.$priorityText == TransmissionPriority.urgent.rawValue)
            .filter(\.$stateText ~~ [TransmissionState.new.rawValue, TransmissionState.read.rawValue]).all()
        var climbed = 0
        for transmission in waiting {
            let practice = AuthorizedPractice.system(transmission.$practice.id)
            let policy = try await TransmissionStore.policy(of: practice, on: db)
            let due = EscalationLadder.dueSteps(policy: policy, priority: transmission.priority, state: transmission.state,
                                                addressee: transmission.practitionerID, sentAt: transmission.sentAt,
                                                reached: transmission.escalationStep, now: now)
            guard let highest = due.last else { continue }
            let practiceRecord = try await PracticeStore.practice(practice, on: db)
            let practitioners = try await PracticeStore.practitioners(of: practice, on: db)
            let names = Dictionary(uniqueKeysWithValues: practitioners.map { ($0.id!, $0.displayName) })
            let before = transmission.journalState
            let expectedStep = transmission.escalationStepValue
            let done: Int = try await app.writer.transaction(on: db, actor: actor) { tx, journal in
                // Another instance may have climbed meanwhile, or the practitioner acknowledged.
                guard let fresh = try await TransmissionRecord.find(transmission.id, on: tx), fresh.escalationStepValue == expectedStep,
                      fresh.state.awaitsPractitioner else { return 0 }
                for step in due {
                    switch step {
                    case .inApp: break
                    case .notice:
                        try await Outbox.enqueueNotice(for: transmission.practitionerID, transmission: transmission, practiceName: practiceRecord.name, now: now, on: tx)
                    case .callPractitioner:
                        let task = TaskRecord()
                        task.id = UUID()
                        task.$practice.id = practice.id
                        task.patientID = transmission.patientID
                        task.transmissionID = transmission.id
                        task.kindText = TaskKind.callPractitioner.rawValue
                        task.title = "Appeler \(names[transmission.practitionerID] ?? "le praticien") : transmission urgente non prise en compte"
                        task.details = "Envoyée à \(FrenchFormat.time(transmission.sentAt)) par \(transmission.sentByLabel) : \(transmission.subject)"
                        task.phone = ""
                        task.priorityValue = QueuePriority.urgent.rawValue
                        task.dueAt = now
                        task.state = "open"
                        task.createdAt = now
                        task.createdByLabel = actor.label
                        try await TaskStore.insert(task, in: practice, on: tx)
                    case .backup:
                        guard let backup = policy.backupPractitionerID else { break }
                        transmission.backupPractitionerID = backup
                        try await Outbox.enqueueNotice(for: backup, transmission: transmission, practiceName: practiceRecord.name, now: now, on: tx)
                    }
                }
                transmission.escalationStepValue = highest.rawValue
                try await transmission.update(on: tx)
                try await journal.record(.update, entity: "transmission", entityID: transmission.id!.uuidString, practiceID: practice.id,
                                         before: before, after: transmission.journalState.merging(["climbed": due.map(\.label).joined(separator: " ; ")]) { $1 })
                return due.count
            }
            climbed += done
            await app.liveHub.publish(LiveEvent(kind: .queue, practiceID: practice.id))
        }
        return climbed
    }
}

/// The worker that runs the ladder and the outbox every few seconds while the server runs.
struct BackgroundWorker: LifecycleHandler {
    let interval: Int

    func didBoot(_ application: Application) throws {
        guard interval > 0 else { return }
        let task = Task { [interval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                if Task.isCancelled { break }
                let now = application.clock.now()
                do {
                    try await Escalation.tick(app: application, now: now)
                    try await Outbox.deliver(app: application, now: now)
                } catch {
                    application.logger.report(error: error)
                }
            }
        }
        application.storage[WorkerTaskKey.self] = task
    }

    func shutdown(_ application: Application) {
        application.storage[WorkerTaskKey.self]?.cancel()
    }

    struct WorkerTaskKey: StorageKey { typealias Value = Task<Void, Never> }
}
