import Domain
import Fluent
import Foundation
import Vapor

/// A record a new patient looks like, named in the 409 answer and on the form.
struct DuplicateCandidate: Content, Equatable {
    let id: UUID
    let displayName: String
    let birthDate: String
    let reasons: [String]
}

struct PatientPhoneInput: Content {
    let number: String
    let label: String?
}

struct PatientFlagsInput: Content {
    let anxious: Bool?
    let hardOfHearing: Bool?
    let interpreterLanguage: String?
    let reducedMobility: Bool?
    let noOnlineBooking: Bool?
}

/// A patient as the API and the form send it.
struct PatientInput: Content {
    let birthName: String
    let firstNames: String
    let usedName: String?
    /// ISO (`1957-12-03`) or French (`03/12/1957`).
    let birthDate: String
    /// F, M or I.
    let sex: String
    let birthplaceCode: String?
    let nir: String?
    let identityStatus: String?
    let phones: [PatientPhoneInput]?
    let email: String?
    let address: String?
    let preferredPractitionerId: UUID?
    let guardianName: String?
    let guardianPhone: String?
    let smsConsent: Bool?
    let emailConsent: Bool?
    let flags: PatientFlagsInput?
    let notes: String?
    /// The likely duplicates the secretary checked and found to be other people.
    let notDuplicateOf: [UUID]?
}

/// Creating and opening patient records: the traits checked (Domain), likely duplicates shown before anything is
/// saved, every write journaled and every opening traced.
enum PatientStore {
    static func create(_ input: PatientInput, in practice: AuthorizedPractice, context: WriteContext, today: LocalDate,
                       on db: any Database) async throws -> PatientRecord {
        let checked = try check(input, in: practice, today: today, on: db)
        if let preferred = input.preferredPractitionerId { _ = try await AppointmentStore.practitioner(preferred, in: practice, on: db) }
        let candidates = try await duplicates(of: checked.traits, in: practice, excluding: nil, on: db)
            .filter { !(input.notDuplicateOf ?? []).contains($0.id) }
        if !candidates.isEmpty { throw AppError.likelyDuplicates(candidates) }
        let record = PatientRecord(id: UUID(), practice: practice.id, birthName: checked.birthName, firstNames: checked.firstNames,
                                   usedName: checked.usedName, birthDate: checked.birthDate.description, sex: checked.sex)
        apply(input, checked: checked, to: record)
        record.updatedAt = context.writer.clock.now()
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await record.create(on: tx)
            try await PatientSearch.replacePhones(of: record, with: Array(zip(checked.phones, checked.phoneLabels)), on: tx)
            try await journal.record(.create, entity: "patient", entityID: record.id!.uuidString, practiceID: practice.id,
                                     after: PatientRecordDTO(record, phones: [], consultedBy: nil))
        }
        context.patientIndex.changed(practice.id, patients: [record.id!])
        return record
    }

    /// Saves a changed record (the whole record is sent, as on the form): the same checks as a new one; when a strict
    /// trait or a phone number changes, the likely duplicates (itself excluded) are shown first. Changing a strict
    /// trait brings the identity back to « provisoire » (RNIV: the new identity has not been checked yet); the status
    /// is raised again once the identity document is seen.
    static func update(_ id: UUID?, with input: PatientInput, in practice: AuthorizedPractice, context: WriteContext, today: LocalDate,
                       on db: any Database) async throws -> PatientRecord {
        let record = try await AgendaStore.find(PatientRecord.self, id, in: practice, practiceKey: \.$practice, on: db, what: "Patient")
        guard record.mergedIntoID == nil, record.anonymisedAt == nil else {
            throw AppError.conflict("Ce dossier a été fusionné ou anonymisé : il ne se modifie plus.")
        }
        let checked = try check(input, in: practice, today: today, on: db)
        if let preferred = input.preferredPractitionerId { _ = try await AppointmentStore.practitioner(preferred, in: practice, on: db) }
        let oldPhones = try await PatientSearch.phones(of: [record.id!], on: db)[record.id!] ?? []
        let before = PatientRecordDTO(record, phones: oldPhones, consultedBy: nil)
        let old = record.traits(phones: oldPhones.map(\.number))
        let new = checked.traits
        let strictChanged = (old.birthName, old.firstNames, old.birthDate, old.sex, old.birthplaceCode)
            != (new.birthName, new.firstNames, new.birthDate, new.sex, new.birthplaceCode)
        if strictChanged || old.usedName != new.usedName || Set(old.phones.map(\.e164)) != Set(new.phones.map(\.e164)) {
            let candidates = try await duplicates(of: new, in: practice, excluding: record.id, on: db)
                .filter { !(input.notDuplicateOf ?? []).contains($0.id) }
            if !candidates.isEmpty { throw AppError.likelyDuplicates(candidates) }
        }
        let keptStatus = record.identityStatus
        record.birthName = checked.birthName
        record.firstNames = checked.firstNames
        record.usedName = checked.usedName
        record.birthDate = checked.birthDate.description
        record.sex = checked.sex
        apply(input, checked: checked, to: record)
        if strictChanged {
            record.identityStatus = IdentityStatus.provisoire.rawValue
        } else if (input.identityStatus ?? "").isEmpty {
            record.identityStatus = keptStatus
        }
        record.updatedAt = context.writer.clock.now()
        let phones = Array(zip(checked.phones, checked.phoneLabels))
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await record.update(on: tx)
            try await PatientSearch.replacePhones(of: record, with: phones, on: tx)
            let after = try await PatientSearch.phones(of: [record.id!], on: tx)[record.id!] ?? []
            try await journal.record(.update, entity: "patient", entityID: record.id!.uuidString, practiceID: practice.id,
                                     before: before, after: PatientRecordDTO(record, phones: after, consultedBy: nil))
        }
        context.patientIndex.changed(practice.id, patients: [record.id!])
        return record
    }

    /// The traits checked; the problems as field errors.
    static func check(_ input: PatientInput, in practice: AuthorizedPractice, today: LocalDate, on db: any Database) throws -> PatientDraft.Checked {
        let draft = PatientDraft(birthName: input.birthName, firstNames: input.firstNames, usedName: input.usedName, birthDate: input.birthDate,
                                 sex: input.sex, birthplaceCode: input.birthplaceCode, nir: input.nir, identityStatus: input.identityStatus,
                                 phones: (input.phones ?? []).map { ($0.number, $0.label ?? "") }, email: input.email, guardianPhone: input.guardianPhone)
        var errors: [FieldError] = []
        if (input.notes ?? "").count > 4000 { errors.append(.init(field: "notes", reason: "4 000 caractères au plus")) }
        if (input.address ?? "").count > 300 { errors.append(.init(field: "address", reason: "300 caractères au plus")) }
        if (input.flags?.interpreterLanguage ?? "").count > 50 { errors.append(.init(field: "flags.interpreterLanguage", reason: "50 caractères au plus")) }
        switch draft.check(today: today) {
        case .success(let checked):
            if !errors.isEmpty { throw AppError.validation(errors) }
            return checked
        case .failure(let problems):
            throw AppError.validation(problems.list.map { FieldError(field: $0.field, reason: $0.reason) } + errors)
        }
    }

    /// Records of the practice that `traits` look like; every reason needs the same date of birth or a shared phone number
    /// (`IdentityTraits.duplicateReasons`), so only those are read.
    static func duplicates(of traits: IdentityTraits, in practice: AuthorizedPractice, excluding: UUID?,
                           on db: any Database) async throws -> [DuplicateCandidate] {
        var ids = Set(try await PatientRecord.query(on: db).filter(\.$practice.$id == practice.id)
            .filter(\.$birthDate == traits.birthDate.description).all(\.$id).compactMap { $0 })
        if !traits.phones.isEmpty {
            ids.formUnion(try await PatientPhoneRecord.query(on: db).filter(\.$practiceID == practice.id)
                .filter(\.$e164 ~~ traits.phones.map(\.e164)).all().map { $0.$patient.id })
        }
        if let excluding { ids.remove(excluding) }
        guard !ids.isEmpty else { return [] }
        let records = try await PatientRecord.query(on: db).filter(\.$id ~~ Array(ids)).filter(\.$mergedIntoID == nil).filter(\.$anonymisedAt == nil).all()
        let phones = try await PatientSearch.phones(of: records.map { $0.id! }, on: db)
        return records.compactMap { record in
            let reasons = traits.duplicateReasons(record.traits(phones: (phones[record.id!] ?? []).map(\.number)))
            return reasons.isEmpty ? nil : DuplicateCandidate(id: record.id!, displayName: record.displayName, birthDate: record.birthDate, reasons: reasons)
        }
        .sorted { ($0.reasons.count, $1.displayName) > ($1.reasons.count, $0.displayName) }
    }

    private static func apply(_ input: PatientInput, checked: PatientDraft.Checked, to record: PatientRecord) {
        record.birthplaceCode = checked.birthplaceCode
        record.insNIR = checked.nir?.value
        record.identityStatus = checked.identityStatus.rawValue
        record.email = checked.email
        record.address = input.address?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        record.preferredPractitionerID = input.preferredPractitionerId
        record.guardianName = input.guardianName?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        record.guardianPhone = checked.guardianPhone?.e164
        record.smsConsent = input.smsConsent ?? false
        record.emailConsent = input.emailConsent ?? false
        record.anxious = input.flags?.anxious ?? false
        record.hardOfHearing = input.flags?.hardOfHearing ?? false
        record.interpreterLanguage = input.flags?.interpreterLanguage?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        record.reducedMobility = input.flags?.reducedMobility ?? false
        record.noOnlineBooking = input.flags?.noOnlineBooking ?? false
        record.notes = input.notes ?? ""
    }

    /// Merges the record `id` into `target`, a person's decision with its reason: the appointments, holds and waiting-list
    /// entries of the duplicate move to the record kept (each change journaled, so both histories stay readable), its
    /// phone numbers are added to it, and the duplicate stays, marked merged, out of the search and the caller-ID match.
    static func merge(_ id: UUID?, into target: UUID?, reason: String, in practice: AuthorizedPractice, context: WriteContext,
                      on db: any Database) async throws -> PatientRecord {
        let duplicate = try await AgendaStore.find(PatientRecord.self, id, in: practice, practiceKey: \.$practice, on: db, what: "Patient")
        guard let target else { throw AppError.invalid("into", "choisissez le dossier à conserver") }
        guard let kept = try await PatientRecord.find(target, on: db), kept.$practice.id == practice.id else {
            throw AppError.invalid("into", "dossier inconnu dans ce cabinet")
        }
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [FieldError] = []
        if kept.id == duplicate.id { errors.append(.init(field: "into", reason: "un dossier ne se fusionne pas avec lui-même")) }
        if kept.mergedIntoID != nil || kept.anonymisedAt != nil { errors.append(.init(field: "into", reason: "ce dossier a déjà été fusionné ou anonymisé")) }
        if duplicate.mergedIntoID != nil || duplicate.anonymisedAt != nil { throw AppError.conflict("Ce dossier a déjà été fusionné ou anonymisé.") }
        if why.isEmpty { errors.append(.init(field: "reason", reason: "la raison de la fusion est obligatoire")) }
        if why.count > 500 { errors.append(.init(field: "reason", reason: "500 caractères au plus")) }
        if !errors.isEmpty { throw AppError.validation(errors) }
        let keptID = kept.id!, duplicateID = duplicate.id!
        let now = context.writer.clock.now()
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            for appointment in try await AppointmentRecord.query(on: tx).filter(\.$patient.$id == duplicateID).all() {
                appointment.$patient.id = keptID
                appointment.updatedAt = now
                try await appointment.update(on: tx)
                try await journal.record(.update, entity: "appointment", entityID: appointment.id!.uuidString, practiceID: practice.id,
                                         before: ["patientId": duplicateID.uuidString], after: ["patientId": keptID.uuidString, "merge": why])
            }
            try await HoldRecord.query(on: tx).filter(\.$patientID == duplicateID).set(\.$patientID, to: keptID).update()
            try await WaitingListEntryRecord.query(on: tx).filter(\.$patientID == duplicateID).set(\.$patientID, to: keptID).update()
            let keptPhones = try await PatientPhoneRecord.query(on: tx).filter(\.$patient.$id == keptID).sort(\.$position).all()
            let duplicatePhones = try await PatientPhoneRecord.query(on: tx).filter(\.$patient.$id == duplicateID).sort(\.$position).all()
            var phones = keptPhones.map { ($0.number, $0.label) }
            for phone in duplicatePhones where !phones.contains(where: { $0.0 == phone.number }) { phones.append((phone.number, phone.label)) }
            try await PatientSearch.replacePhones(of: kept, with: phones, on: tx)
            try await PatientPhoneRecord.query(on: tx).filter(\.$patient.$id == duplicateID).delete()
            duplicate.mergedIntoID = keptID
            duplicate.updatedAt = now
            try await duplicate.update(on: tx)
            try await journal.record(.merge, entity: "patient", entityID: duplicateID.uuidString, practiceID: practice.id,
                                     before: ["name": duplicate.displayName, "birthDate": duplicate.birthDate],
                                     after: ["mergedInto": keptID.uuidString, "kept": kept.displayName, "reason": why])
            try await journal.record(.merge, entity: "patient", entityID: keptID.uuidString, practiceID: practice.id,
                                     after: ["absorbed": duplicateID.uuidString, "duplicate": duplicate.displayName, "reason": why])
        }
        context.patientIndex.changed(practice.id, patients: [keptID, duplicateID])
        return kept
    }

    /// The merges of a practice, newest first, for review: who decided, when, why, and the two records.
    static func merges(in practice: AuthorizedPractice, on db: any Database) async throws -> [AuditEntryRecord] {
        try await AuditEntryRecord.query(on: db).filter(\.$practiceID == practice.id).filter(\.$entity == "patient")
            .filter(\.$action == AuditAction.merge.rawValue).sort(\.$id, .descending).limit(200).all()
            .filter { ($0.after ?? "").contains("mergedInto") }
    }

    /// Opens a record: the opening is traced in the audit journal (who, when, from which request), and the record shows
    /// who consulted it.
    static func open(_ id: UUID?, in practice: AuthorizedPractice, context: WriteContext, on db: any Database) async throws -> PatientRecordDTO {
        let record = try await AgendaStore.find(PatientRecord.self, id, in: practice, practiceKey: \.$practice, on: db, what: "Patient")
        try await context.writer.traceRead(on: context.database, actor: context.actor, requestID: context.requestID,
                                           entity: "patient", entityID: record.id!.uuidString, practiceID: practice.id)
        let phones = try await PatientSearch.phones(of: [record.id!], on: db)[record.id!] ?? []
        let readings = try await AuditEntryRecord.query(on: db).filter(\.$entity == "patient").filter(\.$entityID == record.id!.uuidString)
            .filter(\.$action == "read").sort(\.$id, .descending).limit(20).all()
        return PatientRecordDTO(record, phones: phones, consultedBy: readings.map {
            .init(at: ISOTimestamp.string($0.occurredAt, in: FrenchFormat.parisTimeZone), by: $0.actorLabel)
        })
    }
}

/// A whole patient record, as the API answers it (and as the journal keeps it, without the consultations).
struct PatientRecordDTO: Content {
    struct Consultation: Content { let at: String; let by: String }
    let id: UUID
    let displayName: String
    let birthName: String
    let firstNames: String
    let usedName: String?
    let birthDate: String
    let sex: String
    let birthplaceCode: String?
    let nir: String?
    let identityStatus: String
    let phones: [PatientsAPI.PatientSummaryDTO.Phone]
    let email: String?
    let address: String?
    let preferredPractitionerId: UUID?
    let guardianName: String?
    let guardianPhone: String?
    let smsConsent: Bool
    let emailConsent: Bool
    let flags: [String]
    let notes: String
    let consultedBy: [Consultation]?

    init(_ record: PatientRecord, phones: [PatientPhoneRecord], consultedBy: [Consultation]?) {
        id = record.id!
        displayName = record.displayName
        birthName = record.birthName
        firstNames = record.firstNames
        usedName = record.usedName
        birthDate = record.birthDate
        sex = record.sex
        birthplaceCode = record.birthplaceCode
        nir = record.insNIR
        identityStatus = record.identityStatus
        self.phones = phones.map { .init(number: $0.e164, display: $0.number.display, label: $0.label) }
        email = record.email
        address = record.address
        preferredPractitionerId = record.preferredPractitionerID
        guardianName = record.guardianName
        guardianPhone = record.guardianPhone
        smsConsent = record.smsConsent
        emailConsent = record.emailConsent
        flags = record.flagLabels
        notes = record.notes
        self.consultedBy = consultedBy
    }
}

extension PatientRecord {
    /// What the secretary must see at once, in her words.
    var flagLabels: [String] {
        var labels: [String] = []
        if anxious { labels.append("Appelant anxieux : rassurer, reformuler") }
        if hardOfHearing { labels.append("Malentendant : parler lentement, confirmer par écrit") }
        if let language = interpreterLanguage { labels.append("Interprète nécessaire (\(language))") }
        if reducedMobility { labels.append("Mobilité réduite") }
        if noOnlineBooking { labels.append("Pas de réservation en ligne") }
        return labels
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
