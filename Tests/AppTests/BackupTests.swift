@testable import App
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

/// SQLite's online backup while bookings go on, the restore of an empty database from it, what each refuses, and the
/// worker's scheduled backups with their retention.
struct BackupTests {
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("permanence-backup-\(UUID().uuidString)-\(name)").path
    }

    static func sqlitePath(_ app: Application) throws -> String {
        guard case .sqliteFile(let path) = app.settings.database else { throw BackupError(description: "SQLite expected") }
        return path
    }

    static func remove(_ paths: String...) {
        for path in paths { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    }

    /// Bookings of distinct slots, one after the other, on the weekdays from 25 November on; each id once acknowledged.
    static func book(_ app: Application, _ world: World, motif: UUID, patient: UUID, token: String, count: Int,
                     acknowledged: @Sendable (UUID) async -> Void) async throws {
        for index in 0..<count {
            let day = [25, 26, 27, 30][index / 9], minutes = 9 * 60 + (index % 9) * 20
            let start = String(format: "2026-11-%02dT%02d:%02d:00+01:00", day, minutes / 60, minutes % 60)
            let answer = try await app.api(.POST, "/api/v1/practices/\(world.practiceA)/appointments", token: token, json: """
                {"practitionerId":"\(world.practitionerA)","motifId":"\(motif)","start":"\(start)","patientId":"\(patient)"}
                """)
            guard answer.status == .created else { Issue.record("booking \(start): \(answer.body.string)"); continue }
            struct Booked: Decodable { let appointment: InstanceCoherenceTests.Created }
            await acknowledged(try answer.content.decode(Booked.self).appointment.id)
        }
    }

    actor Acknowledged {
        var ids: [UUID] = []
        func add(_ id: UUID) { ids.append(id) }
    }

    @Test(.enabled(if: !TestDatabase.isPostgres))
    func aBackupTakenDuringBookingsHoldsEveryAcknowledgedOneAndRestoresWithAnIntactJournal() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let (_, motif) = try await AgendaAPITests.setUp(app, world)
            let secretary = try await app.apiToken(world.secretaryA)
            let patientID = try await AgendaAPITests.patient(app, world, token: secretary)
            let acknowledged = Acknowledged(), started = ContinuousClock.now
            let load = Task { try await Self.book(app, world, motif: motif, patient: patientID, token: secretary, count: 36) { await acknowledged.add($0) } }
            while await acknowledged.ids.count < 8 {
                try #require(ContinuousClock.now - started < .seconds(60), "the bookings before the backup were acknowledged")
                try await Task.sleep(for: .milliseconds(5))
            }

            let before = await acknowledged.ids
            let copy = Self.temporaryPath("copie.sqlite"), restored = Self.temporaryPath("restauree.sqlite")
            defer { Self.remove(copy, restored) }
            let summary = try await app.threadPool.runIfActive { try SQLiteBackup.backup(from: try Self.sqlitePath(app), to: copy) }
            try await load.value
            #expect(summary.integrity == "ok")
            #expect(summary.appointments >= before.count)
            #expect(!FileManager.default.fileExists(atPath: copy + ".partial"), "no temporary file is left")

            let known = Set(PermanenceMigrations.all.map(\.name))
            _ = try SQLiteBackup.restore(from: copy, to: restored, knownMigrations: known)
            let other = try await Application.make(.testing)
            do {
                var settings = app.settings
                settings.database = .sqliteFile(path: restored)
                try await configure(other, settings: settings)
                try await DatabaseSetup.prepare(other, settings: settings)
                let ids = Set(try await AppointmentRecord.query(on: other.db).all().compactMap(\.id))
                #expect(before.allSatisfy(ids.contains), "every booking acknowledged before the backup began is in the restored database")
                let verification = try await AuditVerifier.verify(on: other.db, seal: other.writer.seal)
                guard case .intact = verification else { Issue.record("restored journal: \(verification)"); throw BackupError(description: "broken") }
            } catch {
                try? await other.asyncShutdown()
                throw error
            }
            try await other.asyncShutdown()
        }
    }

    @Test(.enabled(if: !TestDatabase.isPostgres))
    func backupAndRestoreRefuseWhatWouldLoseOrMixData() async throws {
        try await withTestApp { app in
            _ = try await World.build(on: app)
            let source = try Self.sqlitePath(app)
            let copy = Self.temporaryPath("copie.sqlite"), notADatabase = Self.temporaryPath("notes.txt"), newer = Self.temporaryPath("future.sqlite")
            defer { Self.remove(copy, notADatabase, newer) }
            _ = try SQLiteBackup.backup(from: source, to: copy)
            let known = Set(PermanenceMigrations.all.map(\.name))

            #expect(throws: BackupError.self, "a backup never overwrites a file") { try SQLiteBackup.backup(from: source, to: copy) }
            let sizeBefore = try FileManager.default.attributesOfItem(atPath: source)[.size] as? Int
            #expect(throws: BackupError.self, "a database in use is not empty") { try SQLiteBackup.restore(from: copy, to: source, knownMigrations: known) }
            #expect(try FileManager.default.attributesOfItem(atPath: source)[.size] as? Int == sizeBefore)

            try "pas une sauvegarde".write(toFile: notADatabase, atomically: true, encoding: .utf8)
            let target = Self.temporaryPath("cible.sqlite")
            defer { Self.remove(target) }
            #expect(throws: BackupError.self) { try SQLiteBackup.restore(from: notADatabase, to: target, knownMigrations: known) }
            #expect(!FileManager.default.fileExists(atPath: target), "nothing was created")

            _ = try SQLiteBackup.backup(from: copy, to: newer)
            try DirectSQLiteConnection(path: newer).run(
                "INSERT INTO _fluent_migrations (id, name, batch, created_at, updated_at) VALUES ('\(UUID())', 'App.9999_Future', 99, NULL, NULL)", []) { _, _ in }
            do {
                _ = try SQLiteBackup.restore(from: newer, to: target, knownMigrations: known)
                Issue.record("a backup of a newer Permanence was restored")
            } catch let error as BackupError {
                #expect(error.description.contains("9999_Future"))
            }
            #expect(!FileManager.default.fileExists(atPath: target))
        }
    }

    @Test(.enabled(if: !TestDatabase.isPostgres))
    func theWorkerBacksUpOnScheduleAndKeepsTheNewest() async throws {
        let folder = Self.temporaryPath("sauvegardes")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "autre fichier".write(toFile: folder + "/notes.txt", atomically: true, encoding: .utf8)
        try await withTestApp(environment: ["PERMANENCE_BACKUP_DIR": folder, "PERMANENCE_BACKUP_HOURS": "6", "PERMANENCE_BACKUP_KEEP": "2"]) { app in
            let start = Date(timeIntervalSince1970: 1_795_000_000)
            let first = try await ScheduledBackup.runIfDue(app: app, now: start)
            #expect(first != nil)
            #expect(try await ScheduledBackup.runIfDue(app: app, now: start.addingTimeInterval(5 * 3600)) == nil, "not due before 6 hours")
            let second = try await ScheduledBackup.runIfDue(app: app, now: start.addingTimeInterval(6 * 3600))
            let third = try await ScheduledBackup.runIfDue(app: app, now: start.addingTimeInterval(12 * 3600))
            let kept = try ScheduledBackup.backups(in: folder).map(\.path)
            #expect(kept == [second, third].compactMap { $0 }, "the two newest are kept, the oldest removed")
            #expect(FileManager.default.fileExists(atPath: folder + "/notes.txt"), "other files are left alone")
            #expect(try SQLiteBackup.summarise(try #require(third)).integrity == "ok")
            #expect(third.map { ($0 as NSString).lastPathComponent } == "permanence-" + ScheduledBackup.stamp(start.addingTimeInterval(12 * 3600)) + ".sqlite")
        }
    }
}
