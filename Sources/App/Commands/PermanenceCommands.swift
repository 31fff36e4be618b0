import Domain
import Fluent
import Foundation
import Vapor

/// The command line: `serve` (default), `migrate`, `seed-demo`, `user create`, `import patients`, `audit verify`,
/// `audit checkpoint`, `backup`, `restore`…
enum PermanenceCommands {
    static func register(on app: Application) async {
        app.asyncCommands.use(PreparedServeCommand(serve: await app.servers.asyncCommand), as: "serve", isDefault: true)
        app.asyncCommands.use(MigrateCommand(), as: "migrate")
        app.asyncCommands.use(SeedDemoCommand(), as: "seed-demo")
        app.asyncCommands.use(SeedLoadCommand(), as: "seed-load")
        app.asyncCommands.use(BenchInsertsCommand(), as: "bench-inserts")
        app.asyncCommands.use(SeedPatientsCommand(), as: "seed-patients")
        app.asyncCommands.use(SeedFiguresCommand(), as: "seed-figures")
        app.asyncCommands.use(SeedRemindersCommand(), as: "seed-reminders")
        app.asyncCommands.use(QueueRemindersCommand(), as: "queue-reminders")
        app.asyncCommands.use(UserCommands(), as: "user")
        app.asyncCommands.use(ImportCommands(), as: "import")
        app.asyncCommands.use(ReportCommands(), as: "report")
        app.asyncCommands.use(AuditCommands(), as: "audit")
        app.asyncCommands.use(TelephonyCommands(), as: "telephony")
        app.asyncCommands.use(CalendarFeedCommand(), as: "calendar-feed")
        app.asyncCommands.use(SimulateCallCommand(), as: "simulate-call")
        app.asyncCommands.use(PracticeCommands(), as: "practice")
        app.asyncCommands.use(BackupCommand(), as: "backup")
        app.asyncCommands.use(RestoreCommand(), as: "restore")
    }
}

/// A command's failure: printed, and the process exits non-zero.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}

/// `serve`, after checking and migrating the database and, on an empty one, seeding the demo.
struct PreparedServeCommand: AnyAsyncCommand {
    let serve: any AnyAsyncCommand
    var help: String { serve.help }

    func run(using context: inout CommandContext) async throws {
        let app = context.application
        try await DatabaseSetup.prepare(app, settings: app.settings)
        if app.settings.seedDemoData, try await DemoSeeder.isEmpty(app.db) {
            let logins = try await DemoSeeder.seed(app: app, seed: app.settings.demoSeed)
            context.console.print(DemoSeeder.loginsBanner(logins))
        }
        app.gracefulStop.watchSignals(of: app)
        app.backgroundWorker.start(app)
        try await serve.run(using: &context)
    }

    func outputAutoComplete(using context: inout CommandContext) throws { try serve.outputAutoComplete(using: &context) }
    func outputHelp(using context: inout CommandContext) throws { try serve.outputHelp(using: &context) }
    func renderCompletionFunctions(using context: CommandContext, shell: Shell) -> String {
        serve.renderCompletionFunctions(using: context, shell: shell)
    }
}

/// `permanence migrate`: checks the database and brings its schema up to date.
struct MigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Checks the database and applies the migrations it lacks." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await DatabaseSetup.prepare(context.application, settings: context.application.settings)
        context.console.print("Database up to date (\(context.application.settings.database.redacted)).")
    }
}

/// `permanence seed-demo [--seed N]`: fills an empty database with the demo center.
struct SeedDemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "seed", help: "The seed of the demo data (default: PERMANENCE_DEMO_SEED or 2026).")
        var seed: String?
    }

    var help: String { "Fills an empty database with the demo center, its practices, patients, appointments and users." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        var seed = app.settings.demoSeed
        if let raw = signature.seed {
            guard let parsed = UInt64(raw) else { throw CommandFailure(description: "--seed: expected a whole number, got \"\(raw)\"") }
            seed = parsed
        }
        try await DatabaseSetup.prepare(app, settings: app.settings)
        guard try await DemoSeeder.isEmpty(app.db) else {
            throw CommandFailure(description: "The database already holds data; seed-demo only fills an empty database.")
        }
        let logins = try await DemoSeeder.seed(app: app, seed: seed)
        context.console.print(DemoSeeder.loginsBanner(logins))
    }
}

/// `permanence seed-load`: one large practice in an empty database, for load tests (see Benchmarks/README.md).
struct SeedLoadCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "practitioners", help: "How many practitioners (default 10).")
        var practitioners: Int?
        @Option(name: "appointments", help: "How many appointments over the coming year (default 50000).")
        var appointments: Int?
        @Option(name: "seed", help: "The seed (default 1).")
        var seed: Int?
        @Option(name: "password", help: "The password of the load-test supervisor (default permanence-charge).")
        var password: String?
    }

    var help: String { "Fills an empty database with one large practice for load tests." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let practitioners = signature.practitioners ?? 10, appointments = signature.appointments ?? 50_000
        guard (1...100).contains(practitioners) else { throw CommandFailure(description: "--practitioners: from 1 to 100") }
        guard (0...1_000_000).contains(appointments) else { throw CommandFailure(description: "--appointments: from 0 to 1000000") }
        let password = signature.password ?? "permanence-charge"
        if let problem = Passwords.problem(with: password, in: context.application) { throw CommandFailure(description: "--password: \(problem.reason)") }
        try await DatabaseSetup.prepare(app, settings: app.settings)
        guard try await DemoSeeder.isEmpty(app.db) else {
            throw CommandFailure(description: "The database already holds data; seed-load only fills an empty database.")
        }
        let result = try await LoadSeeder.seed(app: app, seed: UInt64(max(0, signature.seed ?? 1)), practitioners: practitioners,
                                               appointments: appointments, password: password)
        context.console.print("practice=\(result.practiceID) motif=\(result.motifID) user=\(result.email) "
            + "practitioners=\(result.practitionerIDs.map(\.uuidString).joined(separator: ",")) "
            + "patients=\(result.patientIDs.prefix(50).map(\.uuidString).joined(separator: ","))")
    }
}

/// `permanence seed-patients`: many practices of many patients on an empty database, for the search benchmarks.
struct SeedPatientsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "practices", help: "How many practices (default 100).")
        var practices: Int?
        @Option(name: "patients", help: "How many patients in all (default 1000000).")
        var patients: Int?
        @Option(name: "samples", help: "The directory where the benchmark's queries are written (search.tsv, caller-id.tsv).")
        var samples: String?
        @Option(name: "seed", help: "The seed (default 1).")
        var seed: Int?
    }

    var help: String { "Fills an empty database with practices of patients for the search and caller-ID benchmarks." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let practices = signature.practices ?? 100, patients = signature.patients ?? 1_000_000
        guard (1...1_000).contains(practices) else { throw CommandFailure(description: "--practices: from 1 to 1000") }
        guard (practices...5_000_000).contains(patients) else { throw CommandFailure(description: "--patients: from one per practice to 5000000") }
        guard let samples = signature.samples else { throw CommandFailure(description: "--samples: the directory for the benchmark's queries") }
        try await DatabaseSetup.prepare(app, settings: app.settings)
        guard try await DemoSeeder.isEmpty(app.db) else {
            throw CommandFailure(description: "The database already holds data; seed-patients only fills an empty database.")
        }
        let began = ContinuousClock.now
        let summary = try await PatientLoadSeeder.seed(app: app, practices: practices, patients: patients, seed: UInt64(max(0, signature.seed ?? 1)),
                                                       samplesDirectory: samples, password: "permanence-charge")
        context.console.print("\(summary.patients) patients in \(summary.practices) practices, \(summary.searchSamples) searches and "
            + "\(summary.callerSamples) caller numbers written to \(samples) (\(ContinuousClock.now - began))")
    }
}

/// `permanence seed-figures`: a center of many practices over a year of calls, appointments and transmissions, for
/// the figures' benchmarks (see Benchmarks/README.md).
struct SeedFiguresCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "practices", help: "How many practices (default 100).")
        var practices: Int?
        @Option(name: "days", help: "How many days before today (default 365).")
        var days: Int?
        @Option(name: "calls", help: "How many calls presented in all (default 2000000).")
        var calls: Int?
        @Option(name: "appointments", help: "How many appointments in all (default 1000000).")
        var appointments: Int?
        @Option(name: "transmissions", help: "How many transmissions in all (default 200000).")
        var transmissions: Int?
        @Option(name: "seed", help: "The seed (default 1).")
        var seed: Int?
    }

    var help: String { "Fills an empty database with a center's year of calls, appointments and transmissions for the figures' benchmarks." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        var sizes = FigureLoadSeeder.Sizes()
        sizes.practices = signature.practices ?? sizes.practices
        sizes.days = signature.days ?? sizes.days
        sizes.calls = signature.calls ?? sizes.calls
        sizes.appointments = signature.appointments ?? sizes.appointments
        sizes.transmissions = signature.transmissions ?? sizes.transmissions
        guard (1...1_000).contains(sizes.practices) else { throw CommandFailure(description: "--practices: from 1 to 1000") }
        guard (7...731).contains(sizes.days) else { throw CommandFailure(description: "--days: from 7 to 731") }
        for (name, value) in [("calls", sizes.calls), ("appointments", sizes.appointments), ("transmissions", sizes.transmissions)]
        where !(0...10_000_000).contains(value) {
            throw CommandFailure(description: "--\(name): from 0 to 10000000")
        }
        try await DatabaseSetup.prepare(app, settings: app.settings)
        guard try await DemoSeeder.isEmpty(app.db) else {
            throw CommandFailure(description: "The database already holds data; seed-figures only fills an empty database.")
        }
        let began = ContinuousClock.now
        try await FigureLoadSeeder.seed(app: app, sizes: sizes, seed: UInt64(max(0, signature.seed ?? 1)), password: "permanence-charge") {
            context.console.print("\($0) (\(ContinuousClock.now - began))")
        }
        context.console.print("\(sizes.calls) calls, \(sizes.appointments) appointments and \(sizes.transmissions) transmissions in "
            + "\(sizes.practices) practices over \(sizes.days) days (\(ContinuousClock.now - began)); user \(LoadSeeder.email)")
        let cost = try await FigureLoadSeeder.writeCost(app: app, count: 500)
        context.console.print(String(format: "per telephony event (500 calls): the event's insert median %.2f ms, p99 %.2f ms; "
            + "its call's trace written again median %.2f ms, p99 %.2f ms", cost.event.0, cost.event.1, cost.trace.0, cost.trace.1))
    }
}

/// `permanence bench-inserts`: the database's own ceiling for bookings — an appointment and its occupancy row per
/// transaction, straight through the driver the server uses (no HTTP, no rules, no journal), from concurrent tasks.
/// Only on a database filled by `seed-load`; writes in a window years ahead so it never meets the HTTP load's slots.
struct BenchInsertsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "count", help: "How many inserts (default 10000).")
        var count: Int?
        @Option(name: "concurrency", help: "How many concurrent writers (default 64).")
        var concurrency: Int?
    }

    var help: String { "Measures direct appointment inserts on a seed-load database (the ceiling of the booking load test)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let count = signature.count ?? 10_000, concurrency = signature.concurrency ?? 64
        guard (1...1_000_000).contains(count) else { throw CommandFailure(description: "--count: from 1 to 1000000") }
        guard (1...512).contains(concurrency) else { throw CommandFailure(description: "--concurrency: from 1 to 512") }
        try await DatabaseSetup.prepare(app, settings: app.settings)
        guard let practice = try await PracticeRecord.query(on: app.db).filter(\.$slug == LoadSeeder.practiceSlug).first() else {
            throw CommandFailure(description: "No load-test practice here: run `permanence seed-load` on an empty database first.")
        }
        let practiceID = try practice.requireID()
        let practitioners = try await PractitionerRecord.query(on: app.db).filter(\.$practice.$id == practiceID).all().map { try $0.requireID() }
        guard let patient = try await PatientRecord.query(on: app.db).filter(\.$practice.$id == practiceID).first()?.requireID(), !practitioners.isEmpty else {
            throw CommandFailure(description: "The load-test practice has no practitioner or no patient.")
        }
        // Distinct 20-minute places, from a day after the last occupied time and at least five years ahead.
        let last = try await SlotOccupancyRecord.query(on: app.db).filter(\.$practice.$id == practiceID).max(\.$endsAt)
        let base = max(app.clock.now().addingTimeInterval(5 * 365 * 86_400), (last ?? .distantPast).addingTimeInterval(86_400))
        let places = (0..<count).map { index in
            (practitioner: practitioners[index % practitioners.count], start: base.addingTimeInterval(TimeInterval(index / practitioners.count * 1200)))
        }
        // One commit per insert, as every write had before group commit: the ceiling stays the engine's own.
        let writer = app.writer.gate.map { Writer(gate: GroupCommit(limit: 1, connection: $0.connection), clock: app.writer.clock, seal: app.writer.seal) } ?? app.writer
        let db = app.db
        let began = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for lane in 0..<concurrency {
                group.addTask {
                    var mine: [Duration] = []
                    for index in stride(from: lane, to: places.count, by: concurrency) {
                        let place = places[index], start = ContinuousClock.now
                        let appointment = AppointmentRecord()
                        appointment.id = UUID()
                        appointment.$practice.id = practiceID
                        appointment.$practitioner.id = place.practitioner
                        appointment.$patient.id = patient
                        appointment.startsAt = place.start
                        appointment.endsAt = place.start.addingTimeInterval(1200)
                        appointment.status = AppointmentStatus.booked.rawValue
                        appointment.reason = "Consultation"
                        let row = SlotOccupancy.row(for: appointment, bufferMinutes: 0)
                        try await writer.unjournaled(on: db) { tx in
                            try await appointment.create(on: tx)
                            try await row.create(on: tx)
                        }
                        mine.append(ContinuousClock.now - start)
                    }
                    return mine
                }
            }
            var all: [Duration] = []
            for try await part in group { all += part }
            return all.sorted()
        }
        let elapsed = ContinuousClock.now - began
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        func ms(_ d: Duration) -> String { String(format: "%.2f", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15) }
        context.console.print(String(format: "direct inserts: %d in %.2f s = %.0f/s", count, seconds, Double(count) / seconds)
            + " median \(ms(latencies[latencies.count / 2])) ms p99 \(ms(latencies[min(latencies.count - 1, latencies.count * 99 / 100)])) ms"
            + " (\(concurrency) writers, \(app.settings.database.isSQLite ? "SQLite" : "PostgreSQL"))")
    }
}

struct ImportCommands: AsyncCommandGroup {
    var help: String { "Imports data from a practice's previous software." }
    var commands: [String: any AnyAsyncCommand] { ["patients": ImportPatientsCommand()] }
}

/// `permanence import patients --practice … [--mapping "Nom=birthName;…"] [--dry-run] FILE`: the report of every row
/// left out (line and reason), then the import of the rows it accepts.
struct ImportPatientsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "practice", help: "The practice's slug or id.")
        var practice: String?
        @Option(name: "mapping", help: "Column=field pairs separated by ; (fields: birthName, firstNames, usedName, birthDate, sex, birthplaceCode, nir, identityStatus, phone, email, address, notes, ignore). Default: guessed from the column names.")
        var mapping: String?
        @Flag(name: "dry-run", help: "Only report; import nothing.")
        var dryRun: Bool
        // Declared after the options: they are read first, whatever their place on the command line.
        @Argument(name: "file", help: "The CSV file (UTF-8 or Windows-1252; separated by ; , or tab; the first line names the columns).")
        var file: String
    }

    var help: String { "Imports a practice's patients from a CSV file, after a report of every row left out." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let reference = signature.practice else { throw CommandFailure(description: "--practice is required (the practice's slug or id)") }
        guard let bytes = FileManager.default.contents(atPath: signature.file) else {
            throw CommandFailure(description: "\(signature.file): no such file, or not readable")
        }
        var mapping: [String: String]?
        if let text = signature.mapping {
            mapping = [:]
            for pair in text.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2 else { throw CommandFailure(description: "--mapping: « \(pair) » is not Column=field") }
                mapping?[parts[0]] = parts[1]
            }
        }
        try await DatabaseSetup.prepare(app, settings: app.settings)
        guard let record = try await UserStore.findPractice(reference, on: app.db) else {
            throw CommandFailure(description: "--practice: no practice « \(reference) »")
        }
        let practice = try AuthorizedPractice.commandLine(record)
        let writeContext = WriteContext(actor: .system("cli"), requestID: nil, writer: app.writer, database: app.db,
                                        patientIndex: app.patientIndexCache)
        let today = LocalDate(app.clock.now(), in: FrenchFormat.parisTimeZone)
        let began = ContinuousClock.now
        do {
            let (upload, dryRun) = try await PatientImportStore.upload(Array(bytes), fileName: URL(fileURLWithPath: signature.file).lastPathComponent,
                                                                       mapping: mapping, in: practice, context: writeContext, today: today, on: app.db)
            let dto = PatientImportDTO(upload, file: dryRun.file)
            context.console.print("\(record.name) — \(dto.fileName) (\(dto.encoding), séparateur « \(dto.separator) »)")
            for column in dto.columns { context.console.print("  \(column.name) → \(column.field)") }
            if let problem = dto.mappingProblems.first {
                throw CommandFailure(description: "--mapping: \(problem.reason) (give it with --mapping)")
            }
            for rejection in dto.rejected { context.console.print("ligne \(rejection.line) : \(rejection.reasons.joined(separator: " ; "))") }
            context.console.print("\(dto.rows) lignes : \(dto.accepted) acceptées, \(dto.rejected.count) refusées.")
            guard !signature.dryRun else { return }
            let done = try await PatientImportStore.run(upload.id, in: practice, context: writeContext, today: today, dryRun: dryRun, on: app.db)
            let elapsed = ContinuousClock.now - began
            context.console.print("\(done.importedCount ?? 0) dossiers créés en \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow))).")
        } catch AppError.validation(let errors) {
            throw CommandFailure(description: errors.map { "\($0.field): \($0.reason)" }.joined(separator: "\n"))
        }
    }
}

struct UserCommands: AsyncCommandGroup {
    var help: String { "Manages user accounts." }
    var commands: [String: any AnyAsyncCommand] { ["create": CreateUserCommand()] }
}

/// `permanence user create --email … --role … [--password …] [--practice …] [--name …]`.
struct CreateUserCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "The sign-in e-mail address.")
        var email: String?
        @Option(name: "role", help: "secretary, supervisor, practitioner or admin.")
        var role: String?
        @Option(name: "password", help: "At least 12 characters; omit it, or give -, to read it from standard input.")
        var password: String?
        @Option(name: "practice", help: "Practice slugs or ids, separated by commas (secretary: one or more; practitioner: one).")
        var practice: String?
        @Option(name: "name", help: "The name shown in the interface (default: the e-mail's local part).")
        var name: String?
    }

    var help: String { "Creates a user account." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let email = signature.email else { throw CommandFailure(description: "--email is required") }
        guard let role = signature.role else { throw CommandFailure(description: "--role is required (secretary, supervisor, practitioner or admin)") }
        var password = signature.password ?? "-"
        if password == "-" {
            guard let line = readLine(strippingNewline: true) else {
                throw CommandFailure(description: "--password: none given and nothing on standard input")
            }
            password = line
        }
        let app = context.application
        try await DatabaseSetup.prepare(app, settings: app.settings)
        let draft = NewUser(email: email, displayName: signature.name ?? String(email.split(separator: "@").first ?? ""),
                            role: role, password: password,
                            practices: (signature.practice ?? "").split(separator: ",").map(String.init), practitionerID: nil)
        do {
            let user = try await UserStore.create(draft, actor: .system("cli"), requestID: nil, app: app, on: app.db)
            context.console.print("Created \(user.role.rawValue) \(user.email) (\(user.id!.uuidString)).")
        } catch AppError.validation(let errors) {
            throw CommandFailure(description: errors.map { "--\(Self.option(for: $0.field)): \($0.reason)" }.joined(separator: "\n"))
        }
    }

    private static func option(for field: String) -> String {
        switch field {
        case "practices": "practice"
        case "displayName": "name"
        default: field
        }
    }
}

struct AuditCommands: AsyncCommandGroup {
    var help: String { "Checks the audit journal." }
    var commands: [String: any AnyAsyncCommand] { ["verify": VerifyAuditCommand(), "checkpoint": CheckpointAuditCommand()] }
}

/// `permanence audit checkpoint`: signs the journal's length and head into the checkpoints file, outside the database.
struct CheckpointAuditCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Writes a signed checkpoint of the audit journal (its length and head) outside the database." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await DatabaseSetup.prepare(app, settings: app.settings)
        if let checkpoint = try await AuditCheckpoints.write(app: app, now: app.clock.now()) {
            context.console.print("Checkpoint written to \(app.writer.seal.checkpointsPath): \(checkpoint.count) entries, head \(checkpoint.head.prefix(16))….")
        } else {
            context.console.print("The last checkpoint already vouches for the journal as it stands.")
        }
    }
}

/// `permanence audit verify`: walks the hash chain and names the first broken entry.
struct VerifyAuditCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Checks the audit journal's hash chain and names the first broken entry." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await DatabaseSetup.prepare(app, settings: app.settings)
        switch try await AuditVerifier.verify(on: app.db, seal: app.writer.seal) {
        case .intact(let entries):
            let checkpoints = AuditCheckpoint.all(at: app.writer.seal.checkpointsPath).count
            context.console.print("Audit journal intact: \(entries) entries, every link and seal verified, \(checkpoints) signed checkpoint\(checkpoints == 1 ? "" : "s") held.")
        case .broken(let seq, let reason):
            throw CommandFailure(description: "Audit journal BROKEN at entry #\(seq): \(reason)")
        }
    }
}

struct ReportCommands: AsyncCommandGroup {
    var help: String { "Writes the center's reports." }
    var commands: [String: any AnyAsyncCommand] { ["monthly": MonthlyReportCommand()] }
}

/// `permanence report monthly --practice SLUG --month 2026-11 [--directory DIR]`: the practice's monthly report as a
/// page to print (HTML, its style inside) and as CSV, written side by side.
struct MonthlyReportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "practice", help: "The practice's slug or id.")
        var practice: String?
        @Option(name: "month", help: "The month, AAAA-MM (2026-11).")
        var month: String?
        @Option(name: "directory", help: "Where to write the two files (default: the current directory).")
        var directory: String?
    }

    var help: String { "Writes a practice's monthly report: rapport-SLUG-AAAA-MM.html (to print on A4) and .csv." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let month = signature.month else { throw CommandFailure(description: "--month is required (AAAA-MM, 2026-11)") }
        try await DatabaseSetup.prepare(app, settings: app.settings)
        let record = try await PracticeCommands.practice(signature.practice, on: app.db)
        let report: MonthlyReport
        do {
            report = try await MonthlyReport.make(try AuthorizedPractice.commandLine(record), name: record.name, month: month, now: app.clock.now(), on: app.db)
        } catch let error as AppError {
            throw PracticeCommands.failure(error, options: [:])
        }
        let style = (try? String(contentsOfFile: app.directory.publicDirectory + "css/app.css", encoding: .utf8)) ?? ""
        let view = try await app.view.render("reports/monthly-file", ReportsController.page(report, layout: nil, inlineStyle: style)).get()
        let directory = URL(fileURLWithPath: signature.directory ?? FileManager.default.currentDirectoryPath, isDirectory: true)
        let base = directory.appendingPathComponent("rapport-\(record.slug)-\(report.month)")
        try Data(view.data.readableBytesView).write(to: base.appendingPathExtension("html"))
        try Data(report.csv.utf8).write(to: base.appendingPathExtension("csv"))
        context.console.print("\(record.name), \(report.monthLabel) : \(base.path).html et \(base.path).csv")
    }
}
