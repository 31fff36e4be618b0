import Crypto
import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// One of an account's ten recovery codes, kept as a hash; each opens the account once.
final class RecoveryCodeRecord: Model, @unchecked Sendable {
    static let schema = "recovery_codes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserRecord
    @Field(key: "code_hash") var codeHash: String
    @OptionalField(key: "used_at") var usedAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A sign-in halfway: the password was right, the code is awaited. The browser holds a random token (cookie), the
/// table its hash; it lasts five minutes.
final class LoginChallengeRecord: Model, @unchecked Sendable {
    static let schema = "login_challenges"
    static let lifetime: TimeInterval = 5 * 60
    static let cookieName = "permanence_challenge"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Parent(key: "user_id") var user: UserRecord
    /// The page to open once signed in.
    @Field(key: "next") var next: String
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
}

/// Secrets the server must read back (TOTP secrets), sealed in the database with AES-GCM under a key derived from
/// the server's key (`AuditSeal`), which is kept outside the database: a copy of the database opens no account.
struct SecretBox: Sendable {
    private let key: SymmetricKey

    init(serverKey: SymmetricKey) {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: serverKey, info: Data("permanence second factor".utf8), outputByteCount: 32)
    }

    func seal(_ secret: Data) throws -> String {
        guard let combined = try AES.GCM.seal(secret, using: key).combined else { throw AppError.internal }
        return combined.base64EncodedString()
    }

    /// Nil when the text was not sealed with this server's key.
    func open(_ sealed: String) -> Data? {
        guard let data = Data(base64Encoded: sealed), let box = try? AES.GCM.SealedBox(combined: data) else { return nil }
        return try? AES.GCM.open(box, using: key)
    }
}

extension Application {
    var secretBox: SecretBox { SecretBox(serverKey: writer.seal.key) }
}

/// The second factor of an account: whether it is asked, its enrolment, its codes checked once each, its recovery
/// codes, its reset by an administrator.
enum SecondFactorStore {
    static let recoveryCodeCount = 10

    /// Whether the account must sign in with a second factor (`AccessPolicy`), the center's setting read for a
    /// secretary only.
    static func isRequired(_ user: UserRecord, on db: any Database) async throws -> Bool {
        if AccessPolicy.secondFactorRequired(for: user.role, secretariesToo: false) { return true }
        return AccessPolicy.secondFactorRequired(for: user.role, secretariesToo: try await secretariesToo(on: db))
    }

    static func secretariesToo(on db: any Database) async throws -> Bool {
        try await CenterRecord.query(on: db).first()?.secondFactorForSecretaries ?? false
    }

    /// Checks `typed`, a TOTP code or a recovery code, and uses it up in the same statement (two requests sending the
    /// same code: one wins). Answers which kind opened the account, or nil.
    static func use(_ typed: String, for user: UserRecord, app: Application, on db: any Database) async throws -> String? {
        let userID = try user.requireID()
        let sql = db as! any SQLDatabase
        struct Row: Decodable { let id: UUID }
        if let sealed = user.totpSecret, let secret = app.secretBox.open(sealed),
           let step = TOTP.matchingStep(typed, secret: secret, now: app.clock.now(), after: user.totpLastStep) {
            let won = try await sql.raw("""
                UPDATE users SET totp_last_step = \(bind: step) WHERE id = \(bind: userID) AND (totp_last_step IS NULL OR totp_last_step < \(bind: step)) RETURNING id
                """).first(decoding: Row.self) != nil
            if won { user.totpLastStep = step }
            return won ? "totp" : nil
        }
        guard user.totpSecret != nil, let hash = recoveryHash(typed) else { return nil }
        let used = try await sql.raw("""
            UPDATE recovery_codes SET used_at = \(bind: app.clock.now()) WHERE user_id = \(bind: userID) AND code_hash = \(bind: hash) AND used_at IS NULL RETURNING id
            """).first(decoding: Row.self) != nil
        return used ? "recovery" : nil
    }

    /// The secret being enrolled: the one already shown if there is one (a reload shows the same QR code), a new
    /// one otherwise.
    static func pendingSecret(of user: UserRecord, app: Application, on db: any Database) async throws -> Data {
        if let sealed = user.totpPendingSecret, let secret = app.secretBox.open(sealed) { return secret }
        let secret = TOTP.newSecret()
        user.totpPendingSecret = try app.secretBox.seal(secret)
        try await user.update(on: db)
        return secret
    }

    /// Confirms the enrolment with a code of the pending secret; answers the ten recovery codes, shown once.
    static func confirm(_ typed: String, user: UserRecord, principal: Principal, req: Request) async throws -> [String] {
        let app = req.application
        guard let sealed = user.totpPendingSecret, let secret = app.secretBox.open(sealed) else {
            throw AppError.conflict("Aucune activation en cours : rouvrez la page de la double authentification.")
        }
        guard let step = TOTP.matchingStep(typed, secret: secret, now: app.clock.now(), after: nil) else {
            throw AppError.invalid("code", "ce code ne correspond pas au secret affiché : vérifiez l'heure du téléphone et donnez le code affiché maintenant")
        }
        let codes = newRecoveryCodes()
        let now = app.clock.now()
        try await req.writer.transaction(on: req.db, actor: principal.auditActor, requestID: req.id) { tx, journal in
            user.totpSecret = sealed
            user.totpPendingSecret = nil
            user.totpEnabledAt = now
            user.totpLastStep = step
            try await user.update(on: tx)
            try await replaceRecoveryCodes(codes, of: user, now: now, on: tx)
            try await journal.record(.update, entity: "user", entityID: user.id!.uuidString, practiceID: nil, after: ["secondFactor": "enrolled"])
        }
        // The sessions that were held to the enrolment page open the rest now.
        app.principalCache.forgetAll()
        return codes
    }

    /// Ten new recovery codes in place of the old ones, after a code from the application.
    static func renewRecoveryCodes(_ typed: String, user: UserRecord, principal: Principal, req: Request) async throws -> [String] {
        guard try await use(typed, for: user, app: req.application, on: req.db) != nil else {
            throw AppError.invalid("code", "code incorrect ou déjà utilisé : donnez le code affiché maintenant par votre application, ou un code de secours")
        }
        let codes = newRecoveryCodes()
        try await req.writer.transaction(on: req.db, actor: principal.auditActor, requestID: req.id) { tx, journal in
            try await replaceRecoveryCodes(codes, of: user, now: req.application.clock.now(), on: tx)
            try await journal.record(.update, entity: "user", entityID: user.id!.uuidString, practiceID: nil, after: ["recoveryCodes": "renewed"])
        }
        return codes
    }

    /// Removes the account's second factor: by an administrator (a lost phone; the holder enrols again at the next
    /// sign-in when their role asks it), or by its holder when nothing asks it of them.
    static func remove(from user: UserRecord, by principal: Principal, req: Request) async throws {
        let ownRequired = user.id == principal.userID ? try await isRequired(user, on: req.db) : false
        guard !ownRequired else {
            throw AppError.conflict("Votre rôle demande la double authentification : un autre administrateur la retire de votre compte.")
        }
        try await req.writer.transaction(on: req.db, actor: principal.auditActor, requestID: req.id) { tx, journal in
            user.totpSecret = nil
            user.totpPendingSecret = nil
            user.totpEnabledAt = nil
            user.totpLastStep = nil
            try await user.update(on: tx)
            try await RecoveryCodeRecord.query(on: tx).filter(\.$user.$id == user.id!).delete()
            try await LoginChallengeRecord.query(on: tx).filter(\.$user.$id == user.id!).delete()
            try await journal.record(.update, entity: "user", entityID: user.id!.uuidString, practiceID: nil, after: ["secondFactor": "removed"])
        }
        // Its tokens now answer only the enrolment's refusal.
        req.application.principalCache.forgetAll()
    }

    static func unusedRecoveryCodes(of user: UserRecord, on db: any Database) async throws -> Int {
        try await RecoveryCodeRecord.query(on: db).filter(\.$user.$id == user.id!).filter(\.$usedAt == nil).count()
    }

    /// Asks (or stops asking) the second factor of the center's secretaries.
    static func setSecretariesToo(_ value: Bool, by principal: Principal, req: Request) async throws {
        guard let center = try await CenterRecord.query(on: req.db).first() else { throw AppError.notFound(what: "Centre") }
        guard center.secondFactorForSecretaries != value else { return }
        try await req.writer.transaction(on: req.db, actor: principal.auditActor, requestID: req.id) { tx, journal in
            center.secondFactorForSecretaries = value
            try await center.update(on: tx)
            try await journal.record(.update, entity: "center", entityID: center.id!.uuidString, practiceID: nil,
                                     after: ["secondFactorForSecretaries": String(value)])
        }
        req.application.principalCache.forgetAll()
    }

    // MARK: Recovery codes

    /// Four groups of four base-32 characters (80 random bits), in lower case.
    static func newRecoveryCodes() -> [String] {
        (0..<recoveryCodeCount).map { _ in
            let letters = Array(Base32.encode(Data([UInt8].random(count: 10))).lowercased())
            return stride(from: 0, to: 16, by: 4).map { String(letters[$0..<$0 + 4]) }.joined(separator: "-")
        }
    }

    /// The hash a recovery code is kept as, whatever its case, spaces and dashes; nil when it cannot be one.
    static func recoveryHash(_ typed: String) -> String? {
        let plain = typed.lowercased().filter { $0 != "-" && !$0.isWhitespace }
        guard plain.count == 16, Base32.decode(plain) != nil else { return nil }
        return SecretToken.hash("recovery:" + plain)
    }

    private static func replaceRecoveryCodes(_ codes: [String], of user: UserRecord, now: Date, on tx: any Database) async throws {
        try await RecoveryCodeRecord.query(on: tx).filter(\.$user.$id == user.id!).delete()
        for code in codes {
            let record = RecoveryCodeRecord()
            record.id = UUID()
            record.$user.id = user.id!
            record.codeHash = recoveryHash(code)!
            record.createdAt = now
            try await record.create(on: tx)
        }
    }
}
