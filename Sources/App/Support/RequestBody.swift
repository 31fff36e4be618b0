import Vapor

extension Request {
    /// The body, read now, up to `max` bytes: 413 beyond, said by its length before anything is read when it is
    /// given. Streamed routes (a file of patients) call it once the handler has checked who sends it.
    @discardableResult
    func collectBody(max: Int) async throws -> ByteBuffer? {
        if let length = headers.first(name: .contentLength).flatMap(Int.init), length > max {
            throw AppError.refusedByHTTP(.payloadTooLarge)
        }
        let collected: ByteBuffer?
        do {
            collected = try await body.collect(max: max).get()
        } catch let error as any AbortError where error.status == .payloadTooLarge {
            throw AppError.refusedByHTTP(.payloadTooLarge)
        }
        // A body already read (by a test, or a proxy's buffering) is held to the same limit.
        if let collected, collected.readableBytes > max { throw AppError.refusedByHTTP(.payloadTooLarge) }
        return collected
    }
}

/// The API reads JSON, a file of patients as CSV and a previous agenda as iCalendar or CSV: any other body is 415 before a
/// handler sees it.
struct JSONBodiesOnly: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if [.POST, .PUT, .PATCH].contains(request.method), let type = request.headers.contentType,
           !(type.type == "application" && type.subType == "json"),
           !(type.type == "text" && type.subType == "csv" && request.url.path.hasSuffix("/imports")),
           !(type.type == "text" && ["csv", "calendar"].contains(type.subType) && request.url.path.hasSuffix("/agenda-import")) {
            throw AppError.refusedByHTTP(.unsupportedMediaType)
        }
        return try await next.respond(to: request)
    }
}
