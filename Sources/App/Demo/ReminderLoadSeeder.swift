import Domain
import Fluent
import Foundation
import Vapor

/// A center of many practices whose patients all accept messages, with a full day of appointments: what the reminders'
/// benchmark queues (Benchmarks/http/run-reminders.sh). Written without the journal: a fixture of figures, not of
/// people's actions.
enum ReminderLoadSeeder {
    struct Result {
        let practiceID: UUID
        let motifID: UUID
        let day: LocalDate
        let appointments: Int
    }

    /// `practices` practices of ten practitioners (weekday hours as `LoadFixture`'s), SMS and e-mail on with a reminder
    /// 24 h before; `appointments` spread evenly over them on `day`, one patient each, every 30 minutes from 08:30.
    static func seed(app: Application, practices: Int, appointments: Int, day: LocalDate, password: String) async throws -> Result {
        let zone = FrenchFormat.parisTimeZone
        var rng = SeededGenerator(seed: 24)
        let centerID = rng.uuid()
        let perPractice = (appointments + practices - 1) / practices
        let now = app.clock.now()
        var first: (UUID, UUID)?
        var written = 0
        try await app.writer.transaction(on: app.db, actor: .system("seed-load")) { tx, journal in
            try await CenterRecord(id: centerID, name: "Centre de charge").create(on: tx)
        }
        for index in 0..<practices {
            let practiceID = UUID()
            let fixture = LoadFixture.make(seed: UInt64(index + 1), practitioners: 10, appointments: 0, from: LocalDate(now, in: zone), timeZone: zone)
            let count = min(perPractice, appointments - written)
            let slug = String(format: "cabinet-rappels-%03d", index + 1)
            try await app.writer.transaction(on: app.db, actor: .system("seed-load")) { tx, journal in
                _ = try await PatientLoadSeeder.insertPractice(id: practiceID, center: centerID, slug: slug, name: "Cabinet \(index + 1)",
                                                               phone: String(format: "+331990%05d", index + 1), on: tx, journal: journal)
            }
            try await app.writer.unjournaled(on: app.db) { tx in
                for (number, id) in fixture.practitionerIDs.enumerated() {
                    try await LoadSeeder.practitioner(id, number: number + 1, practice: practiceID).create(on: tx)
                }
                let motif = MotifRecord()
                motif.apply(fixture.motif, practice: practiceID)
                try await motif.create(on: tx)
                for template in fixture.templates {
                    let record = WeeklyTemplateRecord()
                    try AgendaStore.apply(template, to: record, practice: practiceID)
                    try await record.create(on: tx)
                }
                var patients: [PatientRecord] = [], phones: [PatientPhoneRecord] = [], booked: [AppointmentRecord] = []
                for n in 0..<count {
                    let patient = PatientRecord(id: UUID(), practice: practiceID, birthName: "Patient", firstNames: "Numéro \(n + 1)", usedName: nil,
                                                birthDate: "1970-01-01", sex: n % 2 == 0 ? "F" : "M")
                    patient.smsConsent = true
                    patient.emailConsent = true
                    patient.email = "patient.\(index + 1).\(n + 1)@example.org"
                    patients.append(patient)
                    phones.append(PatientPhoneRecord(practice: practiceID, patient: patient.id!, phone: PhoneNumber(e164: String(format: "+3361%03d%04d", index, n)),
                                                     label: "portable", position: 0))
                    let appointment = AppointmentRecord()
                    appointment.id = UUID()
                    appointment.$practice.id = practiceID
                    appointment.$practitioner.id = fixture.practitionerIDs[n % fixture.practitionerIDs.count]
                    appointment.$patient.id = patient.id!
                    appointment.startsAt = WallClock.resolve(day, minutes: 8 * 60 + 30 + (n / fixture.practitionerIDs.count) * 30, in: zone, ambiguity: .earlier).instant
                    appointment.endsAt = appointment.startsAt.addingTimeInterval(TimeInterval(fixture.motif.durationMinutes * 60))
                    appointment.status = "booked"
                    appointment.reason = fixture.motif.label
                    appointment.motifID = fixture.motif.id
                    appointment.updatedAt = now
                    booked.append(appointment)
                }
                for chunk in patients.chunked(by: 500) { try await chunk.create(on: tx) }
                for chunk in phones.chunked(by: 500) { try await chunk.create(on: tx) }
                for chunk in booked.chunked(by: 500) { try await chunk.create(on: tx) }
                for chunk in booked.map({ SlotOccupancy.row(for: $0, bufferMinutes: fixture.motif.bufferAfterMinutes) }).chunked(by: 500) {
                    try await chunk.create(on: tx)
                }
                let settings = PracticeMessagingRecord.off(practice: practiceID, now: now)
                settings.id = UUID()
                settings.sms = true
                settings.email = true
                try await settings.create(on: tx)
            }
            written += count
            if first == nil { first = (practiceID, fixture.motif.id) }
        }
        // A secretary of the first practice: no second factor, so that a server whose clock is moved still lets her in.
        let user = ValidatedUser(email: LoadSeeder.email, displayName: "Charge", role: .secretary, practiceIDs: [first!.0], practitionerID: nil)
        _ = try await UserStore.insert(user, passwordHash: try await Passwords.hash(password), actor: .system("seed-load"),
                                       requestID: nil, writer: app.writer, on: app.db)
        return Result(practiceID: first!.0, motifID: first!.1, day: day, appointments: written)
    }
}
