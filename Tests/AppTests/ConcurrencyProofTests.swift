@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// 64 concurrent clients make 10,000 booking attempts, 80 % of them on 5 % of the slots (issue 4). Afterwards no two
/// live appointments of the practitioner overlap, every 201 is in the database, and every 409 names a real appointment
/// in the way. `PERMANENCE_PROOF_ATTEMPTS` lowers the count while working on it.
struct ConcurrencyProofTests {
    struct Outcome: Sendable {
        var created: [(id: UUID, start: String)] = []
        var conflicts: [(start: String, blocking: UUID)] = []
        var other: [String] = []
    }

    @Test func noDoubleBookingUnderConcurrentLoad() async throws {
        let attempts = Int(ProcessInfo.processInfo.environment["PERMANENCE_PROOF_ATTEMPTS"] ?? "") ?? 10_000
        let clients = 64
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let (_, motif) = try await AgendaAPITests.setUp(app, world)
            let token = try await app.apiToken(world.secretaryA)
            var patients: [UUID] = []
            for index in 0..<50 { patients.append(try await AppointmentsAPITests.patient(in: world.practiceA, name: "Patient\(index)", on: app)) }
            // Every 20-minute place of the weekday mornings from Wednesday 25 November to Thursday 24 December (198 places).
            var starts: [String] = []
            var day = LocalDate(year: 2026, month: 11, day: 25)
            while day <= LocalDate(year: 2026, month: 12, day: 24) {
                if day.isoWeekday <= 5 {
                    for minutes in stride(from: 9 * 60, to: 12 * 60, by: 20) {
                        starts.append("\(day)T\(minutes / 60 < 10 ? "0" : "")\(minutes / 60):\(minutes % 60 == 0 ? "00" : String(minutes % 60)):00+01:00")
                    }
                }
                day = day.adding(days: 1)
            }
            let hot = Array(starts.prefix(starts.count / 20))
            var generator = SeededGenerator(seed: 4)
            let plan: [(start: String, patient: UUID)] = (0..<attempts).map { _ in
                let start = Double.random(in: 0..<1, using: &generator) < 0.8 ? hot.randomElement(using: &generator)! : starts.randomElement(using: &generator)!
                return (start, patients.randomElement(using: &generator)!)
            }
            let path = "/api/v1/practices/\(world.practiceA)/appointments"
            let practitioner = world.practitionerA
            let outcome = try await withThrowingTaskGroup(of: Outcome.self) { group in
                for client in 0..<clients {
                    let mine = stride(from: client, to: plan.count, by: clients).map { plan[$0] }
                    group.addTask {
                        var outcome = Outcome()
                        for attempt in mine {
                            let response = try await app.api(.POST, path, token: token, json: """
                                {"patientId":"\(attempt.patient)","practitionerId":"\(practitioner)","motifId":"\(motif)","start":"\(attempt.start)"}
                                """)
                            switch response.status {
                            case .created:
                                struct Created: Decodable { struct A: Decodable { let id: UUID }; let appointment: A }
                                outcome.created.append((try response.content.decode(Created.self).appointment.id, attempt.start))
                            case .conflict:
                                let problem = try AppointmentsAPITests.problem(response)
                                if let conflict = problem.conflict { outcome.conflicts.append((attempt.start, conflict.id)) } else { outcome.other.append("409 without a conflict: \(response.body.string)") }
                            default:
                                outcome.other.append("\(response.status.code): \(response.body.string)")
                            }
                        }
                        return outcome
                    }
                }
                var all = Outcome()
                for try await part in group {
                    all.created += part.created
                    all.conflicts += part.conflicts
                    all.other += part.other
                }
                return all
            }

            #expect(outcome.other.isEmpty, "\(outcome.other.prefix(3))")
            #expect(outcome.created.count + outcome.conflicts.count == attempts)
            let live = try await AppointmentRecord.query(on: app.db).filter(\.$practitioner.$id == practitioner).filter(\.$status == "booked").sort(\.$startsAt).all()
            // Every 201 is in the database, and nothing else is.
            #expect(Set(live.map { $0.id! }) == Set(outcome.created.map(\.id)))
            #expect(live.count == Set(outcome.created.map(\.start)).count)
            // No two live appointments overlap.
            for (a, b) in zip(live, live.dropFirst()) { #expect(a.endsAt <= b.startsAt, "\(a.id!) overlaps \(b.id!)") }
            // Every 409 names an appointment that really holds that time.
            let byID = Dictionary(uniqueKeysWithValues: live.map { ($0.id!, $0) })
            for conflict in outcome.conflicts {
                let start = ISOTimestamp.parse(conflict.start)!
                let blocking = try #require(byID[conflict.blocking], "409 for \(conflict.start) names \(conflict.blocking), which is not a live appointment")
                #expect(blocking.startsAt < start.addingTimeInterval(1200) && start < blocking.endsAt)
            }
            // The hot places were all taken, and many attempts on them were refused.
            #expect(Set(outcome.created.map(\.start)).isSuperset(of: hot))
            #expect(outcome.conflicts.count >= attempts / 2)
        }
    }
}
