import Domain
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// One phone number of a patient, in E.164; a family may share one.
final class PatientPhoneRecord: Model, @unchecked Sendable {
    static let schema = "patient_phones"

    @ID(key: .id) var id: UUID?
    @Field(key: "practice_id") var practiceID: UUID
    @Parent(key: "patient_id") var patient: PatientRecord
    @Field(key: "e164") var e164: String
    /// "portable", "fixe", "travail", "tuteur"…
    @Field(key: "label") var label: String
    @Field(key: "position") var position: Int

    init() {}

    init(practice: UUID, patient: UUID, phone: PhoneNumber, label: String, position: Int) {
        id = UUID()
        practiceID = practice
        $patient.id = patient
        e164 = phone.e164
        self.label = label
        self.position = position
    }

    var number: PhoneNumber { PhoneNumber(e164: e164) }
}

/// A new record written in bulk: what an import or a fixture knows of the patient; consents and flags start off,
/// and the preferred practitioner, the guardian and the interpreter are not set.
struct BulkPatient: Sendable {
    let id: UUID
    let practice: UUID
    let birthName: String
    let firstNames: String
    let usedName: String?
    /// ISO 8601 (`1957-12-03`).
    let birthDate: String
    let sex: String
    var birthplaceCode: String? = nil
    var insNIR: String? = nil
    var identityStatus = IdentityStatus.provisoire.rawValue
    var email: String? = nil
    var address: String? = nil
    var notes = ""
    let createdAt: Date
    var phones: [(PhoneNumber, String)] = []
}

/// Finding patients: the search as the secretary types, and the caller-ID match.
enum PatientSearch {
    /// Writes the phone numbers of `patient` (replacing those it had), in the caller's transaction.
    static func replacePhones(of patient: PatientRecord, with phones: [(PhoneNumber, String)], on db: any Database) async throws {
        let id = try patient.requireID()
        try await PatientPhoneRecord.query(on: db).filter(\.$patient.$id == id).delete()
        try await insertPhones([(id, patient.$practice.id, phones)], on: db)
    }

    /// The phone numbers of patients just created (a number once per patient, in its order), written in batches.
    static func insertPhones(_ patients: [(patient: UUID, practice: UUID, phones: [(PhoneNumber, String)])], on db: any Database) async throws {
        var numbers: [[any SQLExpression]] = []
        for (id, practiceID, phones) in patients {
            let patient = SQLBind(id), practice = SQLBind(practiceID)
            var seen = Set<String>()
            for (position, phone) in phones.filter({ seen.insert($0.0.e164).inserted }).enumerated() {
                numbers.append([SQLBind(UUID.bulk()), practice, patient, SQLBind(phone.0.e164), SQLBind(phone.1), SQLLiteral.numeric("\(position)")])
            }
        }
        let sql = db as! any SQLDatabase
        for chunk in numbers.chunked(by: 1_000) {
            try await sql.insert(into: PatientPhoneRecord.schema).columns("id", "practice_id", "patient_id", "e164", "label", "position")
                .rows(Array(chunk)).run()
        }
    }

    /// Many new records at once (an import, a benchmark's fixture): one statement per few hundred rows, then their
    /// numbers; in the caller's transaction. What a bulk record does not set (consents, flags, links) is written as SQL
    /// literals rather than bound, and no Fluent model is built: an import writes 100,000 of them.
    static func insertNew(_ patients: [BulkPatient], on db: any Database) async throws {
        func optional(_ value: String?) -> any SQLExpression { value.map { SQLBind($0) } ?? SQLLiteral.null }
        let no = SQLLiteral.boolean(false)
        let rows: [[any SQLExpression]] = patients.map { patient in
            [SQLBind(patient.id), SQLBind(patient.practice), SQLBind(patient.birthName), SQLBind(patient.firstNames), optional(patient.usedName),
             SQLBind(patient.birthDate), SQLBind(patient.sex), optional(patient.birthplaceCode), optional(patient.insNIR),
             SQLBind(patient.identityStatus), optional(patient.email), optional(patient.address), no, no, no, no, no, no,
             SQLBind(patient.notes), SQLBind(patient.createdAt), SQLBind(patient.createdAt)]
        }
        let sql = db as! any SQLDatabase
        for chunk in rows.chunked(by: 500) {
            try await sql.insert(into: PatientRecord.schema)
                .columns("id", "practice_id", "birth_name", "first_names", "used_name", "birth_date", "sex", "birthplace_code", "ins_nir",
                         "identity_status", "email", "address", "sms_consent", "email_consent", "flag_anxious", "flag_hard_of_hearing",
                         "flag_reduced_mobility", "flag_no_online_booking", "notes", "created_at", "updated_at")
                .rows(Array(chunk)).run()
        }
        try await insertPhones(patients.map { ($0.id, $0.practice, $0.phones) }, on: db)
    }

    /// The patients of `practice` answering `text`, best first (at most `limit`); merged and anonymised records left out.
    static func search(_ text: String, in practice: AuthorizedPractice, today: LocalDate, limit: Int = 20, cache: PatientIndexCache,
                       on db: any Database) async throws -> [IndexedPatient] {
        let query = PatientSearchQuery(text, today: today)
        guard !query.isEmpty else { return [] }
        return try await index(of: practice, cache: cache, on: db).search(query, limit: limit).map(\.patient)
    }

    /// The patients of `practice` who carry `number` (a family may share one), for the screen pop of a call.
    static func callerID(_ number: PhoneNumber, in practice: AuthorizedPractice, cache: PatientIndexCache, on db: any Database) async throws -> [IndexedPatient] {
        try await index(of: practice, cache: cache, on: db).callerID(number)
    }

    static func index(of practice: AuthorizedPractice, cache: PatientIndexCache, on db: any Database) async throws -> PatientIndex {
        try await cache.index(for: practice.id, load: { try await load(practice.id, only: nil, on: db) },
                              reload: { try await load(practice.id, only: $0, on: db) })
    }

    private struct PatientRow: Decodable {
        let id: UUID; let birth_name: String; let first_names: String; let used_name: String?; let birth_date: String; let sex: String
        let identity_status: String
    }
    private struct PhoneRow: Decodable { let patient_id: UUID; let e164: String; let label: String }

    /// A practice's patients (merged and anonymised records left out) and their numbers, read into the index; with
    /// `only`, those of these patients still to show.
    static func load(_ practice: UUID, only ids: Set<UUID>?, on db: any Database) async throws -> [IndexedPatient] {
        let sql = db as! any SQLDatabase
        var patients = sql.select().columns("id", "birth_name", "first_names", "used_name", "birth_date", "sex", "identity_status")
            .from(PatientRecord.schema).where("practice_id", .equal, SQLBind(practice))
            .where("merged_into_id", .is, SQLLiteral.null).where("anonymised_at", .is, SQLLiteral.null)
        var numbers = sql.select().columns("patient_id", "e164", "label").from(PatientPhoneRecord.schema)
            .where("practice_id", .equal, SQLBind(practice)).orderBy("position")
        if let ids {
            patients = patients.where("id", .in, SQLBind.group(Array(ids)))
            numbers = numbers.where("patient_id", .in, SQLBind.group(Array(ids)))
        }
        let rows = try await patients.all(decoding: PatientRow.self)
        let phones = Dictionary(grouping: try await numbers.all(decoding: PhoneRow.self), by: \.patient_id)
        return rows.compactMap { row in
            guard let birthDate = LocalDate(iso: row.birth_date) else { return nil }
            return IndexedPatient(id: row.id, birthName: row.birth_name, firstNames: row.first_names, usedName: row.used_name, birthDate: birthDate,
                                  sex: row.sex, identityStatus: row.identity_status,
                                  phones: (phones[row.id] ?? []).map { LabelledPhone(number: PhoneNumber(e164: $0.e164), label: $0.label) })
        }
    }

    /// The phone numbers of `patients`, in their order.
    static func phones(of patients: [UUID], on db: any Database) async throws -> [UUID: [PatientPhoneRecord]] {
        guard !patients.isEmpty else { return [:] }
        return Dictionary(grouping: try await PatientPhoneRecord.query(on: db).filter(\.$patient.$id ~~ patients).sort(\.$position).all(), by: { $0.$patient.id })
    }
}

/// Each practice's patient index, read on first use and kept 5 minutes. A write names the patients it changed (on
/// another instance, through the relay); the next request reads only those again and patches the index (a few hundred
/// at most; more, and the whole practice is read again). An index read while such a write committed is used for that
/// request but not kept.
final class PatientIndexCache: Sendable {
    private struct Entry { let index: PatientIndex; let loadedAt: ContinuousClock.Instant }
    private struct State {
        var entries: [UUID: Entry] = [:]
        var generations: [UUID: UInt64] = [:]
        var changed: [UUID: Set<UUID>] = [:]
    }
    private let state = NIOLockedValueBox(State())
    private let peers: CachePeers
    let lifetime: Duration = .seconds(300)
    static let patchLimit = 500

    init(peers: CachePeers = CachePeers()) { self.peers = peers }

    func index(for practice: UUID, load: () async throws -> [IndexedPatient],
               reload: (Set<UUID>) async throws -> [IndexedPatient]) async throws -> PatientIndex {
        let now = ContinuousClock.now
        let (cached, generation, changed) = state.withLockedValue {
            ($0.entries[practice], $0.generations[practice, default: 0], $0.changed[practice] ?? [])
        }
        var index: PatientIndex, loadedAt = now
        if let cached, now - cached.loadedAt < lifetime {
            if changed.isEmpty { return cached.index }
            if changed.count <= Self.patchLimit {
                index = cached.index.replacing(changed, with: try await reload(changed))
                loadedAt = cached.loadedAt
            } else {
                index = PatientIndex(try await load())
            }
        } else {
            index = PatientIndex(try await load())
        }
        state.withLockedValue { state in
            guard state.generations[practice, default: 0] == generation else { return }
            state.entries[practice] = Entry(index: index, loadedAt: loadedAt)
            state.changed[practice] = nil
        }
        return index
    }

    /// After a committed write of this instance that changed (created, edited, merged, erased) these patients.
    func changed(_ practice: UUID, patients: some Sequence<UUID>) {
        let ids = Array(patients)
        received(practice, patients: ids)
        peers.tell(.patients(practice: practice, ids: ids.count <= CacheChange.namedPatientsLimit ? ids : nil))
    }

    /// Another instance changed these patients: read again at the next use.
    func received(_ practice: UUID, patients: [UUID]) {
        state.withLockedValue { state in
            state.generations[practice, default: 0] &+= 1
            if state.entries[practice] != nil { state.changed[practice, default: []].formUnion(patients) }
        }
    }

    func drop(_ practice: UUID) {
        state.withLockedValue { state in
            state.generations[practice, default: 0] &+= 1
            state.entries[practice] = nil
            state.changed[practice] = nil
        }
    }

    func dropAll() {
        state.withLockedValue { state in
            for practice in state.entries.keys { state.generations[practice, default: 0] &+= 1 }
            state.entries.removeAll()
            state.changed.removeAll()
        }
    }
}

extension Application {
    private struct PatientIndexCacheKey: StorageKey { typealias Value = PatientIndexCache }

    /// Set by `makeCaches()`.
    var patientIndexCache: PatientIndexCache {
        get { configured(PatientIndexCacheKey.self) }
        set { storage[PatientIndexCacheKey.self] = newValue }
    }
}
