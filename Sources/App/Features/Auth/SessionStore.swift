import Domain
import Fluent
import Foundation
import Vapor

/// The sign-ins the server keeps — browser sessions, API tokens, and half-done sign-ins waiting for their second
/// factor — written here only, each through the writer and journaled where the journal says who came in.
enum SessionStore {
    /// A new browser session for `user` (its token kept hashed), replacing the one this browser had: a session fixed
    /// before the sign-in is worth nothing after it. The failures are forgotten and expired sessions swept away.
    static func openSession(for user: UserRecord, tokenHash: String, replacing previous: UUID?, secondFactor: String?, now: Date,
                            req: Request) async throws {
        let remote = req.remoteAddress?.ipAddress
        let lifetime = req.application.settings.sessionLifetime
        try await req.writer.transaction(on: req.db, actor: AuditActor(userID: user.id, label: user.email), requestID: req.id) { tx, journal in
            if let previous { try await LoginSessionRecord.query(on: tx).filter(\.$id == previous).delete() }
            let session = LoginSessionRecord()
            session.id = UUID()
            session.tokenHash = tokenHash
            session.$user.id = user.id!
            session.csrfToken = SecretToken.generate()
            session.createdAt = now
            session.expiresAt = now.addingTimeInterval(lifetime)
            session.remoteAddress = remote
            try await session.create(on: tx)
            try await LoginService.clearFailures(of: user, on: tx)
            let expired = LoginSessionRecord.query(on: tx).filter(\.$expiresAt <= now)
            let purged = try await expired.count()
            if purged > 0 { try await expired.delete() }
            try await journal.record(.login, entity: "user", entityID: user.id!.uuidString, practiceID: nil,
                                     after: ["session": session.id!.uuidString, "via": "browser", "remoteAddress": remote ?? "",
                                             "expiredSessionsRemoved": String(purged), "secondFactor": secondFactor ?? "none"])
        }
    }

    /// The browser session ends (sign-out).
    static func closeSession(_ id: UUID, of principal: Principal, req: Request) async throws {
        try await req.writer.transaction(on: req.db, actor: principal.auditActor, requestID: req.id) { tx, journal in
            try await LoginSessionRecord.query(on: tx).filter(\.$id == id).delete()
            try await journal.record(.logout, entity: "user", entityID: principal.userID.uuidString, practiceID: nil, after: ["session": id.uuidString])
        }
    }

    /// A bearer token for `user`'s software (its token kept hashed).
    static func issueToken(for user: UserRecord, tokenHash: String, label: String, secondFactor: String, now: Date, req: Request) async throws -> ApiTokenRecord {
        try await req.writer.transaction(on: req.db, actor: AuditActor(userID: user.id, label: user.email), requestID: req.id) { tx, journal in
            let record = ApiTokenRecord()
            record.id = UUID()
            record.tokenHash = tokenHash
            record.$user.id = user.id!
            record.label = label
            record.createdAt = now
            record.expiresAt = now.addingTimeInterval(req.application.settings.tokenLifetime)
            try await record.create(on: tx)
            try await LoginService.clearFailures(of: user, on: tx)
            try await journal.record(.tokenIssued, entity: "api_token", entityID: record.id!.uuidString, practiceID: nil,
                                     after: ["user": user.id!.uuidString, "label": label, "secondFactor": secondFactor])
            return record
        }
    }

    static func revokeToken(_ id: UUID, of principal: Principal, now: Date, req: Request) async throws {
        try await req.writer.transaction(on: req.db, actor: principal.auditActor, requestID: req.id) { tx, journal in
            try await ApiTokenRecord.query(on: tx).filter(\.$id == id).set(\.$revokedAt, to: now).update()
            try await journal.record(.tokenRevoked, entity: "api_token", entityID: id.uuidString, practiceID: nil)
        }
    }

    /// The half-done sign-in of `user`, waiting for the code until it expires.
    static func startChallenge(for user: UserRecord, tokenHash: String, next: String, now: Date, req: Request) async throws {
        let challenge = LoginChallengeRecord()
        challenge.id = UUID()
        challenge.tokenHash = tokenHash
        challenge.$user.id = try user.requireID()
        challenge.next = next
        challenge.expiresAt = now.addingTimeInterval(LoginChallengeRecord.lifetime)
        try await req.writer.unjournaled(on: req.db) { db in try await challenge.create(on: db) }
    }

    /// The half-done sign-in is over: signed in, or the account locked.
    static func endChallenge(_ challenge: LoginChallengeRecord, req: Request) async throws {
        try await req.writer.unjournaled(on: req.db) { db in try await challenge.delete(on: db) }
    }
}
