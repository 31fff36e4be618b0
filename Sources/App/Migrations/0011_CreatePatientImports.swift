import Fluent

/// Files of patients brought from a practice's previous software: kept between the dry run and the import (the
/// content is cleared once imported), with the report of the rows left out.
struct CreatePatientImports: AsyncMigration {
    var name: String { "0011_CreatePatientImports" }

    func prepare(on database: any Database) async throws {
        try await database.schema("patient_imports")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("created_by", .uuid)
            .field("created_by_label", .string, .required)
            .field("created_at", .datetime)
            .field("file_name", .string, .required)
            .field("encoding", .string, .required)
            .field("separator", .string, .required)
            .field("content", .string, .required)
            /// The field of each column, as a JSON array.
            .field("mapping", .string, .required)
            /// checked, imported.
            .field("state", .string, .required)
            .field("row_count", .int, .required)
            .field("accepted_count", .int, .required)
            /// The rows left out, with their reasons, as JSON.
            .field("rejections", .string, .required)
            .field("imported_at", .datetime)
            .field("imported_count", .int)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("patient_imports").delete()
    }
}
