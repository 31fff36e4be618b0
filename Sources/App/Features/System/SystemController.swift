import Fluent
import Foundation
import SQLKit
import Vapor

/// Liveness, readiness and the API description.
struct SystemController: RouteCollection {
    struct Status: Content { let status: String }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("health", use: health)
        routes.get("ready", use: ready)
        routes.get("api", "v1", "openapi.json", use: openAPI)
    }

    @Sendable
    func health(req: Request) async throws -> Status { Status(status: "ok") }

    @Sendable
    func ready(req: Request) async throws -> Response {
        do {
            try await (req.db as! any SQLDatabase).raw("SELECT 1").run()
            return try await Status(status: "ready").encodeResponse(for: req)
        } catch {
            req.logger.warning("database not reachable: \(String(reflecting: error))")
            let response = try await Status(status: "database unreachable").encodeResponse(for: req)
            response.status = .serviceUnavailable
            return response
        }
    }

    @Sendable
    func openAPI(req: Request) async throws -> Response {
        let path = req.application.directory.resourcesDirectory + "OpenAPI/openapi.json"
        let response = try await req.fileio.asyncStreamFile(at: path)
        response.headers.contentType = .json
        return response
    }
}
