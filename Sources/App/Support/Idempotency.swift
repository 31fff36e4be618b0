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
/// Answers of 5xx are not kept, so that a retry after a failure runs again.
enum Idempotency {
    static let header = "Idempotency-Key"

    /// A POST route's handler that honours the header.
    static func handler(_ handler: @escaping @Sendable (Request) async throws -> Response) -> @Sendable (Request) async throws -> Response {
        { req in try await respond(to: req, handler) }
    }

    static func respond(to req: Request, _ handler: @Sendable (Request) async throws -> Response) async throws -> Response {
        guard let key = req.headers.first(name: header) else { return try await handler(req) }
        guard (1...255).contains(key.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw AppError.invalid(header, "de 1 à 255 caractères ASCII sans espace")
        }
        let owner = try req.requirePrincipal().userID.uuidString
        var hasher = SHA256()
        hasher.update(data: Data("\(req.method.rawValue) \(req.url.path)\n".utf8))
        if let body = req.body.data { hasher.update(data: Data(buffer: body)) }
        let hash = hasher.finalize().hex

        let record = IdempotencyKeyRecord()
        record.id = UUID()
        record.owner = owner
        record.key = key
        record.requestHash = hash
        record.createdAt = req.application.clock.now()
        do {
            try await req.writer.unjournaled(on: req.db) { db in try await record.create(on: db) }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return try await replay(owner: owner, key: key, hash: hash, on: req.db)
        }

        let response: Response
        do {
            response = try await handler(req)
        } catch {
            let appError = ErrorRendering.appError(for: error, request: req)
            guard appError.status.code < 500 else {
                try? await req.writer.unjournaled(on: req.db) { db in try await record.delete(on: db) }
                throw error
            }
            response = try ErrorRendering.problemResponse(appError, request: req)
        }
        record.statusCode = Int(response.status.code)
        record.contentType = response.headers.first(name: .contentType)
        record.body = response.body.data ?? Data()
        try await req.writer.unjournaled(on: req.db) { db in try await record.update(on: db) }
        return response
    }

    private static func replay(owner: String, key: String, hash: String, on db: any Database) async throws -> Response {
        guard let first = try await IdempotencyKeyRecord.query(on: db).filter(\.$owner == owner).filter(\.$key == key).first() else {
            throw AppError.conflict("Requête identique en cours de traitement : réessayez dans un instant.")
        }
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
