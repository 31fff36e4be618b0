import Domain
import Fluent
import Foundation
import Vapor

/// A practitioner as created or replaced through the API or the screens.
struct PractitionerInput: Content {
    var title: String?
    var firstName: String
    var lastName: String
    var specialty: String
    var rpps: String?
    /// The practice's motifs this practitioner takes (the others no longer list them).
    var motifIds: [UUID]?
    var backupPractitionerId: UUID?
    var mobilePhone: String?
    var directPhone: String?
    var noticeEmail: String?
}

/// Creating, replacing and deactivating a practice's practitioners; every change journaled. A practitioner is never
/// deleted: their appointments, calls and transmissions keep naming them.
enum PractitionerSetupStore {
    /// Checks `input` (every problem at once, 422) and writes it into `record` with the motifs it takes, journaled.
    static func save(_ input: PractitionerInput, existing: PractitionerRecord?, practice: AuthorizedPractice, context: WriteContext,
                     cache: AgendaCache) async throws -> PractitionerRecord {
        var errors: [FieldError] = []
        let firstName = input.firstName.trimmingCharacters(in: .whitespacesAndNewlines)
        let lastName = input.lastName.trimmingCharacters(in: .whitespacesAndNewlines)
        let specialty = input.specialty.trimmingCharacters(in: .whitespacesAndNewlines)
        if firstName.isEmpty { errors.append(FieldError(field: "firstName", reason: "prénom obligatoire")) }
        if lastName.isEmpty { errors.append(FieldError(field: "lastName", reason: "nom obligatoire")) }
        if specialty.isEmpty { errors.append(FieldError(field: "specialty", reason: "spécialité obligatoire")) }
        let title = (input.title ?? "").trimmingCharacters(in: .whitespaces)
        if !["", "Dr", "Pr"].contains(title) { errors.append(FieldError(field: "title", reason: "Dr, Pr ou rien")) }
        let rpps = input.rpps.map { $0.filter { !$0.isWhitespace } }.flatMap { $0.isEmpty ? nil : $0 }
        if let rpps, let problem = RPPS.problem(with: rpps) { errors.append(FieldError(field: "rpps", reason: problem)) }
        var contact = PractitionerContact()
        switch PractitionerContact.parse(mobilePhone: input.mobilePhone, directPhone: input.directPhone, noticeEmail: input.noticeEmail) {
        case .success(let value): contact = value
        case .failure(let problems): errors += problems.list.map { FieldError(field: $0.field, reason: $0.reason) }
        }
        let db = context.database
        let colleagues = try await PracticeStore.practitioners(of: practice, on: db)
        if let backup = input.backupPractitionerId {
            if backup == existing?.id {
                errors.append(FieldError(field: "backupPractitionerId", reason: "un praticien ne se remplace pas lui-même"))
            } else if !colleagues.contains(where: { $0.id == backup && $0.deactivatedAt == nil }) {
                errors.append(FieldError(field: "backupPractitionerId", reason: "praticien actif inconnu dans ce cabinet"))
            }
        }
        let motifs = try await AgendaStore.motifs(of: practice, on: db)
        for (index, id) in (input.motifIds ?? []).enumerated() where !motifs.contains(where: { $0.id == id }) {
            errors.append(FieldError(field: "motifIds[\(index)]", reason: "motif inconnu dans ce cabinet"))
        }
        if existing?.deactivatedAt != nil { throw AppError.conflict("Ce praticien est désactivé : réactivez-le avant de le modifier.") }
        if !errors.isEmpty { throw AppError.validation(errors) }

        let record = existing ?? PractitionerRecord()
        let before = existing.map(PractitionerDTO.init)
        if existing == nil {
            record.id = UUID()
            record.$practice.id = practice.id
        }
        record.title = title
        record.firstName = firstName
        record.lastName = lastName
        record.profession = specialty
        record.rpps = rpps
        record.backupPractitionerID = input.backupPractitionerId
        record.mobilePhone = contact.mobilePhone?.e164
        record.directPhone = contact.directPhone?.e164
        record.noticeEmail = contact.noticeEmail
        let takes = input.motifIds.map(Set.init)
        try await context.writer.transaction(on: db, actor: context.actor, requestID: context.requestID) { tx, journal in
            if existing == nil { try await record.create(on: tx) } else { try await record.update(on: tx) }
            try await journal.record(existing == nil ? .create : .update, entity: "practitioner", entityID: record.id!.uuidString,
                                     practiceID: practice.id, before: before, after: PractitionerDTO(record))
            if let takes { try await setMotifs(of: record.id!, to: takes, motifs: motifs, practice: practice, on: tx, journal: journal) }
        }
        cache.invalidate(practice.id)
        return record
    }

    /// Deactivates a practitioner: no longer offered nor booked, taken off the motifs, kept in the history. Refused while
    /// appointments are still booked with them from now on (move or cancel them first) or while a colleague names them
    /// as backup.
    static func setActive(_ active: Bool, _ record: PractitionerRecord, practice: AuthorizedPractice, context: WriteContext, now: Date,
                          cache: AgendaCache) async throws {
        let db = context.database
        guard (record.deactivatedAt == nil) != active else {
            throw AppError.conflict(active ? "Ce praticien est déjà actif." : "Ce praticien est déjà désactivé.")
        }
        var motifs: [MotifRecord] = []
        if !active {
            let upcoming = try await AppointmentRecord.query(on: db).filter(\.$practitioner.$id == record.id!).filter(\.$startsAt >= now)
                .filter(\.$status ~~ ["booked", "pending", "proposed"]).count()
            if upcoming > 0 {
                throw AppError.conflict("\(record.displayName) a encore \(upcoming) rendez-vous à venir : déplacez-les ou annulez-les avant de le désactiver.")
            }
            if let colleague = try await PractitionerRecord.query(on: db).filter(\.$practice.$id == practice.id)
                .filter(\.$backupPractitionerID == record.id!).filter(\.$deactivatedAt == nil).first() {
                throw AppError.conflict("\(record.displayName) remplace \(colleague.displayName) : choisissez d'abord un autre remplaçant.")
            }
            motifs = try await AgendaStore.motifs(of: practice, on: db)
        }
        let before = PractitionerDTO(record)
        record.deactivatedAt = active ? nil : now
        let allMotifs = motifs
        try await context.writer.transaction(on: db, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await record.update(on: tx)
            try await journal.record(.update, entity: "practitioner", entityID: record.id!.uuidString, practiceID: practice.id,
                                     before: before, after: PractitionerDTO(record))
            if !active { try await setMotifs(of: record.id!, to: [], motifs: allMotifs, practice: practice, on: tx, journal: journal) }
        }
        cache.invalidate(practice.id)
    }

    /// Adds the practitioner to the motifs in `takes` and removes them from the others; each changed motif journaled.
    private static func setMotifs(of practitioner: UUID, to takes: Set<UUID>, motifs: [MotifRecord], practice: AuthorizedPractice,
                                  on tx: any Database, journal: Journal) async throws {
        for motif in motifs {
            var domain = motif.domain
            let listed = domain.practitionerIDs.contains(practitioner)
            guard listed != takes.contains(domain.id) else { continue }
            let before = MotifDTO(domain)
            if listed { domain.practitionerIDs.removeAll { $0 == practitioner } } else { domain.practitionerIDs.append(practitioner) }
            motif.apply(domain, practice: practice.id)
            try await motif.update(on: tx)
            try await journal.record(.update, entity: "motif", entityID: domain.id.uuidString, practiceID: practice.id,
                                     before: before, after: MotifDTO(domain))
        }
    }
}

/// A practitioner as the API shows it.
struct PractitionerDTO: Content {
    let id: UUID
    let title: String
    let firstName: String
    let lastName: String
    let displayName: String
    let specialty: String
    let rpps: String?
    let backupPractitionerId: UUID?
    /// For the center only (never given to a patient): E.164 numbers and the escalation notices' address.
    let mobilePhone: String?
    let directPhone: String?
    let noticeEmail: String?
    let active: Bool
    /// The user account linked to this practitioner (made on « Utilisateurs » with the practitioner role), if any.
    var userId: UUID?

    init(_ record: PractitionerRecord) {
        id = record.id!
        title = record.title
        firstName = record.firstName
        lastName = record.lastName
        displayName = record.displayName
        specialty = record.profession
        rpps = record.rpps
        backupPractitionerId = record.backupPractitionerID
        mobilePhone = record.mobilePhone
        directPhone = record.directPhone
        noticeEmail = record.noticeEmail
        active = record.deactivatedAt == nil
    }

    /// The practitioners as the API shows them, each with the account linked to them.
    static func withAccounts(_ records: [PractitionerRecord], on db: any Database) async throws -> [PractitionerDTO] {
        let ids = records.compactMap(\.id)
        let accounts = try await UserRecord.query(on: db).filter(\.$practitionerID ~~ ids).all()
        return records.map { record in
            var dto = PractitionerDTO(record)
            dto.userId = accounts.first { $0.practitionerID == record.id }?.id
            return dto
        }
    }

    static func withAccount(_ record: PractitionerRecord, on db: any Database) async throws -> PractitionerDTO {
        try await withAccounts([record], on: db)[0]
    }
}
