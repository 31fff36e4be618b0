import Crypto
import Fluent
import Foundation
import Vapor

/// A POST's first answer, kept under the client's `Idempotency-Key` so that a retry gets it again.
final class IdempotencyKeyRecord: Model, @unchecked Sendable {
    static let schema = "idempotency_keys"

    @ID(key: .id) var id: UUID?
    /// The user who sent it: keys are per user.
    @Field(key: "owner") var owner: String
    @Field(key: "key") var key: String
    /// SHA-256 of method, path and body: the same key with another request is refused.
    @Field(key: "request_hash") var requestHash: String
    /// Nil while the first request is still running.
    @OptionalField(key: "status_code") var statusCode: Int?
    @OptionalField(key: "content_type") var contentType: String?
    @OptionalField(key: "body") var body: Data?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// `Idempotency-Key` on POST requests (DESIGN.md): a retried request returns the first answer, byte for byte.
/// The request runs in one `UnitOfWork` with its key and answer, so that a retry after a crash replays what was
/// committed, or runs anew when nothing was. Refusals (4xx) are kept too, after the refused writes were undone;
/// answers of 5xx are not, so that a retry after a failure runs again. Keys are purged after a day (`Retention`).
enum Idempotency {
    static let header = "Idempotency-Key"

    /// A POST route's handler that honours the header.
    static func handler(_ handler: @escaping @Sendable (Request) async throws -> Response) -> @Sendable (Request) async throws -> Response {
        { req in try await respond(to: req, handler) }
    }

    /// The first request under a key that another one holds: that one's answer is replayed once it is committed.
    private struct KeyTaken: Error {}

    static func respond(to req: Request, _ handler: @escaping @Sendable (Request) async throws -> Response) async throws -> Response {
        guard let key = req.headers.first(name: header) else { return try await handler(req) }
        guard (1...255).contains(key.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw AppError.invalid(header, "de 1 à 255 caractères ASCII sans espace")
        }
        let owner = try req.requirePrincipal().userID.uuidString
        var hasher = SHA256()
        hasher.update(data: Data("\(req.method.rawValue) \(req.url.path)\n".utf8))
        if let body = req.body.data { hasher.update(data: Data(buffer: body)) }
        let hash = hasher.finalize().hex
        if let first = try await IdempotencyKeyRecord.query(on: req.db).filter(\.$owner == owner).filter(\.$key == key).first() {
            return try replay(first, hash: hash)
        }
        let now = req.application.clock.now()
        do {
            return try await UnitOfWork.run(on: req.db, gate: req.writer.gate) { unit in
                // Inserted first: a second request under the key waits here for the first one's commit.
                try await claim(owner: owner, key: key, hash: hash, now: now, on: unit.database)
                let response = try await handler(req)
                guard response.status.code < 500 else { return response }
                try await keep(response, owner: owner, key: key, on: unit.database)
                return response
            }
        } catch is KeyTaken {
            return try await replayCommitted(owner: owner, key: key, hash: hash, on: req.db)
        } catch {
            let appError = ErrorRendering.appError(for: error, request: req)
            guard appError.status.code < 500 else { throw error }
            let refusal = try ErrorRendering.problemResponse(appError, request: req)
            do {
                try await req.writer.unjournaled(on: req.db) { tx in
                    try await claim(owner: owner, key: key, hash: hash, now: now, on: tx)
                    try await keep(refusal, owner: owner, key: key, on: tx)
                }
            } catch is KeyTaken {
                return try await replayCommitted(owner: owner, key: key, hash: hash, on: req.db)
            }
            return refusal
        }
    }

    private static func claim(owner: String, key: String, hash: String, now: Date, on db: any Database) async throws {
        let record = IdempotencyKeyRecord()
        record.id = UUID()
        record.owner = owner
        record.key = key
        record.requestHash = hash
        record.createdAt = now
        do {
            try await record.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw KeyTaken()
        }
    }

    private static func keep(_ response: Response, owner: String, key: String, on db: any Database) async throws {
        try await IdempotencyKeyRecord.query(on: db).filter(\.$owner == owner).filter(\.$key == key)
            .set(\.$statusCode, to: Int(response.status.code))
            .set(\.$contentType, to: response.headers.first(name: .contentType))
            .set(\.$body, to: response.body.data ?? Data())
            .update()
    }

    private static func replayCommitted(owner: String, key: String, hash: String, on db: any Database) async throws -> Response {
        guard let first = try await IdempotencyKeyRecord.query(on: db).filter(\.$owner == owner).filter(\.$key == key).first() else {
            throw AppError.conflict("Requête identique en cours de traitement : réessayez dans un instant.")
        }
        return try replay(first, hash: hash)
    }

    private static func replay(_ first: IdempotencyKeyRecord, hash: String) throws -> Response {
        guard first.requestHash == hash else {
            throw AppError.invalid(header, "clé déjà utilisée pour une autre requête")
        }
        guard let status = first.statusCode else {
            throw AppError.conflict("Requête identique en cours de traitement : réessayez dans un instant.")
        }
        let response = Response(status: HTTPResponseStatus(statusCode: status), body: .init(buffer: ByteBuffer(data: first.body ?? Data())))
        if let type = first.contentType { response.headers.replaceOrAdd(name: .contentType, value: type) }
        response.headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true")
        return response
    }
}
