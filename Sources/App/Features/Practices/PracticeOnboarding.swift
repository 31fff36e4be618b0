import Domain
import Fluent
import Foundation
import Vapor

/// The onboarding of a practice ("Mise en service"): its checklist read from its records, going live once every item
/// holds, and a practitioner's review of the triage protocol in service.
enum PracticeOnboarding {
    static func facts(of practice: AuthorizedPractice, record: PracticeRecord, on db: any Database) async throws -> OnboardingChecklist.Facts {
        let numbers = try await PracticeSetupStore.numbers(of: practice.id, on: db).map { FrenchFormat.phone($0.number) }
        let practitioners = try await PracticeStore.practitioners(of: practice, on: db).filter { $0.deactivatedAt == nil }
        let withHours = Set(try await AgendaStore.templates(of: practice, on: db).map { $0.$practitioner.id })
        let active = Set(practitioners.compactMap(\.id))
        let motifs = try await AgendaStore.motifs(of: practice, on: db).filter { $0.archivedAt == nil }
            .filter { !Set($0.domain.practitionerIDs).isDisjoint(with: active) }.count
        let playbook = try await PlaybookStore.current(Playbook.self, of: practice, on: db).number
        let triage = try await PlaybookStore.current(TriageProtocol.self, of: practice, on: db).number
        let secretaries = try await UserPracticeRecord.query(on: db).filter(\.$practice.$id == practice.id).with(\.$user).all()
            .filter { $0.user.role == .secretary && !$0.user.disabled }.count
        let calls = try await TelephonyEventRecord.query(on: db).filter(\.$practice.$id == practice.id).count()
        return OnboardingChecklist.Facts(
            dialledNumbers: numbers, activePractitioners: practitioners.map(\.displayName),
            practitionersWithoutHours: practitioners.filter { !withHours.contains($0.id!) }.map(\.displayName),
            motifsTaken: motifs, playbookVersion: playbook, triageVersion: triage, triageReviewedVersion: record.triageReviewedVersion,
            triageReviewedBy: record.triageReviewedBy, secretaryAccounts: secretaries, callsReceived: calls)
    }

    static func checklist(of practice: AuthorizedPractice, on db: any Database) async throws -> (PracticeRecord, OnboardingChecklist) {
        let record = try await PracticeStore.practice(practice, on: db)
        return (record, OnboardingChecklist(try await facts(of: practice, record: record, on: db)))
    }

    /// Puts the practice into service: refused (409, naming what is missing) until every item holds.
    static func goLive(_ practice: AuthorizedPractice, context: WriteContext, now: Date) async throws -> PracticeRecord {
        let (record, checklist) = try await checklist(of: practice, on: context.database)
        if record.liveAt != nil { throw AppError.conflict("Ce cabinet est déjà en service.") }
        guard checklist.ready else {
            let missing = checklist.items.filter { !$0.done }.map { "\($0.label) (\($0.detail))" }
            throw AppError.conflict("Le cabinet n'est pas prêt : " + missing.joined(separator: " ; "))
        }
        record.liveAt = now
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await record.update(on: tx)
            try await journal.record(.update, entity: "practice", entityID: practice.id.uuidString, practiceID: practice.id,
                                     before: ["live": "false"], after: ["live": "true"])
        }
        return record
    }

    /// A practitioner of the practice says they reviewed the triage protocol in service.
    static func reviewTriage(_ practice: AuthorizedPractice, by principal: Principal, context: WriteContext, now: Date) async throws -> Int {
        guard principal.role == .practitioner else {
            throw AppError.forbiddenBecause("seul un praticien du cabinet relit et valide ses critères d'urgence")
        }
        let record = try await PracticeStore.practice(practice, on: context.database)
        let version = try await PlaybookStore.current(TriageProtocol.self, of: practice, on: context.database).number
        guard version > 0 else { throw AppError.conflict("Le cabinet n'a pas encore de critères d'urgence propres à relire.") }
        let before = ["reviewedVersion": record.triageReviewedVersion.map(String.init) ?? ""]
        record.triageReviewedVersion = version
        record.triageReviewedBy = principal.displayName
        record.triageReviewedAt = now
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await record.update(on: tx)
            try await journal.record(.update, entity: "practice", entityID: practice.id.uuidString, practiceID: practice.id,
                                     before: before, after: ["reviewedVersion": String(version)])
        }
        return version
    }
}
