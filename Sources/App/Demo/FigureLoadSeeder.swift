import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1_000 + Double(components.attoseconds) / 1e15 }
}

/// A center of many practices over many days, for the figures' benchmarks (Benchmarks/README.md): the telephony
/// events of its calls and their traces, appointments with their bookings, moves and cancellations, and
/// transmissions with their acknowledgements — written as a fixture in multi-row statements, without journal entries.
///
/// Not written: the journal's calls (the traces carry the handling times they would give), the slots' occupancy rows
/// of past appointments (only bookings read them), triages and tasks (a few per day, read as rows).
enum FigureLoadSeeder {
    struct Sizes {
        var practices = 100
        var days = 365
        var calls = 2_000_000
        var appointments = 1_000_000
        var transmissions = 200_000
    }

    static let centerName = "Centre d'essai des chiffres"

    static func seed(app: Application, sizes: Sizes, seed: UInt64, password: String, progress: (String) -> Void) async throws {
        var rng = SeededGenerator(seed: seed)
        let zone = FrenchFormat.parisTimeZone
        let today = LocalDate(app.clock.now(), in: zone)
        let centerID = rng.uuid()
        let sql = app.db as! any SQLDatabase
        try await app.writer.unjournaled(on: app.db) { db in try await CenterRecord(id: centerID, name: centerName).create(on: db) }
        let user = ValidatedUser(email: LoadSeeder.email, displayName: "Charge", role: .supervisor, practiceIDs: [], practitionerID: nil)
        let supervisor = try await UserStore.insert(user, passwordHash: try await Passwords.hash(password), actor: .system("seed-figures"),
                                                    requestID: nil, writer: app.writer, on: app.db)
        try await DemoSeeder.enrolWithDemoKey(supervisor, app: app)

        // The working days of the period (no Sunday), each with its weight (Monday the busiest).
        let days = (1...sizes.days).map { today.adding(days: -$0) }.filter { DemoCallHistory.weekdayWeights[$0.isoWeekday] != nil }
        let dayWeights = days.map { DemoCallHistory.weekdayWeights[$0.isoWeekday]! }
        let hours = Array(8..<19), hourWeights = hours.map { DemoCallHistory.hourWeights[$0]! }
        func instant(using rng: inout SeededGenerator) -> Date {
            let day = days[weighted(dayWeights, using: &rng)], hour = hours[weighted(hourWeights, using: &rng)]
            return WallClock.resolve(day, minutes: hour * 60 + Int.random(in: 0..<60, using: &rng), in: zone, ambiguity: .earlier).instant
                .addingTimeInterval(TimeInterval(Int.random(in: 0..<60, using: &rng)))
        }

        for index in 0..<sizes.practices {
            let practiceID = rng.uuid(), practitionerID = rng.uuid()
            let phone = "+33198" + String(format: "%06d", index)
            let practitioner = LoadSeeder.practitioner(practitionerID, number: index + 1, practice: practiceID)
            let patients = (0..<20).map { number in
                PatientRecord(id: rng.uuid(), practice: practiceID, birthName: "Patient", firstNames: "Numéro \(number + 1)", usedName: nil,
                              birthDate: "1970-01-01", sex: number % 2 == 0 ? "F" : "M")
            }
            try await app.writer.transaction(on: app.db, actor: .system("seed-figures")) { tx, journal in
                try await PatientLoadSeeder.insertPractice(id: practiceID, center: centerID, slug: String(format: "essai-chiffres-%03d", index + 1),
                                                           name: String(format: "Cabinet d'essai %03d", index + 1), phone: phone, on: tx, journal: journal)
                try await practitioner.create(on: tx)
                try await patients.create(on: tx)
            }

            // The calls: answered after a few rings (most), lost after a wait, or hung up within a ring.
            var events: [[(any Encodable & Sendable)?]] = [], traces: [CallTrace] = []
            for sequence in 0..<share(sizes.calls, index, sizes.practices) {
                let id = "essai-\(index + 1)-\(sequence + 1)", at = instant(using: &rng)
                let number = caller(&rng)
                func event(_ kind: TelephonyEventKind, _ instant: Date, _ phoneExtension: String?, taken: String?) -> [(any Encodable & Sendable)?] {
                    [rng.uuid(), centerID, id, kind.rawValue, number, phone, phoneExtension, practiceID, nil as UUID?, taken, instant]
                }
                let draw = Double.random(in: 0..<1, using: &rng)
                if draw < 0.9 {
                    let answered = at.addingTimeInterval(TimeInterval(Int.random(in: 4...40, using: &rng)))
                    let ended = answered.addingTimeInterval((45 + DemoCallHistory.exponential(mean: 120, using: &rng)).rounded())
                    let closed = ended.addingTimeInterval(TimeInterval(Int.random(in: 10...50, using: &rng)))
                    let phoneExtension = "\(201 + Int(rng.next() % 12))"
                    events += [event(.ringing, at, nil, taken: "secretaire"), event(.answered, answered, phoneExtension, taken: nil),
                               event(.ended, ended, phoneExtension, taken: nil)]
                    traces.append(CallTrace(callID: id, practiceID: practiceID, presentedAt: at, answeredAt: answered, endedAt: ended, closedAt: closed, byHand: false))
                } else {
                    let ended = at.addingTimeInterval(draw < 0.97 ? TimeInterval(Int.random(in: 6...120, using: &rng)) : TimeInterval(Int.random(in: 1...4, using: &rng)))
                    events += [event(.ringing, at, nil, taken: "—"), event(.ended, ended, nil, taken: nil)]
                    traces.append(CallTrace(callID: id, practiceID: practiceID, presentedAt: at, answeredAt: nil, endedAt: ended, closedAt: nil, byHand: false))
                }
            }
            try await app.writer.unjournaled(on: app.db) { [events, traces] db in
                let sql = db as! any SQLDatabase
                try await SQLValue.insert(events, into: "telephony_events", columns: DemoCallHistory.eventColumns, on: sql)
                try await FigureRollups.write(traces, replacing: [], on: sql)
            }

            // The appointments: booked 1 to 30 days ahead, some moved, some cancelled (by the center or the practice).
            var appointments: [[(any Encodable & Sendable)?]] = [], changes: [[(any Encodable & Sendable)?]] = []
            for _ in 0..<share(sizes.appointments, index, sizes.practices) {
                let id = rng.uuid(), start = instant(using: &rng)
                let booked = start.addingTimeInterval(-TimeInterval(Int.random(in: 1...30, using: &rng)) * 86_400)
                let draw = Double.random(in: 0..<1, using: &rng)
                let status: AppointmentStatus = draw < 0.10 ? .cancelled : draw < 0.14 ? .noshow : .fulfilled
                let actor: UUID? = rng.chance(0.8) ? supervisor.id : nil
                appointments.append([id, practiceID, practitionerID, patients[Int(rng.next() % 20)].id, start, start.addingTimeInterval(1_200), status.rawValue,
                                     "Consultation", BookingSource.phone.rawValue, booked])
                changes.append([rng.uuid(), practiceID, AppointmentChangeFact.Kind.booked.rawValue, booked, actor, start])
                if rng.chance(0.08) {
                    changes.append([rng.uuid(), practiceID, AppointmentChangeFact.Kind.moved.rawValue, booked.addingTimeInterval(3_600), actor,
                                    start.addingTimeInterval(86_400)])
                }
                if status == .cancelled {
                    let at = start.addingTimeInterval(-TimeInterval(Int.random(in: 1...(5 * 86_400), using: &rng)))
                    changes.append([rng.uuid(), practiceID, AppointmentChangeFact.Kind.cancelled.rawValue, max(at, booked), actor, start])
                }
            }
            // The transmissions: acknowledged (they are past), most within the hour, the urgent ones sooner.
            var transmissions: [[(any Encodable & Sendable)?]] = []
            for _ in 0..<share(sizes.transmissions, index, sizes.practices) {
                let sent = instant(using: &rng)
                let priority: TransmissionPriority = rng.chance(0.1) ? .urgent : rng.chance(0.7) ? .normal : .information
                let acknowledged = sent.addingTimeInterval(DemoCallHistory.exponential(mean: priority == .urgent ? 600 : 3_000, using: &rng).rounded())
                transmissions.append([rng.uuid(), practiceID, practitionerID, priority.rawValue, "Message", "Message du secrétariat", caller(&rng),
                                      TransmissionState.acknowledged.rawValue, Int(rng.next() % 3), sent, "secretaire", acknowledged])
            }
            try await app.writer.unjournaled(on: app.db) { [appointments, changes, transmissions] db in
                let sql = db as! any SQLDatabase
                try await SQLValue.insert(appointments, into: "appointments", columns: ["id", "practice_id", "practitioner_id", "patient_id", "starts_at", "ends_at",
                                                                               "status", "reason", "source", "created_at"], on: sql)
                try await FigureRollups.writeChanges(changes, on: sql)
                try await SQLValue.insert(transmissions, into: "transmissions", columns: ["id", "practice_id", "practitioner_id", "priority", "subject", "message",
                                                                                 "callback_number", "state", "escalation_step", "sent_at", "sent_by_label",
                                                                                 "acknowledged_at"], on: sql)
            }
            // On SQLite, the WAL written back to the file and emptied between two practices (the server's own
            // checkpoints are passive: under this stream of writes they never catch up, and the WAL grows by gigabytes).
            if sql.dialect.name == "sqlite" { try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run() }
            if (index + 1) % 10 == 0 || index + 1 == sizes.practices { progress("\(index + 1)/\(sizes.practices) practices written") }
        }
        // The planner's statistics (and, on PostgreSQL, the visibility map its index-only scans need).
        try await sql.raw(sql.dialect.name == "postgresql" ? "VACUUM ANALYZE" : "ANALYZE").run()
    }

    /// What the rollups cost each telephony event, on this database: for `count` calls already there, an event
    /// (a transfer, which changes no figure) written as the phone system's are, then its call's trace written again —
    /// each in its own transaction, timed apart; the events are removed afterwards. Medians and 99th percentiles, in ms.
    static func writeCost(app: Application, count: Int) async throws -> (event: (Double, Double), trace: (Double, Double)) {
        let sql = app.db as! any SQLDatabase
        struct Row: Decodable { let provider_call_id: String; let center_id: UUID; let practice_id: UUID }
        let calls = try await sql.raw("SELECT provider_call_id, center_id, practice_id FROM telephony_events WHERE kind = 'ringing' LIMIT \(unsafeRaw: String(count))")
            .all(decoding: Row.self)
        var events: [Double] = [], traces: [Double] = []
        let clock = ContinuousClock()
        for call in calls {
            let event = TelephonyEventRecord()
            event.$center.id = call.center_id
            event.providerCallID = call.provider_call_id
            event.kind = TelephonyEventKind.transferred.rawValue
            event.callerNumber = ""
            event.dialledNumber = ""
            event.$practice.id = call.practice_id
            event.receivedAt = app.clock.now()
            events.append(try await clock.measure { try await app.writer.unjournaled(on: app.db) { db in try await event.create(on: db) } }.milliseconds)
            traces.append(try await clock.measure {
                try await app.writer.unjournaled(on: app.db) { db in try await FigureRollups.refresh(telephonyCalls: [call.provider_call_id], on: db) }
            }.milliseconds)
        }
        try await app.writer.unjournaled(on: app.db) { db in
            try await (db as! any SQLDatabase).raw("DELETE FROM telephony_events WHERE kind = 'transferred'").run()
        }
        func summary(_ values: [Double]) -> (Double, Double) {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return (0, 0) }
            return (sorted[sorted.count / 2], sorted[min(sorted.count - 1, sorted.count * 99 / 100)])
        }
        return (summary(events), summary(traces))
    }

    static func caller(_ rng: inout SeededGenerator) -> String { "+336" + String(format: "%08d", Int(rng.next() % 100_000_000)) }

    /// The part of `total` that falls to practice `index` of `count` (the first ones take the remainder).
    static func share(_ total: Int, _ index: Int, _ count: Int) -> Int { total / count + (index < total % count ? 1 : 0) }

    /// An index drawn with these weights.
    static func weighted(_ weights: [Double], using rng: inout SeededGenerator) -> Int {
        var draw = Double.random(in: 0..<weights.reduce(0, +), using: &rng)
        for (index, weight) in weights.enumerated() {
            draw -= weight
            if draw < 0 { return index }
        }
        return weights.count - 1
    }
}
