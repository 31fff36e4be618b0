import Fluent
import SQLKit

/// Occupancy rows last at most a day (the longest motif with its buffer is 10 hours), so an overlap check only looks
/// at the rows that start in the day before the new one's start. On SQLite the overlap triggers scanned every earlier
/// row of the practitioner (2.6 ms per insert at 2,000 rows); bounded, they read a day's worth. Expired holds are
/// found through their own index instead of a scan of the practitioner's rows.
struct BoundSlotOccupancy: AsyncMigration {
    var name: String { "0009_BoundSlotOccupancy" }

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.create(index: "slot_occupancy_practitioner_expiry").on("slot_occupancy").column("practitioner_id").column("expires_at").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                ALTER TABLE slot_occupancy ADD CONSTRAINT slot_occupancy_at_most_a_day
                CHECK (ends_at >= starts_at AND ends_at <= starts_at + interval '1 day')
                """).run()
            return
        }
        try await dropTriggers(sql)
        for event in ["INSERT", "UPDATE"] {
            let name = event.lowercased()
            try await sql.raw("""
                CREATE TRIGGER slot_occupancy_at_most_a_day_\(unsafeRaw: name) BEFORE \(unsafeRaw: event) ON slot_occupancy
                WHEN NEW.ends_at < NEW.starts_at OR NEW.ends_at > NEW.starts_at + \(unsafeRaw: String(Int(SlotOccupancy.longest)))
                BEGIN SELECT RAISE(ABORT, 'slot_occupancy_at_most_a_day'); END
                """).run()
            try await sql.raw("""
                CREATE TRIGGER slot_occupancy_no_overlap_\(unsafeRaw: name) BEFORE \(unsafeRaw: event) ON slot_occupancy
                WHEN EXISTS (SELECT 1 FROM slot_occupancy o WHERE o.practitioner_id = NEW.practitioner_id
                             AND o.starts_at > NEW.starts_at - \(unsafeRaw: String(Int(SlotOccupancy.longest)))
                             AND o.starts_at < NEW.ends_at AND NEW.starts_at < o.ends_at
                             \(unsafeRaw: event == "UPDATE" ? "AND o.id <> NEW.id" : ""))
                BEGIN SELECT RAISE(ABORT, '\(unsafeRaw: SlotOccupancy.overlapMarker)'); END
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.drop(index: "slot_occupancy_practitioner_expiry").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("ALTER TABLE slot_occupancy DROP CONSTRAINT slot_occupancy_at_most_a_day").run()
            return
        }
        try await dropTriggers(sql)
        for event in ["INSERT", "UPDATE"] {
            try await sql.raw("""
                CREATE TRIGGER slot_occupancy_no_overlap_\(unsafeRaw: event.lowercased()) BEFORE \(unsafeRaw: event) ON slot_occupancy
                WHEN EXISTS (SELECT 1 FROM slot_occupancy o WHERE o.practitioner_id = NEW.practitioner_id
                             AND o.starts_at < NEW.ends_at AND NEW.starts_at < o.ends_at \(unsafeRaw: event == "UPDATE" ? "AND o.id <> NEW.id" : ""))
                BEGIN SELECT RAISE(ABORT, '\(unsafeRaw: SlotOccupancy.overlapMarker)'); END
                """).run()
        }
    }

    private func dropTriggers(_ sql: any SQLDatabase) async throws {
        for name in ["slot_occupancy_no_overlap_insert", "slot_occupancy_no_overlap_update",
                     "slot_occupancy_at_most_a_day_insert", "slot_occupancy_at_most_a_day_update"] {
            try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: name)").run()
        }
    }
}
