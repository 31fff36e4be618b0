import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// A file of patients from a practice's previous software, between its dry run and its import.
final class PatientImportRecord: Model, @unchecked Sendable {
    static let schema = "patient_imports"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Field(key: "created_by_label") var createdByLabel: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Field(key: "file_name") var fileName: String
    @Field(key: "encoding") var encoding: String
    @Field(key: "separator") var separator: String
    /// The file's text (decoded); emptied once imported.
    @Field(key: "content") var content: String
    @Field(key: "mapping") var mapping: String
    @Field(key: "state") var state: String
    @Field(key: "row_count") var rowCount: Int
    @Field(key: "accepted_count") var acceptedCount: Int
    @Field(key: "rejections") var rejections: String
    @OptionalField(key: "imported_at") var importedAt: Date?
    @OptionalField(key: "imported_count") var importedCount: Int?

    init() {}

    var fields: [PatientImportField] {
        ((try? JSONDecoder().decode([String].self, from: Data(mapping.utf8))) ?? []).map { PatientImportField(rawValue: $0) ?? .ignore }
    }

    var rejectedRows: [PatientImportRejection] {
        (try? JSONDecoder().decode([PatientImportRejection].self, from: Data(rejections.utf8))) ?? []
    }
}

/// An import as the API answers it: the columns and what each holds, what is still missing from the mapping, and
/// the report of the last dry run.
struct PatientImportDTO: Content {
    struct Column: Content { let name: String; let field: String; let example: String }
    let id: UUID
    let fileName: String
    let encoding: String
    let separator: String
    let state: String
    let columns: [Column]
    let mappingProblems: [FieldError]
    let rows: Int
    let accepted: Int
    let rejected: [PatientImportRejection]
    let importedCount: Int?

    init(_ record: PatientImportRecord, file: CSVFile?) {
        id = record.id!
        fileName = record.fileName
        encoding = record.encoding
        separator = record.separator == "\t" ? "tab" : record.separator
        state = record.state
        let fields = record.fields
        let header = file?.header ?? []
        columns = header.enumerated().map { index, name in
            Column(name: name, field: (index < fields.count ? fields[index] : .ignore).rawValue,
                   example: file?.rows.first(where: { index < $0.fields.count && !$0.fields[index].isEmpty })?.fields[index] ?? "")
        }
        mappingProblems = record.state == PatientImportStore.State.imported ? []
            : PatientImportMapping(fields: fields).problems().map { FieldError(field: $0.field, reason: $0.reason) }
        rows = record.rowCount
        accepted = record.acceptedCount
        rejected = record.rejectedRows
        importedCount = record.importedCount
    }
}

/// Importing a practice's patients: the file read (encoding, separator), a mapping of its columns (guessed from their
/// names, or given), a dry run that reports every row left out with its line and reason, then the import of the rows
/// the report accepted — checked again against the records of the moment, in batches that each commit with a
/// journal entry naming the records they created.
enum PatientImportStore {
    enum State {
        static let checked = "checked"
        static let imported = "imported"
    }

    /// Files up to 20 MB (100,000 rows of a usual export take about 12 MB); larger ones are refused (413) unread.
    static let maxBytes = 20 * 1024 * 1024
    static let batchSize = 2_000

    /// Reads and keeps the file, with the given mapping or the one guessed from the columns' names, and runs the dry run.
    static func upload(_ bytes: [UInt8], fileName: String, mapping given: [String: String]?, in practice: AuthorizedPractice,
                       context: WriteContext, today: LocalDate, on db: any Database) async throws -> (PatientImportRecord, DryRun) {
        let file: CSVFile
        do { file = try CSVFile.read(bytes) } catch { throw AppError.invalid("file", error.reason) }
        let mapping = try given.map { try parse($0, header: file.header) } ?? PatientImportMapping.guess(header: file.header)
        let record = PatientImportRecord()
        record.id = UUID()
        record.$practice.id = practice.id
        record.createdBy = context.actor.userID
        record.createdByLabel = context.actor.name
        record.fileName = String(fileName.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200)).nilIfEmpty ?? "patients.csv"
        record.encoding = file.encoding.rawValue
        record.separator = String(file.separator)
        record.content = file.text
        record.state = State.checked
        let dryRun = try await apply(mapping, file: file, to: record, in: practice, today: today, on: db)
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await record.create(on: tx)
            try await journal.record(.create, entity: "patient_import", entityID: record.id!.uuidString, practiceID: practice.id,
                                     after: ["fileName": record.fileName, "rows": String(record.rowCount)])
        }
        return (record, dryRun)
    }

    /// A dry run as its caller may keep it: the file read, its report, and the state of the practice's records it was
    /// checked against. `run` given it skips reading and checking the file again when the records have not changed.
    struct DryRun: Sendable {
        let file: CSVFile
        let report: PatientImportReport?
        let checkedAgainst: RecordsState
    }

    /// How many records the practice has and when the last one changed: every write of a record sets `updated_at`.
    struct RecordsState: Equatable, Sendable {
        let count: Int
        let lastChange: Date?
    }

    static func recordsState(of practice: AuthorizedPractice, on db: any Database) async throws -> RecordsState {
        struct Row: Decodable { let records: Int; let last_change: Date? }
        let sql = db as! any SQLDatabase
        let row = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "records")
            .column(SQLFunction("MAX", args: SQLIdentifier("updated_at")), as: "last_change")
            .from(PatientRecord.schema).where("practice_id", .equal, SQLBind(practice.id)).first(decoding: Row.self)
        return RecordsState(count: row?.records ?? 0, lastChange: row?.last_change)
    }

    /// The import and its file.
    static func find(_ id: UUID?, in practice: AuthorizedPractice, on db: any Database) async throws -> (PatientImportRecord, CSVFile?) {
        let record = try await AgendaStore.find(PatientImportRecord.self, id, in: practice, practiceKey: \.$practice, on: db, what: "Import")
        return (record, record.state == State.imported ? nil : try? CSVFile.read(Array(record.content.utf8)))
    }

    /// A dry run with another mapping (or the same one, against the records of the moment).
    static func check(_ id: UUID?, mapping given: [String: String]?, in practice: AuthorizedPractice, context: WriteContext, today: LocalDate,
                      on db: any Database) async throws -> (PatientImportRecord, CSVFile) {
        let (record, file) = try await openForImport(id, in: practice, on: db)
        let mapping = try given.map { try parse($0, header: file.header) } ?? PatientImportMapping(fields: record.fields)
        _ = try await apply(mapping, file: file, to: record, in: practice, today: today, on: db)
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, _ in
            try await record.update(on: tx)
        }
        return (record, file)
    }

    /// Imports the rows the dry run accepts now; the file's content is then cleared, the report kept. With the dry run
    /// of this process (`dryRun`, the command line's), its report is used when the practice's records are still those
    /// it was checked against; otherwise the file is checked again against the records of the moment.
    static func run(_ id: UUID?, in practice: AuthorizedPractice, context: WriteContext, today: LocalDate, dryRun: DryRun? = nil,
                    on db: any Database) async throws -> PatientImportRecord {
        let (record, file) = try await openForImport(id, in: practice, read: dryRun?.file, on: db)
        let mapping = PatientImportMapping(fields: record.fields)
        if let problem = mapping.problems().first { throw AppError.invalid(problem.field, problem.reason) }
        let report: PatientImportReport
        if let dryRun, let checked = dryRun.report, try await recordsState(of: practice, on: db) == dryRun.checkedAgainst {
            report = checked
        } else {
            report = PatientImport.check(file, mapping: mapping, today: today, known: try await known(in: practice, on: db))
        }
        let now = context.writer.clock.now()
        var created = 0
        for batch in report.accepted.chunked(by: batchSize) {
            let patients = batch.map { row in
                let checked = row.checked
                return BulkPatient(id: UUID.bulk(), practice: practice.id, birthName: checked.birthName, firstNames: checked.firstNames,
                                   usedName: checked.usedName, birthDate: checked.birthDate.description, sex: checked.sex,
                                   birthplaceCode: checked.birthplaceCode, insNIR: checked.nir?.value, identityStatus: checked.identityStatus.rawValue,
                                   email: checked.email, address: row.address, notes: row.notes ?? "", createdAt: now,
                                   phones: Array(zip(checked.phones, checked.phoneLabels)))
            }
            let lines = "\(batch.first!.line)–\(batch.last!.line)"
            try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
                try await PatientSearch.insertNew(patients, on: tx)
                try await journal.record(.import, entity: "patient_import", entityID: record.id!.uuidString, practiceID: practice.id,
                                         after: ImportBatch(lines: lines, patients: patients.map(\.id)))
            }
            context.patientIndex.changed(practice.id, patients: patients.map(\.id))
            created += patients.count
        }
        record.rowCount = report.rowCount
        record.acceptedCount = report.accepted.count
        record.rejections = encode(report.rejected)
        record.state = State.imported
        record.importedAt = now
        record.importedCount = created
        record.content = ""
        let summary = ["imported": String(created), "rejected": String(report.rejected.count)]
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await record.update(on: tx)
            try await journal.record(.update, entity: "patient_import", entityID: record.id!.uuidString, practiceID: practice.id,
                                     after: summary)
        }
        return record
    }

    /// The imports of a practice, newest first.
    static func imports(of practice: AuthorizedPractice, on db: any Database) async throws -> [PatientImportRecord] {
        try await PatientImportRecord.query(on: db).filter(\.$practice.$id == practice.id).sort(\.$createdAt, .descending).limit(50)
            .field(\.$id).field(\.$practice.$id).field(\.$createdBy).field(\.$createdByLabel).field(\.$createdAt).field(\.$fileName)
            .field(\.$encoding).field(\.$separator).field(\.$mapping).field(\.$state).field(\.$rowCount).field(\.$acceptedCount)
            .field(\.$importedAt).field(\.$importedCount).all()
    }

    private struct ImportBatch: Encodable { let lines: String; let patients: [UUID] }

    /// The import still to run, and its file (`read`, when the caller has just read it).
    private static func openForImport(_ id: UUID?, in practice: AuthorizedPractice, read: CSVFile? = nil,
                                      on db: any Database) async throws -> (PatientImportRecord, CSVFile) {
        let record = try await AgendaStore.find(PatientImportRecord.self, id, in: practice, practiceKey: \.$practice, on: db, what: "Import")
        guard record.state != State.imported else { throw AppError.conflict("Ce fichier a déjà été importé.") }
        guard let file = read ?? (try? CSVFile.read(Array(record.content.utf8))) else {
            throw AppError.conflict("Le fichier de cet import ne se relit plus : déposez-le de nouveau.")
        }
        return (record, file)
    }

    private static func parse(_ given: [String: String], header: [String]) throws -> PatientImportMapping {
        switch PatientImportMapping.parse(given, header: header) {
        case .success(let mapping): return mapping
        case .failure(let problems): throw AppError.validation(problems.list.map { FieldError(field: $0.field, reason: $0.reason) })
        }
    }

    /// Runs the dry run and keeps the mapping and its report on the import.
    private static func apply(_ mapping: PatientImportMapping, file: CSVFile, to record: PatientImportRecord, in practice: AuthorizedPractice,
                              today: LocalDate, on db: any Database) async throws -> DryRun {
        record.mapping = String(decoding: try JSONEncoder().encode(mapping.fields.map(\.rawValue)), as: UTF8.self)
        let state = try await recordsState(of: practice, on: db)
        guard mapping.problems().isEmpty else {
            record.rowCount = file.rows.count
            record.acceptedCount = 0
            record.rejections = "[]"
            return DryRun(file: file, report: nil, checkedAgainst: state)
        }
        let report = PatientImport.check(file, mapping: mapping, today: today, known: try await known(in: practice, on: db))
        record.rowCount = report.rowCount
        record.acceptedCount = report.accepted.count
        record.rejections = encode(report.rejected)
        return DryRun(file: file, report: report, checkedAgainst: state)
    }

    private static func encode(_ rejections: [PatientImportRejection]) -> String {
        String(decoding: (try? JSONEncoder().encode(rejections)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// The practice's current records, for the duplicate check: read with plain SQL (tens of thousands of rows).
    private static func known(in practice: AuthorizedPractice, on db: any Database) async throws -> [KnownIdentity] {
        struct Row: Decodable {
            let id: UUID; let birth_name: String; let first_names: String; let used_name: String?; let birth_date: String; let sex: String
            let birthplace_code: String?
        }
        struct Phone: Decodable { let patient_id: UUID; let e164: String }
        let sql = db as! any SQLDatabase
        let rows = try await sql.select().columns("id", "birth_name", "first_names", "used_name", "birth_date", "sex", "birthplace_code")
            .from(PatientRecord.schema).where("practice_id", .equal, SQLBind(practice.id))
            .where("merged_into_id", .is, SQLLiteral.null).where("anonymised_at", .is, SQLLiteral.null).all(decoding: Row.self)
        let phones = Dictionary(grouping: try await sql.select().columns("patient_id", "e164").from(PatientPhoneRecord.schema)
            .where("practice_id", .equal, SQLBind(practice.id)).all(decoding: Phone.self), by: \.patient_id)
        return rows.map { row in
            let birthDate = LocalDate(iso: row.birth_date) ?? LocalDate(year: 1, month: 1, day: 1)
            let name = IndexedPatient.displayName(birthName: row.birth_name, firstNames: row.first_names, usedName: row.used_name)
            return KnownIdentity(label: "\(name), né(e) le \(birthDate.frenchNumeric)",
                                 traits: IdentityTraits(birthName: row.birth_name, firstNames: row.first_names, usedName: row.used_name,
                                                        birthDate: birthDate, sex: row.sex, birthplaceCode: row.birthplace_code,
                                                        phones: (phones[row.id] ?? []).map { PhoneNumber(e164: $0.e164) }))
        }
    }
}
