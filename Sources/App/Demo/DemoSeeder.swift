import Domain
import Fluent
import Foundation
import Vapor

/// Writes the demo center into an empty database, every row journaled like any other write.
enum DemoSeeder {
    struct Login: Sendable {
        let role: Role
        let email: String
    }

    static func isEmpty(_ db: any Database) async throws -> Bool {
        let centers = try await CenterRecord.query(on: db).count()
        let users = try await UserRecord.query(on: db).count()
        return centers == 0 && users == 0
    }

    /// Seeds the demo for the current day in Paris and returns the accounts to print.
    @discardableResult
    static func seed(app: Application, seed: UInt64) async throws -> [Login] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = DemoDataset.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: app.clock.now())
        let today = LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)
        let data = DemoDataset.make(seed: seed, today: today)
        try await write(data, app: app)
        try await writePlaybooks(data, app: app)
        try await writeJournalSettings(data, app: app)
        try await writeMessaging(data, app: app)
        try await DemoCallHistory.make(seed: seed, today: today, data: data).write(center: data.centerID, app: app)
        return data.users.map { Login(role: $0.role, email: $0.email) }
    }

    /// Each demo practice's sheet, procedures and triage criteria, as their first versions.
    static func writePlaybooks(_ data: DemoDataset, app: Application) async throws {
        let context = WriteContext(actor: .system("seed-demo"), requestID: nil, writer: app.writer, database: app.db, patientIndex: app.patientIndexCache)
        for practice in data.practices {
            guard let record = try await PracticeRecord.find(practice.id, on: app.db) else { continue }
            let authorized = try AuthorizedPractice.commandLine(record)
            if let playbook = DemoPlaybooks.playbook(forSlug: practice.slug) {
                _ = try await PlaybookStore.save(playbook, note: "Fiche et procédures convenues avec le cabinet", of: authorized, context: context)
            }
            if let triage = DemoPlaybooks.triage(forSlug: practice.slug) {
                _ = try await PlaybookStore.save(triage, note: "Critères d'urgence convenus avec le cabinet", of: authorized, context: context)
            }
        }
    }

    /// The general practice sends confirmations and a reminder the day before, by SMS and e-mail, cancellable by the
    /// link until 2 hours before: the standard wordings.
    static func writeMessaging(_ data: DemoDataset, app: Application) async throws {
        let context = WriteContext(actor: .system("seed-demo"), requestID: nil, writer: app.writer, database: app.db, patientIndex: app.patientIndexCache)
        guard let practice = data.practices.first(where: { $0.slug == "cabinet-des-tilleuls" }),
              let record = try await PracticeRecord.find(practice.id, on: app.db) else { return }
        let form = MessagingForm(sms: "1", email: "1", rappel24: "1", delaiAnnulation: "2")
        _ = try await MessagingSettingsStore.save(form, practice: try AuthorizedPractice.commandLine(record), context: context, now: app.clock.now())
    }

    /// Each practice's escalation ladder (its second practitioner as backup, where it has one) and a handover note.
    static func writeJournalSettings(_ data: DemoDataset, app: Application) async throws {
        let context = WriteContext(actor: .system("seed-demo"), requestID: nil, writer: app.writer, database: app.db, patientIndex: app.patientIndexCache)
        let now = app.clock.now()
        for practice in data.practices {
            guard let record = try await PracticeRecord.find(practice.id, on: app.db) else { continue }
            let colleagues = data.practitioners.filter { $0.practiceID == practice.id }
            let policy = EscalationPolicy(noticeAfterMinutes: 5, callAfterMinutes: 15, backupAfterMinutes: 30,
                                          backupPractitionerID: colleagues.count > 1 ? colleagues.last?.id : nil)
            try await TransmissionStore.savePolicy(policy, in: try AuthorizedPractice.commandLine(record), context: context, now: now)
        }
        let note = HandoverNoteRecord()
        note.id = UUID()
        note.text = "Bienvenue sur la démonstration : les transmissions urgentes relancent le praticien toutes les quelques minutes tant qu'il n'en a pas accusé réception."
        note.authorLabel = "Nathalie Girard"
        note.createdAt = now
        try await app.writer.transaction(on: app.db, actor: .system("seed-demo")) { tx, journal in
            try await note.create(on: tx)
            try await journal.record(.create, entity: "handover-note", entityID: note.id!.uuidString, practiceID: nil, after: ["text": note.text])
        }
    }

    static func write(_ data: DemoDataset, app: Application) async throws {
        let passwordHash = try await Passwords.hash(DemoDataset.demoPassword)
        let actor = AuditActor.system("seed-demo")
        try await app.writer.transaction(on: app.db, actor: actor) { tx, journal in
            let center = CenterRecord(id: data.centerID, name: data.centerName)
            try await center.create(on: tx)
            try await journal.record(.create, entity: "center", entityID: data.centerID.uuidString, practiceID: nil, after: ["name": data.centerName])

            for practice in data.practices {
                _ = try await PracticeSetupStore.insert(DemoDataset.input(practice), id: practice.id, center: data.centerID, live: true, on: tx, journal: journal)
            }
            for practitioner in data.practitioners {
                let record = PractitionerRecord()
                record.id = practitioner.id
                record.$practice.id = practitioner.practiceID
                record.title = practitioner.title
                record.firstName = practitioner.firstName
                record.lastName = practitioner.lastName
                record.profession = practitioner.profession
                record.rpps = practitioner.rpps
                record.mobilePhone = practitioner.mobilePhone
                record.directPhone = practitioner.directPhone
                record.noticeEmail = practitioner.noticeEmail
                try await record.create(on: tx)
                try await journal.record(.create, entity: "practitioner", entityID: practitioner.id.uuidString, practiceID: practitioner.practiceID,
                                         after: ["name": record.displayName, "profession": practitioner.profession, "rpps": practitioner.rpps])
            }

            for (practiceID, motif) in data.motifs {
                let record = MotifRecord()
                record.apply(motif, practice: practiceID)
                try await record.create(on: tx)
                try await journal.record(.create, entity: "motif", entityID: motif.id.uuidString, practiceID: practiceID, after: MotifDTO(motif))
            }
            for template in data.hours {
                let practiceID = data.practitioners.first { $0.id == template.practitionerID }!.practiceID
                let record = WeeklyTemplateRecord()
                try AgendaStore.apply(template, to: record, practice: practiceID)
                try await record.create(on: tx)
                try await journal.record(.create, entity: "weekly_template", entityID: template.id.uuidString, practiceID: practiceID,
                                         after: try AgendaStore.dto(record))
            }
            for (practiceID, rule) in data.urgentRules {
                let record = UrgentSlotRuleRecord()
                record.apply(rule, id: UUID(), practice: practiceID)
                try await record.create(on: tx)
                try await journal.record(.create, entity: "urgent_slot_rule", entityID: record.id!.uuidString, practiceID: practiceID,
                                         after: UrgentRuleDTO(record))
            }
            for (practiceID, absence) in data.absences {
                let record = AgendaExceptionRecord()
                record.apply(absence, practice: practiceID)
                try await record.create(on: tx)
                try await journal.record(.create, entity: "agenda_exception", entityID: absence.id.uuidString, practiceID: practiceID,
                                         after: ExceptionDTO(record))
            }

            let patients = data.patients.map { patient in
                let record = PatientRecord(id: patient.id, practice: patient.practiceID, birthName: patient.birthName, firstNames: patient.firstNames,
                                           usedName: patient.usedName, birthDate: patient.birthDate.description, sex: patient.sex)
                record.email = patient.email
                // Those who gave an address accepted the practice's messages, by e-mail and SMS.
                record.emailConsent = patient.email != nil
                record.smsConsent = patient.email != nil
                return record
            }
            for chunk in patients.chunked(by: 200) { try await chunk.create(on: tx) }
            try await PatientSearch.insertPhones(data.patients.map { patient in
                let phone = PhoneNumber(e164: patient.phone)
                return (patient.id, patient.practiceID, [(phone, phone.isFrenchMobile ? "portable" : "fixe")])
            }, on: tx)
            for patient in data.patients {
                try await journal.record(.create, entity: "patient", entityID: patient.id.uuidString, practiceID: patient.practiceID,
                                         after: PatientSnapshot(patient))
            }

            let appointments = data.appointments.map { appointment in
                let record = AppointmentRecord()
                record.id = appointment.id
                record.$practice.id = appointment.practiceID
                record.$practitioner.id = appointment.practitionerID
                record.$patient.id = appointment.patientID
                record.startsAt = appointment.start
                record.endsAt = appointment.end
                record.status = appointment.status
                record.reason = appointment.reason
                record.source = BookingSource.phone.rawValue
                record.motifID = appointment.motifID
                return record
            }
            for chunk in appointments.chunked(by: 200) { try await chunk.create(on: tx) }
            let occupied = appointments.filter(\.statusValue.occupiesTime).map { SlotOccupancy.row(for: $0, bufferMinutes: 0) }
            for chunk in occupied.chunked(by: 200) { try await chunk.create(on: tx) }
            for appointment in data.appointments {
                try await journal.record(.create, entity: "appointment", entityID: appointment.id.uuidString, practiceID: appointment.practiceID,
                                         after: AppointmentSnapshot(appointment))
            }
        }
        for user in data.users {
            let valid = ValidatedUser(email: user.email, displayName: user.displayName, role: user.role,
                                      practiceIDs: user.practiceIDs, practitionerID: user.practitionerID)
            let record = try await UserStore.insert(valid, passwordHash: passwordHash, id: user.id, actor: actor, requestID: nil, writer: app.writer, on: app.db)
            try await enrolWithDemoKey(record, app: app)
        }
    }

    /// The demo's and the load tests' accounts whose role asks a second factor come enrolled with the published demo
    /// key (README), so that a script computes their code.
    static func enrolWithDemoKey(_ user: UserRecord, app: Application) async throws {
        guard AccessPolicy.secondFactorRequired(for: user.role, secretariesToo: false) else { return }
        user.totpSecret = try app.secretBox.seal(Base32.decode(DemoDataset.demoAuthenticatorKey)!)
        user.totpEnabledAt = app.clock.now()
        try await user.update(on: app.db)
    }

    static func loginsBanner(_ logins: [Login]) -> String {
        let width = logins.map(\.role.label.count).max() ?? 0
        let lines = logins.map { "  \($0.role.label.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.email)" }
        return (["", "Demo data created. Sign in at the address below with one of these accounts (password: \(DemoDataset.demoPassword)):"]
                + lines + ["", "Administrators, supervisors and practitioners also give the code of an authenticator application set with the",
                           "demo key \(DemoDataset.demoAuthenticatorKey) (e.g. `oathtool --totp -b \(DemoDataset.demoAuthenticatorKey)`).", ""]).joined(separator: "\n")
    }

    private struct PatientSnapshot: Encodable {
        let birthName: String, firstNames: String, usedName: String?, birthDate: String, sex: String, phone: String, email: String?
        init(_ p: DemoDataset.Patient) {
            birthName = p.birthName; firstNames = p.firstNames; usedName = p.usedName
            birthDate = p.birthDate.description; sex = p.sex; phone = p.phone; email = p.email
        }
    }

    private struct AppointmentSnapshot: Encodable {
        let practitionerID: UUID, patientID: UUID, start: Date, end: Date, status: String, reason: String
        init(_ a: DemoDataset.Appointment) {
            practitionerID = a.practitionerID; patientID = a.patientID; start = a.start; end = a.end; status = a.status; reason = a.reason
        }
    }
}

extension Array {
    func chunked(by size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
