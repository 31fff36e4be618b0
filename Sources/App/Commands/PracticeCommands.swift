import Domain
import Fluent
import Foundation
import Vapor

/// `permanence practice create|list|suspend|reopen`: putting a practice into service from the server's command line, by
/// the same checks as the API and the screens.
struct PracticeCommands: AsyncCommandGroup {
    var help: String { "Creates, lists, suspends and reopens practices." }
    var commands: [String: any AnyAsyncCommand] {
        ["create": CreatePracticeCommand(), "list": ListPracticesCommand(), "suspend": SuspendPracticeCommand(suspend: true),
         "reopen": SuspendPracticeCommand(suspend: false)]
    }

    static func context(_ app: Application) -> WriteContext {
        WriteContext(actor: .system("cli"), requestID: nil, writer: app.writer, database: app.db, patientIndex: app.patientIndexCache)
    }

    /// The practice named by its slug or id.
    static func practice(_ name: String?, on db: any Database) async throws -> PracticeRecord {
        guard let name, !name.isEmpty else { throw CommandFailure(description: "--practice is required (the practice's slug or id)") }
        let found = if let id = UUID(uuidString: name) { try await PracticeRecord.find(id, on: db) }
            else { try await PracticeRecord.query(on: db).filter(\.$slug == name).first() }
        guard let found else { throw CommandFailure(description: "--practice: no practice is named \"\(name)\"") }
        return found
    }

    /// A refusal's fields as the options that gave them.
    static func failure(_ error: AppError, options: [String: String]) -> CommandFailure {
        switch error {
        case .validation(let errors):
            CommandFailure(description: errors.map { error in
                let root = String(error.field.prefix { $0 != "[" && $0 != "." })
                return "--\(options[root] ?? root) (\(error.field)): \(error.reason)"
            }.joined(separator: "\n"))
        default: CommandFailure(description: error.detail)
        }
    }
}

/// `permanence practice create --name … --specialty … --address … --departement 57 --numbers "03 87 00 00 01:secrétariat,…"
/// --coverage "1-5 08:00-19:00; 6 08:00-12:00" --outside-hours "… le 15 …"`.
struct CreatePracticeCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "name", help: "The practice's name.") var name: String?
        @Option(name: "slug", help: "Short stable name (default: made from the name).") var slug: String?
        @Option(name: "specialty", help: "Médecine générale, Pédiatrie, Kinésithérapie…") var specialty: String?
        @Option(name: "address", help: "Street, postal code and town.") var address: String?
        @Option(name: "access", help: "Floor, door code, lift, parking.") var access: String?
        @Option(name: "departement", help: "INSEE code (57, 67 and 68 open the Alsace-Moselle holidays).") var departement: String?
        @Option(name: "time-zone", help: "Default: the département's.") var timeZone: String?
        @Option(name: "numbers", help: "Dialled numbers separated by commas, each optionally :urgences or :secrétariat.") var numbers: String?
        @Option(name: "coverage", help: "Hours the center answers: \"1-5 08:00-19:00; 6 08:00-12:00\" (ISO weekdays, 1 Monday).") var coverage: String?
        @Option(name: "outside-hours", help: "What is said outside those hours; names the 15.") var outsideHours: String?
        @Option(name: "greeting", help: "How the secretary picks up.") var greeting: String?
        @Option(name: "starts", help: "First day of service, YYYY-MM-DD.") var starts: String?
        @Option(name: "template", help: "Start from a specialty template: medecine-generale, pediatrie, kinesitherapie, dentaire, sage-femme, psychiatrie.")
        var template: String?
    }

    var help: String { "Creates a practice." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await DatabaseSetup.prepare(app, settings: app.settings)
        let numbers = (signature.numbers ?? "").split(separator: ",").map { item -> DialledNumberDTO in
            let parts = item.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return DialledNumberDTO(number: parts[0], label: parts.count > 1 ? parts[1] : nil)
        }
        let input = PracticeInput(name: signature.name ?? "", slug: signature.slug, specialty: signature.specialty ?? "", address: signature.address ?? "",
                                  access: signature.access, departement: signature.departement ?? "", timeZone: signature.timeZone,
                                  openedHolidays: nil, numbers: numbers, coverage: try Self.coverage(signature.coverage ?? ""),
                                  outsideHoursMessage: signature.outsideHours ?? "", greeting: signature.greeting, serviceStartsOn: signature.starts,
                                  template: signature.template)
        do {
            let record = try await PracticeSetupStore.create(input, context: PracticeCommands.context(app), app: app)
            context.console.print("Created practice \(record.slug) (\(record.id!.uuidString)), answering on \(numbers.map(\.number).joined(separator: ", ")).")
        } catch let error as AppError {
            throw PracticeCommands.failure(error, options: ["outsideHoursMessage": "outside-hours", "timeZone": "time-zone", "serviceStartsOn": "starts"])
        }
    }

    /// "1-5 08:00-19:00; 6 08:00-12:00" → weekly ranges.
    static func coverage(_ text: String) throws -> CoverageDTO {
        var weekly: [CoverageDTO.Weekly] = []
        for part in text.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let pieces = part.split(separator: " ", omittingEmptySubsequences: true)
            let days = pieces.first?.split(separator: "-").compactMap { Int($0) } ?? []
            guard pieces.count == 2, let first = days.first, let last = days.last, days.count <= 2, first <= last else {
                throw CommandFailure(description: "--coverage: \"\(part)\" is not DAYS HH:MM-HH:MM (days 1-7, e.g. \"1-5 08:00-19:00\")")
            }
            let times = pieces[1].split(separator: "-").map(String.init)
            guard times.count == 2 else { throw CommandFailure(description: "--coverage: \"\(part)\" lacks HH:MM-HH:MM") }
            weekly += (first...last).map { CoverageDTO.Weekly(weekday: $0, start: times[0], end: times[1]) }
        }
        return CoverageDTO(weekly: weekly, exceptions: nil)
    }
}

/// `permanence practice list`: every practice, its state and numbers.
struct ListPracticesCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Lists the practices with their numbers and state." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await DatabaseSetup.prepare(app, settings: app.settings)
        for record in try await PracticeRecord.query(on: app.db).sort(\.$name).all() {
            let numbers = try await PracticeSetupStore.numbers(of: record.id!, on: app.db).map { $0.number + ($0.label.map { " (\($0))" } ?? "") }
            let state = record.suspendedAt == nil ? "active" : "suspended: \(record.suspensionReason ?? "")"
            context.console.print("\(record.slug)\t\(record.name)\t\(record.departement ?? "-")\t\(numbers.joined(separator: ", "))\t\(state)")
        }
    }
}

/// `permanence practice suspend --practice SLUG --reason …` and `permanence practice reopen --practice SLUG`.
struct SuspendPracticeCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "practice", help: "The practice's slug or id.") var practice: String?
        @Option(name: "reason", help: "Why (read to callers while it is suspended).") var reason: String?
    }

    let suspend: Bool
    var help: String { suspend ? "Suspends a practice: its data is kept, its calls pop with the reason." : "Reopens a suspended practice." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await DatabaseSetup.prepare(app, settings: app.settings)
        let record = try await PracticeCommands.practice(signature.practice, on: app.db)
        do {
            try await PracticeSetupStore.setSuspended(record, reason: suspend ? (signature.reason ?? "") : nil, context: PracticeCommands.context(app),
                                                      now: app.clock.now())
        } catch let error as AppError {
            throw PracticeCommands.failure(error, options: [:])
        }
        context.console.print(suspend ? "Suspended \(record.slug)." : "Reopened \(record.slug).")
    }
}
