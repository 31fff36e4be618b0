import Domain
import Fluent
import Foundation
import Vapor

/// A message as it leaves: what a provider needs, nothing else.
struct OutboundMessage: Sendable, Equatable {
    let channel: String
    let recipient: String
    let subject: String
    let body: String
}

/// Somewhere messages leave through: the log, an SMTP relay, later an SMS gateway.
protocol DeliveryProvider: Sendable {
    var name: String { get }
    func deliver(_ message: OutboundMessage) async throws
}

/// Writes each message to the server's log: the default, and what a center without a relay reads.
struct LogDeliveryProvider: DeliveryProvider {
    let logger: Logger
    var name: String { "log" }

    func deliver(_ message: OutboundMessage) async throws {
        logger.notice("Avis \(message.channel) à \(message.recipient) : \(message.subject)", metadata: ["body": .string(message.body)])
    }
}

/// The outbox: notices are written in the transaction that decided them and delivered afterwards, with retries.
enum Outbox {
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
        case "sent": "envoyé à \(message.sentAt.map { FrenchFormat.time($0) } ?? "—") (accepté par \(message.provider == "log" ? "le journal du serveur, aucun e-mail réel" : "le serveur d'envoi"))"
        case "failed": "échec après \(message.attempts) essais\(message.lastError.map { " (\($0.prefix(120)))" } ?? "")"
        default: message.attempts == 0 ? "en file d'attente, pas encore envoyé" : "pas encore envoyé (\(message.attempts) essai(s), nouvel essai à \(FrenchFormat.time(message.nextAttemptAt)))"
        }
    }

    /// Sends what is due through the application's provider (webhooks to their receivers); returns how many were delivered.
    @discardableResult
    static func deliver(app: Application, now: Date) async throws -> Int {
        func due(webhooks: Bool) async throws -> [OutboxMessageRecord] {
            let query = OutboxMessageRecord.query(on: app.db).filter(\.$state == "pending").filter(\.$nextAttemptAt <= now)
            if webhooks { query.filter(\.$channel == Webhooks.channel) } else { query.filter(\.$channel != Webhooks.channel) }
            return try await query.sort(\.$nextAttemptAt).limit(50).all()
        }
        // The practitioners' notices first, one by one: a slow webhook receiver never holds back an urgent matter's notice.
        var delivered = 0
        for message in try await due(webhooks: false) where try await attempt(message, app: app, now: now) { delivered += 1 }
        // Then the webhooks, eight receivers at a time (each has 10 seconds to answer).
        for batch in try await due(webhooks: true).chunked(by: 8) {
            delivered += try await withThrowingTaskGroup(of: Bool.self) { group in
                for message in batch { group.addTask { try await attempt(message, app: app, now: now) } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
        }
        return delivered
    }

    /// One try of one message: "sent" only once the provider (or the webhook's receiver, with a 2xx) accepted it.
    @discardableResult
    static func attempt(_ message: OutboxMessageRecord, app: Application, now: Date) async throws -> Bool {
        let provider = app.deliveryProvider
        message.attempts += 1
        let webhook = message.channel == Webhooks.channel
        message.provider = webhook ? "receiver" : provider.name
        var delivered = false
        do {
            if webhook {
                message.responseCode = try await Webhooks.deliver(message, app: app, now: now)
            } else {
                try await provider.deliver(OutboundMessage(channel: message.channel, recipient: message.recipient, subject: message.subject, body: message.body))
            }
            message.state = "sent"
            message.sentAt = now
            message.lastError = nil
            delivered = true
        } catch where Task.isCancelled {
            // The server stops: not a failed try. The row stays queued and due, for the next pass or instance.
            return false
        } catch {
            if let refused = error as? Webhooks.Refused { message.responseCode = refused.code }
            message.lastError = String(describing: error).prefix(500).description
            app.metrics.count("permanence_outbox_delivery_failures_total", [("channel", message.channel)])
            if message.attempts > retryDelays.count {
                message.state = "failed"
                app.logger.error("Envoi abandonné après \(message.attempts) essais", metadata: ["outbox": .string(message.id!.uuidString)])
            } else {
                message.nextAttemptAt = now.addingTimeInterval(retryDelays[message.attempts - 1])
            }
        }
        try await app.writer.unjournaled(on: app.db) { db in try await message.update(on: db) }
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
}
