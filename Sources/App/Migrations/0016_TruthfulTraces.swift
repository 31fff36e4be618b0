import Domain
import Fluent
import SQLKit

/// Traces that tell the truth: practitioners' contact numbers and notice e-mail for the center only; a triage's
/// subject (age, who speaks), callback, script read and the transmission it made; an appointment's last status change
/// (when, why) so that it can be undone the same day; overseas numbers stored with their own country codes.
struct TruthfulTraces: AsyncMigration {
    var name: String { "0016_TruthfulTraces" }

    func prepare(on database: any Database) async throws {
        try await database.schema("practitioners")
            .field("mobile_phone", .string)
            .field("direct_phone", .string)
            .field("notice_email", .string)
            .update()
        try await database.schema("triage_evaluations")
            .field("transmission_id", .uuid, .references("transmissions", "id"))
            .field("age_months", .int)
            .field("caller_is_patient", .bool)
            .field("caller_name", .string)
            .field("callback_number", .string)
            .field("script", .string)
            .update()
        try await database.schema("appointments")
            .field("status_changed_at", .datetime)
            .field("status_reason", .string)
            .update()
        try await database.schema("outbox_messages").field("practitioner_id", .uuid).update()
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
        try await database.schema("outbox_messages").deleteField("practitioner_id").update()
        try await database.schema("appointments").deleteField("status_changed_at").deleteField("status_reason").update()
        try await database.schema("triage_evaluations").deleteField("transmission_id").deleteField("age_months").deleteField("caller_is_patient")
            .deleteField("caller_name").deleteField("callback_number").deleteField("script").update()
        try await database.schema("practitioners").deleteField("mobile_phone").deleteField("direct_phone").deleteField("notice_email").update()
    }

}
