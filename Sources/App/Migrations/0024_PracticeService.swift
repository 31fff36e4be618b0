import Fluent
import Foundation
import SQLKit

/// Putting a practice into service without the demo: its département, access, the hours the center answers for it and
/// what is said outside them, the date service starts, its suspension, when it went live and which triage protocol
/// version a practitioner reviewed; its dialled numbers (several, unique across the
/// center, the former single `phone` carried over); a practitioner's backup and deactivation.
struct PracticeService: AsyncMigration {
    var name: String { "0024_PracticeService" }

    func prepare(on database: any Database) async throws {
        // SQLite adds one column per statement.
        let practiceColumns: [(String, DatabaseSchema.DataType, [DatabaseSchema.FieldConstraint])] = [
            ("departement", .string, []),
            ("access", .string, [.required, .sql(.default(""))]),
            ("coverage", .string, [.required, .sql(.default(""))]),
            ("outside_hours_message", .string, [.required, .sql(.default(""))]),
            ("service_starts_on", .string, []),
            ("suspended_at", .datetime, []),
            ("suspension_reason", .string, []),
            ("live_at", .datetime, []),
            ("triage_reviewed_version", .int, []),
            ("triage_reviewed_by", .string, []),
            ("triage_reviewed_at", .datetime, []),
        ]
        for (name, type, constraints) in practiceColumns {
            try await database.schema("practices")
                .field(.definition(name: .key(.init(stringLiteral: name)), dataType: type, constraints: constraints)).update()
        }
        try await database.schema("practice_numbers")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("number", .string, .required)
            .field("label", .string)
            .field("position", .int, .required)
            .field("created_at", .datetime)
            .unique(on: "number")
            .create()
        let sql = database as! any SQLDatabase
        // The practices already answered for are live.
        try await sql.update("practices").set("live_at", to: SQLBind(Date())).run()
        struct Row: Decodable { let id: UUID; let phone: String }
        for row in try await sql.select().columns("id", "phone").from("practices").all(decoding: Row.self) {
            try await sql.insert(into: "practice_numbers")
                .columns("id", "practice_id", "number", "position")
                .values(SQLBind(UUID()), SQLBind(row.id), SQLBind(row.phone), SQLBind(0))
                .run()
        }
        try await database.schema("practitioners").field("backup_practitioner_id", .uuid, .references("practitioners", "id")).update()
        try await database.schema("practitioners").field("deactivated_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("practitioners").deleteField("deactivated_at").update()
        try await database.schema("practitioners").deleteField("backup_practitioner_id").update()
        try await database.schema("practice_numbers").delete()
        for column in ["triage_reviewed_at", "triage_reviewed_by", "triage_reviewed_version", "live_at", "suspension_reason", "suspended_at", "service_starts_on", "outside_hours_message", "coverage", "access", "departement"] {
            try await database.schema("practices").deleteField(.key(.init(stringLiteral: column))).update()
        }
    }
}
