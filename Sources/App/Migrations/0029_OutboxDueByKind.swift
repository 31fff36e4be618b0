import Fluent
import SQLKit

/// The outbox looks for the practitioners' notices and the webhooks (rows without a kind) before each batch of
/// patients' messages; by (state, next attempt) alone that look walked every reminder of the day due before them.
/// This index finds them directly.
struct OutboxDueByKind: AsyncMigration {
    var name: String { "0029_OutboxDueByKind" }

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.create(index: "outbox_due_kind").on("outbox_messages").column("state").column("kind").column("next_attempt_at").run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).drop(index: "outbox_due_kind").run()
    }
}
