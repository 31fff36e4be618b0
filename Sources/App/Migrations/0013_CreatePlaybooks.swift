import Fluent
import SQLKit

/// Each practice's versioned documents — its playbook (sheet and procedures) and its triage protocol, a new row per
/// save, never changed afterwards — and the triage records: every question asked and answered, the level, any change
/// of level with its reason, the action taken, and the protocol version followed.
struct CreatePlaybooks: AsyncMigration {
    var name: String { "0013_CreatePlaybooks" }

    func prepare(on database: any Database) async throws {
        try await database.schema("practice_documents")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            /// playbook, triage-protocol.
            .field("kind", .string, .required)
            .field("version", .int, .required)
            /// The document as JSON.
            .field("content", .string, .required)
            /// What changed, in the author's words.
            .field("note", .string, .required)
            .field("created_by", .uuid)
            .field("created_by_label", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "practice_id", "kind", "version")
            .create()

        try await database.schema("triage_evaluations")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("patient_id", .uuid, .references("patients", "id"))
            /// The call it belongs to, once calls are journaled.
            .field("call_id", .uuid)
            .field("protocol_version", .int, .required)
            /// Every question asked, in order, with its answer, as JSON.
            .field("answers", .string, .required)
            .field("computed_level", .int, .required)
            .field("final_level", .int, .required)
            .field("level_reason", .string)
            .field("orientation", .string, .required)
            .field("action", .string)
            .field("created_by", .uuid)
            .field("created_by_label", .string, .required)
            .field("created_at", .datetime)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "triage_evaluations_practice_created").on("triage_evaluations").column("practice_id").column("created_at").run()
        try await sql.create(index: "triage_evaluations_patient").on("triage_evaluations").column("patient_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("triage_evaluations").delete()
        try await database.schema("practice_documents").delete()
    }
}
