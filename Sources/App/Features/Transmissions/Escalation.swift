import Domain
import Fluent
import Foundation
import NIOConcurrencyHelpers
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
            let reachable = try await !(Outbox.recipients(of: [transmission.practitionerID], on: db)[transmission.practitionerID] ?? []).isEmpty
            let due = EscalationLadder.dueSteps(policy: policy, priority: transmission.priority, state: transmission.state,
                                                addressee: transmission.practitionerID, sentAt: transmission.sentAt,
                                                reached: transmission.escalationStep, now: now, noticeReachable: reachable)
            guard let highest = due.last else { continue }
            let practiceRecord = try await PracticeStore.practice(practice, on: db)
            let practitioners = try await PracticeStore.practitioners(of: practice, on: db)
            let byID = Dictionary(uniqueKeysWithValues: practitioners.map { ($0.id!, $0) })
            let before = transmission.journalState
            let expectedStep = transmission.escalationStepValue
            let done: Int = try await app.writer.transaction(on: db, actor: actor) { tx, journal in
                // Another instance may have climbed meanwhile, or the practitioner acknowledged.
                guard let fresh = try await TransmissionRecord.find(transmission.id, on: tx), fresh.escalationStepValue == expectedStep,
                      fresh.state.awaitsPractitioner else { return 0 }
                var facts: [String] = []
                func callTask(_ practitionerID: UUID, why: String) async throws {
                    let practitioner = byID[practitionerID]
                    let name = practitioner?.displayName ?? "le praticien"
                    let details = "Joindre \(name) : \(practitioner?.contactLine ?? "aucun numéro enregistré")."
                        + " Transmission envoyée à \(FrenchFormat.time(transmission.sentAt)) par \(AuditActor.readable(transmission.sentByLabel)) : « \(transmission.subject) »."
                    try await TaskStore.insert(TaskRecord(practice: practice.id, kind: .callPractitioner, patient: transmission.patientID,
                                                          transmission: transmission.id, title: "Appeler \(name) : \(why)", details: details,
                                                          phone: practitioner?.firstNumber ?? "", priority: .urgent, due: now, now: now, by: actor),
                                               in: practice, on: tx)
                    facts.append("tâche : appeler \(name) (\(practitioner?.contactLine ?? "aucun numéro"))")
                }
                for step in due {
                    switch step {
                    case .inApp: break
                    case .notice:
                        let queued = try await Outbox.enqueueNotice(for: transmission.practitionerID, transmission: transmission, practiceName: practiceRecord.name,
                                                                    now: now, on: tx)
                        facts.append("\(queued) avis mis en file d'attente")
                    case .callPractitioner:
                        // Nobody to write to: the ladder skipped the notice and comes straight to a person (the Domain's rule).
                        if !reachable { facts.append("aucun avis possible : ni e-mail d'avis ni compte pour \(byID[transmission.practitionerID]?.displayName ?? "le praticien")") }
                        try await callTask(transmission.practitionerID, why: "transmission urgente non prise en compte")
                    case .backup:
                        guard let backup = policy.backupPractitionerID else { break }
                        transmission.backupPractitionerID = backup
                        let queued = try await Outbox.enqueueNotice(for: backup, transmission: transmission, practiceName: practiceRecord.name, now: now, on: tx)
                        facts.append(queued > 0 ? "\(queued) avis au suppléant mis en file d'attente" : "aucun avis possible au suppléant")
                        try await callTask(backup, why: "suppléant, transmission urgente non prise en compte")
                    }
                }
                for step in due { app.metrics.count("permanence_ladder_steps_total", [("step", "\(step)")]) }
                transmission.escalationStepValue = highest.rawValue
                try await transmission.update(on: tx)
                try await journal.record(.update, entity: "transmission", entityID: transmission.id!.uuidString, practiceID: practice.id,
                                         before: before, after: transmission.journalState.merging(["climbed": facts.joined(separator: " ; ")]) { $1 })
                return due.count
            }
            climbed += done
            await app.liveHub.publish(LiveEvent(kind: .queue, practiceID: practice.id))
        }
        return climbed
    }
}

/// The worker that runs the ladder, the outbox, the retention sweep, the journal's checkpoints and the scheduled
/// backups every few seconds while the server runs. Started by `serve` only: a command run beside the server (an
/// import, a backup) must not deliver the outbox's notices a second time.
struct BackgroundWorker: LifecycleHandler {
    let interval: Int

    func start(_ application: Application) {
        guard interval > 0 else { return }
        let task = Task { [interval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                if Task.isCancelled { break }
                let now = application.clock.now()
                do {
                    // A stop cancels the pass: it ends after the step under way.
                    try await Escalation.tick(app: application, now: now)
                    try Task.checkCancellation()
                    try await PatientReminders.queue(app: application, now: now)
                    try Task.checkCancellation()
                    try await Outbox.deliver(app: application, now: now)
                    try Task.checkCancellation()
                    try await Retention.sweep(app: application, now: now)
                    try Task.checkCancellation()
                    try await AuditCheckpoints.writeIfDue(app: application, now: now)
                    try Task.checkCancellation()
                    try await ScheduledBackup.runIfDue(app: application, now: now)
                } catch is CancellationError {
                    break
                } catch {
                    application.logger.report(error: error)
                }
            }
        }
        application.storage[WorkerTaskKey.self] = task
    }

    /// The pass under way is cancelled (a webhook in flight is dropped: the outbox still holds it as queued, and the
    /// next pass or instance sends it) and awaited, at most `stopWait`, before the database closes under it.
    func shutdownAsync(_ application: Application) async {
        if await !stop(application, within: Self.stopWait) {
            application.logger.warning("Arrêt : la tâche de fond n'a pas fini en \(Self.stopWait) ; elle est abandonnée.")
        }
    }

    /// Cancels the worker and waits for its pass to end, `within` at most: whether it ended.
    func stop(_ application: Application, within limit: Duration) async -> Bool {
        guard let task = application.storage[WorkerTaskKey.self] else { return true }
        task.cancel()
        // Two unstructured waits, the first to answer wins: awaiting a task's value does not heed a cancellation,
        // so a task group would wait for the pass whatever the limit.
        let answered = NIOLockedValueBox(false)
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            func answer(_ ended: Bool) {
                if answered.withLockedValue({ let was = $0; $0 = true; return !was }) { continuation.resume(returning: ended) }
            }
            Task { await task.value; answer(true) }
            Task { try? await Task.sleep(for: limit); answer(false) }
        }
    }

    static let stopWait: Duration = .seconds(3)

    struct WorkerTaskKey: StorageKey { typealias Value = Task<Void, Never> }
}

extension Application {
    private struct BackgroundWorkerKey: StorageKey { typealias Value = BackgroundWorker }

    var backgroundWorker: BackgroundWorker {
        get { configured(BackgroundWorkerKey.self) }
        set { storage[BackgroundWorkerKey.self] = newValue }
    }
}
