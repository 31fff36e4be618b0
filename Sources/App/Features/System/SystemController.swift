import Fluent
import Foundation
import SQLKit
import Vapor

/// Liveness, readiness and the API description.
struct SystemController: RouteCollection {
    struct Status: Content {
        let status: String
        /// The resource files the server did not find, relative to its resource folder.
        var missing: [String]? = nil
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("health", use: health)
        routes.get("ready", use: ready)
        routes.get("api", "v1", "openapi.json", use: openAPI)
    }

    @Sendable
    func health(req: Request) async throws -> Status { Status(status: "ok") }

    @Sendable
    func ready(req: Request) async throws -> Response {
        if req.application.gracefulStop.isStopping {
            let response = try await Status(status: "stopping").encodeResponse(for: req)
            response.status = .serviceUnavailable
            return response
        }
        let resources = req.application.resourceLocation
        if !resources.missing.isEmpty {
            let response = try await Status(status: "resources missing", missing: resources.missing).encodeResponse(for: req)
            response.status = .serviceUnavailable
            return response
        }
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
        guard FileManager.default.fileExists(atPath: path) else { throw Self.missingResources(req.application) }
        let response = try await req.fileio.asyncStreamFile(at: path)
        response.headers.contentType = .json
        return response
    }

    /// The 503 of a request that needs a resource file the server did not find.
    static func missingResources(_ app: Application) -> AppError {
        let location = app.resourceLocation
        return .unavailable("Fichiers de Permanence introuvables dans \(location.root) : \(location.missing.joined(separator: ", ")). "
            + "Indiquez le dossier qui contient Resources/ et Public/ par la variable PERMANENCE_RESOURCES.")
    }
}
