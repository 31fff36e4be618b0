import Domain
import Fluent
import Foundation
import Vapor

/// A patient's whole file, as handed to the patient who asks for it (RGPD right of access): the record, every
/// appointment, the waiting-list entries, the history of changes and every consultation of the record.
struct PatientFileDTO: Content {
    struct Practice: Content { let id: UUID; let name: String; let address: String }
    struct Appointment: Content {
        let id: UUID
        let start: String
        let end: String
        let practitioner: String
        let motif: String
        let status: String
        let source: String?
        let notes: String?
        let cancellation: AppointmentDTO.Cancellation?
    }
    struct Event: Content { let at: String; let by: String; let action: String; let entity: String; let entityId: String }
    struct Call: Content { let id: UUID; let openedAt: String; let callerNumber: String; let reasons: String; let notes: String; let outcome: String? }
    struct Transmission: Content {
        let id: UUID; let sentAt: String; let practitioner: String; let priority: String; let subject: String; let message: String
        let callbackNumber: String; let state: String; let answer: String?
    }
    struct Task: Content { let id: UUID; let createdAt: String; let title: String; let details: String; let phone: String; let state: String; let outcome: String? }
    struct Triage: Content {
        let id: UUID; let at: String; let level: Int; let orientation: String; let answers: String; let callerName: String?; let callbackNumber: String?
    }

    let exportedAt: String
    let practice: Practice
    let patient: PatientRecordDTO
    let mergedRecords: [UUID]
    let appointments: [Appointment]
    let waitingList: [WaitingListEntryDTO]
    let calls: [Call]
    let transmissions: [Transmission]
    let tasks: [Task]
    let triages: [Triage]
    let history: [Event]
    let consultations: [PatientRecordDTO.Consultation]
}

/// What was done to a record that was erased or anonymised.
struct ErasureResult: Content {
    let patientId: UUID
    let mode: String
    let records: Int
    let appointments: Int
}

/// The patient's rights over their file (RGPD): the export, and the erasure or anonymisation the retention rules allow.
enum PatientRights {
    enum Mode: String { case erase, anonymise }

    /// The whole file of a patient (and of the records merged into it); handing it out is journaled.
    static func export(_ id: UUID?, in practice: AuthorizedPractice, context: WriteContext, now: Date, on db: any Database) async throws -> PatientFileDTO {
        let record = try await AgendaStore.find(PatientRecord.self, id, in: practice, practiceKey: \.$practice, on: db, what: "Patient")
        let owner = try await PracticeStore.practice(practice, on: db)
        let zone = TimeZone(identifier: owner.timeZone) ?? FrenchFormat.parisTimeZone
        let ids = try await recordIDs(of: record, on: db)
        let appointments = try await AppointmentRecord.query(on: db).filter(\.$practice.$id == practice.id).filter(\.$patient.$id ~~ ids)
            .sort(\.$startsAt).all()
        let names = try await PracticeStore.practitionerNames(of: practice, on: db)
        let waiting = try await WaitingListEntryRecord.query(on: db).filter(\.$practice.$id == practice.id).filter(\.$patientID ~~ ids).all()
        let traces = try await PatientTraces.of(ids, in: practice.id, on: db)
        let entities = ids.map(\.uuidString) + appointments.map { $0.id!.uuidString } + traces.entityIDs
        let entries = try await AuditEntryRecord.query(on: db).filter(\.$practiceID == practice.id).filter(\.$entityID ~~ entities)
            .sort(\.$id).all()
        func when(_ date: Date) -> String { ISOTimestamp.string(date, in: zone) }
        let phones = try await PatientSearch.phones(of: [record.id!], on: db)[record.id!] ?? []
        let file = PatientFileDTO(
            exportedAt: when(now),
            practice: .init(id: practice.id, name: owner.name, address: owner.address),
            patient: PatientRecordDTO(record, phones: phones, consultedBy: nil),
            mergedRecords: ids.filter { $0 != record.id },
            appointments: appointments.map { appointment in
                .init(id: appointment.id!, start: when(appointment.startsAt), end: when(appointment.endsAt),
                      practitioner: names[appointment.$practitioner.id] ?? "", motif: appointment.reason, status: appointment.statusValue.label,
                      source: appointment.source, notes: appointment.notes,
                      cancellation: appointment.cancellationParty.map { .init(party: $0, reason: appointment.cancellationReason ?? "") })
            },
            waitingList: waiting.map { WaitingListEntryDTO($0, zone: zone) },
            calls: traces.calls.map {
                .init(id: $0.id!, openedAt: when($0.openedAt), callerNumber: $0.callerNumber, reasons: $0.reasonsText, notes: $0.notes, outcome: $0.outcomeText)
            },
            transmissions: traces.transmissions.map {
                .init(id: $0.id!, sentAt: when($0.sentAt), practitioner: names[$0.practitionerID] ?? "", priority: $0.priorityText, subject: $0.subject,
                      message: $0.message, callbackNumber: $0.callbackNumber, state: $0.stateText, answer: $0.answer)
            },
            tasks: traces.tasks.map {
                .init(id: $0.id!, createdAt: when($0.createdAt), title: $0.title, details: $0.details, phone: $0.phone, state: $0.state, outcome: $0.outcome)
            },
            triages: traces.triages.map {
                .init(id: $0.id!, at: $0.createdAt.map(when) ?? "", level: $0.finalLevel, orientation: $0.orientation, answers: $0.answers,
                      callerName: $0.callerName, callbackNumber: $0.callbackNumber)
            },
            history: entries.filter { $0.action != AuditAction.read.rawValue }.map {
                .init(at: when($0.occurredAt), by: $0.actorLabel, action: $0.action, entity: $0.entity, entityId: $0.entityID)
            },
            consultations: entries.filter { $0.action == AuditAction.read.rawValue }.map { .init(at: when($0.occurredAt), by: $0.actorLabel) })
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { _, journal in
            try await journal.record(.export, entity: "patient", entityID: record.id!.uuidString, practiceID: practice.id)
        }
        return file
    }

    /// Why the record may not be erased or anonymised now (the retention rule, or appointments still to come); nil
    /// when it may.
    static func refusal(of record: PatientRecord, in practice: AuthorizedPractice, now: Date, on db: any Database) async throws -> String? {
        let ids = try await recordIDs(of: record, on: db)
        let appointments = try await AppointmentRecord.query(on: db).filter(\.$practice.$id == practice.id).filter(\.$patient.$id ~~ ids).all()
        let coming = appointments.filter { $0.statusValue.occupiesTime && $0.endsAt > now }.count
        if coming > 0 {
            return coming == 1 ? "Un rendez-vous est encore à venir : annulez-le d'abord."
                : "\(coming) rendez-vous sont encore à venir : annulez-les d'abord."
        }
        let zone = FrenchFormat.parisTimeZone
        let lastVisit = appointments.filter { $0.statusValue == .arrived || $0.statusValue == .fulfilled }.map(\.startsAt).max()
            .map { LocalDate($0, in: zone) }
        return RetentionRule.refusal(birthDate: LocalDate(iso: record.birthDate) ?? LocalDate(year: 1, month: 1, day: 1),
                                     lastVisit: lastVisit, today: LocalDate(now, in: zone))
    }

    /// Erases (deletes the record, the records merged into it and everything attached) or anonymises (keeps the
    /// appointments for the practice's figures, without any trait or free text that identifies the patient) —
    /// only when the retention rules allow it; otherwise 409 with the reason, and nothing changes.
    static func erase(_ id: UUID?, mode rawMode: String, reason: String, in practice: AuthorizedPractice, context: WriteContext,
                      now: Date, on db: any Database) async throws -> ErasureResult {
        let record = try await AgendaStore.find(PatientRecord.self, id, in: practice, practiceKey: \.$practice, on: db, what: "Patient")
        var errors: [FieldError] = []
        let mode = Mode(rawValue: rawMode)
        if mode == nil { errors.append(.init(field: "mode", reason: "« erase » (effacer) ou « anonymise » (anonymiser)")) }
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if why.isEmpty { errors.append(.init(field: "reason", reason: "la raison (demande du patient, fin de conservation…) est obligatoire")) }
        if why.count > 500 { errors.append(.init(field: "reason", reason: "500 caractères au plus")) }
        if !errors.isEmpty { throw AppError.validation(errors) }
        guard record.mergedIntoID == nil else { throw AppError.conflict("Ce dossier a été fusionné : effacez ou anonymisez le dossier conservé.") }
        guard record.anonymisedAt == nil else { throw AppError.conflict("Ce dossier est déjà anonymisé.") }
        if let refusal = try await refusal(of: record, in: practice, now: now, on: db) { throw AppError.conflict(refusal) }
        let ids = try await recordIDs(of: record, on: db)
        let traces = try await PatientTraces.of(ids, in: practice.id, on: db)
        if let refusal = traces.refusal { throw AppError.conflict(refusal) }
        let patientID = record.id!
        let appointmentCount = try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            let appointments = try await AppointmentRecord.query(on: tx).filter(\.$patient.$id ~~ ids).all()
            try await HoldRecord.query(on: tx).filter(\.$patientID ~~ ids).set(\.$patientID, to: nil).update()
            try await WaitingListEntryRecord.query(on: tx).filter(\.$patientID ~~ ids).delete()
            try await PatientPhoneRecord.query(on: tx).filter(\.$patient.$id ~~ ids).delete()
            try await traces.clear(placeholder: PatientTraces.placeholder(for: patientID, erased: mode == .erase), detach: mode == .erase, on: tx)
            // The journal keeps who did what and when; the states that named the patient go (the seal holds their digest).
            let named = ids.map(\.uuidString) + appointments.map { $0.id!.uuidString } + traces.entityIDs
            try await AuditEntryRecord.query(on: tx).filter(\.$entityID ~~ named).filter(\.$chainVersion >= AuditChain.currentVersion)
                .filter(\.$payloadErasedAt == nil).set(\.$before, to: nil).set(\.$after, to: nil).set(\.$payloadErasedAt, to: now).update()
            switch mode! {
            case .erase:
                let appointmentIDs = appointments.map { $0.id! }
                if !appointmentIDs.isEmpty {
                    try await CallLinkRecord.query(on: tx).filter(\.$targetID ~~ appointmentIDs).delete()
                    try await SlotOccupancyRecord.query(on: tx).filter(\.$appointmentID ~~ appointmentIDs).delete()
                    try await AppointmentRecord.query(on: tx).filter(\.$id ~~ appointmentIDs).delete()
                }
                try await PatientRecord.query(on: tx).filter(\.$mergedIntoID == patientID).delete()
                try await PatientRecord.query(on: tx).filter(\.$id == patientID).delete()
                for id in ids {
                    try await journal.record(.erase, entity: "patient", entityID: id.uuidString, practiceID: practice.id,
                                             after: ["reason": why, "appointments": String(appointments.count)])
                }
            case .anonymise:
                for appointment in appointments {
                    appointment.notes = nil
                    appointment.overrideReason = appointment.overrideReason.map { _ in "—" }
                    appointment.cancellationReason = appointment.cancellationReason.map { _ in "—" }
                    try await appointment.update(on: tx)
                }
                for patient in try await PatientRecord.query(on: tx).filter(\.$id ~~ ids).all() {
                    anonymise(patient, now: now)
                    try await patient.update(on: tx)
                    try await journal.record(.anonymise, entity: "patient", entityID: patient.id!.uuidString, practiceID: practice.id,
                                             after: ["reason": why])
                }
            }
            return appointments.count
        }
        context.patientIndex.changed(practice.id, patients: ids)
        return ErasureResult(patientId: patientID, mode: mode!.rawValue, records: ids.count, appointments: appointmentCount)
    }

    /// Keeps only what the practice's figures need: the year of birth and the sex.
    private static func anonymise(_ patient: PatientRecord, now: Date) {
        patient.birthName = "ANONYME"
        patient.firstNames = "Anonyme"
        patient.usedName = nil
        patient.birthDate = String(patient.birthDate.prefix(4)) + "-01-01"
        patient.birthplaceCode = nil
        patient.insNIR = nil
        patient.identityStatus = IdentityStatus.provisoire.rawValue
        patient.email = nil
        patient.address = nil
        patient.preferredPractitionerID = nil
        patient.guardianName = nil
        patient.guardianPhone = nil
        patient.smsConsent = false
        patient.emailConsent = false
        patient.anxious = false
        patient.hardOfHearing = false
        patient.interpreterLanguage = nil
        patient.reducedMobility = false
        patient.noOnlineBooking = false
        patient.notes = ""
        patient.anonymisedAt = now
        patient.updatedAt = now
    }

    /// The record and the records merged into it: one person's file.
    private static func recordIDs(of record: PatientRecord, on db: any Database) async throws -> [UUID] {
        [record.id!] + (try await PatientRecord.query(on: db).filter(\.$mergedIntoID == record.id!).all(\.$id).compactMap { $0 })
    }
}
