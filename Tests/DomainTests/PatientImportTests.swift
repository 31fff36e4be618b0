import Domain
import Foundation
import Testing

struct CSVFileTests {
    @Test func aWindows1252FileWithSemicolonsAndQuotes() throws {
        // "Nom;Prénom;Notes" then a row with é (0xE9), œ (0x9C), € (0x80) and a quoted field holding ; and a line break.
        var bytes = Array("Nom;Pr".utf8) + [0xE9] + Array("nom;Notes\r\nC".utf8) + [0x9C] + Array("ur;H".utf8) + [0xE9, 0x6C, 0xE8, 0x6E, 0x65]
        bytes += Array(";\"Doit 20 ".utf8) + [0x80] + Array(" ; rappeler\r\napr\"\"s 17 h\"\r\n\r\nMartin;Paul;\r\n".utf8)
        let file = try CSVFile.read(bytes)
        #expect(file.encoding == .windows1252)
        #expect(file.separator == ";")
        #expect(file.header == ["Nom", "Prénom", "Notes"])
        #expect(file.rows == [
            .init(line: 2, fields: ["Cœur", "Hélène", "Doit 20 € ; rappeler\napr\"s 17 h"]),
            .init(line: 5, fields: ["Martin", "Paul", ""]),
        ])
    }

    @Test func aUTF8FileWithABOMAndCommas() throws {
        let text = "\u{FEFF}Nom,Prénom,Date de naissance\n\"Le Fèvre, née Durand\",Marie,03/12/1957\nN'Diaye,Awa,1990-05-01"
        let file = try CSVFile.read(Array(text.utf8))
        #expect(file.encoding == .utf8)
        #expect(file.separator == ",")
        #expect(file.header == ["Nom", "Prénom", "Date de naissance"])
        #expect(file.rows.map(\.fields) == [["Le Fèvre, née Durand", "Marie", "03/12/1957"], ["N'Diaye", "Awa", "1990-05-01"]])
        #expect(file.rows.map(\.line) == [2, 3])
    }

    @Test func theSeparatorIsGuessedFromTheHeaderLineAloneWhateverTheLineBreaks() throws {
        // Commas outnumber semicolons in the whole file, not in its header; lines end in \r\n, \r or \n.
        for newline in ["\r\n", "\r", "\n"] {
            let text = "\(newline)Nom;Prénom;Adresse\(newline)Martin;Zoé;12, rue de la Paix, bâtiment B, 3e étage, porte 4, code 1234\(newline)"
                + "Durand;Léa;\"1, place\(newline)du Marché\"\(newline)"
            let file = try CSVFile.read(Array(text.utf8))
            #expect(file.separator == ";")
            #expect(file.header == ["Nom", "Prénom", "Adresse"])
            #expect(file.rows == [
                .init(line: 3, fields: ["Martin", "Zoé", "12, rue de la Paix, bâtiment B, 3e étage, porte 4, code 1234"]),
                .init(line: 4, fields: ["Durand", "Léa", "1, place\ndu Marché"]),
            ], "\(newline.debugDescription)")
        }
    }

    @Test func emptyAndBrokenFilesSayWhy() {
        #expect(throws: CSVFile.Problem(reason: "le fichier est vide")) { try CSVFile.read(Array("\n\n".utf8)) }
        #expect(throws: CSVFile.Problem(reason: "ligne 2 : guillemet ouvrant sans guillemet fermant")) {
            try CSVFile.read(Array("Nom;Prénom\n\"Durand;Marie\n".utf8))
        }
    }
}

struct PatientImportTests {
    static let today = LocalDate(year: 2026, month: 11, day: 24)

    @Test func theMappingIsGuessedFromTheUsualColumnNames() {
        let header = ["N° dossier", "NOM", "Prénom", "Nom d'usage", "Né(e) le", "Civilité", "Tél. portable", "Tél fixe", "Adresse", "CP", "Ville", "Nom"]
        #expect(PatientImportMapping.guess(header: header).fields == [
            .ignore, .birthName, .firstNames, .usedName, .birthDate, .sex, .phone, .phone, .address, .address, .address, .ignore,
        ])
    }

    @Test func aGivenMappingNamesEveryUnknownColumnOrField() {
        let header = ["Nom", "Prénom", "DDN", "Sexe"]
        let bad = PatientImportMapping.parse(["Nom": "birthName", "Prénom": "prenom", "Téléphone": "phone"], header: header)
        guard case .failure(let problems) = bad else { Issue.record("accepted"); return }
        #expect(problems.list.map(\.field) == ["mapping.Prénom", "mapping.Téléphone"])
        #expect(problems.list[1].reason == "pas de colonne « Téléphone » dans le fichier")
        guard case .failure(let missing) = PatientImportMapping.parse(["Nom": "birthName", "Prénom": "firstNames"], header: header) else {
            Issue.record("accepted without a date of birth"); return
        }
        #expect(missing.list.map(\.reason) == ["aucune colonne pour « Date de naissance »", "aucune colonne pour « Sexe »"])
        #expect(PatientImportMapping.parse(["Nom": "birthName", "Prénom": "firstNames", "DDN": "birthDate", "Sexe": "sex"], header: header)
            == .success(PatientImportMapping(fields: [.birthName, .firstNames, .birthDate, .sex])))
    }

    @Test func everyRowIsCheckedAndEveryRejectionSaysItsLineAndReason() throws {
        let text = """
        Nom;Prénom;Date de naissance;Sexe;Portable;Fixe;NIR;Adresse;CP;Ville
        Durand;Marie;03/12/1957;Mme;06 12 34 56 78;;;1 rue de la Paix;75002;Paris
        Petit;Léa;30/02/2001;F;;;;;;
        Bernard;Luc;1980-01-01;Monsieur;15;01 45 00 00 01;;;;
        Moreau;Anne;12/05/1957;F;;;257127511610829;;;
        ;Jean;01/01/1990;M;;;;;;
        Durant;Marie;3/12/1957;F;;;;;;
        Roux;Paul;2099-01-01;X;;;;;;
        Lefèvre;Hélène;1962-07-14;F;+33 6 98 76 54 32;;;;;
        """
        let file = try CSVFile.read(Array(text.utf8))
        let known = [KnownIdentity(label: "LEFEVRE Hélène (dossier existant)",
                                   traits: IdentityTraits(birthName: "Lefèvre", firstNames: "Hélène", birthDate: LocalDate(year: 1962, month: 7, day: 14), sex: "F"))]
        let report = PatientImport.check(file, mapping: .guess(header: file.header), today: Self.today, known: known)
        #expect(report.rowCount == 8)
        #expect(report.accepted.map(\.line) == [2])
        let marie = try #require(report.accepted.first)
        #expect(marie.checked.sex == "F")
        #expect(marie.checked.phones.map(\.e164) == ["+33612345678"])
        #expect(marie.checked.phoneLabels == ["portable"])
        #expect(marie.address == "1 rue de la Paix 75002 Paris")
        let reasons = Dictionary(uniqueKeysWithValues: report.rejected.map { ($0.line, $0.reasons) })
        #expect(reasons.keys.sorted() == [3, 4, 5, 6, 7, 8, 9])
        #expect(reasons[3]?.first?.hasPrefix("Date de naissance :") == true)
        #expect(reasons[4]?.count == 1 && reasons[4]?.first?.hasPrefix("Téléphone n° 1 :") == true)
        #expect(reasons[5]?.first?.hasPrefix("INS (NIR) :") == true)
        #expect(reasons[6]?.first?.hasPrefix("Nom de naissance :") == true)
        #expect(reasons[7] == ["doublon probable de la ligne 2 (même date de naissance et nom proche)"])
        #expect(reasons[8]?.count == 2)
        #expect(reasons[9]?.first?.hasPrefix("doublon probable de LEFEVRE Hélène (dossier existant)") == true)
    }

    @Test func aRowWithMoreFieldsThanTheHeaderIsRejected() throws {
        let file = try CSVFile.read(Array("Nom;Prénom;DDN;Sexe\nDurand;Marie;03/12/1957;F;en trop\n".utf8))
        let report = PatientImport.check(file, mapping: .guess(header: file.header), today: Self.today, known: [])
        #expect(report.rejected == [.init(line: 2, reasons: ["plus de colonnes (5) que l'en-tête (4)"])])
    }
}

struct PatientIndexTests {
    static func patient(_ birthName: String, _ firstNames: String, used: String? = nil, born: LocalDate, phones: [String] = []) -> IndexedPatient {
        IndexedPatient(id: UUID(), birthName: birthName, firstNames: firstNames, usedName: used, birthDate: born, sex: "F", identityStatus: "provisoire",
                       phones: phones.map { LabelledPhone(number: try! PhoneNumber(parsing: $0), label: "portable") })
    }

    static let index = PatientIndex([
        patient("Le Fèvre", "Marie-Dominique", born: LocalDate(year: 1957, month: 12, day: 3), phones: ["06 12 34 56 78", "01 45 00 00 01"]),
        patient("Lefebvre", "Paul", born: LocalDate(year: 1957, month: 12, day: 3), phones: ["01 45 00 00 01"]),
        patient("Martin", "Dominique", used: "Lefèvre", born: LocalDate(year: 1980, month: 1, day: 2)),
        patient("Martinez", "Léa", born: LocalDate(year: 2001, month: 5, day: 6)),
    ])

    static func names(_ text: String) -> [String] {
        index.search(PatientSearchQuery(text, today: PatientImportTests.today), limit: 10).map(\.patient.displayName)
    }

    @Test func theIndexFindsWhatTheDatabaseSearchFound() {
        #expect(Set(Self.names("lefevre")) == ["LE FÈVRE Marie-Dominique", "MARTIN Dominique (usage : LEFÈVRE)"])
        #expect(Self.names("dominique") == ["LE FÈVRE Marie-Dominique", "MARTIN Dominique (usage : LEFÈVRE)"])
        #expect(Self.names("martin") == ["MARTIN Dominique (usage : LEFÈVRE)", "MARTINEZ Léa"])
        #expect(Self.names("03/12/1957") == ["LE FÈVRE Marie-Dominique", "LEFEBVRE Paul"])
        #expect(Self.names("lef 1957") == ["LE FÈVRE Marie-Dominique", "LEFEBVRE Paul"])
        #expect(Self.names("2001") == ["MARTINEZ Léa"])
        #expect(Self.names("zz").isEmpty)
        // A family's landline: both, by name.
        #expect(Self.index.callerID(try! PhoneNumber(parsing: "+33 1 45 00 00 01")).map(\.displayName) == ["LE FÈVRE Marie-Dominique", "LEFEBVRE Paul"])
        #expect(Self.index.callerID(try! PhoneNumber(parsing: "0699999999")).isEmpty)
    }
}
