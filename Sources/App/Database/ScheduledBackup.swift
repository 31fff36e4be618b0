import Foundation
import Vapor

/// The background worker's backups (`PERMANENCE_BACKUP_DIR`): one every `PERMANENCE_BACKUP_HOURS`, named by the moment
/// it was taken, the newest `PERMANENCE_BACKUP_KEEP` kept.
enum ScheduledBackup {
    static let prefix = "permanence-"
    static let suffix = ".sqlite"

    /// Makes a backup when the newest one is older than the interval; returns its path, or nil when none was due.
    @discardableResult
    static func runIfDue(app: Application, now: Date) async throws -> String? {
        let operations = app.settings.operations
        guard let folder = operations.backupDirectory, case .sqliteFile(let source) = app.settings.database else { return nil }
        let existing = try backups(in: folder)
        if let newest = existing.last, now.timeIntervalSince(newest.takenAt) < TimeInterval(operations.backupInterval * 3600) { return nil }
        let path = (folder as NSString).appendingPathComponent(prefix + stamp(now) + suffix)
        // A copy reads the whole file: off the threads that answer requests.
        let summary = try await app.threadPool.runIfActive { try SQLiteBackup.backup(from: source, to: path) }
        app.logger.notice("Sauvegarde planifiée écrite : \(path) (\(BackupCommands.describe(summary)))")
        for old in try backups(in: folder).dropLast(operations.backupsKept) {
            try FileManager.default.removeItem(atPath: old.path)
            app.logger.info("Ancienne sauvegarde supprimée : \(old.path)")
        }
        return path
    }

    /// The scheduled backups of `folder`, oldest first (files of other names are left alone).
    static func backups(in folder: String) throws -> [(path: String, takenAt: Date)] {
        try FileManager.default.contentsOfDirectory(atPath: folder).compactMap { name in
            guard name.hasPrefix(prefix), name.hasSuffix(suffix),
                  let date = parse(String(name.dropFirst(prefix.count).dropLast(suffix.count))) else { return nil }
            return ((folder as NSString).appendingPathComponent(name), date)
        }.sorted { $0.takenAt < $1.takenAt }
    }

    /// `20261203T161500Z`: sorts as it reads, and has no character a file name dislikes.
    private static let format = Date.ISO8601FormatStyle(dateSeparator: .omitted, dateTimeSeparator: .standard, timeSeparator: .omitted,
                                                        timeZone: TimeZone(identifier: "UTC")!)

    static func stamp(_ date: Date) -> String { date.formatted(format) }

    static func parse(_ text: String) -> Date? { try? format.parse(text) }
}
