import Domain
import Fluent
import Foundation
import Vapor

/// What a practice's connection token allows its software.
struct ConnectionGrant: Sendable, Equatable {
    let practiceID: UUID
    let label: String
    let canWrite: Bool
    let readsMessages: Bool
}

/// `Authorization: Bearer pcx_…` on `/fhir`: a practice's software, by its live connection token (the users' API
/// tokens are read by `BearerAuthenticator` before it).
struct ConnectionAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.principal == nil, let bearer = request.headers.bearerAuthorization, bearer.token.hasPrefix(ConnectionStore.tokenPrefix) {
            let now = request.application.clock.now()
            let hash = SecretToken.hash(bearer.token)
            let cache = request.application.principalCache
            if let known = cache.principal(forTokenHash: hash, now: now) {
                request.principal = known
            } else if let token = try await ConnectionTokenRecord.query(on: request.db).filter(\.$tokenHash == hash).filter(\.$revokedAt == nil)
                .filter(\.$expiresAt > now).first() {
                let principal = ConnectionStore.principal(of: token)
                cache.remember(principal, forTokenHash: hash, tokenExpiresAt: token.expiresAt, now: now)
                request.principal = principal
            }
        }
        return try await next.respond(to: request)
    }
}

/// The practices' connections: their software's tokens, the practitioners' calendar feeds and the webhook
/// subscriptions, each created, changed and revoked in a journaled transaction.
enum ConnectionStore {
    static let tokenPrefix = "pcx_"
    static let feedPrefix = "cal_"
    /// A software's token lasts at most two years; one year unless said.
    static let maximumTokenDays = 730

    static func principal(of token: ConnectionTokenRecord) -> Principal {
        Principal(userID: token.id!, email: "connexion:" + token.label, displayName: token.label, role: .secretary,
                  assignedPractices: [token.$practice.id], practitionerID: nil, credential: .apiToken(id: token.id!),
                  connection: ConnectionGrant(practiceID: token.$practice.id, label: token.label, canWrite: token.canWrite,
                                              readsMessages: token.readsMessages))
    }

    // MARK: Software tokens

    struct TokenInput: Content {
        let label: String
        /// `read` or `read-write`.
        let scope: String
        /// Whether the software reads the transmissions' subject and text.
        var readsMessages: Bool? = nil
        /// 1 to 730; 365 unless said.
        var days: Int? = nil
    }

    /// A new token: the secret is returned once, only its hash is kept.
    static func issueToken(_ input: TokenInput, for practice: AuthorizedPractice, context: WriteContext, now: Date) async throws -> (ConnectionTokenRecord, String) {
        var errors: [FieldError] = []
        let label = input.label.trimmingCharacters(in: .whitespacesAndNewlines)
        if label.isEmpty || label.count > 80 { errors.append(.init(field: "label", reason: "nom du logiciel obligatoire, 80 caractères au plus")) }
        if !["read", "read-write"].contains(input.scope) { errors.append(.init(field: "scope", reason: "read (lecture) ou read-write (lecture et prise de rendez-vous)")) }
        let days = input.days ?? 365
        if !(1...maximumTokenDays).contains(days) { errors.append(.init(field: "days", reason: "de 1 à \(maximumTokenDays) jours")) }
        if !errors.isEmpty { throw AppError.validation(errors) }
        let secret = SecretToken.generate(prefix: tokenPrefix)
        let token = ConnectionTokenRecord()
        token.id = UUID()
        token.$practice.id = practice.id
        token.label = label
        token.tokenHash = SecretToken.hash(secret)
        token.canWrite = input.scope == "read-write"
        token.readsMessages = input.readsMessages ?? false
        token.createdByLabel = context.actor.name
        token.createdAt = now
        token.expiresAt = now.addingTimeInterval(TimeInterval(days * 86_400))
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await token.create(on: tx)
            try await journal.record(.create, entity: "connection_token", entityID: token.id!.uuidString, practiceID: practice.id,
                                     after: token.journalState)
        }
        return (token, secret)
    }

    static func tokens(of practice: AuthorizedPractice, on db: any Database) async throws -> [ConnectionTokenRecord] {
        try await ConnectionTokenRecord.query(on: db).filter(\.$practice.$id == practice.id).sort(\.$createdAt, .descending).all()
    }

    static func revokeToken(_ id: UUID?, of practice: AuthorizedPractice, context: WriteContext, app: Application, now: Date) async throws {
        guard let id, let token = try await ConnectionTokenRecord.find(id, on: context.database), token.$practice.id == practice.id else {
            throw AppError.notFound(what: "Jeton")
        }
        guard token.revokedAt == nil else { return }
        let before = token.journalState
        token.revokedAt = now
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await token.update(on: tx)
            try await journal.record(.update, entity: "connection_token", entityID: id.uuidString, practiceID: practice.id,
                                     before: before, after: token.journalState)
        }
        app.principalCache.forget(tokenHash: token.tokenHash)
    }

    // MARK: Calendar feeds

    /// The practitioner's feed, if one is live.
    static func feed(of practitioner: UUID, on db: any Database) async throws -> CalendarFeedRecord? {
        try await CalendarFeedRecord.query(on: db).filter(\.$practitioner.$id == practitioner).filter(\.$revokedAt == nil).first()
    }

    /// A new secret address for the practitioner's feed (the former one stops answering), or the same address with
    /// other choices of what it shows.
    @discardableResult
    static func setFeed(of practitioner: PractitionerRecord, renew: Bool, showsPatientName: Bool, showsMotif: Bool, app: Application,
                        context: WriteContext, now: Date) async throws -> CalendarFeedRecord {
        let current = try await feed(of: practitioner.id!, on: context.database)
        return try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            if let current, !renew {
                let before = current.journalState
                current.showsPatientName = showsPatientName
                current.showsMotif = showsMotif
                try await current.update(on: tx)
                try await journal.record(.update, entity: "calendar_feed", entityID: current.id!.uuidString, practiceID: current.$practice.id,
                                         before: before, after: current.journalState)
                return current
            }
            if let current {
                let before = current.journalState
                current.revokedAt = now
                try await current.update(on: tx)
                try await journal.record(.update, entity: "calendar_feed", entityID: current.id!.uuidString, practiceID: current.$practice.id,
                                         before: before, after: current.journalState)
            }
            let secret = SecretToken.generate(prefix: feedPrefix)
            let feed = CalendarFeedRecord()
            feed.id = UUID()
            feed.$practice.id = practitioner.$practice.id
            feed.$practitioner.id = practitioner.id!
            feed.tokenHash = SecretToken.hash(secret)
            feed.sealedToken = try app.secretBox.seal(Data(secret.utf8))
            feed.showsPatientName = showsPatientName
            feed.showsMotif = showsMotif
            feed.createdAt = now
            try await feed.create(on: tx)
            try await journal.record(.create, entity: "calendar_feed", entityID: feed.id!.uuidString, practiceID: feed.$practice.id,
                                     after: feed.journalState)
            return feed
        }
    }

    static func revokeFeed(of practitioner: UUID, context: WriteContext, now: Date) async throws {
        guard let current = try await feed(of: practitioner, on: context.database) else { return }
        let before = current.journalState
        current.revokedAt = now
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await current.update(on: tx)
            try await journal.record(.update, entity: "calendar_feed", entityID: current.id!.uuidString, practiceID: current.$practice.id,
                                     before: before, after: current.journalState)
        }
    }

    /// The feed's secret, to show its address again to its practitioner.
    static func secret(of feed: CalendarFeedRecord, app: Application) -> String? {
        app.secretBox.open(feed.sealedToken).flatMap { String(data: $0, encoding: .utf8) }
    }
}

extension ConnectionTokenRecord {
    /// What the journal keeps: never the token.
    var journalState: [String: String] {
        ["label": label, "canWrite": String(canWrite), "readsMessages": String(readsMessages),
         "expiresAt": ISOTimestamp.string(expiresAt, in: FrenchFormat.parisTimeZone), "revoked": String(revokedAt != nil)]
    }

    var scopeLabel: String {
        (canWrite ? "lecture et prise de rendez-vous" : "lecture seule") + (readsMessages ? ", texte des transmissions" : "")
    }
}

extension CalendarFeedRecord {
    var journalState: [String: String] {
        ["practitionerId": $practitioner.id.uuidString, "showsPatientName": String(showsPatientName), "showsMotif": String(showsMotif),
         "revoked": String(revokedAt != nil)]
    }
}
