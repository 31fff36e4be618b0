import Domain
import Fluent
import Foundation

/// Reads of practices; every call that touches one practice's data takes its authorisation.
enum PracticeStore {
    /// The practices this user may reach, by name.
    static func visible(to principal: Principal, on db: any Database) async throws -> [PracticeRecord] {
        let query = PracticeRecord.query(on: db).sort(\.$name)
        if !principal.role.seesEveryPractice {
            query.filter(\.$id ~~ Array(principal.assignedPractices))
        }
        return try await query.all()
    }

    static func practice(_ practice: AuthorizedPractice, on db: any Database) async throws -> PracticeRecord {
        guard let record = try await PracticeRecord.find(practice.id, on: db) else { throw AppError.notFound(what: "Cabinet") }
        return record
    }

    static func practitioners(of practice: AuthorizedPractice, on db: any Database) async throws -> [PractitionerRecord] {
        try await PractitionerRecord.query(on: db)
            .filter(\.$practice.$id == practice.id)
            .sort(\.$lastName).sort(\.$firstName)
            .all()
    }

    static func practitioner(_ id: UUID?, of practice: AuthorizedPractice, on db: any Database) async throws -> PractitionerRecord {
        try await AgendaStore.find(PractitionerRecord.self, id, in: practice, practiceKey: \.$practice, on: db, what: "Praticien")
    }

    /// Sets how the center reaches a practitioner (numbers, notice e-mail), journaled; a refusal names each field and
    /// changes nothing.
    static func setContact(of practitioner: PractitionerRecord, mobilePhone: String?, directPhone: String?, noticeEmail: String?,
                           in practice: AuthorizedPractice, context: WriteContext) async throws {
        let contact: PractitionerContact
        switch PractitionerContact.parse(mobilePhone: mobilePhone, directPhone: directPhone, noticeEmail: noticeEmail) {
        case .success(let value): contact = value
        case .failure(let problems): throw AppError.validation(problems.list.map { FieldError(field: $0.field, reason: $0.reason) })
        }
        let before = practitioner.contactState
        practitioner.mobilePhone = contact.mobilePhone?.e164
        practitioner.directPhone = contact.directPhone?.e164
        practitioner.noticeEmail = contact.noticeEmail
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await practitioner.update(on: tx)
            try await journal.record(.update, entity: "practitioner", entityID: practitioner.id!.uuidString, practiceID: practice.id,
                                     before: before, after: practitioner.contactState)
        }
    }

    /// "Dr Martin" by practitioner id.
    static func practitionerNames(of practice: AuthorizedPractice, on db: any Database) async throws -> [UUID: String] {
        try await practitioners(of: practice, on: db).namesByID
    }

    /// The appointments of the practice starting in [from, to), in time order.
    static func appointments(of practice: AuthorizedPractice, from: Date, to: Date, on db: any Database) async throws -> [AppointmentRecord] {
        try await AppointmentRecord.query(on: db)
            .filter(\.$practice.$id == practice.id)
            .filter(\.$startsAt >= from)
            .filter(\.$startsAt < to)
            .sort(\.$startsAt)
            .all()
    }

    /// How many appointments still stand (not cancelled nor entered in error) in [from, to).
    static func standingAppointmentCount(of practice: AuthorizedPractice, from: Date, to: Date, on db: any Database) async throws -> Int {
        try await AppointmentRecord.query(on: db)
            .filter(\.$practice.$id == practice.id)
            .filter(\.$startsAt >= from)
            .filter(\.$startsAt < to)
            .filter(\.$status !~ ["cancelled", "entered-in-error"])
            .count()
    }

    static func patientCount(of practice: AuthorizedPractice, on db: any Database) async throws -> Int {
        try await PatientRecord.query(on: db).filter(\.$practice.$id == practice.id).count()
    }
}

extension [PractitionerRecord] {
    /// Each practitioner's display name by id.
    var namesByID: [UUID: String] { Dictionary(uniqueKeysWithValues: map { ($0.id!, $0.displayName) }) }
}
