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
            let tables = try Connection(destination, readOnly: true).value("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
            guard tables == "0" else {
                throw BackupError(description: "\(destination) is not empty (\(tables ?? "?") tables); restore fills an empty database only")
            }
        }
        let summary: BackupSummary
        let migrations: [String]
        do {
            let backup = try Connection(source, readOnly: true)
            migrations = try backup.values("SELECT name FROM _fluent_migrations")
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
        let copy = try Connection(path, readOnly: true)
        let integrity = try copy.values("PRAGMA integrity_check").prefix(5).joined(separator: "; ")
        func count(_ table: String) throws -> Int { Int(try copy.value("SELECT count(*) FROM \(table)") ?? "") ?? 0 }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return BackupSummary(bytes: size, journalEntries: try count("audit_entries"), appointments: try count("appointments"),
                             patients: try count("patients"), integrity: integrity)
    }

    private static func copy(from source: String, readOnly: Bool, to destination: String) throws {
        let from = try Connection(source, readOnly: readOnly)
        let to = try Connection(destination, readOnly: false)
        guard let backup = sqlite_nio_sqlite3_backup_init(to.handle, "main", from.handle, "main") else {
            throw BackupError(description: "the backup could not start: \(to.message)")
        }
        var status: Int32
        repeat {
            // All pages in one step: one read transaction, one moment of the database.
            status = sqlite_nio_sqlite3_backup_step(backup, -1)
            if status == SQLITE_BUSY || status == SQLITE_LOCKED { sqlite_nio_sqlite3_sleep(20) }
        } while status == SQLITE_OK || status == SQLITE_BUSY || status == SQLITE_LOCKED
        let finished = sqlite_nio_sqlite3_backup_finish(backup)
        guard status == SQLITE_DONE, finished == SQLITE_OK else {
            let reason = status == SQLITE_FULL || finished == SQLITE_FULL ? "the disk is full" : to.message
            throw BackupError(description: "the copy to \(destination) failed: \(reason)")
        }
    }

    /// Flushes the file to the disk (the rename that follows is then of a complete file).
    private static func sync(_ path: String) throws {
        guard let handle = FileHandle(forUpdatingAtPath: path) else { throw BackupError(description: "cannot reopen \(path) to sync it") }
        defer { try? handle.close() }
        try handle.synchronize()
    }

    /// One raw connection, closed with it.
    final class Connection {
        let handle: OpaquePointer

        init(_ path: String, readOnly: Bool) throws {
            var handle: OpaquePointer?
            let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
            guard status == SQLITE_OK, let handle else {
                let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "error \(status)"
                if let handle { sqlite_nio_sqlite3_close_v2(handle) }
                throw BackupError(description: "cannot open \(path): \(message)")
            }
            self.handle = handle
            sqlite_nio_sqlite3_busy_timeout(handle, 10_000)
        }

        deinit { sqlite_nio_sqlite3_close_v2(handle) }

        var message: String { String(cString: sqlite_nio_sqlite3_errmsg(handle)) }

        /// The first column of every row of `sql`.
        func values(_ sql: String) throws -> [String] {
            var statement: OpaquePointer?
            guard sqlite_nio_sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
                throw BackupError(description: message)
            }
            defer { sqlite_nio_sqlite3_finalize(statement) }
            var rows: [String] = []
            while true {
                let status = sqlite_nio_sqlite3_step(statement)
                if status == SQLITE_DONE { return rows }
                guard status == SQLITE_ROW else { throw BackupError(description: message) }
                rows.append(sqlite_nio_sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? "")
            }
        }

        func value(_ sql: String) throws -> String? { try values(sql).first }
    }
}
