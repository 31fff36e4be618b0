import Foundation

/// A phone number of a patient, with its label ("portable", "fixe"…).
public struct LabelledPhone: Equatable, Sendable {
    public let number: PhoneNumber
    public let label: String

    public init(number: PhoneNumber, label: String) {
        self.number = number
        self.label = label
    }
}

/// What the search shows of a patient, with the names folded once.
public struct IndexedPatient: Equatable, Sendable {
    public let id: UUID
    public let birthName: String
    public let firstNames: String
    public let usedName: String?
    public let birthDate: LocalDate
    public let sex: String
    public let identityStatus: String
    public let phones: [LabelledPhone]
    public let names: FoldedNames

    public init(id: UUID, birthName: String, firstNames: String, usedName: String?, birthDate: LocalDate, sex: String, identityStatus: String,
                phones: [LabelledPhone]) {
        self.id = id
        self.birthName = birthName
        self.firstNames = firstNames
        self.usedName = usedName
        self.birthDate = birthDate
        self.sex = sex
        self.identityStatus = identityStatus
        self.phones = phones
        names = FoldedNames(birthName: birthName, usedName: usedName, firstNames: firstNames)
    }
}

extension IndexedPatient {
    /// "DURAND Marie (usage : MARTIN)": the birth name first, as identity vigilance requires, then the name of use.
    public static func displayName(birthName: String, firstNames: String, usedName: String?) -> String {
        let name = "\(birthName.uppercased()) \(firstNames)"
        guard let used = usedName, !used.isEmpty else { return name }
        return "\(name) (usage : \(used.uppercased()))"
    }

    public var displayName: String { Self.displayName(birthName: birthName, firstNames: firstNames, usedName: usedName) }
}

/// One practice's patients in memory, for the search as the secretary types and the caller-ID match: the folded
/// words sorted for prefix lookups, the patients by phone number and by date of birth.
public struct PatientIndex: Sendable {
    private let patients: [IndexedPatient]
    /// Every folded word or compact name, with the patient it belongs to, sorted by word.
    private let terms: [(term: String, patient: Int32)]
    private let byPhone: [String: [Int32]]
    private let byBirthDate: [LocalDate: [Int32]]
    private let byID: [UUID: Int32]

    public init(_ patients: [IndexedPatient]) {
        self.patients = patients
        var terms: [(term: String, patient: Int32)] = []
        var byPhone: [String: [Int32]] = [:], byBirthDate: [LocalDate: [Int32]] = [:], byID: [UUID: Int32] = [:]
        byID.reserveCapacity(patients.count)
        for (position, patient) in patients.enumerated() {
            let index = Int32(position)
            byID[patient.id] = index
            for term in patient.names.terms { terms.append((term, index)) }
            for phone in Set(patient.phones.map(\.number.e164)) { byPhone[phone, default: []].append(index) }
            byBirthDate[patient.birthDate, default: []].append(index)
        }
        terms.sort { $0.term < $1.term }
        self.terms = terms
        self.byPhone = byPhone
        self.byBirthDate = byBirthDate
        self.byID = byID
    }

    public var count: Int { patients.count }

    /// The patient `id`, when shown (a merged or anonymised record is not).
    public func patient(_ id: UUID) -> IndexedPatient? { byID[id].map { patients[Int($0)] } }

    /// The same index with the patients `ids` dropped and `fresh` added (those of `ids` still to show, as read again):
    /// no name is folded again.
    public func replacing(_ ids: Set<UUID>, with fresh: [IndexedPatient]) -> PatientIndex {
        PatientIndex(patients.filter { !ids.contains($0.id) } + fresh)
    }

    /// The patients answering `query`, best first (then by birth name and first names), at most `limit`.
    public func search(_ query: PatientSearchQuery, limit: Int) -> [(patient: IndexedPatient, score: Int)] {
        guard !query.isEmpty else { return [] }
        var candidates: [Int32]
        if let phone = query.phone {
            candidates = byPhone[phone.e164] ?? []
        } else if let longest = query.nameFragments.max(by: { $0.count < $1.count }) {
            candidates = prefixed(longest)
        } else if !query.birthDates.isEmpty {
            candidates = query.birthDates.flatMap { byBirthDate[$0] ?? [] }
        } else if let year = query.birthYear {
            candidates = byBirthDate.filter { $0.key.year == year }.flatMap(\.value)
        } else {
            candidates = []
        }
        // A patient found by several words is scored once.
        candidates.sort()
        let needsPhones = query.phone != nil
        var scored: [(position: Int32, score: Int)] = []
        var previous: Int32 = -1
        for position in candidates where position != previous {
            previous = position
            let patient = patients[Int(position)]
            guard let score = query.score(names: patient.names, birthDate: patient.birthDate,
                                          phones: needsPhones ? patient.phones.map(\.number) : []) else { continue }
            scored.append((position, score))
        }
        // Best score first, then by name; the position keeps equal names in one order.
        scored.sort { a, b in
            if a.score != b.score { return a.score > b.score }
            let first = patients[Int(a.position)], second = patients[Int(b.position)]
            if first.birthName != second.birthName { return first.birthName < second.birthName }
            if first.firstNames != second.firstNames { return first.firstNames < second.firstNames }
            return a.position < b.position
        }
        return scored.prefix(limit).map { (patients[Int($0.position)], $0.score) }
    }

    /// The patients who carry `number` (a family may share one), by birth name and first names.
    public func callerID(_ number: PhoneNumber) -> [IndexedPatient] {
        (byPhone[number.e164] ?? []).sorted { a, b in
            let first = patients[Int(a)], second = patients[Int(b)]
            return (first.birthName, first.firstNames, a) < (second.birthName, second.firstNames, b)
        }
        .map { patients[Int($0)] }
    }

    /// The patients with a word starting with `prefix`: a binary search to the first, then along the sorted words.
    private func prefixed(_ prefix: String) -> [Int32] {
        var low = 0, high = terms.count
        while low < high {
            let middle = (low + high) / 2
            if terms[middle].term < prefix { low = middle + 1 } else { high = middle }
        }
        var found: [Int32] = []
        while low < terms.count, terms[low].term.hasPrefix(prefix) {
            found.append(terms[low].patient)
            low += 1
        }
        return found
    }
}
