import Fluent

/// Motifs are archived, never deleted, once something names them (`MotifUsage`): when one was.
struct ArchivedMotifs: AsyncMigration {
    var name: String { "0023_ArchivedMotifs" }

    func prepare(on database: any Database) async throws {
        try await database.schema("motifs").field("archived_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("motifs").deleteField("archived_at").update()
    }
}
