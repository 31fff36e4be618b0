import Domain
import Fluent
import Foundation
import Vapor

struct TelephonyEventDTO: Content {
    let id: UUID
    let event: String
    let callId: String
    let practiceId: UUID
    let from: String
    let to: String
    let `extension`: String?
    /// The patients of the practice who carry the caller's number.
    let matches: Int
}

/// `POST /api/v1/telephony/events`: the phone system's call events, signed with the center's secret (no sign-in).
struct TelephonyAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "telephony", "events", body: .collect(maxSize: "16kb"), use: receive)
    }

    @Sendable func receive(req: Request) async throws -> Response {
        let now = req.application.clock.now()
        let body = req.body.data.map { Array($0.readableBytesView) } ?? []
        let (center, secret) = try await TelephonyStore.secret(app: req.application)
        try TelephonyStore.verify(headers: req.headers, body: body, secret: secret, now: now)
        let input = try req.content.decode(TelephonyEventInput.self)
        let event = try await TelephonyStore.receive(input, center: center, app: req.application, now: now)
        req.application.metrics.count("permanence_telephony_events_total", [("event", event.kind)])
        let matches = event.callerNumber.isEmpty ? 0 : try await PatientSearch.callerID(
            PhoneNumber(e164: event.callerNumber), in: AuthorizedPractice.system(event.$practice.id), cache: req.application.patientIndexCache, on: req.db).count
        return try await TelephonyEventDTO(id: event.id!, event: event.kind, callId: event.providerCallID, practiceId: event.$practice.id,
                                           from: event.callerNumber, to: event.dialledNumber, extension: event.extensionNumber, matches: matches)
            .encodeResponse(status: .created, for: req)
    }
}
