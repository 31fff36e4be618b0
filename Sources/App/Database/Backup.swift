import Foundation
// The SQLite the server itself runs (sqlite-nio's copy): its online backup API, same version and options.
import VaporCSQLite

/// Why a backup or a restore could not be made; nothing was left behind that looks like a finished copy.
struct BackupError: Error, CustomStringConvertible {
    let description: String
}

/// What a finished copy holds, checked on the copy itself.
struct BackupSummary: Sendable, Equatable {
    let bytes: Int
    let journalEntries: Int
    let appointments: Int
    let patients: Int
    /// `PRAGMA integrity_check` of the copy: "ok" or the first problems.
    let integrity: String
}

/// SQLite's online backup: the database copied page by page in one read transaction, so that the copy is the database
/// of one moment while the server goes on writing (WAL: readers and the writer do not wait for each other).
enum SQLiteBackup {
    /// Copies the database at `source` into `destination`, a file that must not exist yet: written beside it under a
    /// temporary name, checked, synced, then renamed — a crash or a full disk never leaves a half copy under the name.
    static func backup(from source: String, to destination: String) throws -> BackupSummary {
        guard FileManager.default.fileExists(atPath: source) else { throw BackupError(description: "no database at \(source)") }
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw BackupError(description: "\(destination) exists already; a backup never overwrites a file")
        }
        let partial = destination + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            try copy(from: source, readOnly: true, to: partial)
            let summary = try summarise(partial)
            guard summary.integrity == "ok" else { throw BackupError(description: "the copy fails its integrity check: \(summary.integrity)") }
            try sync(partial)
            try FileManager.default.moveItem(atPath: partial, toPath: destination)
            return summary
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    /// Fills the empty database at `destination` (no file, or a file without tables) from the backup at `source`.
    /// Refused, touching nothing: a database that holds anything, a file that is not a sound Permanence backup, or one
    /// written by a newer Permanence.
    static func restore(from source: String, to destination: String, knownMigrations: Set<String>) throws -> BackupSummary {
        guard FileManager.default.fileExists(atPath: source) else { throw BackupError(description: "no backup at \(source)") }
        if FileManager.default.fileExists(atPath: destination) {
            let tables = try value("SELECT count(*) FROM sqlite_master WHERE type = 'table'", in: open(destination, readOnly: true))
            guard tables == "0" else {
                throw BackupError(description: "\(destination) is not empty (\(tables ?? "?") tables); restore fills an empty database only")
            }
        }
        let summary: BackupSummary
        let migrations: [String]
        do {
            migrations = try values("SELECT name FROM _fluent_migrations", in: open(source, readOnly: true))
            summary = try summarise(source)
        } catch {
            throw BackupError(description: "\(source) is not a Permanence backup: \(error)")
        }
        guard summary.integrity == "ok" else { throw BackupError(description: "\(source) fails its integrity check: \(summary.integrity)") }
        let unknown = migrations.filter { !knownMigrations.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw BackupError(description: "\(source) was written by a newer version of Permanence (unknown migrations: \(unknown.joined(separator: ", ")))")
        }
        try copy(from: source, readOnly: true, to: destination)
        try sync(destination)
        return summary
    }

    /// Checks the copy at `path` and counts what matters in it.
    static func summarise(_ path: String) throws -> BackupSummary {
        let copy = try open(path, readOnly: true)
        let integrity = try values("PRAGMA integrity_check", in: copy).prefix(5).joined(separator: "; ")
        func count(_ table: String) throws -> Int { Int(try value("SELECT count(*) FROM \(table)", in: copy) ?? "") ?? 0 }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return BackupSummary(bytes: size, journalEntries: try count("audit_entries"), appointments: try count("appointments"),
                             patients: try count("patients"), integrity: integrity)
    }

    private static func copy(from source: String, readOnly: Bool, to destination: String) throws {
        let from = try open(source, readOnly: readOnly)
        let to = try open(destination, readOnly: false)
        try from.withHandle { fromHandle, _ in
            try to.withHandle { toHandle, message in
                guard let backup = sqlite_nio_sqlite3_backup_init(toHandle, "main", fromHandle, "main") else {
                    throw BackupError(description: "the backup could not start: \(message())")
                }
                // The connections report extended codes: their primary code is what matters here.
                var status: Int32
                repeat {
                    // All pages in one step: one read transaction, one moment of the database.
                    status = sqlite_nio_sqlite3_backup_step(backup, -1) & 0xFF
                    if status == SQLITE_BUSY || status == SQLITE_LOCKED { sqlite_nio_sqlite3_sleep(20) }
                } while status == SQLITE_OK || status == SQLITE_BUSY || status == SQLITE_LOCKED
                let finished = sqlite_nio_sqlite3_backup_finish(backup) & 0xFF
                guard status == SQLITE_DONE, finished == SQLITE_OK else {
                    let reason = status == SQLITE_FULL || finished == SQLITE_FULL ? "the disk is full" : message()
                    throw BackupError(description: "the copy to \(destination) failed: \(reason)")
                }
            }
        }
    }

    /// The first column of every row of `sql`, as text; SQLite's refusal said as the backup's.
    private static func values(_ sql: String, in connection: DirectSQLiteConnection) throws -> [String] {
        var rows: [String] = []
        do {
            try connection.run(sql, []) { _, values in rows.append(values.first?.string ?? "") }
        } catch let error as DirectSQLiteError {
            throw BackupError(description: error.message)
        }
        return rows
    }

    private static func value(_ sql: String, in connection: DirectSQLiteConnection) throws -> String? { try values(sql, in: connection).first }

    /// Flushes the file to the disk (the rename that follows is then of a complete file).
    private static func sync(_ path: String) throws {
        guard let handle = FileHandle(forUpdatingAtPath: path) else { throw BackupError(description: "cannot reopen \(path) to sync it") }
        defer { try? handle.close() }
        try handle.synchronize()
    }

    /// A connection for the backup's work, its refusals said as the backup's.
    private static func open(_ path: String, readOnly: Bool) throws -> DirectSQLiteConnection {
        do { return try DirectSQLiteConnection(path: path, readOnly: readOnly) } catch let error as DirectSQLiteError {
            throw BackupError(description: error.message)
        }
    }
}
