import Foundation
import Vapor

/// `permanence backup FILE`: a consistent copy of the SQLite database while the server runs.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "The backup file to write (it must not exist).")
        var file: String
    }

    var help: String { "Copies the SQLite database, while the server runs, into a new file (SQLite's online backup)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let source = try BackupCommands.sqlitePath(app.settings)
        let started = ContinuousClock.now
        let summary: BackupSummary
        do { summary = try SQLiteBackup.backup(from: source, to: signature.file) } catch { throw CommandFailure(description: "backup: \(error)") }
        context.console.print("Backup written to \(signature.file) in \(BackupCommands.seconds(ContinuousClock.now - started)): "
            + BackupCommands.describe(summary))
        context.console.print("The audit key is not in the backup: keep it apart (PERMANENCE_AUDIT_KEY, or \(app.settings.auditDirectory)/audit.key).")
    }
}

/// `permanence restore FILE`: fills the empty database of `DATABASE_URL` from a backup, then checks its journal.
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "The backup file made by permanence backup.")
        var file: String
    }

    var help: String { "Fills an empty SQLite database (DATABASE_URL) from a backup, then verifies its audit journal with this installation's key." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let destination = try BackupCommands.sqlitePath(app.settings)
        let summary: BackupSummary
        do {
            summary = try SQLiteBackup.restore(from: signature.file, to: destination, knownMigrations: Set(PermanenceMigrations.all.map(\.name)))
        } catch {
            throw CommandFailure(description: "restore: \(error)")
        }
        context.console.print("Restored \(signature.file) into \(destination): " + BackupCommands.describe(summary))
        try await DatabaseSetup.prepare(app, settings: app.settings)
        switch try await AuditVerifier.verify(on: app.db, seal: app.writer.seal) {
        case .intact(let entries):
            context.console.print("Audit journal intact: \(entries) entries verified with this installation's key.")
        case .broken(let seq, let reason):
            throw CommandFailure(description: "restore: the data is back, but the audit journal does not verify at entry #\(seq) (\(reason)); "
                + "give the original installation's key (PERMANENCE_AUDIT_KEY) and run permanence audit verify")
        }
    }
}

enum BackupCommands {
    /// The SQLite file of the settings; PostgreSQL has its own tools.
    static func sqlitePath(_ settings: AppSettings) throws -> String {
        guard case .sqliteFile(let path) = settings.database else {
            throw CommandFailure(description: "backup and restore copy a SQLite database; on PostgreSQL use pg_dump and pg_restore (README, « Mise en production »)")
        }
        return path
    }

    static func describe(_ summary: BackupSummary) -> String {
        "\(ByteCountFormatter.string(fromByteCount: Int64(summary.bytes), countStyle: .file)), \(summary.patients) patients, "
            + "\(summary.appointments) appointments, \(summary.journalEntries) journal entries, integrity \(summary.integrity)."
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
