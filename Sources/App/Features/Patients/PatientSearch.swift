import Domain
import Fluent
import Foundation
import SQLKit

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

/// A folded word of a patient's names, looked up by prefix.
final class PatientSearchTermRecord: Model, @unchecked Sendable {
    static let schema = "patient_search_terms"

    @ID(key: .id) var id: UUID?
    @Field(key: "practice_id") var practiceID: UUID
    @Field(key: "patient_id") var patientID: UUID
    @Field(key: "term") var term: String

    init() {}

    init(practice: UUID, patient: UUID, term: String) {
        id = UUID()
        practiceID = practice
        patientID = patient
        self.term = term
    }
}

/// The words a patient is found by: each folded word of the birth name, the used name and the first names, and each
/// name in one piece ("Le Fèvre" is found by `le`, `fevre` and `lefevre`).
enum PatientSearchTerms {
    static func terms(birthName: String, usedName: String?, firstNames: String) -> Set<String> {
        var terms = Set<String>()
        for name in [birthName, usedName ?? ""] where !name.isEmpty {
            terms.formUnion(NameFolding.words(name))
            terms.insert(NameFolding.compact(name))
        }
        terms.formUnion(NameFolding.words(firstNames))
        return terms.filter { !$0.isEmpty }
    }
}

/// Finding patients: the search as the secretary types, and the caller-ID match.
enum PatientSearch {
    /// How many candidates a name prefix may bring before the other criteria narrow them.
    static let candidateLimit = 2_000

    struct Match {
        let patient: PatientRecord
        let phones: [PatientPhoneRecord]
        let score: Int
    }

    /// Writes the search words and phone numbers of `patient` (replacing those it had), in the caller's transaction.
    static func index(_ patient: PatientRecord, phones: [(PhoneNumber, String)], on db: any Database) async throws {
        let id = try patient.requireID()
        try await PatientSearchTermRecord.query(on: db).filter(\.$patientID == id).delete()
        try await PatientPhoneRecord.query(on: db).filter(\.$patient.$id == id).delete()
        try await indexNew([(patient, phones)], on: db)
    }

    /// The search words and phone numbers of patients just created, written in batches.
    static func indexNew(_ patients: [(PatientRecord, [(PhoneNumber, String)])], on db: any Database) async throws {
        var terms: [PatientSearchTermRecord] = []
        var numbers: [PatientPhoneRecord] = []
        for (patient, phones) in patients {
            let id = try patient.requireID(), practice = patient.$practice.id
            terms += PatientSearchTerms.terms(birthName: patient.birthName, usedName: patient.usedName, firstNames: patient.firstNames)
                .sorted().map { PatientSearchTermRecord(practice: practice, patient: id, term: $0) }
            var seen = Set<String>()
            numbers += phones.filter { seen.insert($0.0.e164).inserted }.enumerated().map {
                PatientPhoneRecord(practice: practice, patient: id, phone: $0.element.0, label: $0.element.1, position: $0.offset)
            }
        }
        for chunk in terms.chunked(by: 500) { try await Array(chunk).create(on: db) }
        for chunk in numbers.chunked(by: 500) { try await Array(chunk).create(on: db) }
    }

    /// The patients of `practice` answering `text`, best first (at most `limit`); merged and anonymised records left out.
    static func search(_ text: String, in practice: AuthorizedPractice, today: LocalDate, limit: Int = 20, on db: any Database) async throws -> [Match] {
        let query = PatientSearchQuery(text, today: today)
        guard !query.isEmpty else { return [] }
        var candidates: [UUID]
        if let phone = query.phone {
            candidates = try await PatientPhoneRecord.query(on: db).filter(\.$practiceID == practice.id).filter(\.$e164 == phone.e164)
                .all().map { $0.$patient.id }
        } else if let longest = query.nameFragments.max(by: { $0.count < $1.count }) {
            candidates = try await (db as! any SQLDatabase).select().distinct().column("patient_id").from(PatientSearchTermRecord.schema)
                .where("practice_id", .equal, SQLBind(practice.id))
                .where("term", .greaterThanOrEqual, SQLBind(longest)).where("term", .lessThan, SQLBind(Self.successor(of: longest)))
                .limit(candidateLimit).all(decoding: PatientIDRow.self).map(\.patient_id)
        } else if !query.birthDates.isEmpty {
            candidates = try await PatientRecord.query(on: db).filter(\.$practice.$id == practice.id)
                .filter(\.$birthDate ~~ query.birthDates.map(\.description)).limit(candidateLimit).all(\.$id).compactMap { $0 }
        } else if let year = query.birthYear {
            candidates = try await PatientRecord.query(on: db).filter(\.$practice.$id == practice.id)
                .filter(\.$birthDate >= "\(year)-01-01").filter(\.$birthDate <= "\(year)-12-31").limit(candidateLimit).all(\.$id).compactMap { $0 }
        } else {
            candidates = []
        }
        guard !candidates.isEmpty else { return [] }
        return try await ranked(Array(Set(candidates)), query: query, practice: practice, limit: limit, on: db)
    }

    /// The patients of `practice` who carry `number` (a family may share one), for the screen pop of a call.
    static func callerID(_ number: PhoneNumber, in practice: AuthorizedPractice, on db: any Database) async throws -> [Match] {
        let ids = try await PatientPhoneRecord.query(on: db).filter(\.$practiceID == practice.id).filter(\.$e164 == number.e164).all().map { $0.$patient.id }
        guard !ids.isEmpty else { return [] }
        var query = PatientSearchQuery("", today: LocalDate(year: 1, month: 1, day: 1))
        query.phone = number
        return try await ranked(ids, query: query, practice: practice, limit: 50, on: db)
    }

    /// The phone numbers of `patients`, in their order.
    static func phones(of patients: [UUID], on db: any Database) async throws -> [UUID: [PatientPhoneRecord]] {
        guard !patients.isEmpty else { return [:] }
        return Dictionary(grouping: try await PatientPhoneRecord.query(on: db).filter(\.$patient.$id ~~ patients).sort(\.$position).all(), by: { $0.$patient.id })
    }

    private struct PatientIDRow: Decodable { let patient_id: UUID }

    private static func ranked(_ ids: [UUID], query: PatientSearchQuery, practice: AuthorizedPractice, limit: Int, on db: any Database) async throws -> [Match] {
        let patients = try await PatientRecord.query(on: db).filter(\.$practice.$id == practice.id).filter(\.$id ~~ ids)
            .filter(\.$mergedIntoID == nil).filter(\.$anonymisedAt == nil).all()
        let phones = try await phones(of: patients.map { $0.id! }, on: db)
        return patients.compactMap { patient -> Match? in
            let own = phones[patient.id!] ?? []
            guard let score = query.score(patient.traits(phones: own.map(\.number))) else { return nil }
            return Match(patient: patient, phones: own, score: score)
        }
        .sorted { ($1.score, $0.patient.birthName, $0.patient.firstNames) < ($0.score, $1.patient.birthName, $1.patient.firstNames) }
        .prefix(limit).map { $0 }
    }

    /// The first string after every string that starts with `prefix` (the folded terms are ASCII letters and digits).
    static func successor(of prefix: String) -> String {
        var scalars = Array(prefix.unicodeScalars)
        let last = scalars.removeLast()
        return String(String.UnicodeScalarView(scalars)) + String(UnicodeScalar(last.value + 1)!)
    }
}
