import Fluent
import SQLKit

/// Indexes for the retention sweep (`Retention`), and the end of keys left "in progress" by a crash: since a key now
/// commits with its answer, a key without one is a leftover that would refuse its retries for ever.
struct IndexRetention: AsyncMigration {
    var name: String { "0018_IndexRetention" }

    private static let indexes = [("idempotency_keys", "created_at"), ("login_sessions", "expires_at"), ("api_tokens", "expires_at")]

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for (table, column) in Self.indexes {
            try await sql.create(index: "\(table)_\(column)").on(table).column(column).run()
        }
        try await sql.delete(from: "idempotency_keys").where("status_code", .is, SQLLiteral.null).run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for (table, column) in Self.indexes {
            try await sql.drop(index: "\(table)_\(column)").run()
        }
    }
}
