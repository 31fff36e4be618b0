import Domain
import Fluent
import Foundation
import SQLKit

/// The full patient record (identity vigilance, contacts, consents, flags the secretary sees at once), its phone
/// numbers in E.164 (a family may share one: the caller-ID match reads them), and the folded words of its names that
/// the search looks up by prefix. Existing patients get their phone and search words.
struct CreatePatientRecords: AsyncMigration {
    var name: String { "0010_CreatePatientRecords" }

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        // One column per statement: SQLite adds columns one at a time.
        let columns: [(String, DatabaseSchema.DataType, [DatabaseSchema.FieldConstraint])] = [
            ("birthplace_code", .string, []), ("ins_nir", .string, []),
            ("identity_status", .string, [.required, .sql(.default("provisoire"))]),
            ("address", .string, []), ("preferred_practitioner_id", .uuid, []),
            ("guardian_name", .string, []), ("guardian_phone", .string, []),
            ("sms_consent", .bool, [.required, .sql(.default(false))]), ("email_consent", .bool, [.required, .sql(.default(false))]),
            ("flag_anxious", .bool, [.required, .sql(.default(false))]), ("flag_hard_of_hearing", .bool, [.required, .sql(.default(false))]),
            ("interpreter_language", .string, []), ("flag_reduced_mobility", .bool, [.required, .sql(.default(false))]),
            ("flag_no_online_booking", .bool, [.required, .sql(.default(false))]),
            ("notes", .string, [.required, .sql(.default(""))]),
            ("merged_into_id", .uuid, []), ("anonymised_at", .datetime, []), ("updated_at", .datetime, []),
        ]
        for (name, type, constraints) in columns {
            try await database.schema("patients").field(.definition(name: .key(.init(stringLiteral: name)), dataType: type, constraints: constraints)).update()
        }

        try await database.schema("patient_phones")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("patient_id", .uuid, .required, .references("patients", "id"))
            .field("e164", .string, .required)
            .field("label", .string, .required)
            .field("position", .int, .required)
            .unique(on: "patient_id", "e164")
            .create()
        try await sql.create(index: "patient_phones_practice_number").on("patient_phones").column("practice_id").column("e164").run()

        try await database.schema("patient_search_terms")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("patient_id", .uuid, .required, .references("patients", "id"))
            .field("term", .string, .required)
            .create()
        try await sql.create(index: "patient_search_terms_practice_term").on("patient_search_terms").column("practice_id").column("term").run()
        try await sql.create(index: "patient_search_terms_patient").on("patient_search_terms").column("patient_id").run()

        // The patients already there: their one phone number becomes their first, and their names are indexed.
        struct Existing: Decodable { let id: UUID; let practice_id: UUID; let birth_name: String; let first_names: String; let used_name: String?; let phone: String? }
        let existing = try await sql.select().columns("id", "practice_id", "birth_name", "first_names", "used_name", "phone").from("patients")
            .all(decoding: Existing.self)
        // Written with plain SQL so that this migration does not change when the models do.
        var phones: [[any SQLExpression]] = []
        var terms: [[any SQLExpression]] = []
        for patient in existing {
            if let phone = patient.phone, !phone.isEmpty {
                phones.append([SQLBind(UUID()), SQLBind(patient.practice_id), SQLBind(patient.id), SQLBind(phone),
                               SQLBind(PhoneNumber(e164: phone).isFrenchMobile ? "portable" : "fixe"), SQLBind(0)])
            }
            for term in PatientSearchTerms.terms(birthName: patient.birth_name, usedName: patient.used_name, firstNames: patient.first_names) {
                terms.append([SQLBind(UUID()), SQLBind(patient.practice_id), SQLBind(patient.id), SQLBind(term)])
            }
        }
        for chunk in phones.chunked(by: 500) {
            try await sql.insert(into: "patient_phones").columns("id", "practice_id", "patient_id", "e164", "label", "position").rows(chunk).run()
        }
        for chunk in terms.chunked(by: 500) {
            try await sql.insert(into: "patient_search_terms").columns("id", "practice_id", "patient_id", "term").rows(chunk).run()
        }
        // The numbers live in patient_phones from now on (SQLite drops columns since 3.35).
        try await sql.raw("ALTER TABLE patients DROP COLUMN phone").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("ALTER TABLE patients ADD COLUMN phone TEXT").run()
        try await database.schema("patient_search_terms").delete()
        try await database.schema("patient_phones").delete()
        for name in ["birthplace_code", "ins_nir", "identity_status", "address", "preferred_practitioner_id", "guardian_name", "guardian_phone",
                     "sms_consent", "email_consent", "flag_anxious", "flag_hard_of_hearing", "interpreter_language", "flag_reduced_mobility",
                     "flag_no_online_booking", "notes", "merged_into_id", "anonymised_at", "updated_at"] {
            try await database.schema("patients").deleteField(.init(stringLiteral: name)).update()
        }
    }
}
