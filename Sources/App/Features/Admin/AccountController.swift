import Domain
import Fluent
import Vapor

/// Accounts after their creation: the administrator's page of one account (change, disable, unlock, reset, its
/// sessions) and everyone's own page (change of password, sessions and tokens), with the same through the API.
struct AccountController {
    static let passwordPage = SitePath.account.link()
    static let changeFirst = "choisissez d'abord un nouveau mot de passe (page « Mon compte »)"

    /// What a user holding a temporary password may still reach: their account page, signing out, the assets.
    static func openBeforeChange(_ req: Request) -> Bool {
        let path = req.url.path
        return path == passwordPage || path.hasPrefix(passwordPage + "/") || path == SitePath.signOut.link()
            || path == "/api/v1/me" || path.hasPrefix("/api/v1/me/")
    }

    func bootBrowser(routes: any RoutesBuilder) {
        routes.get(.user, use: adminPage)
        routes.post(.user, use: adminChange)
        routes.post(.userDisable) { try await adminAct($0, .disable) }
        routes.post(.userEnable) { try await adminAct($0, .enable) }
        routes.post(.userUnlock) { try await adminAct($0, .unlock) }
        routes.post(.userReset) { try await adminAct($0, .reset) }
        routes.post(.userSessionRevoke) { try await adminAct($0, .revoke) }
        routes.post(.userSecondFactorRemove) { try await adminAct($0, .removeSecondFactor) }
        routes.get(.account, use: myPage)
        routes.post(.accountPassword, use: myPassword)
        routes.post(.accountSessionRevoke, use: myRevoke)
    }

    func bootAPI(routes: any RoutesBuilder) {
        let user = routes.grouped("users", ":userID")
        user.put(use: apiChange)
        user.post("disable") { try await apiAct($0, .disable) }
        user.post("enable") { try await apiAct($0, .enable) }
        user.post("unlock") { try await apiAct($0, .unlock) }
        user.post("reset-password", use: apiReset)
        user.get("sessions", use: apiSessions)
        user.delete("sessions", ":sessionID") { try await apiAct($0, .revoke) }
        user.post("reset-second-factor") { try await apiAct($0, .removeSecondFactor) }
        routes.get("me", "sessions", use: apiMySessions)
        routes.delete("me", "sessions", ":sessionID", use: apiMyRevoke)
        routes.post("me", "password", use: apiMyPassword)
    }

    enum Act { case disable, enable, unlock, reset, revoke, removeSecondFactor }

    private static func target(_ req: Request) async throws -> (Principal, UserRecord) {
        let principal = try req.require(.manageUsers)
        return (principal, try await AccountStore.user(req.parameters.get("userID").flatMap { UUID(fastString: $0) }, on: req.db))
    }

    private static func sessionID(_ req: Request) -> UUID? { req.parameters.get("sessionID").flatMap { UUID(fastString: $0) } }

    /// Carries out `act` on the account; who did it, the account, and the temporary password of a reset, if any.
    @discardableResult
    private static func carry(_ act: Act, _ req: Request) async throws -> (Principal, UserRecord, String?) {
        let (principal, user) = try await target(req)
        switch act {
        case .disable: try await AccountStore.setDisabled(user, true, by: principal, req: req)
        case .enable: try await AccountStore.setDisabled(user, false, by: principal, req: req)
        case .unlock: try await AccountStore.unlock(user, by: principal, req: req)
        case .reset: return (principal, user, try await AccountStore.resetPassword(user, by: principal, req: req))
        case .revoke: try await AccountStore.revoke(sessionID(req), of: user, by: principal, req: req)
        case .removeSecondFactor: try await SecondFactorStore.remove(from: user, by: principal, req: req)
        }
        return (principal, user, nil)
    }

    // MARK: API

    struct Reset: Content { let temporaryPassword: String; let mustChangePassword: Bool }
    struct PasswordChange: Content { let currentPassword: String; let newPassword: String }
    struct AccessList: Content { let sessions: [AccessDTO] }

    @Sendable func apiChange(req: Request) async throws -> UsersController.UserDTO {
        let (principal, user) = try await Self.target(req)
        try await AccountStore.update(user, with: try req.content.decode(AccountChange.self), by: principal, req: req)
        return try await UsersController.dto(user, on: req.db)
    }

    private func apiAct(_ req: Request, _ act: Act) async throws -> Response {
        let (_, user, _) = try await Self.carry(act, req)
        if act == .revoke { return Response(status: .noContent) }
        return try await UsersController.dto(user, on: req.db).encodeResponse(for: req)
    }

    @Sendable func apiReset(req: Request) async throws -> Reset {
        let (_, _, temporary) = try await Self.carry(.reset, req)
        return Reset(temporaryPassword: temporary ?? "", mustChangePassword: true)
    }

    @Sendable func apiSessions(req: Request) async throws -> AccessList {
        let (_, user) = try await Self.target(req)
        return AccessList(sessions: try await AccountStore.access(of: user.id!, current: nil, now: req.application.clock.now(), on: req.db))
    }

    @Sendable func apiMySessions(req: Request) async throws -> AccessList {
        let principal = try req.requirePrincipal()
        return AccessList(sessions: try await AccountStore.access(of: principal.userID, current: principal.credential,
                                                                  now: req.application.clock.now(), on: req.db))
    }

    @Sendable func apiMyRevoke(req: Request) async throws -> HTTPStatus {
        let principal = try req.requirePrincipal()
        try await AccountStore.revoke(Self.sessionID(req), of: try await AccountStore.user(principal.userID, on: req.db), by: principal, req: req)
        return .noContent
    }

    @Sendable func apiMyPassword(req: Request) async throws -> HTTPStatus {
        let change = try req.content.decode(PasswordChange.self)
        try await AccountStore.changePassword(current: change.currentPassword, new: change.newPassword, principal: try req.requirePrincipal(), req: req)
        return .noContent
    }

    // MARK: Pages

    struct AdminPage: Encodable {
        let layout: PracticesController.Layout
        let user: UsersController.UserDTO
        let state: String
        let disabled: Bool
        let locked: Bool
        let roles: [UsersController.RoleOption]
        let practices: [UsersController.PracticeOption]
        let sessions: [AccessRow]
        let errors: [FormFault]
        let notice: String?
        let temporaryPassword: String?
    }

    struct AccessRow: Encodable { let id: UUID; let kind: String; let label: String; let since: String; let until: String; let current: Bool }

    private static func rows(_ access: [AccessDTO]) -> [AccessRow] {
        access.map { AccessRow(id: $0.id, kind: $0.kind == "session" ? "Session" : "Jeton API", label: $0.label,
                               since: FrenchFormat.moment($0.createdAt), until: FrenchFormat.moment($0.expiresAt), current: $0.current) }
    }

    private static func renderAdmin(_ req: Request, _ principal: Principal, _ user: UserRecord, errors: [FieldError] = [],
                                    notice: String? = nil, temporary: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let dto = try await UsersController.dto(user, on: req.db)
        let practices = try await PracticeRecord.query(on: req.db).sort(\.$name).all()
        let locked = try await LoginThrottleStore.lockedAccounts(now: req.application.clock.now(), on: req.db).contains(user.email)
        let view = try await req.view.render("admin/user", AdminPage(
            layout: .init(principal), user: dto, state: user.disabled ? "Désactivé" : locked ? "Verrouillé" : "Actif",
            disabled: user.disabled, locked: locked,
            roles: Role.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == user.role) },
            practices: practices.map { .init(id: $0.id!, name: $0.name, checked: dto.practiceIds.contains($0.id!)) },
            sessions: rows(try await AccountStore.access(of: user.id!, current: nil, now: req.application.clock.now(), on: req.db)),
            errors: FormRefusal.faults(errors, labels: UsersController.labels),
            notice: notice, temporaryPassword: temporary))
        return try await FormRefusal.redisplay(req, status: status, view)
    }

    @Sendable func adminPage(req: Request) async throws -> Response {
        let (principal, user) = try await Self.target(req)
        return try await Self.renderAdmin(req, principal, user, notice: req.query[String.self, at: "ok"])
    }

    struct ChangeForm: Content { var displayName: String?; var role: String?; var practices: [String]? }

    @Sendable func adminChange(req: Request) async throws -> Response {
        let (principal, user) = try await Self.target(req)
        let form = try req.content.decode(ChangeForm.self)
        do {
            try await AccountStore.update(user, with: AccountChange(displayName: form.displayName ?? "", role: form.role ?? "",
                                                                    practices: form.practices ?? []), by: principal, req: req)
        } catch AppError.validation(let errors) {
            return try await Self.renderAdmin(req, principal, user, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SitePath.user.link(user.id!, query: "ok=Compte%20enregistr%C3%A9"))
    }

    private func adminAct(_ req: Request, _ act: Act) async throws -> Response {
        let (principal, user, temporary) = try await Self.carry(act, req)
        if let temporary {
            // Shown once, on this answer only: never stored in clear nor put in an address.
            return try await Self.renderAdmin(req, principal, user, temporary: temporary)
        }
        let notice = switch act {
        case .disable: "Compte désactivé : ses sessions et jetons ont pris fin."
        case .enable: "Compte réactivé."
        case .unlock: "Compte déverrouillé."
        case .revoke: "Session révoquée."
        case .removeSecondFactor: "Double authentification retirée : le compte l'activera de nouveau à sa prochaine connexion."
        case .reset: ""
        }
        return req.redirect(to: SitePath.user.link(user.id!, query: "ok=") + (notice.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
    }

    struct MyPage: Encodable {
        let layout: PracticesController.Layout
        let mustChange: Bool
        let secondFactor: Bool
        let sessions: [AccessRow]
        let errors: [FormFault]
        let notice: String?
    }

    private static func renderMine(_ req: Request, errors: [FieldError] = [], notice: String? = nil,
                                   status: HTTPResponseStatus = .ok) async throws -> Response {
        let principal = try req.requirePrincipal()
        let view = try await req.view.render("account/mine", MyPage(
            layout: .init(principal), mustChange: principal.mustChangePassword,
            secondFactor: try await AccountStore.user(principal.userID, on: req.db).totpSecret != nil,
            sessions: rows(try await AccountStore.access(of: principal.userID, current: principal.credential, now: req.application.clock.now(), on: req.db)),
            errors: FormRefusal.faults(errors, labels: ["confirmation": "Confirmation"]), notice: notice))
        return try await FormRefusal.redisplay(req, status: status, view)
    }

    @Sendable func myPage(req: Request) async throws -> Response {
        try await Self.renderMine(req, notice: req.query[String.self, at: "ok"])
    }

    struct PasswordForm: Content { var actuel: String?; var nouveau: String?; var confirmation: String? }

    @Sendable func myPassword(req: Request) async throws -> Response {
        let form = try req.content.decode(PasswordForm.self)
        guard form.nouveau == form.confirmation else {
            return try await Self.renderMine(req, errors: [.init(field: "confirmation", reason: "les deux saisies du nouveau mot de passe diffèrent")],
                                             status: .unprocessableEntity)
        }
        do {
            try await AccountStore.changePassword(current: form.actuel ?? "", new: form.nouveau ?? "", principal: try req.requirePrincipal(), req: req)
        } catch AppError.validation(let errors) {
            return try await Self.renderMine(req, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: Self.passwordPage + "?ok=Mot%20de%20passe%20chang%C3%A9")
    }

    @Sendable func myRevoke(req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        try await AccountStore.revoke(Self.sessionID(req), of: try await AccountStore.user(principal.userID, on: req.db), by: principal, req: req)
        return req.redirect(to: Self.passwordPage + "?ok=Session%20r%C3%A9voqu%C3%A9e")
    }
}
