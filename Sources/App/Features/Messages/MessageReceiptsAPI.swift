import Domain
import Fluent
import Foundation
import Vapor

/// `POST /api/v1/messages/receipts`: what the SMS gateway says back, signed like the telephony events
/// (`X-Permanence-Timestamp`, `X-Permanence-Signature` under `SMS_INBOUND_SECRET`): a delivery receipt
/// (`{"type": "delivered" | "failed", "reference": "<the message's reference>", "error": "…"}`) or a patient's STOP
/// answer (`{"type": "stop", "from": "+336…"}`), which withdraws the SMS consent of every record carrying that number.
struct MessageReceiptsAPI: RouteCollection {
    static let stopActorLabel = "patient:stop-sms"

    func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "messages", "receipts", body: .collect(maxSize: "16kb"), use: receive)
    }

    struct Receipt: Content {
        let type: String
        let reference: String?
        let from: String?
        let error: String?
    }

    struct Answer: Content {
        let type: String
        /// The message's state after the receipt, or how many records stopped their SMS.
        let state: String?
        let recordsStopped: Int?
    }

    @Sendable func receive(req: Request) async throws -> Response {
        guard let secret = req.application.settings.messaging.inboundSecret else { throw AppError.notFound(what: "Route") }
        let now = req.application.clock.now()
        let body = req.body.data.map { Array($0.readableBytesView) } ?? []
        try TelephonyStore.verify(headers: req.headers, body: body, secret: secret, now: now)
        let receipt = try req.content.decode(Receipt.self)
        switch receipt.type {
        case "delivered", "failed":
            guard let reference = receipt.reference, let id = UUID(uuidString: reference) else {
                throw AppError.invalid("reference", "la référence du message envoyée à la passerelle")
            }
            guard let message = try await OutboxMessageRecord.find(id, on: req.db), message.channel == MessageChannel.sms.rawValue else {
                throw AppError.notFound(what: "Message")
            }
            // Only a message handed over can be delivered or lost; a second receipt changes nothing.
            if message.state == "sent" {
                if receipt.type == "delivered" {
                    message.state = "delivered"
                    message.deliveredAt = now
                } else {
                    message.state = "failed"
                    message.lastError = "le SMS n'a pas pu être remis (accusé de la passerelle" + (receipt.error.map { " : \($0.prefix(200))" } ?? "") + ")"
                }
                try await req.application.writer.unjournaled(on: req.db) { db in try await message.update(on: db) }
                if message.state == "failed" { try await PatientMessages.planCallback(for: message, app: req.application, now: now) }
                req.application.metrics.count("permanence_patient_message_receipts_total", [("type", receipt.type)])
            }
            return try await Answer(type: receipt.type, state: message.state, recordsStopped: nil).encodeResponse(for: req)
        case "stop":
            guard let from = receipt.from, let number = try? PhoneNumber(parsing: from) else {
                throw AppError.invalid("from", "le numéro qui a répondu STOP, au format +33…")
            }
            let stopped = try await Self.stop(number, app: req.application, requestID: req.id, now: now)
            return try await Answer(type: "stop", state: nil, recordsStopped: stopped).encodeResponse(for: req)
        default:
            throw AppError.invalid("type", "delivered, failed ou stop")
        }
    }

    /// Withdraws the SMS consent of every record whose mobile or guardian's number is `number`, journaled as the
    /// patient's answer; returns how many records changed.
    static func stop(_ number: PhoneNumber, app: Application, requestID: String?, now: Date) async throws -> Int {
        let byPhone = try await PatientPhoneRecord.query(on: app.db).filter(\.$e164 == number.e164).all().map { $0.$patient.id }
        let byGuardian = try await PatientRecord.query(on: app.db).filter(\.$guardianPhone == number.e164).all().compactMap(\.id)
        let records = try await PatientRecord.query(on: app.db).filter(\.$id ~~ Set(byPhone + byGuardian)).filter(\.$smsConsent == true).all()
        guard !records.isEmpty else { return 0 }
        try await app.writer.transaction(on: app.db, actor: AuditActor(userID: nil, label: stopActorLabel), requestID: requestID) { tx, journal in
            for record in records {
                record.smsConsent = false
                record.updatedAt = now
                try await record.update(on: tx)
                try await journal.record(.update, entity: "patient", entityID: record.id!.uuidString, practiceID: record.$practice.id,
                                         before: ["smsConsent": "true"], after: ["smsConsent": "false", "why": "réponse STOP à un SMS"])
            }
        }
        for (practice, changed) in Dictionary(grouping: records, by: { $0.$practice.id }) {
            app.patientIndexCache.changed(practice, patients: changed.compactMap(\.id))
        }
        return records.count
    }
}
