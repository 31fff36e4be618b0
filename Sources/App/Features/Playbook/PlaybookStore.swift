import Domain
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// One saved version of a practice's document; never changed once written.
final class PracticeDocumentRecord: Model, @unchecked Sendable {
    static let schema = "practice_documents"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @Field(key: "kind") var kind: String
    @Field(key: "version") var version: Int
    @Field(key: "content") var content: String
    @Field(key: "note") var note: String
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Field(key: "created_by_label") var createdByLabel: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// A document a practice keeps in versions: its playbook, its triage protocol.
protocol VersionedDocument: Codable, Sendable {
    /// `kind` in `practice_documents`, and the journal's entity.
    static var kind: String { get }
    func problems() -> [FieldProblem]
    var versionLines: [VersionLine] { get }
    /// Version 0: what the practice has before anyone saved one.
    static func starting(for practice: PracticeRecord) -> Self
}

extension Playbook: VersionedDocument {
    static var kind: String { "playbook" }
    /// The practice's greeting and address with the national numbers.
    static func starting(for practice: PracticeRecord) -> Playbook { .starting(greeting: practice.greeting, address: practice.address) }
}

extension TriageProtocol: VersionedDocument {
    static var kind: String { "triage-protocol" }
    /// The center's red flags alone.
    static func starting(for practice: PracticeRecord) -> TriageProtocol { TriageProtocol(criteria: []) }
}

/// A version of a document as it is read: 0 is the practice's starting document, before anyone saved one.
struct DocumentVersion<Document: VersionedDocument>: Sendable {
    let number: Int
    let document: Document
    let savedAt: Date?
    let savedBy: String
    let note: String
}

/// The practices' versioned documents: each save is a new version, checked first, journaled, never overwritten.
enum PlaybookStore {
    private static func starting<Document: VersionedDocument>(_ type: Document.Type, of practice: AuthorizedPractice,
                                                              on db: any Database) async throws -> DocumentVersion<Document> {
        DocumentVersion(number: 0, document: Document.starting(for: try await PracticeStore.practice(practice, on: db)),
                        savedAt: nil, savedBy: "", note: "")
    }

    static func current<Document: VersionedDocument>(_ type: Document.Type, of practice: AuthorizedPractice,
                                                     on db: any Database) async throws -> DocumentVersion<Document> {
        guard let record = try await PracticeDocumentRecord.query(on: db).filter(\.$practice.$id == practice.id)
            .filter(\.$kind == Document.kind).sort(\.$version, .descending).first() else {
            return try await starting(type, of: practice, on: db)
        }
        return try decode(record)
    }

    /// Version `number` of the practice's document (0: the starting document). A saved version never changes: read
    /// once into `cache` when one is given — only by a read outside a transaction, which sees committed versions alone.
    static func version<Document: VersionedDocument>(_ type: Document.Type, _ number: Int, of practice: AuthorizedPractice,
                                                     on db: any Database, cache: SavedVersions? = nil) async throws -> DocumentVersion<Document> {
        if number == 0 { return try await starting(type, of: practice, on: db) }
        let key = SavedVersions.Key(practice: practice.id, kind: Document.kind, number: number)
        if let kept = cache?.version(key) as? DocumentVersion<Document> { return kept }
        guard let record = try await PracticeDocumentRecord.query(on: db).filter(\.$practice.$id == practice.id)
            .filter(\.$kind == Document.kind).filter(\.$version == number).first() else {
            throw AppError.notFound(what: "Version")
        }
        let found: DocumentVersion<Document> = try decode(record)
        cache?.keep(found, as: key)
        return found
    }

    /// Every saved version, newest first (without their content).
    static func versions<Document: VersionedDocument>(_ type: Document.Type, of practice: AuthorizedPractice,
                                                      on db: any Database) async throws -> [DocumentVersion<Document>] {
        try await PracticeDocumentRecord.query(on: db).filter(\.$practice.$id == practice.id).filter(\.$kind == Document.kind)
            .sort(\.$version, .descending).all().map(decode)
    }

    /// The changes from version `from` to version `to`.
    static func diff<Document: VersionedDocument>(_ type: Document.Type, from: Int, to: Int, of practice: AuthorizedPractice,
                                                  on db: any Database) async throws -> [VersionChange] {
        let old = try await version(type, from, of: practice, on: db), new = try await version(type, to, of: practice, on: db)
        return VersionDiff.between(old.document.versionLines, new.document.versionLines)
    }

    /// Saves `document` as the next version (422 naming each refused field; nothing is saved then).
    static func save<Document: VersionedDocument>(_ document: Document, note: String?, of practice: AuthorizedPractice,
                                                  context: WriteContext) async throws -> DocumentVersion<Document> {
        let record = try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await insert(document, note: note, of: practice.id, on: tx, journal: journal)
        }
        return try decode(record)
    }

    /// Checks `document` and inserts it as the practice's next version inside the caller's transaction, journaled.
    static func insert<Document: VersionedDocument>(_ document: Document, note: String?, of practice: UUID,
                                                    on tx: any Database, journal: Journal) async throws -> PracticeDocumentRecord {
        let note = (note ?? "").trimmed
        var problems = document.problems().map { FieldError(field: $0.field, reason: $0.reason) }
        if note.count > 500 { problems.append(FieldError(field: "note", reason: "500 caractères au plus")) }
        guard problems.isEmpty else { throw AppError.validation(problems) }
        let last = try await PracticeDocumentRecord.query(on: tx).filter(\.$practice.$id == practice)
            .filter(\.$kind == Document.kind).max(\.$version) ?? 0
        let record = PracticeDocumentRecord()
        record.id = UUID()
        record.$practice.id = practice
        record.kind = Document.kind
        record.version = last + 1
        record.content = String(decoding: try JSONEncoder.sorted.encode(document), as: UTF8.self)
        record.note = note
        record.createdBy = journal.actor.userID
        record.createdByLabel = journal.actor.name
        try await record.create(on: tx)
        try await journal.record(.create, entity: Document.kind, entityID: record.id!.uuidString, practiceID: practice,
                                 after: ["version": String(record.version), "note": note])
        return record
    }

    private static func decode<Document: VersionedDocument>(_ record: PracticeDocumentRecord) throws -> DocumentVersion<Document> {
        DocumentVersion(number: record.version, document: try JSONDecoder().decode(Document.self, from: Data(record.content.utf8)),
                        savedAt: record.createdAt, savedBy: record.createdByLabel, note: record.note)
    }
}

extension JSONEncoder {
    /// Keys in order: a document saved twice reads the same, and its export compares line by line.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }
}

/// The practices' saved document versions already read (a saved version is never overwritten), at most `limit`; the
/// whole is forgotten when full.
final class SavedVersions: Sendable {
    struct Key: Hashable { let practice: UUID; let kind: String; let number: Int }
    private let versions = NIOLockedValueBox<[Key: any Sendable]>([:])
    let limit = 2_000

    func version(_ key: Key) -> (any Sendable)? { versions.withLockedValue { $0[key] } }

    func keep(_ version: any Sendable, as key: Key) {
        versions.withLockedValue {
            if $0.count >= limit { $0.removeAll() }
            $0[key] = version
        }
    }
}

extension Application {
    private struct SavedVersionsKey: StorageKey { typealias Value = SavedVersions }

    /// Set by `makeCaches()`.
    var savedVersions: SavedVersions {
        get { configured(SavedVersionsKey.self) }
        set { storage[SavedVersionsKey.self] = newValue }
    }
}
