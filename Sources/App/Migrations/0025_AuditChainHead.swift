import Fluent
import SQLKit

/// The journal's head in a row of its own, kept by the database: a trigger moves it with every entry written and with
/// every entry re-sealed. Reading that row `FOR UPDATE` is both the chain's lock and its head in one statement, so an
/// append holds the lock for three round trips (head, entry, commit) instead of four (lock, head, entry, commit).
struct AuditChainHead: AsyncMigration {
    var name: String { "0025_AuditChainHead" }

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await database.schema("audit_chain_head")
            .field("id", .int, .identifier(auto: false))
            .field("seq", .int64, .required)
            .field("hash", .string, .required)
            .create()
        let last = try await AuditEntryRecord.query(on: database).sort(\.$id, .descending).first()
        try await sql.insert(into: "audit_chain_head").columns("id", "seq", "hash")
            .values(SQLBind(1), SQLBind(last?.id ?? 0), SQLBind(last?.hash ?? AuditChain.genesisHash)).run()
        if sql.dialect.name == "postgresql" {
            // The head beside the entries, whatever the caller's search path (test runs each have their schema, and a
            // restore may put the tables in another).
            try await sql.raw("""
                CREATE FUNCTION audit_chain_head_follow() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    EXECUTE format('UPDATE %I.audit_chain_head SET seq = $1, hash = $2 WHERE id = 1 AND seq <= $1', TG_TABLE_SCHEMA)
                        USING NEW.seq, NEW.hash;
                    RETURN NULL;
                END $$
                """).run()
            try await sql.raw("""
                CREATE TRIGGER audit_chain_head_follow AFTER INSERT OR UPDATE OF hash ON audit_entries
                FOR EACH ROW EXECUTE FUNCTION audit_chain_head_follow()
                """).run()
        } else {
            for event in ["INSERT", "UPDATE OF hash"] {
                try await sql.raw("""
                    CREATE TRIGGER audit_chain_head_follow_\(unsafeRaw: event == "INSERT" ? "insert" : "reseal") AFTER \(unsafeRaw: event) ON audit_entries
                    BEGIN UPDATE audit_chain_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1 AND seq <= NEW.seq; END
                    """).run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP TRIGGER IF EXISTS audit_chain_head_follow ON audit_entries").run()
            try await sql.raw("DROP FUNCTION IF EXISTS audit_chain_head_follow()").run()
        } else {
            try await sql.raw("DROP TRIGGER IF EXISTS audit_chain_head_follow_insert").run()
            try await sql.raw("DROP TRIGGER IF EXISTS audit_chain_head_follow_reseal").run()
        }
        try await database.schema("audit_chain_head").delete()
    }
}
