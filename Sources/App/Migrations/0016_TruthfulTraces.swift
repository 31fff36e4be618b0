import Domain
import Fluent
import SQLKit

/// Traces that tell the truth: practitioners' contact numbers and notice e-mail for the center only; a triage's
/// subject (age, who speaks), callback, script read and the transmission it made; an appointment's last status change
/// (when, why) so that it can be undone the same day; overseas numbers stored with their own country codes.
struct TruthfulTraces: AsyncMigration {
    var name: String { "0016_TruthfulTraces" }

    /// SQLite adds one column per statement.
    static let columns: [(table: String, name: String, type: DatabaseSchema.DataType)] = [
        ("practitioners", "mobile_phone", .string), ("practitioners", "direct_phone", .string), ("practitioners", "notice_email", .string),
        ("triage_evaluations", "transmission_id", .uuid), ("triage_evaluations", "age_months", .int),
        ("triage_evaluations", "caller_is_patient", .bool), ("triage_evaluations", "caller_name", .string),
        ("triage_evaluations", "callback_number", .string), ("triage_evaluations", "script", .string),
        ("triage_evaluations", "transmission_needed", .bool),
        ("appointments", "status_changed_at", .datetime), ("appointments", "status_reason", .string),
        ("outbox_messages", "practitioner_id", .uuid),
    ]

    func prepare(on database: any Database) async throws {
        for column in Self.columns {
            try await database.schema(column.table).field(.definition(name: .key(.string(column.name)), dataType: column.type, constraints: [])).update()
        }
        // Overseas numbers written nationally were stored as +33…: the caller-ID could not find them.
        let sql = database as! any SQLDatabase
        for (table, column) in [("patient_phones", "e164"), ("patients", "guardian_phone"), ("calls", "caller_number"),
                                ("transmissions", "callback_number"), ("tasks", "phone")] {
            for (prefix, code) in PhoneNumber.overseasPrefixes.sorted(by: { $0.key < $1.key }) {
                try await sql.raw("""
                    UPDATE \(ident: table) SET \(ident: column) = \(bind: "+" + code) || substr(\(ident: column), 4)
                    WHERE \(ident: column) LIKE \(bind: "+33" + prefix + "%") AND length(\(ident: column)) = 12
                    """).run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        for column in Self.columns.reversed() {
            try await database.schema(column.table).deleteField(.key(.string(column.name))).update()
        }
    }

}
