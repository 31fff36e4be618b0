import AsyncHTTPClient
import Crypto
import Domain
import Fluent
import Foundation
import NIOCore
import SQLKit
import Vapor

/// Webhooks: the events a subscription asked for, queued in the outbox in the same transaction as the journal entry
/// that says they happened, then delivered signed (HMAC-SHA256 of `timestamp.body`, the telephony events' scheme) with
/// the outbox's retries (1, 5, 15, 60 minutes, then failed).
enum Webhooks {
    static let channel = "webhook"
    static let eventHeader = "X-Permanence-Event"
    static let deliveryHeader = "X-Permanence-Delivery"
    /// How long a receiver has to answer.
    static let timeout: TimeAmount = .seconds(10)

    /// What one journal entry tells the subscriptions.
    struct Fact {
        let event: WebhookEvent
        let practiceID: UUID
        let entity: String
        let entityID: UUID
        let occurredAt: Date
    }

    /// The events these journal entries are, in their order.
    static func facts(_ entries: [AuditEntryRecord]) -> [Fact] {
        entries.compactMap { entry in
            guard let practice = entry.practiceID, let id = UUID(uuidString: entry.entityID) else { return nil }
            let event: WebhookEvent?
            switch entry.entity {
            case "appointment": event = appointmentEvent(action: entry.action, before: entry.before, after: entry.after)
            case "transmission": event = transmissionEvent(action: entry.action, before: entry.before, after: entry.after)
            case "call":
                event = entry.action == AuditAction.update.rawValue && state(entry.before) != "closed" && state(entry.after) == "closed" ? .callClosed : nil
            default: event = nil
            }
            return event.map { Fact(event: $0, practiceID: practice, entity: entry.entity, entityID: id, occurredAt: entry.occurredAt) }
        }
    }

    private static func state(_ json: String?) -> String? {
        json.flatMap { try? Journal.decoder.decode([String: String].self, from: Data($0.utf8)) }?["state"]
    }

    static func appointmentEvent(action: String, before: String?, after: String?) -> WebhookEvent? {
        if let change = FigureRollups.change(action: action, before: before, after: after) {
            return switch change.kind {
            case .booked: .appointmentBooked
            case .moved: .appointmentMoved
            case .cancelled: .appointmentCancelled
            }
        }
        guard action == AuditAction.update.rawValue, let before = AppointmentSnapshot(journal: before), let after = AppointmentSnapshot(journal: after),
              before.status != after.status else { return nil }
        return .appointmentStatusChanged
    }

    static func transmissionEvent(action: String, before: String?, after: String?) -> WebhookEvent? {
        if action == AuditAction.create.rawValue { return .transmissionSent }
        guard action == AuditAction.update.rawValue, let was = state(before).flatMap(TransmissionState.init(rawValue:)),
              let now = state(after).flatMap(TransmissionState.init(rawValue:)) else { return nil }
        return was.awaitsPractitioner && !now.awaitsPractitioner ? .transmissionAcknowledged : nil
    }

    /// Queues a delivery per live subscription that asked for each fact (`Journal.flush`, in its transaction).
    static func follow(_ entries: [AuditEntryRecord], on db: any Database) async throws {
        let facts = facts(entries)
        guard !facts.isEmpty else { return }
        let practices = Array(Set(facts.map(\.practiceID)))
        let subscriptions = try await WebhookSubscriptionRecord.query(on: db).filter(\.$disabledAt == nil)
            .group(.or) { $0.filter(\.$practice.$id == nil).filter(\.$practice.$id ~~ practices) }.all()
        guard !subscriptions.isEmpty else { return }
        for fact in facts {
            for subscription in subscriptions where (subscription.$practice.id == nil || subscription.$practice.id == fact.practiceID)
                && subscription.events.contains(fact.event) {
                try await enqueue(fact, for: subscription, on: db)
            }
        }
    }

    /// The payload: ids, the event, and the FHIR resource as the subscription may see it.
    static func payload(_ fact: Fact, deliveryID: UUID, readsMessages: Bool, on db: any Database) async throws -> Data {
        struct Payload<R: Encodable>: Encodable {
            let id: String
            let event: String
            let occurredAt: String
            let practiceId: String
            let resourceType: String?
            let resourceId: String
            let resource: R?
        }
        let zone = FrenchFormat.parisTimeZone
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        func payload<R: Encodable>(_ type: String?, _ resource: R?) throws -> Data {
            try encoder.encode(Payload(id: deliveryID.uuidString, event: fact.event.rawValue, occurredAt: ISOTimestamp.string(fact.occurredAt, in: zone),
                                       practiceId: fact.practiceID.uuidString, resourceType: type, resourceId: fact.entityID.uuidString, resource: resource))
        }
        switch fact.entity {
        case "appointment":
            return try payload("Appointment", try await AppointmentRecord.find(fact.entityID, on: db).map { FHIR.appointment($0, zone: zone) })
        case "transmission":
            return try payload("Communication", try await TransmissionRecord.find(fact.entityID, on: db).map {
                FHIR.communication($0, readsMessages: readsMessages, zone: zone)
            })
        default:
            // A call has no FHIR resource here: its id, which the journal and the call's page know it by.
            return try payload(nil, FHIR.Meta?.none)
        }
    }

    static func enqueue(_ fact: Fact, for subscription: WebhookSubscriptionRecord, on db: any Database) async throws {
        let message = delivery(to: subscription, practice: fact.practiceID, event: fact.event, at: fact.occurredAt)
        message.body = String(decoding: try await payload(fact, deliveryID: message.id!, readsMessages: subscription.readsMessages, on: db), as: UTF8.self)
        try await message.create(on: db)
    }

    /// A delivery to `subscription`, due at once; its body is the caller's.
    static func delivery(to subscription: WebhookSubscriptionRecord, practice: UUID, event: WebhookEvent, at now: Date) -> OutboxMessageRecord {
        let message = OutboxMessageRecord()
        message.id = UUID()
        message.$practice.id = practice
        message.channel = channel
        message.recipient = subscription.url
        message.subject = event.rawValue
        message.state = "pending"
        message.attempts = 0
        message.nextAttemptAt = now
        message.createdAt = now
        message.webhookSubscriptionID = subscription.id
        message.event = event.rawValue
        return message
    }

    struct Refused: Error, CustomStringConvertible {
        let code: Int?
        let reason: String
        var description: String { reason }
    }

    /// Posts one delivery; returns the receiver's answer code (2xx), or throws with it.
    static func deliver(_ message: OutboxMessageRecord, app: Application, now: Date) async throws -> Int {
        guard let id = message.webhookSubscriptionID, let subscription = try await WebhookSubscriptionRecord.find(id, on: app.db),
              subscription.disabledAt == nil, let secret = app.secretBox.open(subscription.sealedSecret).flatMap({ String(data: $0, encoding: .utf8) }) else {
            throw Refused(code: nil, reason: "abonnement désactivé ou supprimé")
        }
        let body = Array(message.body.utf8)
        let timestamp = Int(now.timeIntervalSince1970)
        var headers = HTTPHeaders()
        headers.add(name: .contentType, value: "application/json")
        headers.add(name: .userAgent, value: "Permanence-Webhooks/1.0")
        headers.add(name: TelephonyStore.timestampHeader, value: String(timestamp))
        headers.add(name: TelephonyStore.signatureHeader, value: TelephonyStore.signature(secret: secret, timestamp: timestamp, body: body))
        headers.add(name: eventHeader, value: message.event ?? message.subject)
        headers.add(name: deliveryHeader, value: message.id!.uuidString)
        var request = HTTPClientRequest(url: message.recipient)
        request.method = .POST
        request.headers = headers
        request.body = .bytes(body)
        let code: Int
        do {
            // AsyncHTTPClient's own call: a stopping server cancels it instead of waiting out the receiver's 10 s.
            let response = try await app.http.client.shared.execute(request, timeout: timeout)
            code = Int(response.status.code)
            _ = try? await response.body.collect(upTo: 64 * 1024)
        } catch where Task.isCancelled {
            throw CancellationError()
        } catch {
            throw Refused(code: nil, reason: "injoignable : \(String(describing: error).prefix(200))")
        }
        guard (200..<300).contains(code) else { throw Refused(code: code, reason: "réponse HTTP \(code)") }
        return code
    }

    // MARK: Subscriptions

    struct SubscriptionInput: Content {
        let url: String
        let events: [String]
        var readsMessages: Bool? = nil
    }

    /// An http(s) URL of another server: never this one (a loop), never a scheme a receiver cannot be.
    static func checkURL(_ text: String, serverHosts: [String]) -> FieldError? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count <= 500, let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else {
            return FieldError(field: "url", reason: "adresse http:// ou https:// complète attendue")
        }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let target = "\(host.lowercased()):\(port)"
        if serverHosts.contains(target) { return FieldError(field: "url", reason: "cette adresse est celle de Permanence même : indiquez celle du logiciel qui reçoit") }
        return nil
    }

    /// Where this server answers: the request's host, and its own port on every loopback name.
    static func serverHosts(_ req: Request) -> [String] {
        var hosts: [String] = []
        if let host = req.headers.first(name: .host)?.lowercased() { hosts.append(host.contains(":") ? host : host + ":80") }
        let port = req.application.http.server.configuration.port
        for name in ["localhost", "127.0.0.1", "[::1]", "::1", "0.0.0.0"] { hosts.append("\(name):\(port)") }
        return hosts
    }

    /// A new subscription and its signing secret (returned once).
    static func subscribe(_ input: SubscriptionInput, practice: AuthorizedPractice?, serverHosts: [String], app: Application,
                          context: WriteContext, now: Date) async throws -> (WebhookSubscriptionRecord, String) {
        var errors: [FieldError] = []
        if let problem = checkURL(input.url, serverHosts: serverHosts) { errors.append(problem) }
        let events = input.events.compactMap(WebhookEvent.init(rawValue:)).filter { $0 != .test }
        if events.isEmpty || events.count != input.events.count {
            errors.append(FieldError(field: "events", reason: "un évènement au moins, parmi : " + WebhookEvent.subscribable.map(\.rawValue).joined(separator: ", ")))
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        let secret = SecretToken.generate(prefix: webhookSecretPrefix)
        let subscription = WebhookSubscriptionRecord()
        subscription.id = UUID()
        subscription.$practice.id = practice?.id
        subscription.url = input.url.trimmingCharacters(in: .whitespaces)
        subscription.eventsText = WebhookEvent.subscribable.filter(events.contains).map(\.rawValue).joined(separator: ",")
        subscription.sealedSecret = try app.secretBox.seal(Data(secret.utf8))
        subscription.readsMessages = input.readsMessages ?? false
        subscription.createdByLabel = context.actor.name
        subscription.createdAt = now
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await subscription.create(on: tx)
            try await journal.record(.create, entity: "webhook_subscription", entityID: subscription.id!.uuidString, practiceID: practice?.id,
                                     after: subscription.journalState)
        }
        return (subscription, secret)
    }

    static let webhookSecretPrefix = "whsec_"

    static func subscriptions(of practice: AuthorizedPractice?, on db: any Database) async throws -> [WebhookSubscriptionRecord] {
        let query = WebhookSubscriptionRecord.query(on: db)
        if let practice { query.filter(\.$practice.$id == practice.id) } else { query.filter(\.$practice.$id == nil) }
        return try await query.sort(\.$createdAt, .descending).all()
    }

    static func subscription(_ id: UUID?, of practice: AuthorizedPractice?, on db: any Database) async throws -> WebhookSubscriptionRecord {
        guard let id, let record = try await WebhookSubscriptionRecord.find(id, on: db), record.$practice.id == practice?.id else {
            throw AppError.notFound(what: "Abonnement")
        }
        return record
    }

    /// A new secret (returned once); the deliveries still queued are signed with it.
    static func rotateSecret(of subscription: WebhookSubscriptionRecord, app: Application, context: WriteContext, now: Date) async throws -> String {
        let secret = SecretToken.generate(prefix: webhookSecretPrefix)
        subscription.sealedSecret = try app.secretBox.seal(Data(secret.utf8))
        subscription.secretRotatedAt = now
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await subscription.update(on: tx)
            try await journal.record(.update, entity: "webhook_subscription", entityID: subscription.id!.uuidString, practiceID: subscription.$practice.id,
                                     after: subscription.journalState.merging(["secret": "renouvelé"]) { $1 })
        }
        return secret
    }

    static func disable(_ subscription: WebhookSubscriptionRecord, context: WriteContext, now: Date) async throws {
        guard subscription.disabledAt == nil else { return }
        let before = subscription.journalState
        subscription.disabledAt = now
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await subscription.update(on: tx)
            // What was still to leave does not: marked failed, with why.
            try await OutboxMessageRecord.query(on: tx).filter(\.$webhookSubscriptionID == subscription.id).filter(\.$state == "pending")
                .set(\.$state, to: "failed").set(\.$lastError, to: "abonnement désactivé").update()
            try await journal.record(.update, entity: "webhook_subscription", entityID: subscription.id!.uuidString, practiceID: subscription.$practice.id,
                                     before: before, after: subscription.journalState)
        }
    }

    /// "Send a test": a `test` delivery queued and tried at once; the message as it then stands. A center's test names
    /// no practice (its outbox row, which must have one, is filed under the first practice; the log reads it by subscription).
    static func sendTest(_ subscription: WebhookSubscriptionRecord, practice: UUID?, app: Application, context: WriteContext, now: Date) async throws -> OutboxMessageRecord {
        var filed = practice
        if filed == nil { filed = try await PracticeRecord.query(on: context.database).sort(\.$createdAt).first()?.id }
        guard let filed else {
            throw AppError.conflict("Aucun cabinet n'est encore enregistré : rien à envoyer.")
        }
        let message = delivery(to: subscription, practice: filed, event: .test, at: now)
        struct Test: Encodable { let id: String; let event: String; let occurredAt: String; let practiceId: String?; let subscriptionId: String }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        message.body = String(decoding: try encoder.encode(Test(id: message.id!.uuidString, event: WebhookEvent.test.rawValue,
                                                               occurredAt: ISOTimestamp.string(now, in: FrenchFormat.parisTimeZone), practiceId: practice?.uuidString,
                                                               subscriptionId: subscription.id!.uuidString)), as: UTF8.self)
        try await context.writer.unjournaled(on: context.database) { db in try await message.create(on: db) }
        try await Outbox.attempt(message, app: app, now: now)
        return message
    }

    /// The subscription's deliveries, newest first.
    static func log(of subscription: WebhookSubscriptionRecord, limit: Int = 100, on db: any Database) async throws -> [OutboxMessageRecord] {
        try await OutboxMessageRecord.query(on: db).filter(\.$webhookSubscriptionID == subscription.id).sort(\.$createdAt, .descending).limit(limit).all()
    }
}

extension WebhookSubscriptionRecord {
    var journalState: [String: String] {
        ["url": url, "events": eventsText, "readsMessages": String(readsMessages), "disabled": String(disabledAt != nil)]
    }
}
