import Fluent
import SQLKit

/// The secretariat's memory and to-do list: calls (frozen once closed, corrected by appended notes) and what they
/// produced, transmissions to the practitioners with their escalation, the outbox of notices, the callback tasks and
/// the claims that keep two secretaries from calling the same patient, and the handover notes with who read them.
struct CreateCallJournal: AsyncMigration {
    var name: String { "0014_CreateCallJournal" }

    func prepare(on database: any Database) async throws {
        try await database.schema("calls")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            /// E.164, or empty when the number was hidden.
            .field("caller_number", .string, .required)
            /// Nil while the caller is not identified.
            .field("patient_id", .uuid, .references("patients", "id"))
            /// Comma-separated `CallReason` values.
            .field("reasons", .string, .required)
            .field("notes", .string, .required)
            .field("outcome", .string)
            /// The version of the practice's playbook the call followed, and the procedure items ticked (one per line).
            .field("playbook_version", .int)
            .field("checklist", .string, .required)
            /// open, closed.
            .field("state", .string, .required)
            /// manual, telephony.
            .field("source", .string, .required)
            .field("telephony_call_id", .string)
            .field("opened_at", .datetime, .required)
            .field("closed_at", .datetime)
            .field("duration_seconds", .int)
            .field("opened_by", .uuid)
            .field("opened_by_label", .string, .required)
            .field("closed_by_label", .string)
            .create()

        try await database.schema("call_corrections")
            .id()
            .field("call_id", .uuid, .required, .references("calls", "id"))
            /// correction (appended to a closed call), incident (a difficult caller, written while the call runs).
            .field("kind", .string, .required)
            .field("text", .string, .required)
            .field("author_label", .string, .required)
            .field("created_at", .datetime, .required)
            .create()

        try await database.schema("call_links")
            .id()
            .field("call_id", .uuid, .required, .references("calls", "id"))
            /// appointment, transmission, triage, task.
            .field("kind", .string, .required)
            .field("target_id", .uuid, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "call_id", "kind", "target_id")
            .create()

        try await database.schema("escalation_policies")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("notice_after_minutes", .int, .required)
            .field("call_after_minutes", .int, .required)
            .field("backup_after_minutes", .int, .required)
            .field("backup_practitioner_id", .uuid, .references("practitioners", "id"))
            .field("updated_at", .datetime, .required)
            .unique(on: "practice_id")
            .create()

        try await database.schema("transmissions")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("call_id", .uuid, .references("calls", "id"))
            .field("patient_id", .uuid, .references("patients", "id"))
            .field("practitioner_id", .uuid, .required, .references("practitioners", "id"))
            /// Set once the ladder reached the practice's backup practitioner.
            .field("backup_practitioner_id", .uuid, .references("practitioners", "id"))
            /// urgent, normal, information.
            .field("priority", .string, .required)
            .field("subject", .string, .required)
            .field("message", .string, .required)
            .field("callback_number", .string, .required)
            /// new, read, acknowledged, done.
            .field("state", .string, .required)
            /// The highest `EscalationStep` reached.
            .field("escalation_step", .int, .required)
            .field("answer", .string)
            .field("sent_at", .datetime, .required)
            .field("sent_by_label", .string, .required)
            .field("read_at", .datetime)
            .field("acknowledged_at", .datetime)
            .field("acknowledged_by_label", .string)
            .field("answered_at", .datetime)
            .create()

        try await database.schema("outbox_messages")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("transmission_id", .uuid, .references("transmissions", "id"))
            /// email, sms.
            .field("channel", .string, .required)
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            /// pending, sent, failed (given up after the last retry).
            .field("state", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("last_error", .string)
            .field("provider", .string)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .create()

        try await database.schema("tasks")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("patient_id", .uuid, .references("patients", "id"))
            .field("transmission_id", .uuid, .references("transmissions", "id"))
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("details", .string, .required)
            .field("phone", .string, .required)
            /// `QueuePriority` raw value.
            .field("priority", .int, .required)
            .field("due_at", .datetime)
            /// open, done, cancelled.
            .field("state", .string, .required)
            .field("outcome", .string)
            .field("created_at", .datetime, .required)
            .field("created_by_label", .string, .required)
            .field("closed_at", .datetime)
            .field("closed_by_label", .string)
            .create()

        try await database.schema("queue_claims")
            .id()
            /// `task:<uuid>`, `transmission:<uuid>`, `waitingList:<uuid>`: one claim per item, the database decides who wins.
            .field("item_key", .string, .required)
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("user_label", .string, .required)
            .field("claimed_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "item_key")
            .create()

        try await database.schema("handover_notes")
            .id()
            /// Nil for the whole center.
            .field("practice_id", .uuid, .references("practices", "id"))
            .field("text", .string, .required)
            .field("author_label", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime)
            .create()

        try await database.schema("handover_reads")
            .id()
            .field("note_id", .uuid, .required, .references("handover_notes", "id"))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("read_at", .datetime, .required)
            .unique(on: "note_id", "user_id")
            .create()

        let sql = database as! any SQLDatabase
        try await sql.create(index: "calls_practice_opened").on("calls").column("practice_id").column("opened_at").run()
        try await sql.create(index: "calls_patient").on("calls").column("patient_id").run()
        try await sql.create(index: "call_links_target").on("call_links").column("target_id").run()
        try await sql.create(index: "transmissions_practice_state").on("transmissions").column("practice_id").column("state").run()
        try await sql.create(index: "transmissions_practitioner").on("transmissions").column("practitioner_id").column("state").run()
        try await sql.create(index: "transmissions_patient").on("transmissions").column("patient_id").run()
        try await sql.create(index: "outbox_due").on("outbox_messages").column("state").column("next_attempt_at").run()
        try await sql.create(index: "tasks_practice_state").on("tasks").column("practice_id").column("state").run()
        try await sql.create(index: "tasks_patient").on("tasks").column("patient_id").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["handover_reads", "handover_notes", "queue_claims", "tasks", "outbox_messages", "transmissions",
                      "escalation_policies", "call_links", "call_corrections", "calls"] {
            try await database.schema(table).delete()
        }
    }
}
