import Foundation

/// What a column of an imported file holds.
public enum PatientImportField: String, CaseIterable, Sendable, Codable {
    case birthName, firstNames, usedName, birthDate, sex, birthplaceCode, nir, identityStatus
    /// A phone number; several columns may hold one each (the column's name becomes the number's label).
    case phone
    case email
    /// Several columns (street, postcode, town) are joined in their order.
    case address
    case notes
    /// Not imported.
    case ignore

    public var label: String {
        switch self {
        case .birthName: "Nom de naissance"
        case .firstNames: "Prénom(s)"
        case .usedName: "Nom d'usage"
        case .birthDate: "Date de naissance"
        case .sex: "Sexe"
        case .birthplaceCode: "Lieu de naissance (INSEE)"
        case .nir: "INS (NIR)"
        case .identityStatus: "Statut de l'identité"
        case .phone: "Téléphone"
        case .email: "E-mail"
        case .address: "Adresse"
        case .notes: "Notes"
        case .ignore: "Ne pas importer"
        }
    }

    static let required: [PatientImportField] = [.birthName, .firstNames, .birthDate, .sex]

    /// Column names the usual practice software write, folded (see `NameFolding.compact`).
    static let synonyms: [String: PatientImportField] = {
        var table: [String: PatientImportField] = [:]
        for (field, names) in [
            (PatientImportField.birthName, ["nom", "nomdenaissance", "nomnaissance", "nomdejeunefille", "nomjf", "nompatronymique", "birthname"]),
            (.firstNames, ["prenom", "prenoms", "prenomsdenaissance", "premierprenom", "firstnames", "firstname"]),
            (.usedName, ["nomdusage", "nomusage", "nommarital", "usedname"]),
            (.birthDate, ["datedenaissance", "datenaissance", "ddn", "naissance", "nele", "nee", "neele", "birthdate", "dob"]),
            (.sex, ["sexe", "genre", "civilite", "sex"]),
            (.birthplaceCode, ["lieudenaissance", "codeinseenaissance", "codelieunaissance", "communedenaissance", "birthplacecode"]),
            (.nir, ["nir", "ins", "numerodesecuritesociale", "numsecu", "numerosecu", "nss", "matriculeins"]),
            (.identityStatus, ["statutidentite", "statutdelidentite", "identitystatus"]),
            (.phone, ["telephone", "tel", "portable", "mobile", "telportable", "telmobile", "fixe", "telfixe", "teldomicile", "telephone1",
                      "telephone2", "tel1", "tel2", "telephonefixe", "telephoneportable", "phone"]),
            (.email, ["email", "mail", "courriel", "adressemail", "adresseemail"]),
            (.address, ["adresse", "adresse1", "adresse2", "rue", "voie", "codepostal", "cp", "ville", "commune", "address"]),
            (.notes, ["notes", "note", "commentaire", "commentaires", "remarques", "observations", "notessecretariat"]),
        ] {
            for name in names { table[name] = field }
        }
        return table
    }()
}

/// Which field each column of a file holds.
public struct PatientImportMapping: Equatable, Sendable {
    /// One per column of the header.
    public let fields: [PatientImportField]

    public init(fields: [PatientImportField]) { self.fields = fields }

    /// The mapping read from the columns' names; a column it does not recognise is not imported.
    public static func guess(header: [String]) -> PatientImportMapping {
        var seen = Set<PatientImportField>()
        return PatientImportMapping(fields: header.map { name in
            guard let field = PatientImportField.synonyms[NameFolding.compact(name)] else { return .ignore }
            // Only the first column of a single-valued field is taken ("Nom" then "Nom (2)").
            if field != .phone, field != .address, !seen.insert(field).inserted { return .ignore }
            return field
        })
    }

    /// A mapping given column by column (`{"Nom": "birthName", …}`): every column named must be in the file and every
    /// field known; a column left out is not imported. The four strict traits the record requires must each have a column.
    public static func parse(_ given: [String: String], header: [String]) -> Result<PatientImportMapping, FieldProblems> {
        var problems: [FieldProblem] = []
        var fields = [PatientImportField](repeating: .ignore, count: header.count)
        for (column, value) in given.sorted(by: { $0.key < $1.key }) {
            guard let index = header.firstIndex(of: column) else {
                problems.append(.init(field: "mapping.\(column)", reason: "pas de colonne « \(column) » dans le fichier"))
                continue
            }
            guard let field = PatientImportField(rawValue: value) else {
                problems.append(.init(field: "mapping.\(column)", reason: "champ inconnu « \(value) » ; champs possibles : "
                                      + PatientImportField.allCases.map(\.rawValue).joined(separator: ", ")))
                continue
            }
            fields[index] = field
        }
        let mapping = PatientImportMapping(fields: fields)
        if problems.isEmpty { problems = mapping.problems() }
        return problems.isEmpty ? .success(mapping) : .failure(FieldProblems(problems))
    }

    /// A required trait without a column, or a single-valued field given two columns.
    public func problems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        for field in PatientImportField.required where !fields.contains(field) {
            problems.append(.init(field: "mapping", reason: "aucune colonne pour « \(field.label) »"))
        }
        for field in PatientImportField.allCases where ![.phone, .address, .ignore].contains(field) && fields.filter({ $0 == field }).count > 1 {
            problems.append(.init(field: "mapping", reason: "« \(field.label) » est donné par plusieurs colonnes"))
        }
        return problems
    }
}

/// A row that will become a record.
public struct PatientImportRow: Equatable, Sendable {
    public let line: Int
    public let checked: PatientDraft.Checked
    public let address: String?
    public let notes: String?
}

/// A row left out, and why (each reason names the column's field).
public struct PatientImportRejection: Equatable, Sendable, Codable {
    public let line: Int
    public let reasons: [String]

    public init(line: Int, reasons: [String]) {
        self.line = line
        self.reasons = reasons
    }
}

/// The outcome of reading a file with a mapping: what the import will take, and every row it will not, with the reason.
public struct PatientImportReport: Equatable, Sendable {
    public var accepted: [PatientImportRow] = []
    public var rejected: [PatientImportRejection] = []
    public var rowCount: Int { accepted.count + rejected.count }
}

/// A person already known, as the duplicate check of an import sees them.
public struct KnownIdentity: Sendable {
    public let label: String
    public let traits: IdentityTraits

    public init(label: String, traits: IdentityTraits) {
        self.label = label
        self.traits = traits
    }
}

/// Checks every row of a file: the traits (as for a record typed by hand), then the likely duplicates among the
/// practice's records and the rows above it. A likely duplicate is not imported: merging is a person's decision.
public enum PatientImport {
    public static func check(_ file: CSVFile, mapping: PatientImportMapping, today: LocalDate, known: [KnownIdentity]) -> PatientImportReport {
        var index = IdentityIndex(known)
        var report = PatientImportReport()
        let labels = zip(file.header, mapping.fields).map { column, field in field == .phone ? column.lowercased() : "" }
        for row in file.rows {
            var values: [PatientImportField: [String]] = [:]
            var phones: [(number: String, label: String)] = []
            for (position, field) in mapping.fields.enumerated() where field != .ignore {
                let value = position < row.fields.count ? row.fields[position].trimmed : ""
                guard !value.isEmpty else { continue }
                if field == .phone { phones.append((value, labels[position])) } else { values[field, default: []].append(value) }
            }
            if row.fields.count > mapping.fields.count, row.fields[mapping.fields.count...].contains(where: { !$0.isEmpty }) {
                report.rejected.append(.init(line: row.line, reasons: ["plus de colonnes (\(row.fields.count)) que l'en-tête (\(mapping.fields.count))"]))
                continue
            }
            func one(_ field: PatientImportField) -> String? { values[field]?.first }
            let draft = PatientDraft(birthName: one(.birthName) ?? "", firstNames: one(.firstNames) ?? "", usedName: one(.usedName),
                                     birthDate: one(.birthDate) ?? "", sex: sexCode(one(.sex) ?? ""), birthplaceCode: one(.birthplaceCode),
                                     nir: one(.nir), identityStatus: one(.identityStatus), phones: phones, email: one(.email))
            var reasons: [String] = []
            let notes = values[.notes]?.joined(separator: " ")
            let address = values[.address]?.joined(separator: " ")
            if (notes ?? "").count > 4000 { reasons.append("Notes : 4 000 caractères au plus") }
            if (address ?? "").count > 300 { reasons.append("Adresse : 300 caractères au plus") }
            switch draft.check(today: today) {
            case .failure(let problems):
                reasons += problems.list.map { "\(label(of: $0.field)) : \($0.reason)" }
                report.rejected.append(.init(line: row.line, reasons: reasons))
            case .success(let checked):
                let compared = ComparedTraits(checked.traits)
                let duplicates = index.duplicates(of: compared)
                reasons += duplicates.prefix(3).map { "doublon probable de \($0.label) (\($0.reasons.joined(separator: " ; ")))" }
                if reasons.isEmpty {
                    report.accepted.append(.init(line: row.line, checked: checked, address: address, notes: notes))
                    index.add(compared, label: "la ligne \(row.line)")
                } else {
                    report.rejected.append(.init(line: row.line, reasons: reasons))
                }
            }
        }
        return report
    }

    /// "F", "M" or "I" from the ways files write it ("Mme", "Madame", "Féminin", "Homme", "H"…); otherwise unchanged,
    /// for the draft to refuse.
    static func sexCode(_ text: String) -> String {
        switch NameFolding.compact(text) {
        case "f", "feminin", "femme", "mme", "madame", "mlle", "mademoiselle", "2": "F"
        case "m", "masculin", "homme", "h", "mr", "monsieur", "1": "M"
        case "i", "indetermine", "inconnu": "I"
        default: text
        }
    }

    /// The field of a draft problem as the column's field label (`phones[1].number` is the second phone).
    static func label(of field: String) -> String {
        if field.hasPrefix("phones["), let index = Int(field.dropFirst(7).prefix(while: \.isNumber)) { return "Téléphone n° \(index + 1)" }
        return PatientImportField(rawValue: field)?.label ?? field
    }
}

/// The practice's people, by date of birth, phone number and birth name, for the duplicate check of thousands of rows.
struct IdentityIndex {
    private var people: [(label: String, traits: ComparedTraits)] = []
    private var byBirthDate: [LocalDate: [Int]] = [:]
    private var byPhone: [String: [Int]] = [:]

    init(_ known: [KnownIdentity]) {
        for person in known { add(ComparedTraits(person.traits), label: person.label) }
    }

    mutating func add(_ person: ComparedTraits, label: String) {
        let position = people.count
        people.append((label, person))
        byBirthDate[person.traits.birthDate, default: []].append(position)
        for phone in Set(person.traits.phones.map(\.e164)) { byPhone[phone, default: []].append(position) }
    }

    /// Every duplicate reason needs the same date of birth or a shared phone number: only those are compared.
    func duplicates(of compared: ComparedTraits) -> [(label: String, reasons: [String])] {
        let traits = compared.traits
        var candidates = Set(byBirthDate[traits.birthDate] ?? [])
        for phone in traits.phones { candidates.formUnion(byPhone[phone.e164] ?? []) }
        guard !candidates.isEmpty else { return [] }
        return candidates.sorted().compactMap { position in
            let reasons = compared.duplicateReasons(people[position].traits)
            return reasons.isEmpty ? nil : (people[position].label, reasons)
        }
    }
}
