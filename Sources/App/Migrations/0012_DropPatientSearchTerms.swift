import Fluent
import SQLKit

/// The search and the caller-ID answer from the in-memory index per practice (`PatientIndex`) and the duplicate check
/// reads by date of birth and phone number: nothing reads the folded name words any more, and an import spent more
/// than half of its rows writing them.
struct DropPatientSearchTerms: AsyncMigration {
    var name: String { "0012_DropPatientSearchTerms" }

    func prepare(on database: any Database) async throws {
        try await database.schema("patient_search_terms").delete()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("patient_search_terms")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("patient_id", .uuid, .required, .references("patients", "id"))
            .field("term", .string, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "patient_search_terms_practice_term").on("patient_search_terms").column("practice_id").column("term").run()
        try await sql.create(index: "patient_search_terms_patient").on("patient_search_terms").column("patient_id").run()
    }
}
