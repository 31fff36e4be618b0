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
        /// For the center only (never given to a patient): E.164 numbers and the escalation notices' address.
        let mobilePhone: String?
        let directPhone: String?
        let noticeEmail: String?

        init(_ record: PractitionerRecord) {
            id = record.id!
            displayName = record.displayName
            profession = record.profession
            rpps = record.rpps
            mobilePhone = record.mobilePhone
            directPhone = record.directPhone
            noticeEmail = record.noticeEmail
        }
    }

    /// How the center reaches a practitioner; an empty or missing value clears it.
    struct ContactInput: Content {
        let mobilePhone: String?
        let directPhone: String?
        let noticeEmail: String?
    }

    struct PracticeList: Content { let practices: [PracticeDTO] }
    struct PractitionerList: Content { let practitioners: [PractitionerDTO] }

    func boot(routes: any RoutesBuilder) throws {
        let practices = routes.grouped("practices")
        practices.get(use: list)
        practices.get(":practiceID", use: show)
        practices.get(":practiceID", "practitioners", use: practitioners)
        practices.put(":practiceID", "practitioners", ":practitionerID", "contact", use: setContact)
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

    /// Practitioners, supervisors and administrators set how the center reaches a practitioner of the practice.
    @Sendable
    func setContact(req: Request) async throws -> PractitionerDTO {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editAgenda)
        let practitioner = try await PracticeStore.practitioner(req.parameters.get("practitionerID", as: UUID.self), of: practice, on: req.db)
        let input = try req.content.decode(ContactInput.self)
        try await PracticeStore.setContact(of: practitioner, mobilePhone: input.mobilePhone, directPhone: input.directPhone,
                                           noticeEmail: input.noticeEmail, in: practice, context: try req.writeContext())
        return PractitionerDTO(practitioner)
    }
}
