import Domain
import Fluent
import Foundation
import Vapor

/// Many practices with many patients, for the search and caller-ID benchmarks: names drawn from common French
/// surnames and from made-up ones (a long tail, as in a real practice), births from 1930 to last year, a mobile
/// number each and a landline shared by families. Written as a fixture, without journal entries; also writes the
/// queries the benchmark sends (what a secretary types, and the numbers that call).
enum PatientLoadSeeder {
    struct Summary {
        let practices: Int
        let patients: Int
        let searchSamples: Int
        let callerSamples: Int
    }

    static let centerName = "Centre d'essai des patients"

    static func seed(app: Application, practices: Int, patients: Int, seed: UInt64, samplesDirectory: String, password: String) async throws -> Summary {
        var rng = SeededGenerator(seed: seed)
        let centerID = rng.uuid()
        try await app.writer.unjournaled(on: app.db) { db in try await CenterRecord(id: centerID, name: centerName).create(on: db) }
        let perPractice = patients / practices
        let created = app.clock.now()
        var searches: [String] = [], callers: [String] = []
        let syllables = ["ber", "tin", "lau", "mon", "ri", "chal", "gou", "dan", "vel", "pré", "zac", "lor", "quet", "mas", "sei", "bou",
                         "cha", "nel", "dri", "fau", "gal", "hen", "jol", "kel", "lam", "mé", "noy", "pel", "rous", "tar", "vau", "yé"]
        for index in 0..<practices {
            let practiceID = rng.uuid()
            var rows: [BulkPatient] = []
            rows.reserveCapacity(perPractice)
            var familyPhone: PhoneNumber? = nil, familyName = ""
            for _ in 0..<perPractice {
                let female = rng.chance(0.5)
                let startsFamily = familyPhone == nil || rng.chance(0.6)
                if startsFamily {
                    familyName = rng.chance(0.5) ? rng.pick(DemoNames.surnames)
                        : (0..<(rng.chance(0.5) ? 2 : 3)).map { _ in rng.pick(syllables) }.joined().capitalized
                    familyPhone = rng.chance(0.3) ? PhoneNumber(e164: "+331" + String(format: "%08d", Int(rng.next() % 100_000_000))) : nil
                }
                let first = female ? rng.pick(DemoNames.femaleFirstNames) : rng.pick(DemoNames.maleFirstNames)
                let birth = LocalDate(year: 1930 + Int(rng.next() % 95), month: 1 + Int(rng.next() % 12), day: 1 + Int(rng.next() % 28))
                var patient = BulkPatient(id: rng.uuid(), practice: practiceID, birthName: familyName, firstNames: first, usedName: nil,
                                          birthDate: birth.description, sex: female ? "F" : "M", createdAt: created)
                var phones = [(PhoneNumber(e164: "+33" + (rng.chance(0.7) ? "6" : "7") + String(format: "%08d", Int(rng.next() % 100_000_000))), "portable")]
                if let familyPhone { phones.append((familyPhone, "fixe")) }
                patient.phones = phones
                rows.append(patient)
                if rng.chance(Double(2_000) / Double(max(patients, 1))) {
                    let name = NameFolding.compact(familyName)
                    let query: String
                    switch rng.next() % 10 {
                    case 0...3: query = String(name.prefix(4 + Int(rng.next() % 3)))
                    case 4, 5: query = "\(name) \(NameFolding.words(first).first!.prefix(3))"
                    case 6, 7: query = birth.frenchNumeric
                    case 8: query = "\(name.prefix(5)) \(birth.year)"
                    default: query = phones[0].0.display
                    }
                    searches.append("\(practiceID.uuidString)\t\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
                    callers.append("\(practiceID.uuidString)\t\((phones.last!.0.e164).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
                }
            }
            let batch = rows
            try await app.writer.transaction(on: app.db, actor: .system("seed-patients")) { tx, journal in
                try await insertPractice(id: practiceID, center: centerID, slug: String(format: "essai-patients-%03d", index + 1),
                                         name: String(format: "Cabinet d'essai %03d", index + 1), phone: "+33199" + String(format: "%06d", index),
                                         on: tx, journal: journal)
                try await PatientSearch.insertNew(batch, on: tx)
            }
        }
        try FileManager.default.createDirectory(atPath: samplesDirectory, withIntermediateDirectories: true)
        try searches.joined(separator: "\n").write(toFile: samplesDirectory + "/search.tsv", atomically: true, encoding: .utf8)
        try callers.joined(separator: "\n").write(toFile: samplesDirectory + "/caller-id.tsv", atomically: true, encoding: .utf8)
        if try await UserRecord.query(on: app.db).filter(\.$email == LoadSeeder.email).first() == nil {
            let user = ValidatedUser(email: LoadSeeder.email, displayName: "Charge", role: .supervisor, practiceIDs: [], practitionerID: nil)
            let record = try await UserStore.insert(user, passwordHash: try await Passwords.hash(password), actor: .system("seed-patients"),
                                                    requestID: nil, writer: app.writer, on: app.db)
            try await DemoSeeder.enrolWithDemoKey(record, app: app)
        }
        return Summary(practices: practices, patients: perPractice * practices, searchSamples: searches.count, callerSamples: callers.count)
    }

    /// A general practice of a load test, in Paris, live, answering on `phone`: written as any practice is (journaled,
    /// its dialled number in `practice_numbers`).
    @discardableResult
    static func insertPractice(id: UUID, center: UUID, slug: String, name: String, phone: String,
                               on tx: any Database, journal: Journal) async throws -> PracticeRecord {
        try await PracticeSetupStore.insert(PracticeInput(
            name: name, slug: slug, specialty: "Médecine générale", address: "1 place de l'Essai, 75001 Paris", access: nil,
            departement: "75", timeZone: FrenchFormat.parisTimeZone.identifier, openedHolidays: nil, numbers: [DialledNumberDTO(number: phone, label: nil)],
            coverage: DemoDataset.coverage, outsideHoursMessage: "Secrétariat fermé : en cas d'urgence vitale, appelez le 15.",
            greeting: "\(name), bonjour.", serviceStartsOn: nil), id: id, center: center, live: true, on: tx, journal: journal)
    }
}
