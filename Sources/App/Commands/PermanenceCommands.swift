import Domain
import Fluent
import Foundation
import Vapor

/// The command line: `serve` (default), `migrate`, `seed-demo`, `user create`, `audit verify`.
enum PermanenceCommands {
    static func register(on app: Application) async {
        app.asyncCommands.use(PreparedServeCommand(serve: await app.servers.asyncCommand), as: "serve", isDefault: true)
        app.asyncCommands.use(MigrateCommand(), as: "migrate")
        app.asyncCommands.use(SeedDemoCommand(), as: "seed-demo")
        app.asyncCommands.use(SeedLoadCommand(), as: "seed-load")
        app.asyncCommands.use(UserCommands(), as: "user")
        app.asyncCommands.use(AuditCommands(), as: "audit")
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
        if let problem = PasswordPolicy.problem(with: password) { throw CommandFailure(description: "--password: \(problem.reason)") }
        try await DatabaseSetup.prepare(app, settings: app.settings)
        guard try await DemoSeeder.isEmpty(app.db) else {
            throw CommandFailure(description: "The database already holds data; seed-load only fills an empty database.")
        }
        let result = try await LoadSeeder.seed(app: app, seed: UInt64(max(0, signature.seed ?? 1)), practitioners: practitioners,
                                               appointments: appointments, password: password)
        context.console.print("practice=\(result.practiceID) motif=\(result.motifID) user=\(result.email)")
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
    var commands: [String: any AnyAsyncCommand] { ["verify": VerifyAuditCommand()] }
}

/// `permanence audit verify`: walks the hash chain and names the first broken entry.
struct VerifyAuditCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Checks the audit journal's hash chain and names the first broken entry." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await DatabaseSetup.prepare(app, settings: app.settings)
        switch try await AuditVerifier.verify(on: app.db) {
        case .intact(let entries):
            context.console.print("Audit journal intact: \(entries) entries, every link verified.")
        case .broken(let seq, let reason):
            throw CommandFailure(description: "Audit journal BROKEN at entry #\(seq): \(reason)")
        }
    }
}
