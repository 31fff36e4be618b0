import Domain
import Fluent
import Foundation
import Vapor

/// Writes a `LoadFixture` as one practice of an empty database, journaled like any write, for HTTP load tests.
enum LoadSeeder {
    struct Result {
        let practiceID: UUID
        let motifID: UUID
        let email: String
        let practitionerIDs: [UUID]
        let patientIDs: [UUID]
    }

    static let email = "charge@permanence.test"
    static let practiceSlug = "cabinet-de-charge"

    static func seed(app: Application, seed: UInt64, practitioners: Int, appointments: Int, password: String) async throws -> Result {
        let zone = FrenchFormat.parisTimeZone
        let today = LocalDate(app.clock.now(), in: zone)
        let fixture = LoadFixture.make(seed: seed, practitioners: practitioners, appointments: appointments, from: today, timeZone: zone)
        var rng = SeededGenerator(seed: seed &+ 1)
        let centerID = rng.uuid(), practiceID = rng.uuid()
        let patientIDs = (0..<500).map { _ in rng.uuid() }
        try await app.writer.transaction(on: app.db, actor: .system("seed-load")) { tx, journal in
            try await CenterRecord(id: centerID, name: "Centre de charge").create(on: tx)
            try await PatientLoadSeeder.insertPractice(id: practiceID, center: centerID, slug: practiceSlug, name: "Cabinet de charge",
                                                       phone: "+33199009999", on: tx, journal: journal)
            for (index, id) in fixture.practitionerIDs.enumerated() {
                let practitioner = Self.practitioner(id, number: index + 1, practice: practiceID)
                try await practitioner.create(on: tx)
                try await journal.record(.create, entity: "practitioner", entityID: id.uuidString, practiceID: practiceID, after: ["name": practitioner.displayName])
            }
            let motif = MotifRecord()
            motif.apply(fixture.motif, practice: practiceID)
            try await motif.create(on: tx)
            try await journal.record(.create, entity: "motif", entityID: fixture.motif.id.uuidString, practiceID: practiceID, after: MotifDTO(fixture.motif))
            for template in fixture.templates {
                let record = WeeklyTemplateRecord()
                try AgendaStore.apply(template, to: record, practice: practiceID)
                try await record.create(on: tx)
                try await journal.record(.create, entity: "weekly_template", entityID: template.id.uuidString, practiceID: practiceID, after: try AgendaStore.dto(record))
            }
            for rule in fixture.urgentRules {
                let record = UrgentSlotRuleRecord()
                record.apply(rule, id: UUID(), practice: practiceID)
                try await record.create(on: tx)
                try await journal.record(.create, entity: "urgent_slot_rule", entityID: record.id!.uuidString, practiceID: practiceID, after: UrgentRuleDTO(record))
            }
            for absence in fixture.absences {
                let record = AgendaExceptionRecord()
                record.apply(absence, practice: practiceID)
                try await record.create(on: tx)
                try await journal.record(.create, entity: "agenda_exception", entityID: absence.id.uuidString, practiceID: practiceID, after: ExceptionDTO(record))
            }
            let patients = patientIDs.enumerated().map { index, id in
                PatientRecord(id: id, practice: practiceID, birthName: "Patient", firstNames: "Numéro \(index + 1)", usedName: nil,
                              birthDate: "1970-01-01", sex: index % 2 == 0 ? "F" : "M")
            }
            for chunk in patients.chunked(by: 200) { try await chunk.create(on: tx) }
            let appointments = fixture.appointments.enumerated().map { index, busy in
                let record = AppointmentRecord()
                record.id = UUID()
                record.$practice.id = practiceID
                record.$practitioner.id = busy.practitionerID
                record.$patient.id = patientIDs[index % patientIDs.count]
                record.startsAt = busy.interval.start
                record.endsAt = busy.interval.end
                record.status = "booked"
                record.reason = fixture.motif.label
                record.motifID = fixture.motif.id
                return record
            }
            for chunk in appointments.chunked(by: 500) { try await chunk.create(on: tx) }
            for chunk in appointments.map({ SlotOccupancy.row(for: $0, bufferMinutes: fixture.motif.bufferAfterMinutes) }).chunked(by: 500) {
                try await chunk.create(on: tx)
            }
            for record in patients {
                try await journal.record(.create, entity: "patient", entityID: record.id!.uuidString, practiceID: practiceID, after: ["birthName": record.birthName])
            }
            for record in appointments {
                try await journal.record(.create, entity: "appointment", entityID: record.id!.uuidString, practiceID: practiceID,
                                         after: ["start": ISOTimestamp.string(record.startsAt, in: zone), "practitioner": record.$practitioner.id.uuidString])
            }
        }
        let user = ValidatedUser(email: email, displayName: "Charge", role: .supervisor, practiceIDs: [], practitionerID: nil)
        let record = try await UserStore.insert(user, passwordHash: try await Passwords.hash(password), actor: .system("seed-load"),
                                                requestID: nil, writer: app.writer, on: app.db)
        try await DemoSeeder.enrolWithDemoKey(record, app: app)
        return Result(practiceID: practiceID, motifID: fixture.motif.id, email: email, practitionerIDs: fixture.practitionerIDs, patientIDs: patientIDs)
    }

    /// A load test's practitioner: « Dr Praticien 001 », a general practitioner.
    static func practitioner(_ id: UUID, number: Int, practice: UUID) -> PractitionerRecord {
        let practitioner = PractitionerRecord()
        practitioner.id = id
        practitioner.$practice.id = practice
        practitioner.title = "Dr"
        practitioner.firstName = "Praticien"
        practitioner.lastName = String(format: "%03d", number)
        practitioner.profession = "Médecin généraliste"
        return practitioner
    }
}
