import Domain
import Fluent
import Foundation
import Vapor

/// `permanence seed-reminders`: many practices whose patients accept messages and a full day of appointments, on an
/// empty database, for the reminders' benchmark (Benchmarks/http/run-reminders.sh).
struct SeedRemindersCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "practices", help: "How many practices (default 100).")
        var practices: Int?
        @Option(name: "appointments", help: "How many appointments on the day, spread over the practices (default 20000).")
        var appointments: Int?
        @Option(name: "day", help: "The day of the appointments, AAAA-MM-JJ (default: in three days).")
        var day: String?
        @Option(name: "password", help: "The password of the load-test supervisor (default permanence-charge).")
        var password: String?
    }

    var help: String { "Fills an empty database with practices and a day of appointments whose patients accept reminders." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let practices = signature.practices ?? 100, appointments = signature.appointments ?? 20_000
        guard (1...1_000).contains(practices) else { throw CommandFailure(description: "--practices: from 1 to 1000") }
        guard (practices...200_000).contains(appointments), appointments <= practices * 240 else {
            throw CommandFailure(description: "--appointments: from one per practice to 240 per practice (ten practitioners, 24 half-hours)")
        }
        let today = LocalDate(app.clock.now(), in: FrenchFormat.parisTimeZone)
        guard let day = signature.day.map({ LocalDate(iso: $0) }) ?? today.adding(days: 3) else { throw CommandFailure(description: "--day: AAAA-MM-JJ") }
        let password = signature.password ?? "permanence-charge"
        try await DatabaseSetup.prepare(app, settings: app.settings)
        guard try await DemoSeeder.isEmpty(app.db) else {
            throw CommandFailure(description: "The database already holds data; seed-reminders only fills an empty database.")
        }
        let result = try await ReminderLoadSeeder.seed(app: app, practices: practices, appointments: appointments, day: day, password: password)
        context.console.print("practice=\(result.practiceID) motif=\(result.motifID) day=\(result.day) appointments=\(result.appointments)")
    }
}

/// `permanence queue-reminders --at ISO`: one pass of the reminders as the worker makes it, at that moment; prints what
/// it queued and how long it took.
struct QueueRemindersCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "at", help: "The moment of the pass, ISO 8601 with its offset (default: now).")
        var at: String?
    }

    var help: String { "Queues the reminders due within the next day, as the worker's pass would, and times it." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let now: Date
        if let text = signature.at {
            guard let parsed = ISOTimestamp.parse(text) else { throw CommandFailure(description: "--at: a date and time ISO 8601 with its offset") }
            now = parsed
        } else {
            now = app.clock.now()
        }
        try await DatabaseSetup.prepare(app, settings: app.settings)
        let began = ContinuousClock.now
        let queued = try await PatientReminders.queue(app: app, now: now)
        let took = ContinuousClock.now - began
        let seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
        context.console.print("queued=\(queued) seconds=\(String(format: "%.3f", seconds))")
    }
}
