import Domain
import Foundation
import Leaf
import Vapor

/// RFC 9457 problem document for `/api/v1`.
struct Problem: Content {
    let type: String
    let title: String
    let status: Int
    let detail: String
    let instance: String
    let errors: [FieldError]?
    /// The appointment or hold in the way of a refused booking.
    let conflict: SlotConflict?
    /// The records a new patient looks like.
    let duplicates: [DuplicateCandidate]?
    /// What still names a motif that was not deleted.
    let usage: MotifUsageCounts?
    let requestId: String
}

/// The counts of a 409 motif-in-use.
struct MotifUsageCounts: Content {
    let appointments: Int
    let holds: Int
    let waitingListEntries: Int

    init(_ usage: MotifUsage) {
        appointments = usage.appointments
        holds = usage.holds
        waitingListEntries = usage.waitingListEntries
    }
}

/// Turns every error into a French page for the browser or a problem document for the API.
struct ErrorRendering: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            if request.url.path == "/fhir" || request.url.path.hasPrefix("/fhir/") {
                return try Self.operationOutcome(for: error, request: request)
            }
            let appError = Self.appError(for: error, request: request)
            if request.url.path.hasPrefix("/api/") {
                return try Self.problemResponse(appError, request: request)
            }
            return try await Self.page(appError, request: request)
        }
    }

    static func appError(for error: any Error, request: Request) -> AppError {
        switch error {
        case let appError as AppError:
            return appError
        case let decoding as DecodingError:
            return .validation([Self.fieldError(decoding)])
        case let abort as any AbortError where abort.status == .notFound:
            return .notFound(what: "Page")
        case let abort as any AbortError where abort.status.code < 500:
            return .refusedByHTTP(abort.status)
        case let fault where StorageFaults.unavailable(for: fault) != nil:
            request.logger.error("storage fault: \(String(reflecting: fault))")
            if StorageFaults.endedSession(fault) { request.application.poolReset?.reset(request.application.databases, logger: request.logger) }
            return StorageFaults.unavailable(for: fault)!
        default:
            request.logger.report(error: error)
            return .internal
        }
    }

    static func problemResponse(_ error: AppError, request: Request) throws -> Response {
        let problem = Problem(
            type: "urn:permanence:problem:\(error.slug)",
            title: error.title,
            status: Int(error.status.code),
            detail: error.detail,
            instance: request.url.path,
            errors: { if case .validation(let errors) = error { return errors } else { return nil } }(),
            conflict: { if case .slotTaken(let conflict) = error { return conflict } else { return nil } }(),
            duplicates: { if case .likelyDuplicates(let candidates) = error { return candidates } else { return nil } }(),
            usage: { if case .motifInUse(let usage) = error { return MotifUsageCounts(usage) } else { return nil } }(),
            requestId: request.id
        )
        let response = Response(status: error.status)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try response.content.encode(problem, using: encoder)
        response.headers.contentType = HTTPMediaType(type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
        error.addRetryAfter(to: response, now: request.application.clock.now())
        return response
    }

    /// FHIR's refusals: an `OperationOutcome`, one issue per fault, with the status FHIR servers answer.
    static func operationOutcome(for error: any Error, request: Request) throws -> Response {
        var status: HTTPResponseStatus
        var outcome: FHIR.OperationOutcome
        if let refusal = error as? FHIRError {
            status = refusal.status
            outcome = refusal.outcome
        } else {
            let appError = appError(for: error, request: request)
            status = appError.status
            let code = switch appError {
            case .unauthenticated, .unauthenticatedBecause: "login"
            case .forbidden, .forbiddenBecause: "forbidden"
            case .notFound: "not-found"
            case .validation: "invalid"
            case .conflict, .slotTaken: "conflict"
            case .unavailable: "transient"
            case .refusedByHTTP: "processing"
            default: "exception"
            }
            var issues = [FHIR.Issue(severity: "error", code: code, diagnostics: appError.detail)]
            if case .validation(let errors) = appError {
                issues = errors.map { FHIR.Issue(severity: "error", code: "invalid", diagnostics: "\($0.field) : \($0.reason)", expression: [$0.field]) }
            }
            if case .slotTaken(let conflict) = appError {
                issues[0].diagnostics += conflict.kind == "appointment" ? " (Appointment/\(conflict.id.uuidString))" : " (créneau retenu au téléphone)"
            }
            outcome = FHIR.OperationOutcome(issue: issues)
            if case .refusedByHTTP(let refused) = appError, refused == .methodNotAllowed || refused == .unsupportedMediaType { status = refused }
        }
        let response = try FHIRAPI.respond(outcome, status: status)
        if status == .unauthorized { response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer") }
        if case .unavailable = error as? AppError { (error as! AppError).addRetryAfter(to: response, now: request.application.clock.now()) }
        return response
    }

    struct ErrorPage: Encodable {
        let status: Int
        let title: String
        let detail: String
        let requestId: String
        let signedIn: Bool
    }

    static func page(_ error: AppError, request: Request) async throws -> Response {
        if error == .unauthenticated {
            return request.redirect(to: SitePath.signIn.link())
        }
        if !request.application.resourceLocation.missing.isEmpty {
            return plainPage(SystemController.missingResources(request.application), request: request)
        }
        // A refusal of fields on a page: each fault in the forms' words, never the API's field paths.
        var detail = error.detail
        if case .validation(let errors) = error { detail = FormRefusal.faults(errors).map(\.text).joined(separator: " ; ") }
        let context = ErrorPage(status: Int(error.status.code), title: error.title, detail: detail,
                                requestId: request.id, signedIn: request.principal != nil)
        do {
            let view = try await request.view.render("errors/error", context)
            let response = try await view.encodeResponse(for: request)
            response.status = error.status
            return response
        } catch {
            request.logger.report(error: error)
            return plainPage(.internal, request: request)
        }
    }

    /// A page written without a template, for when the templates themselves cannot be read.
    static func plainPage(_ error: AppError, request: Request) -> Response {
        let escaped = HTML.escaped
        let html = """
            <!doctype html><html lang="fr"><head><meta charset="utf-8"><title>\(escaped(error.title)) — Permanence</title></head>
            <body><h1>\(escaped(error.title))</h1><p>\(escaped(error.detail))</p><p>Référence : \(escaped(request.id))</p></body></html>
            """
        let response = Response(status: error.status, body: .init(string: html))
        response.headers.contentType = .html
        return response
    }

    private static func fieldError(_ error: DecodingError) -> FieldError {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let prefix = path(context)
            return FieldError(field: prefix.isEmpty ? key.stringValue : "\(prefix).\(key.stringValue)", reason: "champ obligatoire manquant")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return FieldError(field: path(context), reason: "valeur de type inattendu")
        case .dataCorrupted(let context):
            return FieldError(field: path(context).isEmpty ? "body" : path(context), reason: "contenu illisible (JSON attendu)")
        @unknown default:
            return FieldError(field: "body", reason: "contenu illisible")
        }
    }
}
