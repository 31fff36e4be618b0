import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// A message as it leaves: what a provider needs, nothing else.
struct OutboundMessage: Sendable, Equatable {
    let channel: String
    let recipient: String
    let subject: String
    let body: String
    /// What the provider may quote back (the outbox row's id): an SMS gateway's receipts name it.
    var reference: String = ""
}

/// Somewhere messages leave through: the log, an SMTP server, an SMS gateway.
protocol DeliveryProvider: Sendable {
    var name: String { get }
    /// Hands the message over; returns the provider's reference for it when it gives one (what its receipts name).
    func deliver(_ message: OutboundMessage) async throws -> String?
}

/// A refusal that another try would meet again (a recipient refused, a gateway's 4xx): the message fails at once.
protocol PermanentDeliveryFailure: Error {
    var permanent: Bool { get }
}

/// Writes each message to the server's log: the default, and what a center without a relay reads.
struct LogDeliveryProvider: DeliveryProvider {
    let logger: Logger
    var name: String { "log" }

    func deliver(_ message: OutboundMessage) async throws -> String? {
        logger.notice("Avis \(message.channel) à \(message.recipient) : \(message.subject)", metadata: ["body": .string(message.body)])
        return nil
    }
}

/// The outbox: notices are written in the transaction that decided them and delivered afterwards, with retries.
enum Outbox {
    /// Patients' messages handed over per second at most, taken ten at a time.
    static let patientMessagesPerSecond = 20
    static let patientBatch = 10

    /// Retries after 1, 5, 15 and 60 minutes; given up after the fifth failure.
    static let retryDelays: [TimeInterval] = [60, 300, 900, 3600]

    /// A notice to the practitioner's notice e-mail and to every active account of theirs: never a word of the patient.
    /// Returns how many were queued: none when the practitioner has neither, which the ladder says and acts on.
    @discardableResult
    static func enqueueNotice(for practitioner: UUID, transmission: TransmissionRecord, practiceName: String, now: Date, on tx: any Database) async throws -> Int {
        let notice = EscalationNotice(practiceName: practiceName, reference: transmission.reference)
        let recipients = try await Self.recipients(of: [practitioner], on: tx)[practitioner] ?? []
        for recipient in recipients {
            let message = OutboxMessageRecord()
            message.id = UUID()
            message.$practice.id = transmission.$practice.id
            message.transmissionID = transmission.id
            message.practitionerID = practitioner
            message.channel = "email"
            message.recipient = recipient
            message.subject = notice.subject
            message.body = notice.body
            message.state = "pending"
            message.attempts = 0
            message.nextAttemptAt = now
            message.createdAt = now
            try await message.create(on: tx)
        }
        return recipients.count
    }

    /// Where each practitioner's notices go: their notice e-mail and the e-mail of each active account of theirs, once
    /// each. A practitioner missing from the answer cannot be notified.
    static func recipients(of practitioners: [UUID], on db: any Database) async throws -> [UUID: [String]] {
        guard !practitioners.isEmpty else { return [:] }
        var found: [UUID: [String]] = [:]
        func add(_ address: String, for practitioner: UUID) {
            if !(found[practitioner] ?? []).contains(where: { $0.lowercased() == address.lowercased() }) { found[practitioner, default: []].append(address) }
        }
        for record in try await PractitionerRecord.query(on: db).filter(\.$id ~~ practitioners).all() {
            if let address = record.noticeEmail { add(address, for: record.id!) }
        }
        for user in try await UserRecord.query(on: db).filter(\.$practitionerID ~~ practitioners).filter(\.$disabled == false).all() {
            if let practitioner = user.practitionerID { add(user.email, for: practitioner) }
        }
        return found
    }

    /// How a message stands, as the trace says it: queued, sent (the provider accepted it), or failed.
    static func stateLabel(_ message: OutboxMessageRecord) -> String {
        switch message.state {
        case "sent": "envoyé \(message.sentAt.map { sent in LocalDate(sent, in: FrenchFormat.parisTimeZone) == LocalDate(message.createdAt, in: FrenchFormat.parisTimeZone) ? "à \(FrenchFormat.time(sent))" : "le \(FrenchFormat.shortDate(sent)) à \(FrenchFormat.time(sent))" } ?? "à —") (accepté par \(message.provider == "log" ? "le journal du serveur, aucun \(message.channel == "sms" ? "SMS" : "e-mail") réel" : message.provider == "sms-gateway" ? "la passerelle SMS" : "le serveur d'envoi"))"
        case "delivered": "remis au destinataire à \(message.deliveredAt.map { FrenchFormat.time($0) } ?? "—") (accusé de réception)"
        case "withdrawn": "non envoyé : \(message.lastError ?? "retiré")"
        case "failed": "échec après \(message.attempts) essai(s)\(message.lastError.map { " (\($0.prefix(160)))" } ?? "")"
        default: message.attempts == 0 ? "en file d'attente, pas encore envoyé" : "pas encore envoyé (\(message.attempts) essai(s), nouvel essai à \(FrenchFormat.time(message.nextAttemptAt)))"
        }
    }

    /// Sends what is due; returns how many were handed over. The practitioners' notices first, one by one, and again
    /// between two batches of patients' messages (a day's reminders never hold back an urgent matter's notice); the
    /// patients' messages two at a time, 20 a second at most, for 30 seconds of a pass at most; then the webhooks,
    /// eight receivers at a time.
    @discardableResult
    static func deliver(app: Application, now: Date) async throws -> Int {
        enum Kind { case notices, patients, webhooks }
        func due(_ kind: Kind, limit: Int) async throws -> [OutboxMessageRecord] {
            let query = OutboxMessageRecord.query(on: app.db).filter(\.$state == "pending").filter(\.$nextAttemptAt <= now)
            switch kind {
            case .notices: query.filter(\.$channel != Webhooks.channel).filter(\.$kind == nil)
            case .patients: query.filter(\.$kind != nil)
            case .webhooks: query.filter(\.$channel == Webhooks.channel).filter(\.$kind == nil)
            }
            return try await query.sort(\.$nextAttemptAt).limit(limit).all()
        }
        func concurrently(_ messages: [OutboxMessageRecord], width: Int) async throws -> Int {
            var delivered = 0
            for batch in messages.chunked(by: width) {
                delivered += try await withThrowingTaskGroup(of: Bool.self) { group in
                    for message in batch { group.addTask { try await attempt(message, app: app, now: now) } }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
            }
            return delivered
        }
        var delivered = 0
        let started = ContinuousClock.now
        repeat {
            for message in try await due(.notices, limit: 50) where try await attempt(message, app: app, now: now) { delivered += 1 }
            try Task.checkCancellation()
            let patients = try await due(.patients, limit: patientBatch)
            if patients.isEmpty { break }
            let began = ContinuousClock.now
            delivered += try await concurrently(patients, width: 2)
            try Task.checkCancellation()
            // At most `patientMessagesPerSecond`: a burst (a day's reminders due at once after a stop) leaves at a pace
            // that keeps the consoles' requests as quick as before. A day spreads its reminders over its hours.
            if patients.count == patientBatch {
                try await Task.sleep(until: began + .milliseconds(1_000 * patientBatch / patientMessagesPerSecond), clock: .continuous)
            }
        } while ContinuousClock.now - started < .seconds(30)
        delivered += try await concurrently(try await due(.webhooks, limit: 50), width: 8)
        return delivered
    }

    /// How long a message taken by an instance is kept from the others: one taken by an instance that died while
    /// sending is due again after that (the providers give up on a silent peer well before: 10 s for HTTP, 30 s per
    /// SMTP reply).
    static let takenFor: TimeInterval = 120

    /// Takes a due message for this instance: several instances on one database pass over the same due rows, and the
    /// conditional update lets one of them only send each (its due time moved `takenFor` ahead); whether it was won.
    static func take(_ message: OutboxMessageRecord, app: Application, now: Date) async throws -> Bool {
        let id = try message.requireID()
        return try await app.writer.unjournaled(on: app.db) { db in
            try await (db as! any SQLDatabase).update(OutboxMessageRecord.schema)
                .set("next_attempt_at", to: SQLBind(app.clock.now().addingTimeInterval(takenFor)))
                .where("id", .equal, SQLBind(id)).where("state", .equal, SQLBind("pending")).where("next_attempt_at", .lessThanOrEqual, SQLBind(now))
                .returning("id").all().count == 1
        }
    }

    /// One try of one message: "sent" only once the provider (or the webhook's receiver, with a 2xx) accepted it. A
    /// patient's message whose reason went away meanwhile (consent withdrawn, appointment moved or cancelled) is
    /// withdrawn instead, and says why.
    @discardableResult
    static func attempt(_ message: OutboxMessageRecord, app: Application, now: Date) async throws -> Bool {
        guard try await take(message, app: app, now: now) else { return false }
        // Taking it moved its due time: the time it was due is written back with what becomes of it (a retry sets its
        // own), as the figures count the reminders by it.
        let due = message.nextAttemptAt
        message.nextAttemptAt = due
        if message.kind != nil, let reason = try await PatientMessages.withdrawal(of: message, now: now, on: app.db) {
            message.state = "withdrawn"
            message.lastError = reason
            try await app.writer.unjournaled(on: app.db) { db in try await message.update(on: db) }
            return false
        }
        let webhook = message.channel == Webhooks.channel
        let provider = message.channel == MessageChannel.sms.rawValue ? app.smsProvider : app.deliveryProvider
        message.attempts += 1
        message.provider = webhook ? "receiver" : provider.name
        var delivered = false
        do {
            if webhook {
                message.responseCode = try await Webhooks.deliver(message, app: app, now: now)
            } else {
                message.providerReference = try await provider.deliver(OutboundMessage(channel: message.channel, recipient: message.recipient,
                                                                                       subject: message.subject, body: message.body,
                                                                                       reference: message.id!.uuidString))
            }
            message.state = "sent"
            message.sentAt = now
            message.lastError = nil
            delivered = true
        } catch where Task.isCancelled {
            // The server stops: not a failed try. The row is given back, due as it was, for the next pass or instance.
            try? await app.writer.unjournaled(on: app.db) { db in
                try await (db as! any SQLDatabase).update(OutboxMessageRecord.schema).set("next_attempt_at", to: SQLBind(due))
                    .where("id", .equal, SQLBind(message.id!)).run()
            }
            return false
        } catch {
            if let refused = error as? Webhooks.Refused { message.responseCode = refused.code }
            message.lastError = String(describing: error).prefix(500).description
            app.metrics.count("permanence_outbox_delivery_failures_total", [("channel", message.channel)])
            // A patient's message refused for good fails at once (a secretary calls instead); a practitioner's notice is
            // tried again all the same (a relay's refusal is often its setting, corrected meanwhile).
            let permanent = (error as? any PermanentDeliveryFailure)?.permanent == true && message.kind != nil
            // An SMS tried again waits for the end of the quiet hours, and not past its appointment.
            let retry = message.attempts > retryDelays.count || permanent ? nil
                : PatientMessages.retryTime(of: message, planned: now.addingTimeInterval(retryDelays[message.attempts - 1]), now: now, zone: FrenchFormat.parisTimeZone)
            if let retry {
                message.nextAttemptAt = retry
            } else {
                message.state = "failed"
                app.logger.error("Envoi abandonné après \(message.attempts) essai(s)", metadata: ["outbox": .string(message.id!.uuidString)])
            }
        }
        try await app.writer.unjournaled(on: app.db) { db in try await message.update(on: db) }
        if message.state == "failed" { try await PatientMessages.planCallback(for: message, app: app, now: now) }
        return delivered
    }
}

extension Application {
    private struct DeliveryProviderKey: StorageKey { typealias Value = any DeliveryProvider }

    /// SMTP when `SMTP_URL` is set, the log otherwise.
    var deliveryProvider: any DeliveryProvider {
        get {
            if let provider = storage[DeliveryProviderKey.self] { return provider }
            if let smtp = settings.smtp { return SMTPDeliveryProvider(settings: smtp, eventLoopGroup: eventLoopGroup) }
            return LogDeliveryProvider(logger: logger)
        }
        set { storage[DeliveryProviderKey.self] = newValue }
    }

    private struct SMSProviderKey: StorageKey { typealias Value = any DeliveryProvider }

    /// The SMS gateway when `SMS_GATEWAY_URL` is set, the log otherwise.
    var smsProvider: any DeliveryProvider {
        get {
            if let provider = storage[SMSProviderKey.self] { return provider }
            if let gateway = settings.messaging.smsGateway { return SMSGatewayProvider(gateway: gateway, client: http.client.shared) }
            return LogDeliveryProvider(logger: logger)
        }
        set { storage[SMSProviderKey.self] = newValue }
    }
}
