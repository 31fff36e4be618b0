import Domain
import Fluent
import Foundation
import Leaf
import Vapor

/// The administration of accounts: the browser screen and `/api/v1/users`.
struct UsersController {
    struct UserRow: Encodable {
        let id: UUID
        let email: String
        let displayName: String
        let role: String
        let practices: String
        /// "Actif", "Verrouillé", "Désactivé".
        let state: String
        let secondFactor: String
    }

    struct RoleOption: Encodable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct PracticeOption: Encodable {
        let id: UUID
        let name: String
        let checked: Bool
    }

    struct UsersPage: Encodable {
        let layout: PracticesController.Layout
        let users: [UserRow]
        let roles: [RoleOption]
        let practices: [PracticeOption]
        let errors: [FormFault]
        let draftEmail: String
        let draftName: String
        let created: String?
        let notice: String?
        let secretariesSecondFactor: Bool
    }

    struct UserForm: Content {
        var email: String?
        var displayName: String?
        var role: String?
        var password: String?
        var practices: [String]?
    }

    struct UserDTO: Content {
        let id: UUID
        let email: String
        let displayName: String
        let role: String
        let practiceIds: [UUID]
        var disabled = false
        var mustChangePassword = false
        /// Whether the account enrolled a second factor.
        var secondFactor = false
    }

    static func dto(_ user: UserRecord, on db: any Database) async throws -> UserDTO {
        let practices = try await UserPracticeRecord.query(on: db).filter(\.$user.$id == user.id!).all().map { $0.$practice.id }
        return UserDTO(id: user.id!, email: user.email, displayName: user.displayName, role: user.role.rawValue, practiceIds: practices,
                       disabled: user.disabled, mustChangePassword: user.mustChangePassword,
                       secondFactor: user.totpSecret != nil)
    }

    struct UserList: Content { let users: [UserDTO] }

    func bootBrowser(routes: any RoutesBuilder) {
        routes.get(.users, use: page)
        routes.post(.users, use: createFromForm)
    }

    func bootAPI(routes: any RoutesBuilder) {
        routes.get("users", use: list)
        routes.post("users", use: createFromAPI)
    }

    @Sendable
    func page(req: Request) async throws -> View {
        let principal = try req.require(.manageUsers)
        return try await render(req, principal: principal, errors: [], draft: UserForm(), created: req.query[String.self, at: "cree"])
    }

    @Sendable
    func createFromForm(req: Request) async throws -> Response {
        let principal = try req.require(.manageUsers)
        let form = try req.content.decode(UserForm.self)
        let draft = NewUser(email: form.email ?? "", displayName: form.displayName ?? "", role: form.role ?? "",
                            password: form.password ?? "", practices: form.practices ?? [], practitionerID: nil)
        do {
            let user = try await UserStore.create(draft, actor: principal.auditActor, requestID: req.id, app: req.application, on: req.db)
            return req.redirect(to: SitePath.users.link(query: "cree=\(user.email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"))
        } catch AppError.validation(let errors) {
            return try await FormRefusal.redisplay(req, status: .unprocessableEntity,
                                                   render(req, principal: principal, errors: errors, draft: form, created: nil))
        }
    }

    @Sendable
    func list(req: Request) async throws -> UserList {
        _ = try req.require(.manageUsers)
        return UserList(users: try await UserStore.listWithPractices(on: req.db).map { user, practices in
            UserDTO(id: user.id!, email: user.email, displayName: user.displayName, role: user.role.rawValue, practiceIds: practices,
                    disabled: user.disabled, mustChangePassword: user.mustChangePassword,
                       secondFactor: user.totpSecret != nil)
        })
    }

    @Sendable
    func createFromAPI(req: Request) async throws -> Response {
        let principal = try req.require(.manageUsers)
        let draft = try req.content.decode(NewUser.self)
        let user = try await UserStore.create(draft, actor: principal.auditActor, requestID: req.id, app: req.application, on: req.db)
        let response = Response(status: .created)
        try response.content.encode(try await Self.dto(user, on: req.db))
        return response
    }

    /// The form's own label for a field, so the error names what the person sees.
    /// An account's fields as its forms name them.
    static let labels = ["email": "Adresse e-mail", "displayName": "Nom affiché"]

    private func render(_ req: Request, principal: Principal, errors: [FieldError], draft: UserForm, created: String?) async throws -> View {
        let practices = try await PracticeRecord.query(on: req.db).sort(\.$name).all()
        let names = Dictionary(uniqueKeysWithValues: practices.map { ($0.id!, $0.name) })
        let locked = try await LoginThrottleStore.lockedAccounts(now: req.application.clock.now(), on: req.db)
        let rows = try await UserStore.listWithPractices(on: req.db).map { user, ids in
            UserRow(id: user.id!, email: user.email, displayName: user.displayName, role: user.role.label,
                    practices: user.role.seesEveryPractice ? "Tous les cabinets" : ids.compactMap { names[$0] }.sorted().joined(separator: ", "),
                    state: user.disabled ? "Désactivé" : locked.contains(user.email) ? "Verrouillé" : "Actif",
                    secondFactor: user.totpSecret != nil ? "Activée" : "—")
        }
        let chosen = Set(draft.practices ?? [])
        return try await req.view.render("admin/users", UsersPage(
            layout: .init(principal),
            users: rows,
            roles: Role.allCases.map { RoleOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == (draft.role ?? "secretary")) },
            practices: practices.map { PracticeOption(id: $0.id!, name: $0.name, checked: chosen.contains($0.id!.uuidString)) },
            errors: FormRefusal.faults(errors, labels: Self.labels), draftEmail: draft.email ?? "", draftName: draft.displayName ?? "", created: created,
            notice: req.query[String.self, at: "ok"], secretariesSecondFactor: try await SecondFactorStore.secretariesToo(on: req.db)))
    }
}
