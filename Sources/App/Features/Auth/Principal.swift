import Domain
import Fluent
import Foundation
import Vapor

/// The signed-in user of a request, with what they may reach.
struct Principal: Sendable {
    enum Credential: Sendable {
        case session(id: UUID, csrfToken: String)
        case apiToken(id: UUID)
    }

    let userID: UUID
    let email: String
    let displayName: String
    let role: Role
    let assignedPractices: Set<UUID>
    /// The practitioner this user is, for a practitioner's account: whose transmissions they acknowledge.
    let practitionerID: UUID?
    let credential: Credential
    /// Signed in with a temporary password: only the change of password is open.
    var mustChangePassword = false
    /// Their role asks a second factor they have not enrolled: only its enrolment is open.
    var mustEnrolSecondFactor = false
    /// A practice's software signed in with its connection token (`/fhir` only): what the token allows.
    var connection: ConnectionGrant? = nil

    var auditActor: AuditActor {
        if let connection { return AuditActor(userID: nil, label: "connexion:" + connection.label) }
        return AuditActor(userID: userID, label: email, name: AuditActor.personName(displayName, role: role))
    }

    var csrfToken: String? {
        if case .session(_, let token) = credential { return token }
        return nil
    }

    /// Loads a user that may sign in (not disabled), with their practice assignments.
    static func load(userID: UUID, credential: Credential, on db: any Database) async throws -> Principal? {
        guard let user = try await UserRecord.find(userID, on: db), !user.disabled else { return nil }
        let practices = try await UserPracticeRecord.query(on: db).filter(\.$user.$id == userID).all().map { $0.$practice.id }
        return Principal(userID: userID, email: user.email, displayName: user.displayName, role: user.role,
                         assignedPractices: Set(practices), practitionerID: user.role == .practitioner ? user.practitionerID : nil,
                         credential: credential, mustChangePassword: user.mustChangePassword,
                         mustEnrolSecondFactor: user.totpSecret == nil ? try await SecondFactorStore.isRequired(user, on: db) : false)
    }
}

/// Proof that the request's user may reach this practice. Only `Request.authorize(practice:)` makes one,
/// and every store call on practice data takes one: the isolation invariant lives here.
struct AuthorizedPractice: Sendable, Equatable {
    let id: UUID
    fileprivate init(id: UUID) { self.id = id }

    /// A practice named on the server's command line: whoever runs it operates the server and reaches every practice.
    static func commandLine(_ practice: PracticeRecord) throws -> AuthorizedPractice { AuthorizedPractice(id: try practice.requireID()) }

    /// A practice the server's own workers act on (the escalation ladder): no user, the practice of a stored record.
    static func system(_ id: UUID) -> AuthorizedPractice { AuthorizedPractice(id: id) }
}

extension Request {
    private struct PrincipalKey: StorageKey { typealias Value = Principal }

    var principal: Principal? {
        get { storage[PrincipalKey.self] }
        set { storage[PrincipalKey.self] = newValue }
    }

    /// The signed-in user; 401 when there is none (the browser routes redirect before reaching here).
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw AppError.unauthenticated }
        return principal
    }

    /// The practice, if this user may reach it and it exists; otherwise 404, as if it did not exist.
    func authorize(practice id: UUID) async throws -> AuthorizedPractice {
        let principal = try requirePrincipal()
        guard AccessPolicy.mayAccess(practice: id, role: principal.role, assignedPractices: principal.assignedPractices),
              try await practiceName(id) != nil else {
            throw AppError.notFound(what: "Cabinet")
        }
        return AuthorizedPractice(id: id)
    }

    /// The practice's name as the center's directory knows it (read again after a minute or a change); nil when
    /// there is no such practice. Only for a practice already authorised, or in the check itself.
    func practiceName(_ id: UUID) async throws -> String? {
        try await application.practiceDirectory.name(of: id, now: application.clock.now(), load: loadPracticeNames)
    }

    /// Every practice of the center, from the same directory.
    func practiceIDs() async throws -> [UUID] {
        Array(try await application.practiceDirectory.all(now: application.clock.now(), load: loadPracticeNames).keys)
    }

    private func loadPracticeNames() async throws -> [UUID: String] {
        // `self.db` builds a database context: only on a miss.
        let practices = try await PracticeRecord.query(on: db).field(\.$id).field(\.$name).all()
        return Dictionary(practices.map { ($0.id!, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// The practice named by the route parameter `practiceID`.
    func authorizePracticeParameter() async throws -> AuthorizedPractice {
        guard let raw = parameters.get("practiceID"), let id = UUID(fastString: raw) else { throw AppError.notFound(what: "Cabinet") }
        return try await authorize(practice: id)
    }

    /// 403 unless the user's role holds `permission`.
    func require(_ permission: Permission) throws -> Principal {
        let principal = try requirePrincipal()
        guard AccessPolicy.role(principal.role, has: permission) else { throw AppError.forbidden }
        return principal
    }
}
