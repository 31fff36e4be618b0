import Domain
import Foundation
import SQLKit
import Vapor

/// The demo center's last three months on the phone: the calls its practices' patients made, as the phone system's
/// events (ringing, answered on a secretary's extension, ended) and the journal calls the secretaries opened and
/// closed — so that the statistics, the reports and the patients' histories show what a center's look like.
///
/// The calls arrive at random (a Poisson process per practice) at the rates a small center sees: busiest on Monday
/// morning and from 17:00, quieter at lunch; two secretaries answer them in order (one at a time at lunch, each taking
/// her hour), and a caller who waits longer than her patience hangs up — so the calls lost are those of the busy hours.
struct DemoCallHistory {
    struct Event {
        let providerCallID: String
        let kind: TelephonyEventKind
        let callerNumber: String
        let dialledNumber: String
        let phoneExtension: String?
        let practiceID: UUID
        let callID: UUID?
        let takenByLabel: String?
        let at: Date
    }

    struct Call {
        let id: UUID
        let practiceID: UUID
        let callerNumber: String
        let patientID: UUID?
        let reason: CallReason
        let notes: String
        let providerCallID: String
        let openedAt: Date
        let closedAt: Date
        let agent: Agent
        let triage: Triage?
    }

    /// An urgency evaluation made during a call: the practice's questions answered one after the other as a caller
    /// would (most symptoms absent), and the level the Domain's triage gives. Only the evaluations that ask no
    /// transmission are kept — a level 2 put through to the practitioner at once, levels 3 to 5 — so that the history
    /// claims nothing it does not hold.
    struct Triage {
        let id: UUID
        let result: TriageResult
        let subject: TriageSubject
        let action: TriageAction?

        var note: String {
            switch result.level {
            case .immediateAdvice: "Évaluation d'urgence (niveau 2) : appel passé au praticien."
            case .sameDay: "Évaluation d'urgence (niveau 3) : orienté vers une consultation dans la journée."
            case .within48Hours: "Évaluation d'urgence (niveau 4) : orienté vers une consultation sous 48 h."
            default: "Évaluation d'urgence (niveau 5) : orienté vers un rendez-vous habituel."
            }
        }
    }

    /// Who answers: a demo account on an extension of the phone system, off the phone for an hour at lunch.
    struct Agent {
        let userID: UUID
        let email: String
        let name: String
        let phoneExtension: String
        let lunch: Range<Int>
    }

    var events: [Event] = []
    var calls: [Call] = []

    static let days = 91

    /// Calls an hour for each practice on an ordinary day, by kind of practice.
    static func hourlyRate(_ kind: String) -> Double {
        switch kind {
        case "Médecine générale": 4.5
        case "Pédiatrie": 3.0
        default: 1.5
        }
    }

    /// How an hour compares with the day's average (8:00 … 18:00): the opening rush, lunch, and after 17:00.
    static let hourWeights: [Int: Double] = [8: 1.7, 9: 1.5, 10: 1.2, 11: 1.0, 12: 0.55, 13: 0.5, 14: 0.9, 15: 0.9, 16: 1.0, 17: 1.45, 18: 1.3]
    /// Monday is the busiest day; Saturday morning only the general practice's line is open.
    static let weekdayWeights: [Int: Double] = [1: 1.5, 2: 1.1, 3: 1.0, 4: 1.0, 5: 0.9, 6: 0.7]

    static let reasons: [(CallReason, Double, String)] = [
        (.appointment, 0.44, "Demande de rendez-vous traitée."),
        (.move, 0.12, "Rendez-vous déplacé à la demande du patient."),
        (.cancellation, 0.10, "Annulation prise en compte."),
        (.information, 0.16, "Horaires et accès du cabinet donnés."),
        (.results, 0.06, "Résultats : la règle du cabinet rappelée (communiqués par le praticien)."),
        (.administrative, 0.07, "Question administrative (carte Vitale, mutuelle) : renseignement donné."),
        (.other, 0.05, "Appel sans suite."),
    ]

    /// The days before `today` (not today: today's figures are the live ones), generated from `seed`.
    static func make(seed: UInt64, today: LocalDate, data: DemoDataset) -> DemoCallHistory {
        var rng = SeededGenerator(seed: seed &+ 0xCA11)
        let zone = DemoDataset.timeZone
        let answering = data.users.filter { $0.role == .secretary || $0.role == .supervisor }
        let agents = answering.enumerated().map { index, user in
            Agent(userID: user.id, email: user.email, name: AuditActor.personName(user.displayName, role: user.role),
                  phoneExtension: "\(201 + index)", lunch: index == 0 ? 12 * 3600..<13 * 3600 : 13 * 3600..<14 * 3600)
        }
        let patients = Dictionary(grouping: data.patients, by: \.practiceID)
        let births = Dictionary(uniqueKeysWithValues: data.patients.map { ($0.id, $0.birthDate) })
        var history = DemoCallHistory()
        for back in stride(from: days, through: 1, by: -1) {
            let date = today.adding(days: -back)
            guard let dayWeight = weekdayWeights[date.isoWeekday], FrenchHolidays.holiday(on: date) == nil else { continue }
            let saturday = date.isoWeekday == 6
            // The callers of the day, every practice's, in the order they rang.
            var arrivals: [(at: Date, practice: DemoDataset.Practice)] = []
            for practice in data.practices where !saturday || practice.kind == "Médecine générale" {
                for hour in (saturday ? 8..<12 : 8..<19) {
                    let start = WallClock.resolve(date, minutes: hour * 60, in: zone, ambiguity: .earlier).instant
                    let rate = hourlyRate(practice.kind) * hourWeights[hour]! * dayWeight
                    var offset = exponential(mean: 3600 / rate, using: &rng)
                    while offset < 3600 {
                        arrivals.append((start.addingTimeInterval(offset.rounded()), practice))
                        offset += exponential(mean: 3600 / rate, using: &rng)
                    }
                }
            }
            arrivals.sort { $0.at < $1.at }
            let midnight = WallClock.resolve(date, minutes: 0, in: zone, ambiguity: .earlier).instant
            var free = agents.map { _ in Date.distantPast }
            var number = 0
            for (at, practice) in arrivals {
                number += 1
                let id = "demo-\(date)-\(number)"
                let caller = callerNumber(patients[practice.id] ?? [], using: &rng)
                // The secretary free first (after her lunch hour if it falls then) takes the call after a few rings.
                let ready = agents.indices.map { index in
                    let candidate = max(at, free[index])
                    let secondsOfDay = Int(candidate.timeIntervalSince(midnight))
                    let lunch = agents[index].lunch
                    return lunch.contains(secondsOfDay) ? midnight.addingTimeInterval(TimeInterval(lunch.upperBound)) : candidate
                }
                let (index, readyAt) = ready.enumerated().min { $0.element < $1.element }.map { ($0.offset, $0.element) }!
                let answeredAt = readyAt.addingTimeInterval(TimeInterval(Int.random(in: 4...13, using: &rng)))
                let patience = 6 + exponential(mean: 100, using: &rng)
                let ringing = { (label: String?, callID: UUID?) in
                    Event(providerCallID: id, kind: .ringing, callerNumber: caller.number, dialledNumber: practice.phone, phoneExtension: nil,
                          practiceID: practice.id, callID: callID, takenByLabel: label, at: at)
                }
                let wrongNumber = rng.chance(0.025)
                if wrongNumber || answeredAt.timeIntervalSince(at) > patience {
                    // A wrong number hangs up within a ring; the others when their patience runs out.
                    let endedAt = at.addingTimeInterval(wrongNumber ? Double(Int.random(in: 1...4, using: &rng)) : patience.rounded())
                    history.events.append(ringing("—", nil))
                    history.events.append(Event(providerCallID: id, kind: .ended, callerNumber: caller.number, dialledNumber: practice.phone,
                                                phoneExtension: nil, practiceID: practice.id, callID: nil, takenByLabel: nil, at: endedAt))
                    continue
                }
                let talk = (45 + exponential(mean: 120, using: &rng)).rounded()
                let endedAt = answeredAt.addingTimeInterval(min(talk, 900))
                let closedAt = endedAt.addingTimeInterval(TimeInterval(Int.random(in: 10...50, using: &rng)))
                free[index] = closedAt
                var reason = pickReason(using: &rng)
                var triage: Triage?
                if let criteria = DemoPlaybooks.triage(forSlug: practice.slug), rng.chance(0.06) {
                    let age = caller.patient.flatMap { births[$0] }.map { TriageSubject.ageInMonths(born: $0, on: date) }
                    triage = evaluate(criteria, subject: TriageSubject(ageInMonths: age ?? nil, callerIsPatient: nil), using: &rng)
                    if let triage { reason = (.urgent, triage.note) }
                }
                let call = Call(id: rng.uuid(), practiceID: practice.id, callerNumber: caller.number, patientID: caller.patient,
                                reason: reason.0, notes: reason.1, providerCallID: id, openedAt: answeredAt, closedAt: closedAt, agent: agents[index],
                                triage: triage)
                history.calls.append(call)
                history.events.append(ringing(agents[index].email, call.id))
                for (kind, instant) in [(TelephonyEventKind.answered, answeredAt), (.ended, endedAt)] {
                    history.events.append(Event(providerCallID: id, kind: kind, callerNumber: caller.number, dialledNumber: practice.phone,
                                                phoneExtension: agents[index].phoneExtension, practiceID: practice.id, callID: nil, takenByLabel: nil, at: instant))
                }
            }
        }
        return history
    }

    /// A caller answering the practice's questions until the triage is complete: a symptom now and then, rarely a red
    /// flag or a « ne sait pas » (doubt on a red flag is level 2). Nil when the evaluation would ask a transmission (see `Triage`).
    static func evaluate(_ criteria: TriageProtocol, subject: TriageSubject, using rng: inout SeededGenerator) -> Triage? {
        var answers: [String: TriageAnswer] = [RedFlagScreen.symptomGate.id: rng.chance(0.75) ? .yes : .no]
        for _ in 0..<60 {
            guard case .success(let result) = TriageEngine.evaluate(criteria, subject: subject, answers: answers) else { return nil }
            guard let next = result.nextQuestions.first else {
                let action: TriageAction? = result.level == .immediateAdvice ? .callTransferred : nil
                if result.level == .vital || (action == nil && result.needsTransmission(at: result.level)) { return nil }
                // A center's evaluations are mostly levels 3 to 5: the practices' level-2 criteria kept one time in four.
                if result.level == .immediateAdvice && !rng.chance(0.25) { return nil }
                return Triage(id: rng.uuid(), result: result, subject: subject, action: action)
            }
            let draw = Double.random(in: 0..<1, using: &rng)
            let (yes, unsure) = TriageProtocol.isRedFlag(next.id) ? (0.004, 0.004) : (0.15, 0.02)
            answers[next.id] = draw < yes ? .yes : draw < yes + unsure ? .unknown : .no
        }
        return nil
    }

    /// Mostly a patient of the practice on her number; sometimes a number the practice does not know, or a hidden one.
    static func callerNumber(_ patients: [DemoDataset.Patient], using rng: inout SeededGenerator) -> (number: String, patient: UUID?) {
        if !patients.isEmpty && rng.chance(0.8) {
            let patient = rng.pick(patients)
            return (patient.phone, patient.id)
        }
        if rng.chance(0.15) { return ("", nil) }
        return ("+336\(Int.random(in: 10_000_000...99_999_999, using: &rng))", nil)
    }

    static func pickReason(using rng: inout SeededGenerator) -> (CallReason, String) {
        var draw = Double.random(in: 0..<1, using: &rng)
        for (reason, share, note) in reasons {
            draw -= share
            if draw < 0 { return (reason, note) }
        }
        return (reasons[0].0, reasons[0].2)
    }

    static func exponential(mean: Double, using rng: inout SeededGenerator) -> Double {
        -mean * log(1 - Double.random(in: 0..<1, using: &rng))
    }

    static let callColumns = ["id", "practice_id", "caller_number", "patient_id", "reasons", "notes", "outcome", "checklist", "state", "source",
                              "telephony_call_id", "opened_at", "closed_at", "duration_seconds", "opened_by", "opened_by_label", "closed_by_label"]
    static let eventColumns = ["id", "center_id", "provider_call_id", "kind", "caller_number", "dialled_number", "extension", "practice_id",
                               "call_id", "taken_by_label", "received_at"]

    /// Writes the history in one journaled transaction: the calls and events in multi-row statements, the traces
    /// of the calls lost, then one journal entry per call (the traces of the calls answered follow them).
    func write(center: UUID, app: Application) async throws {
        try await app.writer.transaction(on: app.db, actor: .system("seed-demo")) { tx, journal in
            let sql = tx as! any SQLDatabase
            try await SQLValue.insert(calls.map { call in
                [call.id, call.practiceID, call.callerNumber, call.patientID, call.reason.rawValue, call.notes, CallOutcome.handled.rawValue, "",
                 "closed", "telephony", call.providerCallID, call.openedAt, call.closedAt, Int(call.closedAt.timeIntervalSince(call.openedAt).rounded()),
                 call.agent.userID, call.agent.name, call.agent.name] as [(any Encodable & Sendable)?]
            }, into: "calls", columns: Self.callColumns, on: sql)
            try await SQLValue.insert(events.map { event in
                [UUID(), center, event.providerCallID, event.kind.rawValue, event.callerNumber, event.dialledNumber, event.phoneExtension,
                 event.practiceID, event.callID, event.takenByLabel, event.at] as [(any Encodable & Sendable)?]
            }, into: "telephony_events", columns: Self.eventColumns, on: sql)
            let triaged = calls.filter { $0.triage != nil }
            var versions: [UUID: Int] = [:]
            for practiceID in Set(triaged.map(\.practiceID)) {
                guard let record = try await PracticeRecord.find(practiceID, on: tx) else { continue }
                versions[practiceID] = try await PlaybookStore.current(TriageProtocol.self, of: try AuthorizedPractice.commandLine(record), on: tx).number
            }
            try await SQLValue.insert(triaged.map { call in
                let triage = call.triage!, result = triage.result
                let answers = result.asked.map {
                    TriageEvaluationRecord.Answer(questionId: $0.question.id, question: $0.question.text, answer: $0.answer, redFlag: TriageProtocol.isRedFlag($0.question.id))
                }
                let json = String(decoding: (try? JSONEncoder().encode(answers)) ?? Data("[]".utf8), as: UTF8.self)
                return [triage.id, call.practiceID, call.patientID, call.id, versions[call.practiceID] ?? 1, json, result.level.rawValue, result.level.rawValue,
                        result.orientation.rawValue, triage.action?.rawValue, triage.subject.ageInMonths, call.callerNumber.isEmpty ? nil : call.callerNumber,
                        result.needsTransmission(at: result.level), call.agent.userID, call.agent.name, call.openedAt.addingTimeInterval(60)] as [(any Encodable & Sendable)?]
            }, into: "triage_evaluations", columns: ["id", "practice_id", "patient_id", "call_id", "protocol_version", "answers", "computed_level", "final_level",
                                                     "orientation", "action", "age_months", "callback_number", "transmission_needed", "created_by",
                                                     "created_by_label", "created_at"], on: sql)
            try await SQLValue.insert(triaged.map { call in
                [UUID(), call.id, CallLinkKind.triage.rawValue, call.triage!.id, call.openedAt.addingTimeInterval(60)] as [(any Encodable & Sendable)?]
            }, into: "call_links", columns: ["id", "call_id", "kind", "target_id", "created_at"], on: sql)
            for call in triaged {
                let triage = call.triage!
                try await journal.record(.create, entity: "triage", entityID: triage.id.uuidString, practiceID: call.practiceID, after: [
                    "computedLevel": String(triage.result.level.rawValue), "finalLevel": String(triage.result.level.rawValue), "reason": "",
                    "action": triage.action?.rawValue ?? "", "protocolVersion": String(versions[call.practiceID] ?? 1),
                ])
            }
            // The calls lost have no journal call to bring their traces: written here; the others follow their journal entries.
            let answered = Set(calls.map(\.providerCallID))
            try await FigureRollups.refresh(telephonyCalls: Array(Set(events.map(\.providerCallID)).subtracting(answered)).sorted(), on: tx)
            let iso = ISO8601DateFormatter()
            for call in calls {
                try await journal.record(.create, entity: "call", entityID: call.id.uuidString, practiceID: call.practiceID, after: [
                    "state": "closed", "patientId": call.patientID?.uuidString ?? "", "reasons": call.reason.rawValue,
                    "outcome": CallOutcome.handled.rawValue, "notes": call.notes, "callerNumber": call.callerNumber,
                    "openedBy": call.agent.name, "openedAt": iso.string(from: call.openedAt),
                    "closedAt": iso.string(from: call.closedAt), "telephonyCallId": call.providerCallID,
                ])
            }
        }
    }
}
