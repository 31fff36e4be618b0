import Domain
import Fluent
import Foundation
import Vapor

/// A session or an API token of an account, as its holder or an administrator sees it.
struct AccessDTO: Content {
    let id: UUID
    /// "session" (a browser) or "token" (the API).
    let kind: String
    let label: String
    let createdAt: Date
    let expiresAt: Date
    let remoteAddress: String?
    /// The one this request came with.
    let current: Bool
}

/// What an administrator changes of an account.
struct AccountChange: Content {
    let displayName: String
    let role: String
    let practices: [String]
    var practitionerId: UUID?
}

/// The life of an account after its creation: changed, disabled and enabled, unlocked, its password reset by an
/// administrator or changed by its holder, its sessions and tokens listed and revoked. Each act is journaled; an
/// account disabled, reset or changed in its password loses its sessions and tokens at once.
enum AccountStore {
    static func user(_ id: UUID?, on db: any Database) async throws -> UserRecord {
        guard let id, let user = try await UserRecord.find(id, on: db) else { throw AppError.notFound(what: "Compte") }
        return user
    }

    private static func practices(of user: UserRecord, on db: any Database) async throws -> [UUID] {
        try await UserPracticeRecord.query(on: db).filter(\.$user.$id == user.id!).all().map { $0.$practice.id }
    }

    static func update(_ user: UserRecord, with change: AccountChange, by principal: Principal, req: Request) async throws {
        var errors: [FieldError] = []
        let displayName = change.displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        if displayName.isEmpty || displayName.count > 100 { errors.append(.init(field: "displayName", reason: "nom obligatoire, 100 caractères au plus")) }
        let (role, practiceIDs, problems) = try await UserStore.assignment(role: change.role, practices: change.practices,
                                                                          practitionerID: change.practitionerId, on: req.db)
        errors += problems
        if user.id == principal.userID, role != .admin { errors.append(.init(field: "role", reason: "un administrateur ne retire pas son propre rôle")) }
        guard errors.isEmpty, let role else { throw AppError.validation(errors) }
        let before = user.snapshot(practiceIDs: try await practices(of: user, on: req.db))
        try await req.writer.transaction(on: req.db, actor: principal.auditActor, requestID: req.id) { tx, journal in
            user.displayName = displayName
            user.role = role
            user.practitionerID = role == .practitioner ? change.practitionerId : nil
            try await user.update(on: tx)
            try await UserPracticeRecord.query(on: tx).filter(\.$user.$id == user.id!).delete()
            for practice in practiceIDs { try await UserPracticeRecord(userID: user.id!, practiceID: practice).create(on: tx) }
            try await journal.record(.update, entity: "user", entityID: user.id!.uuidString, practiceID: nil,
                                     before: before, after: user.snapshot(practiceIDs: practiceIDs))
        }
        req.application.principalCache.forgetAll()
    }

    /// Disables (every session and token ends now, the open consoles are told) or enables the account.
    static func setDisabled(_ user: UserRecord, _ disabled: Bool, by principal: Principal, req: Request) async throws {
        guard user.id != principal.userID else { throw AppError.conflict("Vous ne pouvez pas désactiver votre propre compte.") }
        guard user.disabled != disabled else { return }
        let practiceIDs = try await practices(of: user, on: req.db)
        let before = user.snapshot(practiceIDs: practiceIDs)
        try await req.writer.transaction(on: req.db, actor: principal.auditActor, requestID: req.id) { tx, journal in
            user.disabled = disabled
            try await user.update(on: tx)
            if disabled { try await endAccess(of: user, except: nil, now: req.application.clock.now(), on: tx) }
            try await journal.record(.update, entity: "user", entityID: user.id!.uuidString, practiceID: nil,
                                     before: before, after: user.snapshot(practiceIDs: practiceIDs))
        }
        if disabled { await signOut(user, req: req) }
    }

    /// Lifts the lock of too many failed sign-ins.
    static func unlock(_ user: UserRecord, by principal: Principal, req: Request) async throws {
        try await req.writer.transaction(on: req.db, actor: principal.auditActor, requestID: req.id) { tx, journal in
            try await LoginThrottleStore.clear(.account(user.email), on: tx)
            try await journal.record(.update, entity: "user", entityID: user.id!.uuidString, practiceID: nil, after: ["unlocked": "true"])
        }
    }

    /// A temporary password, shown once to the administrator: it opens only the page where its holder chooses a new
    /// one. Every session and token of the account ends.
    static func resetPassword(_ user: UserRecord, by principal: Principal, req: Request) async throws -> String {
        guard user.id != principal.userID else {
            throw AppError.conflict("Votre propre mot de passe se change sur la page « Mon compte », avec l'actuel.")
        }
        let temporary = temporaryPassword()
        let hash = try await Passwords.hash(temporary)
        try await req.writer.transaction(on: req.db, actor: principal.auditActor, requestID: req.id) { tx, journal in
            user.passwordHash = hash
            user.mustChangePassword = true
            try await user.update(on: tx)
            try await endAccess(of: user, except: nil, now: req.application.clock.now(), on: tx)
            try await LoginThrottleStore.clear(.account(user.email), on: tx)
            try await journal.record(.update, entity: "user", entityID: user.id!.uuidString, practiceID: nil, after: ["passwordReset": "true"])
        }
        await signOut(user, req: req)
        return temporary
    }

    /// The holder changes their password, giving the current one; their other sessions and their tokens end.
    static func changePassword(current: String, new: String, principal: Principal, req: Request) async throws {
        let user = try await self.user(principal.userID, on: req.db)
        var errors: [FieldError] = []
        if try await !Passwords.verify(current, against: user.passwordHash) {
            errors.append(.init(field: "currentPassword", reason: "le mot de passe actuel est incorrect"))
        }
        if let problem = Passwords.problem(with: new, in: req.application) {
            errors.append(.init(field: "newPassword", reason: problem.reason))
        } else if new == current {
            errors.append(.init(field: "newPassword", reason: "le nouveau mot de passe doit différer de l'actuel"))
        }
        guard errors.isEmpty else { throw AppError.validation(errors) }
        let hash = try await Passwords.hash(new)
        try await req.writer.transaction(on: req.db, actor: principal.auditActor, requestID: req.id) { tx, journal in
            user.passwordHash = hash
            user.mustChangePassword = false
            try await user.update(on: tx)
            try await endAccess(of: user, except: principal.credential, now: req.application.clock.now(), on: tx)
            try await journal.record(.update, entity: "user", entityID: user.id!.uuidString, practiceID: nil, after: ["passwordChanged": "true"])
        }
        req.application.principalCache.forgetAll()
    }

    /// The live sessions and tokens of `user`.
    static func access(of user: UUID, current: Principal.Credential?, now: Date, on db: any Database) async throws -> [AccessDTO] {
        let sessions = try await LoginSessionRecord.query(on: db).filter(\.$user.$id == user).filter(\.$expiresAt > now).sort(\.$createdAt).all()
        let tokens = try await ApiTokenRecord.query(on: db).filter(\.$user.$id == user).filter(\.$revokedAt == nil).filter(\.$expiresAt > now)
            .sort(\.$createdAt).all()
        func isCurrent(_ id: UUID?) -> Bool {
            switch current {
            case .session(let session, _): session == id
            case .apiToken(let token): token == id
            case nil: false
            }
        }
        return sessions.map { AccessDTO(id: $0.id!, kind: "session", label: "Navigateur", createdAt: $0.createdAt, expiresAt: $0.expiresAt,
                                         remoteAddress: $0.remoteAddress, current: isCurrent($0.id)) }
            + tokens.map { AccessDTO(id: $0.id!, kind: "token", label: $0.label, createdAt: $0.createdAt, expiresAt: $0.expiresAt,
                                     remoteAddress: nil, current: isCurrent($0.id)) }
    }

    /// Ends one session or token of `user`; 404 when it is not theirs.
    static func revoke(_ id: UUID?, of user: UserRecord, by principal: Principal, req: Request) async throws {
        guard let id else { throw AppError.notFound(what: "Session") }
        let now = req.application.clock.now()
        let found = try await req.writer.transaction(on: req.db, actor: principal.auditActor, requestID: req.id) { tx, journal -> Bool in
            let sessions = try await LoginSessionRecord.query(on: tx).filter(\.$id == id).filter(\.$user.$id == user.id!).count()
            try await LoginSessionRecord.query(on: tx).filter(\.$id == id).filter(\.$user.$id == user.id!).delete()
            let tokens = try await ApiTokenRecord.query(on: tx).filter(\.$id == id).filter(\.$user.$id == user.id!).filter(\.$revokedAt == nil).count()
            try await ApiTokenRecord.query(on: tx).filter(\.$id == id).filter(\.$user.$id == user.id!).set(\.$revokedAt, to: now).update()
            guard sessions + tokens > 0 else { return false }
            try await journal.record(tokens > 0 ? .tokenRevoked : .logout, entity: tokens > 0 ? "api_token" : "user",
                                     entityID: tokens > 0 ? id.uuidString : user.id!.uuidString, practiceID: nil, after: ["revoked": id.uuidString])
            return true
        }
        guard found else { throw AppError.notFound(what: "Session") }
        req.application.principalCache.forgetAll()
    }

    /// Ends every session and token of `user` but `kept` (the request's own, when the holder changes their password).
    static func endAccess(of user: UserRecord, except kept: Principal.Credential?, now: Date, on tx: any Database) async throws {
        let sessions = LoginSessionRecord.query(on: tx).filter(\.$user.$id == user.id!)
        if case .session(let id, _) = kept { sessions.filter(\.$id != id) }
        try await sessions.delete()
        let tokens = ApiTokenRecord.query(on: tx).filter(\.$user.$id == user.id!).filter(\.$revokedAt == nil)
        if case .apiToken(let id) = kept { tokens.filter(\.$id != id) }
        try await tokens.set(\.$revokedAt, to: now).update()
        try await LoginChallengeRecord.query(on: tx).filter(\.$user.$id == user.id!).delete()
    }

    /// Forgets the account's cached credentials and tells its open consoles that their session ended.
    static func signOut(_ user: UserRecord, req: Request) async {
        req.application.principalCache.forgetAll()
        await req.application.liveHub.publish(LiveEvent(kind: .signedOut, practiceID: nil, users: [user.id!]))
    }

    /// Four groups of four letters and digits, without the ones read alike (0/O, 1/l/I): about 95 bits.
    static func temporaryPassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String((0..<4).map { _ in alphabet.randomElement(using: &generator)! }) }.joined(separator: "-")
    }
}
