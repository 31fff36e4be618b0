import Fluent
import SQLKit

/// Telephony: the center's secret that signs the phone system's call events, each secretary's extension (where a
/// ringing call pops), and the events received (one per call and kind: a replay is refused).
struct CreateTelephony: AsyncMigration {
    var name: String { "0015_CreateTelephony" }

    func prepare(on database: any Database) async throws {
        try await database.schema("centers").field("telephony_secret", .string).update()
        try await database.schema("users").field("telephony_extension", .string).update()
        try await database.schema("telephony_events")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            /// The phone system's own id of the call.
            .field("provider_call_id", .string, .required)
            /// ringing, answered, transferred, ended.
            .field("kind", .string, .required)
            .field("caller_number", .string, .required)
            .field("dialled_number", .string, .required)
            .field("extension", .string)
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            /// The journal entry opened when a secretary took the call.
            .field("call_id", .uuid, .references("calls", "id"))
            .field("taken_by_label", .string)
            .field("received_at", .datetime, .required)
            .unique(on: "provider_call_id", "kind")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "telephony_events_practice_received").on("telephony_events").column("practice_id").column("received_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("telephony_events").delete()
        try await database.schema("users").deleteField("telephony_extension").update()
        try await database.schema("centers").deleteField("telephony_secret").update()
    }
}
