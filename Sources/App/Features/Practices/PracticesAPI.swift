import Fluent
import Foundation
import Vapor

/// `/api/v1/practices`: what a signed-in user may read of the practices.
struct PracticesAPI: RouteCollection {
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
        practices.post(use: create)
        practices.get(":practiceID", use: show)
        practices.put(":practiceID", use: update)
        practices.post(":practiceID", "suspend", use: suspend)
        practices.post(":practiceID", "reopen", use: reopen)
        practices.get(":practiceID", "onboarding", use: onboarding)
        practices.post(":practiceID", "go-live", use: goLive)
        practices.post(":practiceID", "triage", "protocol", "review", use: reviewTriage)
        practices.get(":practiceID", "practitioners", use: practitioners)
        practices.post(":practiceID", "practitioners", use: createPractitioner)
        practices.put(":practiceID", "practitioners", ":practitionerID", use: updatePractitioner)
        practices.post(":practiceID", "practitioners", ":practitionerID", "deactivate", use: deactivatePractitioner)
        practices.post(":practiceID", "practitioners", ":practitionerID", "reactivate", use: reactivatePractitioner)
        practices.put(":practiceID", "practitioners", ":practitionerID", "contact", use: setContact)
    }

    @Sendable
    func list(req: Request) async throws -> PracticeList {
        let principal = try req.requirePrincipal()
        var list: [PracticeDTO] = []
        for record in try await PracticeStore.visible(to: principal, on: req.db) { list.append(try await PracticeDTO.make(record, on: req.db)) }
        return PracticeList(practices: list)
    }

    @Sendable
    func show(req: Request) async throws -> PracticeDTO {
        let practice = try await req.authorizePracticeParameter()
        return try await PracticeDTO.make(try await PracticeStore.practice(practice, on: req.db), on: req.db)
    }

    /// Administrators and supervisors create a practice (201 with its address).
    @Sendable
    func create(req: Request) async throws -> Response {
        _ = try req.require(.managePractices)
        let record = try await PracticeSetupStore.create(try req.content.decode(PracticeInput.self), context: try req.writeContext(), app: req.application)
        return try await Self.created(try await PracticeDTO.make(record, on: req.db), at: "/api/v1/practices/\(record.id!)", req: req)
    }

    /// 201 with the new resource and its address.
    static func created<T: Content>(_ body: T, at location: String, req: Request) async throws -> Response {
        let response = try await body.encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: location)
        return response
    }

    @Sendable
    func update(req: Request) async throws -> PracticeDTO {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        let record = try await PracticeStore.practice(practice, on: req.db)
        try await PracticeSetupStore.update(record, with: try req.content.decode(PracticeInput.self), context: try req.writeContext(), app: req.application)
        return try await PracticeDTO.make(record, on: req.db)
    }

    @Sendable
    func suspend(req: Request) async throws -> PracticeDTO {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        let record = try await PracticeStore.practice(practice, on: req.db)
        let input = try req.content.decode(SuspensionInput.self)
        try await PracticeSetupStore.setSuspended(record, reason: input.reason, context: try req.writeContext(), now: req.application.clock.now())
        return try await PracticeDTO.make(record, on: req.db)
    }

    @Sendable
    func reopen(req: Request) async throws -> PracticeDTO {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        let record = try await PracticeStore.practice(practice, on: req.db)
        try await PracticeSetupStore.setSuspended(record, reason: nil, context: try req.writeContext(), now: req.application.clock.now())
        return try await PracticeDTO.make(record, on: req.db)
    }

    @Sendable
    func practitioners(req: Request) async throws -> PractitionerList {
        let practice = try await req.authorizePracticeParameter()
        let list = try await PracticeStore.practitioners(of: practice, on: req.db)
        return PractitionerList(practitioners: try await PractitionerDTO.withAccounts(list, on: req.db))
    }

    struct Checklist: Content {
        struct Item: Content { let key: String; let label: String; let done: Bool; let detail: String }
        let items: [Item]
        let ready: Bool
        let live: Bool
    }

    /// The onboarding checklist, read from the practice's records now.
    @Sendable
    func onboarding(req: Request) async throws -> Checklist {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        let (record, checklist) = try await PracticeOnboarding.checklist(of: practice, on: req.db)
        return Checklist(items: checklist.items.map { .init(key: $0.key, label: $0.label, done: $0.done, detail: $0.detail) },
                         ready: checklist.ready, live: record.liveAt != nil)
    }

    @Sendable
    func goLive(req: Request) async throws -> PracticeDTO {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        return try await PracticeDTO.make(try await PracticeOnboarding.goLive(practice, context: try req.writeContext(), now: req.application.clock.now()),
                                          on: req.db)
    }

    struct Review: Content { let version: Int }

    /// A practitioner of the practice says they reviewed the triage protocol in service.
    @Sendable
    func reviewTriage(req: Request) async throws -> Review {
        let practice = try await req.authorizePracticeParameter()
        return Review(version: try await PracticeOnboarding.reviewTriage(practice, by: try req.requirePrincipal(), context: try req.writeContext(),
                                                                         now: req.application.clock.now()))
    }

    /// Administrators and supervisors add a practitioner to the practice (201).
    @Sendable
    func createPractitioner(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        let record = try await PractitionerSetupStore.save(try req.content.decode(PractitionerInput.self), existing: nil, practice: practice,
                                                           context: try req.writeContext(), cache: req.application.agendaCache)
        return try await Self.created(try await PractitionerDTO.withAccount(record, on: req.db),
                                      at: "/api/v1/practices/\(practice.id)/practitioners/\(record.id!)", req: req)
    }

    @Sendable
    func updatePractitioner(req: Request) async throws -> PractitionerDTO {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        let record = try await PracticeStore.practitioner(req.parameters.get("practitionerID", as: UUID.self), of: practice, on: req.db)
        return try await PractitionerDTO.withAccount(try await PractitionerSetupStore.save(try req.content.decode(PractitionerInput.self), existing: record,
                                                                                           practice: practice, context: try req.writeContext(),
                                                                                           cache: req.application.agendaCache), on: req.db)
    }

    @Sendable
    func deactivatePractitioner(req: Request) async throws -> PractitionerDTO {
        try await setActive(false, req: req)
    }

    @Sendable
    func reactivatePractitioner(req: Request) async throws -> PractitionerDTO {
        try await setActive(true, req: req)
    }

    private func setActive(_ active: Bool, req: Request) async throws -> PractitionerDTO {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        let record = try await PracticeStore.practitioner(req.parameters.get("practitionerID", as: UUID.self), of: practice, on: req.db)
        try await PractitionerSetupStore.setActive(active, record, practice: practice, context: try req.writeContext(),
                                                   now: req.application.clock.now(), cache: req.application.agendaCache)
        return try await PractitionerDTO.withAccount(record, on: req.db)
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
        return try await PractitionerDTO.withAccount(practitioner, on: req.db)
    }
}
