import Fluent
import SQLKit

/// Booking: appointment details, holds, the occupancy table that carries the no-double-booking guarantee,
/// the waiting list and idempotency keys.
struct CreateBookings: AsyncMigration {
    var name: String { "0008_CreateBookings" }

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        // One column per statement: SQLite adds columns one at a time.
        let columns: [(String, DatabaseSchema.DataType)] = [
            ("motif_id", .uuid), ("source", .string), ("notes", .string), ("urgency_level", .int), ("override_reason", .string),
            ("cancellation_party", .string), ("cancellation_reason", .string), ("series_id", .uuid), ("booked_by", .uuid),
            ("updated_at", .datetime),
        ]
        for (name, type) in columns {
            try await database.schema("appointments").field(.definition(name: .key(.init(stringLiteral: name)), dataType: type, constraints: [])).update()
        }
        try await sql.create(index: "appointments_patient_start").on("appointments").column("patient_id").column("starts_at").run()

        try await database.schema("holds")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("practitioner_id", .uuid, .required, .references("practitioners", "id"))
            .field("motif_id", .uuid, .required, .references("motifs", "id"))
            .field("patient_id", .uuid, .references("patients", "id"))
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("held_by", .uuid)
            .field("held_by_label", .string, .required)
            .field("urgent", .bool, .required)
            /// active, confirmed, released, expired.
            .field("state", .string, .required)
            .field("appointment_id", .uuid)
            .field("created_at", .datetime)
            .create()

        // One row per live appointment or hold, covering its time and the motif's buffer after it: the table the
        // no-overlap rule is written on, so that holds and appointments share it.
        try await database.schema("slot_occupancy")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("practitioner_id", .uuid, .required, .references("practitioners", "id"))
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("appointment_id", .uuid, .references("appointments", "id"))
            .field("hold_id", .uuid, .references("holds", "id"))
            .field("expires_at", .datetime)
            .unique(on: "appointment_id")
            .unique(on: "hold_id")
            .create()
        try await sql.create(index: "slot_occupancy_practitioner_start").on("slot_occupancy").column("practitioner_id").column("starts_at").run()
        if sql.dialect.name == "postgresql" {
            // btree_gist gives uuid equality to the GiST index; kept in `public` so per-schema test runs share it.
            // Two databases migrating at once (parallel test schemas) would race on the extension: one at a time.
            try await database.transaction { tx in
                let sql = tx as! any SQLDatabase
                try await sql.raw("SELECT pg_advisory_xact_lock(7262657374)").run()
                try await sql.raw("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public").run()
            }
            try await sql.raw("""
                ALTER TABLE slot_occupancy ADD CONSTRAINT slot_occupancy_no_overlap
                EXCLUDE USING gist (practitioner_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
                """).run()
        } else {
            for event in ["INSERT", "UPDATE"] {
                let notSelf = event == "UPDATE" ? "AND o.id <> NEW.id" : ""
                try await sql.raw("""
                    CREATE TRIGGER slot_occupancy_no_overlap_\(unsafeRaw: event.lowercased()) BEFORE \(unsafeRaw: event) ON slot_occupancy
                    WHEN EXISTS (SELECT 1 FROM slot_occupancy o WHERE o.practitioner_id = NEW.practitioner_id
                                 AND o.starts_at < NEW.ends_at AND NEW.starts_at < o.ends_at \(unsafeRaw: notSelf))
                    BEGIN SELECT RAISE(ABORT, '\(unsafeRaw: SlotOccupancy.overlapMarker)'); END
                    """).run()
            }
        }
        // Appointments that existed before: they occupy their time.
        try await sql.raw("""
            INSERT INTO slot_occupancy (id, practice_id, practitioner_id, starts_at, ends_at, appointment_id)
            SELECT id, practice_id, practitioner_id, starts_at, ends_at, id FROM appointments
            WHERE status IN ('proposed', 'pending', 'booked', 'arrived', 'fulfilled')
            """).run()

        try await database.schema("waiting_list_entries")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("patient_id", .uuid, .required, .references("patients", "id"))
            .field("motif_id", .uuid, .required, .references("motifs", "id"))
            .field("practitioner_ids", .string, .required)
            .field("window_start", .datetime, .required)
            .field("window_end", .datetime, .required)
            .field("priority", .int, .required)
            .field("notes", .string, .required)
            /// waiting, to-call, booked, withdrawn.
            .field("state", .string, .required)
            .field("matched_start", .datetime)
            .field("matched_practitioner_id", .uuid)
            .field("matched_at", .datetime)
            .field("created_by_label", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await sql.create(index: "waiting_list_practice_state").on("waiting_list_entries").column("practice_id").column("state").run()

        try await database.schema("idempotency_keys")
            .id()
            .field("owner", .string, .required)
            .field("key", .string, .required)
            .field("request_hash", .string, .required)
            .field("status_code", .int)
            .field("content_type", .string)
            .field("body", .data)
            .field("created_at", .datetime, .required)
            .unique(on: "owner", "key")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["idempotency_keys", "waiting_list_entries", "slot_occupancy", "holds"] {
            try await database.schema(table).delete()
        }
    }
}
