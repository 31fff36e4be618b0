import Domain
import Fluent
import Foundation
import Leaf
import Vapor

/// The signed-in home page and a practice's page.
struct PracticesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.home, use: home)
        routes.get(.practice, use: show)
    }

    struct Layout: Encodable {
        let userName: String
        let roleLabel: String
        let csrf: String
        let isAdmin: Bool
        /// The practitioner's inbox in the menu; the work queue for the others.
        let isPractitioner: Bool
        /// The audit journal in the menu (administrators and supervisors).
        let mayViewAudit: Bool
        /// The statistics in the menu (administrators, supervisors, practitioners).
        let mayViewStatistics: Bool
        /// The live board in the menu (administrators, supervisors).
        let mayViewBoard: Bool
        /// Holding a temporary password, or a second factor to enrol: no menu, no live region, only « Mon compte ».
        let restricted: Bool
        let signedIn = true

        init(_ principal: Principal) {
            userName = principal.displayName
            roleLabel = principal.role.label
            csrf = principal.csrfToken ?? ""
            isAdmin = principal.role == .admin
            isPractitioner = principal.role == .practitioner
            mayViewAudit = AccessPolicy.role(principal.role, has: .viewAudit)
            mayViewStatistics = AccessPolicy.role(principal.role, has: .viewStatistics)
            mayViewBoard = AccessPolicy.role(principal.role, has: .viewBoard)
            restricted = principal.mustChangePassword || principal.mustEnrolSecondFactor
        }
    }

    struct PracticeRow: Encodable {
        let id: UUID
        let name: String
        let kind: String
        let phone: String
        let appointmentsToday: Int
        let suspended: Bool
        /// Not yet put into service (its onboarding checklist).
        let preparing: Bool
        /// Open items of the work queue for this practice.
        let waiting: Int
    }

    /// What waits for the person signed in: the work queue by priority and its oldest urgent item (secretaries,
    /// supervisors, administrators), the transmissions not yet read (practitioners).
    struct Waiting: Encodable {
        struct Count: Encodable { let label: String; let count: Int; let rank: Int }
        let total: Int
        let counts: [Count]
        let oldestUrgent: QueueEntryDTO?
        let oldestUrgentSince: String?
        let unreadTransmissions: Int?

        static func of(_ principal: Principal, entries: [QueueEntryDTO], on db: any Database) async throws -> Waiting {
            let counts = QueuePriority.allCases.compactMap { priority -> Count? in
                let count = entries.filter { $0.priority == priority }.count
                return count == 0 ? nil : Count(label: priority.label.lowercased(), count: count, rank: priority.rawValue)
            }
            let urgent = entries.filter { $0.priority == .urgent }
            var unread: Int?
            if let practitioner = principal.practitionerID {
                unread = try await TransmissionRecord.query(on: db).filter(\.$practitionerID == practitioner)
                    .filter(\.$stateText == TransmissionState.new.rawValue).count()
            }
            return Waiting(total: entries.count, counts: counts, oldestUrgent: urgent.first,
                           oldestUrgentSince: urgent.first?.dueAt.map { FrenchFormat.time($0) }, unreadTransmissions: unread)
        }
    }

    struct HomePage: Encodable {
        let layout: Layout
        let today: String
        let practices: [PracticeRow]
        /// Administrators and supervisors create practices and reach their settings.
        let mayManagePractices: Bool
        /// Handover notes not yet read by this user: shown at each login until read.
        let handover: [QueueController.NoteRow]
        let waiting: Waiting
    }

    struct AppointmentRow: Encodable {
        let id: UUID
        let time: String
        let end: String
        let practitioner: String
        let patient: String
        let reason: String
        let status: String
    }

    struct PracticePage: Encodable {
        let layout: Layout
        let practice: PracticeDTO
        let phone: String
        let practitioners: [PractitionerDTO]
        let patientCount: Int
        let today: String
        let appointments: [AppointmentRow]
        let sheet: PracticeSheet
        let procedures: [ProcedureView]
        let playbookVersion: Int
        /// What the shared sheet template reads besides the sheet.
        let searchable = true
        let kind: String
        /// The last month's report, for those who see the figures (supervisors, administrators).
        let reportMonth: String?
        /// The practice's connections to its software (not for secretaries).
        let mayManageConnections: Bool
    }

    struct ProcedureView: Encodable {
        let title: String
        let collect: [String]
        let say: String
        let outcome: String
        let detail: String

        init(_ procedure: Procedure) {
            title = procedure.requestType.label
            collect = procedure.collect
            say = procedure.say
            outcome = procedure.outcome.label
            detail = procedure.outcomeDetail
        }
    }

    @Sendable
    func home(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let now = req.application.clock.now()
        let (start, end) = Self.todayBounds(now: now)
        // Practitioners have no work queue: their transmissions wait in the « Messagerie ».
        let entries = principal.role == .practitioner ? [] : try await QueueStore.entries(for: principal, on: req.db, now: now)
        let waitingByPractice = Dictionary(grouping: entries, by: \.practiceId).mapValues(\.count)
        var rows: [PracticeRow] = []
        for practice in try await PracticeStore.visible(to: principal, on: req.db) {
            let authorized = try await req.authorize(practice: practice.id!)
            let count = try await PracticeStore.standingAppointmentCount(of: authorized, from: start, to: end, on: req.db)
            rows.append(PracticeRow(id: practice.id!, name: practice.name, kind: practice.kind,
                                    phone: FrenchFormat.phone(practice.phone), appointmentsToday: count, suspended: practice.suspendedAt != nil,
                                    preparing: practice.liveAt == nil, waiting: waitingByPractice[practice.id!] ?? 0))
        }
        let unread = try await HandoverStore.notes(for: principal, unreadOnly: true, now: req.application.clock.now(), on: req.db)
        return try await req.view.render("practices/home", HomePage(
            layout: Layout(principal), today: FrenchFormat.longDate(req.application.clock.now()), practices: rows,
            mayManagePractices: AccessPolicy.role(principal.role, has: .managePractices),
            handover: QueueController.noteRows(unread), waiting: try await Waiting.of(principal, entries: entries, on: req.db)))
    }

    @Sendable
    func show(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let authorized = try await req.authorizePracticeParameter()
        let practice = try await PracticeStore.practice(authorized, on: req.db)
        let zone = TimeZone(identifier: practice.timeZone) ?? FrenchFormat.parisTimeZone
        let playbook = try await PlaybookStore.current(Playbook.self, of: authorized, on: req.db)
        let practitioners = try await PracticeStore.practitioners(of: authorized, on: req.db)
        let names = practitioners.namesByID
        let now = req.application.clock.now()
        let (start, end) = Self.todayBounds(now: now, zone: zone)
        let appointments = try await PracticeStore.appointments(of: authorized, from: start, to: end, on: req.db)
        let patientIDs = Array(Set(appointments.map { $0.$patient.id }))
        let patients = try await PatientRecord.query(on: req.db)
            .filter(\.$practice.$id == authorized.id).filter(\.$id ~~ patientIDs).all()
        let patientNames = Dictionary(uniqueKeysWithValues: patients.map { ($0.id!, $0.displayName) })
        let rows = appointments.map {
            AppointmentRow(id: $0.id!, time: FrenchFormat.time($0.startsAt, in: zone), end: FrenchFormat.time($0.endsAt, in: zone),
                           practitioner: names[$0.$practitioner.id] ?? "", patient: patientNames[$0.$patient.id] ?? "",
                           reason: $0.reason, status: $0.statusValue.label)
        }
        return try await req.view.render("practices/show", PracticePage(
            layout: Layout(principal),
            practice: try await PracticeDTO.make(practice, on: req.db),
            phone: FrenchFormat.phone(practice.phone),
            practitioners: practitioners.map(PractitionerDTO.init),
            patientCount: try await PracticeStore.patientCount(of: authorized, on: req.db),
            today: FrenchFormat.longDate(now, in: zone),
            appointments: rows,
            sheet: playbook.document.sheet, procedures: playbook.document.procedures.map(ProcedureView.init), playbookVersion: playbook.number,
            kind: practice.kind,
            reportMonth: AccessPolicy.role(principal.role, has: .viewStatistics) ? StatisticsPeriod.previousMonth(of: LocalDate(now, in: zone)) : nil,
            mayManageConnections: AccessPolicy.role(principal.role, has: .manageConnections)))
    }

    static func todayBounds(now: Date, zone: TimeZone = FrenchFormat.parisTimeZone) -> (Date, Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let start = calendar.startOfDay(for: now)
        return (start, calendar.date(byAdding: .day, value: 1, to: start)!)
    }
}
