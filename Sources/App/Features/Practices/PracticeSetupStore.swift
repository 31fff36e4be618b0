import Domain
import Fluent
import Foundation
import Vapor

/// The hours the center answers for a practice, as the API and the database write them.
struct CoverageDTO: Content, Equatable {
    struct Range: Content, Equatable { let start: String; let end: String }
    struct Weekly: Content, Equatable { let weekday: Int; let start: String; let end: String }
    struct Exception: Content, Equatable { let date: String; let ranges: [Range]; let reason: String? }

    var weekly: [Weekly]
    var exceptions: [Exception]?

    init(weekly: [Weekly], exceptions: [Exception]?) {
        self.weekly = weekly
        self.exceptions = exceptions
    }

    init(_ hours: CoverageHours) {
        weekly = hours.weekly.keys.sorted().flatMap { day in
            (hours.weekly[day] ?? []).map { Weekly(weekday: day, start: $0.start.description, end: $0.end.description) }
        }
        exceptions = hours.exceptions.map { exception in
            Exception(date: exception.date.description, ranges: exception.ranges.map { Range(start: $0.start.description, end: $0.end.description) },
                      reason: exception.reason)
        }
    }

    /// The hours, or every problem with its field.
    func domain() -> Result<CoverageHours, AppError> {
        var errors: [FieldError] = []
        func range(_ start: String, _ end: String, field: String) -> CoverageRange? {
            let from = LocalTime(parsing: start), to = end == "24:00" ? LocalTime.endOfDay : LocalTime(parsing: end)
            if from == nil { errors.append(FieldError(field: "\(field).start", reason: "heure HH:MM attendue")) }
            if to == nil { errors.append(FieldError(field: "\(field).end", reason: "heure HH:MM attendue")) }
            guard let from, let to else { return nil }
            return CoverageRange(start: from, end: to)
        }
        var byDay: [Int: [CoverageRange]] = [:]
        // Where each day's ranges were written, so that a problem names the range as given.
        var written: [Int: [Int]] = [:]
        for (index, item) in weekly.enumerated() {
            guard (1...7).contains(item.weekday) else {
                errors.append(FieldError(field: "coverage.weekly[\(index)].weekday", reason: "jour de 1 (lundi) à 7 (dimanche)"))
                continue
            }
            if let value = range(item.start, item.end, field: "coverage.weekly[\(index)]") {
                byDay[item.weekday, default: []].append(value)
                written[item.weekday, default: []].append(index)
            }
        }
        var dated: [CoverageException] = []
        for (index, item) in (exceptions ?? []).enumerated() {
            guard let date = LocalDate(iso: item.date) else {
                errors.append(FieldError(field: "coverage.exceptions[\(index)].date", reason: "date AAAA-MM-JJ attendue"))
                continue
            }
            let ranges = item.ranges.enumerated().compactMap { range($1.start, $1.end, field: "coverage.exceptions[\(index)].ranges[\($0)]") }
            dated.append(CoverageException(date: date, ranges: ranges, reason: item.reason ?? ""))
        }
        let hours = CoverageHours(weekly: byDay, exceptions: dated)
        errors += hours.problems { day, index in "coverage.weekly[\(written[day]?[index] ?? index)]" }.map { FieldError(field: $0.field, reason: $0.reason) }
        return errors.isEmpty ? .success(hours) : .failure(.validation(errors))
    }

    static func stored(_ text: String) -> CoverageHours? {
        guard !text.isEmpty, let dto = try? JSONDecoder().decode(CoverageDTO.self, from: Data(text.utf8)) else { return nil }
        return try? dto.domain().get()
    }
}

/// A dialled number as the API writes it: `{"number":"+33123456789","label":"urgences"}`.
struct DialledNumberDTO: Content, Equatable {
    let number: String
    let label: String?
}

/// What a practice is made of, as created or replaced through the API, the screen or the command line.
struct PracticeInput: Content {
    var name: String
    var slug: String?
    var specialty: String
    var address: String
    var access: String?
    var departement: String
    var timeZone: String?
    var openedHolidays: [String]?
    var numbers: [DialledNumberDTO]
    var coverage: CoverageDTO
    var outsideHoursMessage: String
    var greeting: String?
    var serviceStartsOn: String?
    /// On creation only: the specialty template (`Resources/Specialties/ID.json`) whose motifs, playbook and triage
    /// protocol the practice starts from.
    var template: String? = nil
}

/// Reason given when suspending a practice.
struct SuspensionInput: Content {
    let reason: String
}

/// Creating, replacing, suspending and reopening practices; every change journaled with its before and after.
enum PracticeSetupStore {
    struct Checked {
        let slug: String
        let departement: Departement
        let timeZone: String
        let openedHolidays: [LocalDate]
        let numbers: [DialledNumber]
        let coverage: CoverageHours
    }

    /// Every problem of `input` at once (422), then the numbers and slug already taken by another practice (409).
    static func check(_ input: PracticeInput, existing: UUID?, on db: any Database) async throws -> Checked {
        var errors: [FieldError] = []
        func require(_ value: String, _ field: String, _ reason: String, max: Int = 200) {
            let text = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { errors.append(FieldError(field: field, reason: reason)) } else if text.count > max {
                errors.append(FieldError(field: field, reason: "\(max) caractères au plus"))
            }
        }
        require(input.name, "name", "nom du cabinet obligatoire", max: 120)
        require(input.specialty, "specialty", "spécialité obligatoire", max: 80)
        require(input.address, "address", "adresse obligatoire", max: 300)
        if (input.access ?? "").count > 1000 { errors.append(FieldError(field: "access", reason: "1 000 caractères au plus")) }
        // As long as the playbook's greeting and out-of-hours text may be: a template copies them there.
        if (input.greeting ?? "").count > 300 { errors.append(FieldError(field: "greeting", reason: "300 caractères au plus")) }
        if input.outsideHoursMessage.count > 2000 { errors.append(FieldError(field: "outsideHoursMessage", reason: "2 000 caractères au plus")) }
        let slug = input.slug.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 } ?? PracticeSlug.from(name: input.name)
        if let problem = PracticeSlug.problem(with: slug) { errors.append(FieldError(field: "slug", reason: problem)) }
        let departement = Departement(code: input.departement)
        if departement == nil {
            errors.append(FieldError(field: "departement", reason: "département inconnu : « \(input.departement) » (01 à 95, 2A, 2B, 971 à 974, 976)"))
        }
        let zone = input.timeZone.flatMap { $0.isEmpty ? nil : $0 } ?? departement?.timeZoneIdentifier ?? "Europe/Paris"
        if TimeZone(identifier: zone) == nil { errors.append(FieldError(field: "timeZone", reason: "fuseau horaire inconnu : « \(zone) »")) }
        var holidays: [LocalDate] = []
        for (index, raw) in (input.openedHolidays ?? []).enumerated() {
            guard let date = LocalDate(iso: raw) else {
                errors.append(FieldError(field: "openedHolidays[\(index)]", reason: "date AAAA-MM-JJ attendue"))
                continue
            }
            if FrenchHolidays.holiday(on: date, alsaceMoselle: departement?.isAlsaceMoselle ?? false) == nil {
                errors.append(FieldError(field: "openedHolidays[\(index)]", reason: "le \(raw) n'est pas un jour férié"))
            }
            holidays.append(date)
        }
        var numbers: [DialledNumber] = []
        if input.numbers.isEmpty { errors.append(FieldError(field: "numbers", reason: "au moins un numéro appelé")) }
        for (index, item) in input.numbers.enumerated() {
            var label: DialledNumberLabel?
            if let raw = item.label, !raw.isEmpty {
                label = DialledNumberLabel(rawValue: raw)
                if label == nil { errors.append(FieldError(field: "numbers[\(index)].label", reason: "urgences ou secrétariat")) }
            }
            do {
                let number = try PhoneNumber(parsing: item.number)
                if numbers.contains(where: { $0.number == number }) {
                    errors.append(FieldError(field: "numbers[\(index)].number", reason: "numéro donné deux fois"))
                } else {
                    numbers.append(DialledNumber(number: number, label: label))
                }
            } catch {
                errors.append(FieldError(field: "numbers[\(index)].number", reason: error.reason))
            }
        }
        var coverage = CoverageHours(weekly: [:])
        switch input.coverage.domain() {
        case .success(let hours): coverage = hours
        case .failure(let error): if case .validation(let problems) = error { errors += problems }
        }
        if let problem = OutsideHoursMessage.problem(with: input.outsideHoursMessage) {
            errors.append(FieldError(field: "outsideHoursMessage", reason: problem))
        }
        if let start = input.serviceStartsOn, !start.isEmpty, LocalDate(iso: start) == nil {
            errors.append(FieldError(field: "serviceStartsOn", reason: "date AAAA-MM-JJ attendue"))
        }
        if !errors.isEmpty { throw AppError.validation(errors) }

        let taken = try await PracticeNumberRecord.query(on: db).filter(\.$number ~~ numbers.map(\.number.e164)).with(\.$practice).all()
            .filter { $0.$practice.id != existing }
        if let first = taken.first {
            throw AppError.conflict("Le numéro \(FrenchFormat.phone(first.number)) est déjà celui du cabinet « \(first.practice.name) » : "
                + "un numéro appelé ne mène qu'à un cabinet.")
        }
        if let other = try await PracticeRecord.query(on: db).filter(\.$slug == slug).first(), other.id != existing {
            throw AppError.conflict("L'identifiant « \(slug) » est déjà celui du cabinet « \(other.name) » : choisissez-en un autre.")
        }
        return Checked(slug: slug, departement: departement!, timeZone: zone, openedHolidays: holidays, numbers: numbers, coverage: coverage)
    }

    /// Creates a practice of the center, its numbers with it, in one journaled transaction; on a database started
    /// without the demo, the first practice makes the center too.
    static func create(_ input: PracticeInput, context: WriteContext, app: Application) async throws -> PracticeRecord {
        let template = try Self.template(input.template, app: app)
        var completed = input
        if let template, input.specialty.trimmingCharacters(in: .whitespaces).isEmpty { completed.specialty = template.specialty }
        let input = completed
        _ = try await check(input, existing: nil, on: context.database)
        let record = try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            var center = try await CenterRecord.query(on: tx).first()
            if center == nil {
                let made = CenterRecord(id: UUID(), name: "Centre de télésecrétariat")
                try await made.create(on: tx)
                try await journal.record(.create, entity: "center", entityID: made.id!.uuidString, practiceID: nil, after: ["name": made.name])
                center = made
            }
            return try await insert(input, id: UUID(), center: try center!.requireID(), template: template, on: tx, journal: journal)
        }
        app.practiceDirectory.forget()
        return record
    }

    /// Checks and inserts a practice and its numbers inside the caller's transaction, journaled: the one way a practice
    /// is made (the API, the screen, the command line, the demo). From a template, its motifs (taken by no practitioner
    /// yet), its playbook and its triage protocol come as first versions with the template's note.
    /// A practice made `live` (the demo, fixtures) skips the onboarding checklist.
    static func insert(_ input: PracticeInput, id: UUID, center: UUID, template: SpecialtyTemplate? = nil, live: Bool = false,
                       on tx: any Database, journal: Journal) async throws -> PracticeRecord {
        let checked = try await check(input, existing: nil, on: tx)
        let record = PracticeRecord()
        record.id = id
        record.$center.id = center
        record.liveAt = live ? journal.now : nil
        apply(input, checked, to: record)
        try await record.create(on: tx)
        try await saveNumbers(checked.numbers, of: id, on: tx)
        try await journal.record(.create, entity: "practice", entityID: id.uuidString, practiceID: id, after: try await PracticeDTO.make(record, on: tx))
        guard let template else { return record }
        for item in template.motifs {
            let motif = item.motif(id: UUID())
            let motifRecord = MotifRecord()
            motifRecord.apply(motif, practice: id)
            try await motifRecord.create(on: tx)
            try await journal.record(.create, entity: "motif", entityID: motif.id.uuidString, practiceID: id, after: MotifDTO(motif))
        }
        let playbook = template.playbook(greeting: record.greeting, address: record.address, access: record.access,
                                         coverage: checked.coverage.frenchSentence, outOfHours: record.outsideHoursMessage)
        _ = try await PlaybookStore.insert(playbook, note: template.note, of: id, on: tx, journal: journal)
        _ = try await PlaybookStore.insert(template.triage, note: template.note + " ; à relire par un praticien du cabinet", of: id, on: tx, journal: journal)
        return record
    }

    /// The template named on creation; 422 for a name no file has.
    static func template(_ name: String?, app: Application) throws -> SpecialtyTemplate? {
        guard let name, !name.isEmpty else { return nil }
        let all = try SpecialtyTemplates.all(app)
        guard let found = all.first(where: { $0.id == name }) else {
            throw AppError.invalid("template", "modèle inconnu : « \(name) » (\(all.map(\.id).joined(separator: ", ")))")
        }
        return found
    }

    /// Replaces what the practice is made of (not its suspension).
    static func update(_ record: PracticeRecord, with input: PracticeInput, context: WriteContext, app: Application) async throws {
        if input.template != nil { throw AppError.invalid("template", "un modèle ne s'applique qu'à la création du cabinet") }
        let checked = try await check(input, existing: record.id, on: context.database)
        let before = try await PracticeDTO.make(record, on: context.database)
        apply(input, checked, to: record)
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await record.update(on: tx)
            try await PracticeNumberRecord.query(on: tx).filter(\.$practice.$id == record.id!).delete()
            try await saveNumbers(checked.numbers, of: record.id!, on: tx)
            try await journal.record(.update, entity: "practice", entityID: record.id!.uuidString, practiceID: record.id!,
                                     before: before, after: try await PracticeDTO.make(record, on: tx))
        }
        app.agendaCache.invalidate(record.id!)
        app.practiceDirectory.forget()
    }

    /// Suspends (with a reason) or reopens a practice; its data stays whole either way.
    static func setSuspended(_ record: PracticeRecord, reason: String?, context: WriteContext, now: Date) async throws {
        let suspending = reason != nil
        if suspending && record.suspendedAt != nil { throw AppError.conflict("Ce cabinet est déjà suspendu.") }
        if !suspending && record.suspendedAt == nil { throw AppError.conflict("Ce cabinet n'est pas suspendu.") }
        if let reason, reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw AppError.invalid("reason", "motif de la suspension obligatoire (il est lu aux appelants)")
        }
        let before = ["suspended": record.suspendedAt != nil ? "true" : "false", "reason": record.suspensionReason ?? ""]
        record.suspendedAt = suspending ? now : nil
        record.suspensionReason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await record.update(on: tx)
            try await journal.record(.update, entity: "practice", entityID: record.id!.uuidString, practiceID: record.id!,
                                     before: before, after: ["suspended": suspending ? "true" : "false", "reason": record.suspensionReason ?? ""])
        }
    }

    private static func apply(_ input: PracticeInput, _ checked: Checked, to record: PracticeRecord) {
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        record.name = name
        record.slug = checked.slug
        record.kind = input.specialty.trimmingCharacters(in: .whitespacesAndNewlines)
        record.address = input.address.trimmingCharacters(in: .whitespacesAndNewlines)
        record.access = (input.access ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        record.departement = checked.departement.code
        record.alsaceMoselle = checked.departement.isAlsaceMoselle
        record.timeZone = checked.timeZone
        record.openedHolidays = CommaList.join(checked.openedHolidays.sorted().map(\.description))
        record.phone = checked.numbers[0].number.e164
        record.coverage = String(decoding: (try? JSONEncoder().encode(CoverageDTO(checked.coverage))) ?? Data(), as: UTF8.self)
        record.outsideHoursMessage = input.outsideHoursMessage.trimmingCharacters(in: .whitespacesAndNewlines)
        let greeting = (input.greeting ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        record.greeting = greeting.isEmpty ? "\(name), bonjour. Que puis-je pour vous ?" : greeting
        record.serviceStartsOn = input.serviceStartsOn.flatMap { $0.isEmpty ? nil : $0 }
    }

    private static func saveNumbers(_ numbers: [DialledNumber], of practice: UUID, on db: any Database) async throws {
        for (position, number) in numbers.enumerated() {
            try await PracticeNumberRecord(practice: practice, number: number.number.e164, label: number.label?.rawValue, position: position).create(on: db)
        }
    }

    static func numbers(of practice: UUID, on db: any Database) async throws -> [PracticeNumberRecord] {
        try await PracticeNumberRecord.query(on: db).filter(\.$practice.$id == practice).sort(\.$position).all()
    }

    /// The practice a dialled number (E.164) leads to.
    static func practice(dialled number: String, on db: any Database) async throws -> PracticeRecord? {
        try await PracticeNumberRecord.query(on: db).filter(\.$number == number).with(\.$practice).first()?.practice
    }
}

/// A practice as the API shows it.
struct PracticeDTO: Content {
    let id: UUID
    let slug: String
    let name: String
    let specialty: String
    let greeting: String
    let address: String
    let access: String
    /// The main dialled number (the first of `numbers`).
    let phone: String
    let numbers: [DialledNumberDTO]
    let departement: String?
    let alsaceMoselle: Bool
    let timeZone: String
    let openedHolidays: [String]
    let coverage: CoverageDTO?
    let outsideHoursMessage: String
    let serviceStartsOn: String?
    /// `active` or `suspended`.
    let status: String
    let suspensionReason: String?
    /// Put into service once its onboarding checklist held; before, its calls pop for supervisors and administrators only.
    let live: Bool

    static func make(_ record: PracticeRecord, on db: any Database) async throws -> PracticeDTO {
        let numbers = try await PracticeSetupStore.numbers(of: record.id!, on: db)
        return PracticeDTO(id: record.id!, slug: record.slug, name: record.name, specialty: record.kind, greeting: record.greeting,
                           address: record.address, access: record.access, phone: record.phone,
                           numbers: numbers.map { DialledNumberDTO(number: $0.number, label: $0.label) },
                           departement: record.departement, alsaceMoselle: record.alsaceMoselle, timeZone: record.timeZone,
                           openedHolidays: CommaList.strings(record.openedHolidays),
                           coverage: CoverageDTO.stored(record.coverage).map(CoverageDTO.init),
                           outsideHoursMessage: record.outsideHoursMessage, serviceStartsOn: record.serviceStartsOn,
                           status: record.suspendedAt == nil ? "active" : "suspended", suspensionReason: record.suspensionReason,
                           live: record.liveAt != nil)
    }
}
