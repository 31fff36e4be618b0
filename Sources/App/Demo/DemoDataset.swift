import Domain
import Foundation

/// The demo center as plain values: made by `DemoDataset.make`, written by `DemoSeeder`.
struct DemoDataset: Equatable, Sendable {
    struct Practice: Equatable, Sendable {
        let id: UUID
        let slug: String
        let name: String
        let kind: String
        let greeting: String
        let address: String
        let phone: String
        /// The motifs that bring patients, by label, as often as they come.
        let reasons: [String]
        let slotMinutes: Int
    }

    struct Practitioner: Equatable, Sendable {
        let id: UUID
        let practiceID: UUID
        let title: String
        let firstName: String
        let lastName: String
        let profession: String
        let rpps: String
        /// For the center only: fictional numbers (ARCEP's ranges) and the address of the escalation notices.
        var mobilePhone: String? = nil
        var directPhone: String? = nil
        var noticeEmail: String? = nil
    }

    struct Patient: Equatable, Sendable {
        let id: UUID
        let practiceID: UUID
        let birthName: String
        let firstNames: String
        let usedName: String?
        let birthDate: LocalDate
        let sex: String
        let phone: String
        let email: String?
    }

    struct Appointment: Equatable, Sendable {
        let id: UUID
        let practiceID: UUID
        let practitionerID: UUID
        let patientID: UUID
        let start: Date
        let end: Date
        let status: String
        let reason: String
        let motifID: UUID
    }

    struct User: Equatable, Sendable {
        let id: UUID
        let email: String
        let displayName: String
        let role: Role
        let practiceIDs: [UUID]
        let practitionerID: UUID?
    }

    let centerID: UUID
    let centerName: String
    let practices: [Practice]
    let practitioners: [Practitioner]
    let patients: [Patient]
    let appointments: [Appointment]
    let users: [User]
    let hours: [WeeklyTemplate]
    let motifs: [(practiceID: UUID, motif: Motif)]
    let urgentRules: [(practiceID: UUID, rule: UrgentSlotRule)]
    let absences: [(practiceID: UUID, exception: AgendaException)]

    static func == (lhs: DemoDataset, rhs: DemoDataset) -> Bool {
        lhs.centerID == rhs.centerID && lhs.practices == rhs.practices && lhs.practitioners == rhs.practitioners
            && lhs.patients == rhs.patients && lhs.appointments == rhs.appointments && lhs.users == rhs.users && lhs.hours == rhs.hours
            && lhs.motifs.map(\.motif) == rhs.motifs.map(\.motif) && lhs.urgentRules.map(\.rule) == rhs.urgentRules.map(\.rule)
            && lhs.absences.map(\.exception) == rhs.absences.map(\.exception)
    }

    /// The password of every demo account: demo data only, printed at first start.
    static let demoPassword = "permanence-demo"
    /// The authenticator key (base 32) of the demo's accounts that sign in with a second factor: published, like the
    /// password, because it is a demo.
    static let demoAuthenticatorKey = "PERMANENCEDEMOKEYFORTOTPCODES234"
    static let timeZone = TimeZone(identifier: "Europe/Paris")!

    /// The demo center around `today`, the same for the same seed and day.
    static func make(seed: UInt64, today: LocalDate) -> DemoDataset {
        var rng = SeededGenerator(seed: seed)
        let centerID = rng.uuid()

        // Fictional numbers from the ranges ARCEP keeps for fiction (01 99 00 …, 06 39 98 …): no real person is called.
        let general = Practice(id: rng.uuid(), slug: "cabinet-des-tilleuls", name: "Cabinet médical des Tilleuls", kind: "Médecine générale",
                               greeting: "Cabinet médical des Tilleuls, bonjour, que puis-je faire pour vous ?",
                               address: "14 rue des Tilleuls, 92100 Boulogne-Billancourt", phone: "+33199001001",
                               reasons: ["Consultation", "Consultation", "Consultation", "Consultation", "Renouvellement d'ordonnance",
                                         "Renouvellement d'ordonnance", "Première consultation (nouveau patient)"], slotMinutes: 20)
        let paediatrics = Practice(id: rng.uuid(), slug: "cabinet-lambert-pediatrie", name: "Cabinet du Dr Lambert, pédiatre", kind: "Pédiatrie",
                                   greeting: "Cabinet du docteur Lambert, pédiatre, bonjour.",
                                   address: "3 place de la Mairie, 94300 Vincennes", phone: "+33199001002",
                                   reasons: ["Consultation", "Consultation", "Consultation", "Vaccination", "Vaccination", "Examen du 9e mois"],
                                   slotMinutes: 20)
        let physiotherapy = Practice(id: rng.uuid(), slug: "kine-roux", name: "Cabinet de kinésithérapie Roux", kind: "Kinésithérapie",
                                     greeting: "Cabinet de kinésithérapie Roux, bonjour.",
                                     address: "27 rue Serpenoise, 57000 Metz", phone: "+33199001003",
                                     reasons: ["Séance de rééducation", "Séance de rééducation", "Séance de rééducation", "Séance de rééducation",
                                               "Bilan kinésithérapique"],
                                     slotMinutes: 30)
        let practices = [general, paediatrics, physiotherapy]

        // Nine digits drawn as before (the rest of the demo follows the same draws), the last replaced by the Luhn key.
        func rpps() -> String { RPPS.withCheckDigit("10" + (0..<9).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined().prefix(8)) }
        let martin = Practitioner(id: rng.uuid(), practiceID: general.id, title: "Dr", firstName: "Claire", lastName: "Martin",
                                  profession: "Médecin généraliste", rpps: rpps())
        let benali = Practitioner(id: rng.uuid(), practiceID: general.id, title: "Dr", firstName: "Karim", lastName: "Benali",
                                  profession: "Médecin généraliste", rpps: rpps())
        let lambert = Practitioner(id: rng.uuid(), practiceID: paediatrics.id, title: "Dr", firstName: "Sophie", lastName: "Lambert",
                                   profession: "Pédiatre", rpps: rpps())
        let roux = Practitioner(id: rng.uuid(), practiceID: physiotherapy.id, title: "", firstName: "Julien", lastName: "Roux",
                                profession: "Masseur-kinésithérapeute", rpps: rpps())
        // 06 39 98 … (fiction) is numbered under +262; 01 99 00 … is a fictional landline.
        let practitioners = [martin, benali, lambert, roux].enumerated().map { index, practitioner in
            var reached = practitioner
            reached.mobilePhone = "+2626399800\(index + 1)0"
            reached.directPhone = "+3319900110\(index + 1)"
            reached.noticeEmail = "\(practitioner.firstName.lowercased()).\(practitioner.lastName.lowercased())@avis.permanence.test"
            return reached
        }

        var usedNumbers = Set<String>()
        func mobile() -> String {
            while true {
                // 06 39 98 … lies in the 0639 block, which E.164 numbers under +262 (Mayotte): parsed, it is +262 639 98 ….
                let number = "+26263998" + String(format: "%04d", Int.random(in: 0...9999, using: &rng))
                if usedNumbers.insert(number).inserted { return number }
            }
        }

        var patients: [Patient] = []
        func addPatients(_ count: Int, to practice: Practice, ages: ClosedRange<Int>, familyShare: Double) {
            var familyPhones: [String: String] = [:]
            for _ in 0..<count {
                let sex = rng.chance(0.52) ? "F" : "M"
                let birthName = rng.pick(DemoNames.surnames)
                let firstNames = sex == "F" ? rng.pick(DemoNames.femaleFirstNames) : rng.pick(DemoNames.maleFirstNames)
                let age = Int.random(in: ages, using: &rng)
                // Infants are counted in days, so that the paediatrician has a few babies under three months.
                let birth: LocalDate
                if age == 0 {
                    birth = today.adding(days: -Int.random(in: 10...360, using: &rng))
                } else {
                    birth = LocalDate(year: today.year - age, month: Int.random(in: 1...12, using: &rng), day: Int.random(in: 1...28, using: &rng))
                }
                let usedName = sex == "F" && age >= 25 && rng.chance(0.35) ? rng.pick(DemoNames.surnames) : nil
                let phone: String
                if let shared = familyPhones[birthName], rng.chance(familyShare) {
                    phone = shared
                } else {
                    phone = mobile()
                    familyPhones[birthName] = phone
                }
                let email = age >= 18 && rng.chance(0.4)
                    ? "\(DemoNames.ascii(firstNames)).\(DemoNames.ascii(usedName ?? birthName))@example.org" : nil
                patients.append(Patient(id: rng.uuid(), practiceID: practice.id, birthName: birthName, firstNames: firstNames,
                                        usedName: usedName, birthDate: birth, sex: sex, phone: phone, email: email))
            }
        }
        addPatients(240, to: general, ages: 1...96, familyShare: 0.3)
        addPatients(110, to: paediatrics, ages: 0...16, familyShare: 0.6)
        addPatients(90, to: physiotherapy, ages: 16...88, familyShare: 0.1)

        // Weekly hours: the general practice alternates its Saturday mornings, Dr Benali keeps Wednesday afternoon free.
        func days(_ weekdays: ClosedRange<Int>, _ ranges: [(String, String)]) -> [OpeningRange] {
            weekdays.flatMap { weekday in ranges.map { OpeningRange(weekday: weekday, start: LocalTime(parsing: $0.0)!, end: LocalTime(parsing: $0.1)!) } }
        }
        let fullDay = [("08:30", "12:00"), ("14:00", "18:30")]
        let saturday = { (weeks: WeekParity) in OpeningRange(weekday: 6, start: LocalTime(parsing: "08:30")!, end: LocalTime(parsing: "12:00")!, weeks: weeks) }
        let validFrom = LocalDate(year: today.year - 1, month: 1, day: 1)
        let hours = [
            WeeklyTemplate(id: rng.uuid(), practitionerID: martin.id, validFrom: validFrom, ranges: days(1...5, fullDay) + [saturday(.even)]),
            WeeklyTemplate(id: rng.uuid(), practitionerID: benali.id, validFrom: validFrom,
                           ranges: days(1...2, fullDay) + days(3...3, [fullDay[0]]) + days(4...5, fullDay) + [saturday(.odd)]),
            WeeklyTemplate(id: rng.uuid(), practitionerID: lambert.id, validFrom: validFrom,
                           ranges: days(1...2, fullDay) + days(3...3, [fullDay[0]]) + days(4...5, fullDay)),
            WeeklyTemplate(id: rng.uuid(), practitionerID: roux.id, validFrom: validFrom, ranges: days(1...5, [("08:00", "12:30"), ("14:00", "19:00")])),
        ]

        let gp = [martin.id, benali.id]
        let motifs: [(practiceID: UUID, motif: Motif)] = [
            (general.id, Motif(id: rng.uuid(), label: "Consultation", durationMinutes: 20, practitionerIDs: gp, newPatientsAllowed: false,
                               minimumNoticeMinutes: 30, horizonDays: 60, patientInstructions: "Apporter la carte Vitale.",
                               bookableBy: [.secretary, .online], colour: "#1F5F99")),
            (general.id, Motif(id: rng.uuid(), label: "Première consultation (nouveau patient)", durationMinutes: 40, practitionerIDs: [martin.id],
                               minimumNoticeMinutes: 120, horizonDays: 60,
                               patientInstructions: "Apporter la carte Vitale, les ordonnances en cours et les derniers résultats d'examens.",
                               colour: "#5B3F99")),
            (general.id, Motif(id: rng.uuid(), label: "Renouvellement d'ordonnance", durationMinutes: 20, practitionerIDs: gp, newPatientsAllowed: false,
                               minimumNoticeMinutes: 30, horizonDays: 60, patientInstructions: "Apporter l'ordonnance en cours et la carte Vitale.",
                               bookableBy: [.secretary, .online], colour: "#2E7D4F")),
            (general.id, Motif(id: rng.uuid(), label: "Consultation urgente", durationMinutes: 20, practitionerIDs: gp, newPatientsAllowed: false,
                               horizonDays: 2, colour: "#B3261E")),
            (paediatrics.id, Motif(id: rng.uuid(), label: "Consultation", durationMinutes: 20, practitionerIDs: [lambert.id], minimumNoticeMinutes: 30,
                                   horizonDays: 45, patientInstructions: "Apporter le carnet de santé de l'enfant.", bookableBy: [.secretary, .online])),
            (paediatrics.id, Motif(id: rng.uuid(), label: "Vaccination", durationMinutes: 20, practitionerIDs: [lambert.id], minimumNoticeMinutes: 60,
                                   horizonDays: 90, patientInstructions: "Apporter le carnet de santé et le vaccin prescrit, conservé au réfrigérateur.",
                                   colour: "#2E7D4F")),
            (paediatrics.id, Motif(id: rng.uuid(), label: "Examen du 9e mois", durationMinutes: 40, practitionerIDs: [lambert.id], minimumNoticeMinutes: 1440,
                                   horizonDays: 120, patientInstructions: "Apporter le carnet de santé.", colour: "#8A5A00")),
            (paediatrics.id, Motif(id: rng.uuid(), label: "Consultation urgente", durationMinutes: 20, practitionerIDs: [lambert.id], horizonDays: 1,
                                   colour: "#B3261E")),
            (physiotherapy.id, Motif(id: rng.uuid(), label: "Séance de rééducation", durationMinutes: 30, practitionerIDs: [roux.id], minimumNoticeMinutes: 60,
                                     horizonDays: 90, patientInstructions: "Apporter l'ordonnance, une serviette et une tenue souple.",
                                     bookableBy: [.secretary, .online])),
            (physiotherapy.id, Motif(id: rng.uuid(), label: "Bilan kinésithérapique", durationMinutes: 60, practitionerIDs: [roux.id], minimumNoticeMinutes: 1440,
                                     horizonDays: 90, patientInstructions: "Apporter l'ordonnance et les examens (radiographies, IRM, comptes rendus).",
                                     colour: "#8A5A00")),
        ]
        let urgentRules: [(practiceID: UUID, rule: UrgentSlotRule)] = [
            (general.id, UrgentSlotRule(practitionerID: martin.id, kind: .fixedTimes([LocalTime(parsing: "11:40")!, LocalTime(parsing: "18:10")!]),
                                        slotMinutes: 20, releaseBeforeMinutes: 120, weekdays: Set(1...5))),
            (general.id, UrgentSlotRule(practitionerID: benali.id, kind: .fixedTimes([LocalTime(parsing: "11:40")!, LocalTime(parsing: "18:10")!]),
                                        slotMinutes: 20, releaseBeforeMinutes: 120, weekdays: Set(1...5))),
            (paediatrics.id, UrgentSlotRule(practitionerID: lambert.id, kind: .lastSlotsOfDay(count: 2), slotMinutes: 20, releaseBeforeMinutes: 180,
                                            weekdays: Set(1...5))),
        ]

        func instant(_ day: LocalDate, _ minutes: Int) -> Date {
            WallClock.resolve(day, minutes: minutes, in: timeZone, ambiguity: .earlier).instant
        }
        // Dr Benali is away at a training the afternoon of the third working day ahead.
        var trainingDay = today.adding(days: 3)
        while trainingDay.isoWeekday > 5 { trainingDay = trainingDay.adding(days: 1) }
        let training = AgendaException(id: rng.uuid(), practitionerID: benali.id, kind: .absence(reason: "Formation continue"),
                                       interval: DateInterval(start: instant(trainingDay, 14 * 60), end: instant(trainingDay, 18 * 60 + 30)))

        // Appointments as the booking rules allow them: each visit's motif is one its practitioner takes and lasts the
        // motif's length; the urgent slots stay free from today on (past ones were given to urgent consultations);
        // an « Examen du 9e mois » is for a baby of eight to ten months.
        var appointments: [Appointment] = []
        let agendas = Dictionary(uniqueKeysWithValues: practices.map { practice in
            (practice.id, PracticeAgenda(timeZone: timeZone, practitionerIDs: practitioners.filter { $0.practiceID == practice.id }.map(\.id),
                                         motifs: motifs.filter { $0.practiceID == practice.id }.map(\.motif),
                                         templates: hours.filter { template in practitioners.contains { $0.id == template.practitionerID && $0.practiceID == practice.id } },
                                         exceptions: practice.id == general.id ? [training] : [],
                                         urgentRules: urgentRules.filter { $0.practiceID == practice.id }.map(\.rule)))
        })
        for offset in -7...7 {
            let day = today.adding(days: offset)
            guard FrenchHolidays.holiday(on: day) == nil else { continue }
            let fill = offset < 0 ? 0.8 : max(0.25, 0.7 - 0.06 * Double(offset))
            for practitioner in practitioners {
                let practice = practices.first { $0.id == practitioner.practiceID }!
                let candidates = patients.filter { $0.practiceID == practice.id }
                let babies = candidates.filter { (240...310).contains(day.daysSince($0.birthDate)) }
                let taken = motifs.filter { $0.practiceID == practice.id && $0.motif.practitionerIDs.contains(practitioner.id) }.map(\.motif)
                let urgent = taken.first { $0.label == "Consultation urgente" }
                let plan = agendas[practice.id]!.dayPlan(for: practitioner.id, on: day)
                func book(_ motif: Motif, at start: Date, patient: Patient) {
                    let status: String
                    if offset < 0 {
                        status = rng.chance(0.9) ? "fulfilled" : (rng.chance(0.5) ? "noshow" : "cancelled")
                    } else {
                        status = rng.chance(0.05) ? "cancelled" : "booked"
                    }
                    appointments.append(Appointment(id: rng.uuid(), practiceID: practice.id, practitionerID: practitioner.id, patientID: patient.id,
                                                    start: start, end: start.addingTimeInterval(TimeInterval(motif.durationMinutes * 60)),
                                                    status: status, reason: motif.label, motifID: motif.id))
                }
                for opening in plan.openings {
                    var start = opening.start
                    while start.addingTimeInterval(TimeInterval(practice.slotMinutes * 60)) <= opening.end {
                        if let reserved = plan.reservedForUrgent.first(where: { $0.start <= start && start < $0.end }) {
                            // Kept for triaged calls: free from today on, given to an urgent consultation before.
                            if offset < 0, let urgent, rng.chance(fill) { book(urgent, at: reserved.start, patient: rng.pick(candidates)) }
                            start = reserved.end
                            continue
                        }
                        let wanted = rng.pick(practice.reasons)
                        var motif = taken.first { $0.label == wanted } ?? taken[0]
                        if motif.label == "Examen du 9e mois" && babies.isEmpty { motif = taken[0] }
                        let end = start.addingTimeInterval(TimeInterval(motif.durationMinutes * 60))
                        let fits = end <= opening.end && !plan.reservedForUrgent.contains { $0.start < end && start < $0.end }
                        if fits && rng.chance(fill) {
                            book(motif, at: start, patient: motif.label == "Examen du 9e mois" ? rng.pick(babies) : rng.pick(candidates))
                            start = end
                        } else {
                            start = start.addingTimeInterval(TimeInterval(practice.slotMinutes * 60))
                        }
                    }
                }
            }
        }

        let users = [
            User(id: rng.uuid(), email: "secretaire@permanence.test", displayName: "Camille Dubois", role: .secretary,
                 practiceIDs: practices.map(\.id), practitionerID: nil),
            User(id: rng.uuid(), email: "superviseur@permanence.test", displayName: "Nathalie Girard", role: .supervisor,
                 practiceIDs: [], practitionerID: nil),
            User(id: rng.uuid(), email: "dr.martin@permanence.test", displayName: "Dr Claire Martin", role: .practitioner,
                 practiceIDs: [general.id], practitionerID: martin.id),
            User(id: rng.uuid(), email: "admin@permanence.test", displayName: "Administrateur du centre", role: .admin,
                 practiceIDs: [], practitionerID: nil),
        ]

        return DemoDataset(centerID: centerID, centerName: "Permanence — centre de télésecrétariat médical", practices: practices,
                           practitioners: practitioners, patients: patients, appointments: appointments, users: users,
                           hours: hours, motifs: motifs, urgentRules: urgentRules, absences: [(general.id, training)])
    }
}

extension DemoDataset {
    /// The center answers for the demo practices on weekdays 08:00–19:00 and Saturday mornings.
    static let coverage = CoverageDTO(weekly: (1...5).map { CoverageDTO.Weekly(weekday: $0, start: "08:00", end: "19:00") }
                                          + [CoverageDTO.Weekly(weekday: 6, start: "08:00", end: "12:00")], exceptions: [])

    /// A demo practice as the practice form gives it: its département read from its address.
    static func input(_ practice: Practice) -> PracticeInput {
        PracticeInput(name: practice.name, slug: practice.slug, specialty: practice.kind, address: practice.address, access: nil,
                      departement: Departement.of(address: practice.address) ?? "75", timeZone: timeZone.identifier, openedHolidays: nil,
                      numbers: [DialledNumberDTO(number: practice.phone, label: DialledNumberLabel.secretariat.rawValue)], coverage: coverage,
                      outsideHoursMessage: "\(practice.name) : le secrétariat est fermé. En cas d'urgence vitale, appelez le 15. "
                          + "Pour un avis médical la nuit ou le week-end, appelez le 116 117.",
                      greeting: practice.greeting, serviceStartsOn: nil)
    }
}
