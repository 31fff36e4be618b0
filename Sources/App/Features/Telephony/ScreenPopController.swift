import Domain
import Fluent
import Foundation
import Vapor

/// The screen pop (French): the calls ringing for the secretary, with the practice's greeting and the patients who
/// carry the caller's number, their flags and next appointment; "Prendre l'appel" (F2) opens the call's journal entry.
struct ScreenPopController: RouteCollection {
    /// A ringing call still pops this long if the phone system never says it was answered or ended.
    static let ringingLifetime: TimeInterval = 120

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.ringing, use: ringing)
        routes.post(.takeRinging, use: take)
    }

    struct PatientView: Encodable {
        let id: UUID
        let name: String
        let born: String
        let flags: [String]
        let next: String?
    }

    struct PopView: Encodable {
        let id: UUID
        let practiceID: UUID
        let practiceName: String
        let greeting: String
        /// « urgences » or « secrétariat » when the dialled number has that use.
        let line: String?
        /// The practice is suspended: what to tell the caller instead of booking.
        let suspension: String?
        /// The call came outside the hours the center answers for the practice: what to say.
        let outsideHours: String?
        let caller: String
        let since: String
        let patients: [PatientView]
    }

    struct PopPage: Encodable {
        let pops: [PopView]
        let csrf: String
    }

    /// The ringing calls this user should see: for her extension, or for a practice she reaches when the call rings
    /// on no known extension; not yet taken, answered or ended.
    static func pops(for principal: Principal, req: Request, now: Date) async throws -> [TelephonyEventRecord] {
        // A practice not yet live pops only for those who put it into service (its test call).
        let onboarding = AccessPolicy.role(principal.role, has: .managePractices)
        let practices = try await PracticeStore.visible(to: principal, on: req.db).filter { onboarding || $0.liveAt != nil }.compactMap(\.id)
        guard !practices.isEmpty else { return [] }
        let ringing = try await TelephonyEventRecord.query(on: req.db).filter(\.$kind == TelephonyEventKind.ringing.rawValue)
            .filter(\.$practice.$id ~~ practices).filter(\.$takenByLabel == nil).filter(\.$receivedAt > now.addingTimeInterval(-ringingLifetime))
            .sort(\.$receivedAt).all()
        guard !ringing.isEmpty else { return [] }
        let later = Set(try await TelephonyEventRecord.query(on: req.db).filter(\.$providerCallID ~~ ringing.map(\.providerCallID))
            .filter(\.$kind != TelephonyEventKind.ringing.rawValue).all().map(\.providerCallID))
        let mine = try await UserRecord.find(principal.userID, on: req.db)?.telephonyExtension
        var result: [TelephonyEventRecord] = []
        for event in ringing where !later.contains(event.providerCallID) {
            if let phoneExtension = event.extensionNumber, phoneExtension != mine,
               try await TelephonyStore.targets(extension: phoneExtension, on: req.db) != nil { continue }
            result.append(event)
        }
        return result
    }

    @Sendable func ringing(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let now = req.application.clock.now()
        var views: [PopView] = []
        for event in try await Self.pops(for: principal, req: req, now: now) {
            let practice = try await req.authorize(practice: event.$practice.id)
            let record = try await PracticeStore.practice(practice, on: req.db)
            let playbook = try await PlaybookStore.current(Playbook.self, of: practice, on: req.db)
            let line = try await PracticeNumberRecord.query(on: req.db).filter(\.$number == event.dialledNumber).first()?.label
            views.append(PopView(id: event.id!, practiceID: practice.id, practiceName: record.name, greeting: playbook.document.sheet.greeting,
                                 line: line, suspension: record.suspendedAt == nil ? nil : record.suspensionReason ?? "",
                                 outsideHours: Self.isCovered(record, at: event.receivedAt) ? nil : record.outsideHoursMessage,
                                 caller: event.callerNumber.isEmpty ? "Numéro masqué" : FrenchFormat.phone(event.callerNumber),
                                 since: FrenchFormat.time(event.receivedAt), patients: try await Self.patients(event, in: practice, req: req, now: now)))
        }
        return try await req.view.render("telephony/pops", PopPage(pops: views, csrf: principal.csrfToken ?? ""))
    }

    /// Whether the center answers for the practice at `instant` (always, for a practice whose hours were never set).
    static func isCovered(_ practice: PracticeRecord, at instant: Date) -> Bool {
        guard let hours = CoverageDTO.stored(practice.coverage), !hours.weekly.isEmpty || !hours.exceptions.isEmpty else { return true }
        let zone = TimeZone(identifier: practice.timeZone) ?? FrenchFormat.parisTimeZone
        guard let time = LocalTime(minutes: WallClock.minutes(of: instant, in: zone)) else { return true }
        return hours.covers(LocalDate(instant, in: zone), at: time)
    }

    static func patients(_ event: TelephonyEventRecord, in practice: AuthorizedPractice, req: Request, now: Date) async throws -> [PatientView] {
        guard !event.callerNumber.isEmpty else { return [] }
        let found = try await PatientSearch.callerID(PhoneNumber(e164: event.callerNumber), in: practice, cache: req.application.patientIndexCache, on: req.db)
        guard !found.isEmpty else { return [] }
        let records = Dictionary(uniqueKeysWithValues: try await PatientRecord.query(on: req.db).filter(\.$id ~~ found.map(\.id)).all().map { ($0.id!, $0) })
        let upcoming = try await AppointmentStore.upcoming(of: found.map(\.id), in: practice, after: now, on: req.db)
        return found.map { patient in
            let next = upcoming.first { $0.$patient.id == patient.id }
            return PatientView(id: patient.id, name: patient.displayName, born: patient.birthDate.birthText(on: req.parisToday), flags: records[patient.id]?.flagLabels ?? [],
                               next: next.map { "\(FrenchFormat.shortDate($0.startsAt)) \(FrenchFormat.time($0.startsAt)) — \($0.reason)" })
        }
    }

    /// Takes the ringing call: the first secretary wins, the journal entry opens with the caller (and the patient when
    /// the number is one patient's), and the pop closes on every console.
    @Sendable func take(req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        guard let id = req.parameters.get("eventID", as: UUID.self), let event = try await TelephonyEventRecord.find(id, on: req.db),
              event.kind == TelephonyEventKind.ringing.rawValue else { throw AppError.notFound(what: "Appel") }
        let practice = try await req.authorize(practice: event.$practice.id)
        // The e-mail: unique, so that two colleagues of the same name cannot both win.
        let label = principal.email
        let taken = try await TelephonyStore.take(id, by: label, context: try req.writeContext())
        let matches = try await Self.patients(event, in: practice, req: req, now: req.application.clock.now())
        var input = CallInput()
        input.callerNumber = event.callerNumber
        if matches.count == 1 { input.patientId = matches[0].id }
        let call = try await CallStore.open(input, source: "telephony", telephonyCallID: event.providerCallID, in: practice,
                                            context: try req.writeContext(), now: req.application.clock.now())
        try await TelephonyStore.attach(taken, to: call, in: practice, context: try req.writeContext())
        return req.redirect(to: SitePath.call.link(practice.id, call.id!))
    }
}
