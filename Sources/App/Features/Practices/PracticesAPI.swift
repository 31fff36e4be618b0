import Fluent
import Foundation
import Vapor

/// `/api/v1/practices`: what a signed-in user may read of the practices.
struct PracticesAPI: RouteCollection {
    struct PracticeDTO: Content {
        let id: UUID
        let slug: String
        let name: String
        let kind: String
        let greeting: String
        let address: String
        let phone: String
        let timeZone: String

        init(_ record: PracticeRecord) {
            id = record.id!
            slug = record.slug
            name = record.name
            kind = record.kind
            greeting = record.greeting
            address = record.address
            phone = record.phone
            timeZone = record.timeZone
        }
    }

    struct PractitionerDTO: Content {
        let id: UUID
        let displayName: String
        let profession: String
        let rpps: String?

        init(_ record: PractitionerRecord) {
            id = record.id!
            displayName = record.displayName
            profession = record.profession
            rpps = record.rpps
        }
    }

    struct PracticeList: Content { let practices: [PracticeDTO] }
    struct PractitionerList: Content { let practitioners: [PractitionerDTO] }

    func boot(routes: any RoutesBuilder) throws {
        let practices = routes.grouped("practices")
        practices.get(use: list)
        practices.get(":practiceID", use: show)
        practices.get(":practiceID", "practitioners", use: practitioners)
    }

    @Sendable
    func list(req: Request) async throws -> PracticeList {
        let principal = try req.requirePrincipal()
        return PracticeList(practices: try await PracticeStore.visible(to: principal, on: req.db).map(PracticeDTO.init))
    }

    @Sendable
    func show(req: Request) async throws -> PracticeDTO {
        let practice = try await req.authorizePracticeParameter()
        return PracticeDTO(try await PracticeStore.practice(practice, on: req.db))
    }

    @Sendable
    func practitioners(req: Request) async throws -> PractitionerList {
        let practice = try await req.authorizePracticeParameter()
        let list = try await PracticeStore.practitioners(of: practice, on: req.db)
        return PractitionerList(practitioners: list.map(PractitionerDTO.init))
    }
}
