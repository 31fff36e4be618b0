import Domain
import Fluent
import Foundation
import Vapor

/// The practice's page "Connexions" (its practitioners, supervisors and administrators): its software's tokens with
/// their scope and expiry, its webhook subscriptions with their deliveries; and the practitioner's page "Mon agenda dans
/// mon téléphone" with her calendar feed.
struct ConnectionsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.connections, use: page)
        routes.post(.connectionTokens, use: issueToken)
        routes.post(.connectionTokenRevoke, use: revokeToken)
        routes.post(.webhooks, use: subscribe)
        routes.get(.centerWebhooks, use: centerPage)
        routes.post(.centerWebhooks, use: subscribe)
        for (pagePath, testPath, secretPath, disablePath) in [(SitePath.webhook, SitePath.webhookTest, SitePath.webhookSecret, SitePath.webhookDisable),
                                                              (.centerWebhook, .centerWebhookTest, .centerWebhookSecret, .centerWebhookDisable)] {
            routes.get(pagePath, use: webhookPage)
            routes.post(testPath, use: sendTest)
            routes.post(secretPath, use: rotateSecret)
            routes.post(disablePath, use: disable)
        }
        routes.get(.calendarFeed, use: feedPage)
        routes.post(.calendarFeed, use: setFeed)
        routes.post(.calendarFeedRevoke, use: revokeFeed)
    }

    private static func practice(_ req: Request) async throws -> AuthorizedPractice {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.manageConnections)
        // A practitioner manages the connections of her own practices only (assigned: `authorize` checked it).
        return practice
    }

    /// Whose webhooks a route names: a practice's (`/cabinets/ID/connexions/…`), or the center's (`/admin/centre/…`,
    /// administrators: they are told of every practice's events).
    enum Owner {
        case practice(AuthorizedPractice)
        case center

        var practice: AuthorizedPractice? { if case .practice(let practice) = self { practice } else { nil } }

        func link(_ subscription: UUID, _ page: WebhookPage.Action? = nil) -> String {
            switch (self, page) {
            case (.practice(let p), nil): SitePath.webhook.link(p.id, subscription)
            case (.practice(let p), .test): SitePath.webhookTest.link(p.id, subscription)
            case (.practice(let p), .secret): SitePath.webhookSecret.link(p.id, subscription)
            case (.practice(let p), .disable): SitePath.webhookDisable.link(p.id, subscription)
            case (.center, nil): SitePath.centerWebhook.link(subscription)
            case (.center, .test): SitePath.centerWebhookTest.link(subscription)
            case (.center, .secret): SitePath.centerWebhookSecret.link(subscription)
            case (.center, .disable): SitePath.centerWebhookDisable.link(subscription)
            }
        }

        var subscribeLink: String {
            if case .practice(let p) = self { return SitePath.webhooks.link(p.id) }
            return SitePath.centerWebhooks.link()
        }
    }

    private static func owner(_ req: Request) async throws -> Owner {
        if req.parameters.get("practiceID") != nil { return .practice(try await practice(req)) }
        _ = try req.require(.configureCenter)
        return .center
    }

    // MARK: The practice's page

    struct TokenRow: Encodable {
        let id: UUID
        let label: String
        let scope: String
        let created: String
        let expires: String
        let state: String
        let live: Bool
    }

    struct EventChoice: Encodable { let value: String; let label: String; let checked: Bool }

    struct SubscriptionRow: Encodable {
        let id: UUID
        let link: String
        let url: String
        let events: String
        let readsMessages: Bool
        let created: String
        let live: Bool
        let last: String
    }

    struct Page: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let fhirBase: String
        let tokens: [TokenRow]
        let subscriptions: [SubscriptionRow]
        let events: [EventChoice]
        let subscribeLink: String
        /// A secret shown once, just after it was made.
        let newSecret: String?
        let newSecretLabel: String?
        let tokenErrors: [FormFault]
        let webhookErrors: [FormFault]
        let form: [String: String]
        let notice: String?
    }

    struct TokenForm: Content {
        let label: String?
        let scope: String?
        let messages: String?
        let days: String?
    }

    struct WebhookForm: Content {
        let url: String?
        let events: [String]?
        let messages: String?
    }

    @Sendable func page(req: Request) async throws -> View {
        try await render(req, practice: try await Self.practice(req))
    }

    private func render(_ req: Request, practice: AuthorizedPractice, secret: (label: String, value: String)? = nil, tokenErrors: [FormFault] = [],
                        webhookErrors: [FormFault] = [], form: [String: String] = [:], chosen: [String] = [], notice: String? = nil) async throws -> View {
        let principal = try req.requirePrincipal()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let now = req.application.clock.now()
        let tokens = try await ConnectionStore.tokens(of: practice, on: req.db).map { token in
            let live = token.revokedAt == nil && token.expiresAt > now
            return TokenRow(id: token.id!, label: token.label, scope: token.scopeLabel, created: "\(FrenchFormat.shortDate(token.createdAt)) par \(token.createdByLabel)",
                            expires: FrenchFormat.longDate(token.expiresAt),
                            state: token.revokedAt.map { "révoqué le \(FrenchFormat.shortDate($0))" } ?? (live ? "actif" : "expiré"), live: live)
        }
        let owner = Owner.practice(practice)
        return try await req.view.render("connections/practice", Page(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name, fhirBase: FHIRAPI.base(req),
            tokens: tokens, subscriptions: try await Self.rows(owner, on: req.db), events: Self.choices(chosen), subscribeLink: owner.subscribeLink,
            newSecret: secret?.value, newSecretLabel: secret?.label, tokenErrors: tokenErrors, webhookErrors: webhookErrors, form: form, notice: notice))
    }

    private static func rows(_ owner: Owner, on db: any Database) async throws -> [SubscriptionRow] {
        var rows: [SubscriptionRow] = []
        for subscription in try await Webhooks.subscriptions(of: owner.practice, on: db) {
            let last = try await Webhooks.log(of: subscription, limit: 1, on: db).first
            rows.append(SubscriptionRow(id: subscription.id!, link: owner.link(subscription.id!), url: subscription.url,
                                        events: subscription.events.map(\.label).joined(separator: ", "), readsMessages: subscription.readsMessages,
                                        created: "\(FrenchFormat.shortDate(subscription.createdAt)) par \(subscription.createdByLabel)",
                                        live: subscription.disabledAt == nil, last: last.map(Self.deliveryLine) ?? "aucun envoi"))
        }
        return rows
    }

    /// The events offered, those chosen checked (the appointments' by default).
    private static func choices(_ chosen: [String]) -> [EventChoice] {
        let picked = chosen.isEmpty ? [WebhookEvent.appointmentBooked.rawValue, WebhookEvent.appointmentMoved.rawValue, WebhookEvent.appointmentCancelled.rawValue] : chosen
        return WebhookEvent.subscribable.map { EventChoice(value: $0.rawValue, label: $0.label, checked: picked.contains($0.rawValue)) }
    }

    // MARK: The center's webhooks

    struct CenterPage: Encodable {
        let layout: PracticesController.Layout
        let subscriptions: [SubscriptionRow]
        let events: [EventChoice]
        let subscribeLink: String
        let newSecret: String?
        let newSecretLabel: String?
        let webhookErrors: [FormFault]
        let form: [String: String]
        let notice: String?
    }

    @Sendable func centerPage(req: Request) async throws -> View {
        _ = try req.require(.configureCenter)
        return try await renderCenter(req)
    }

    private func renderCenter(_ req: Request, secret: (label: String, value: String)? = nil, webhookErrors: [FormFault] = [], form: [String: String] = [:],
                              chosen: [String] = [], notice: String? = nil) async throws -> View {
        try await req.view.render("connections/center", CenterPage(
            layout: .init(try req.requirePrincipal()), subscriptions: try await Self.rows(.center, on: req.db), events: Self.choices(chosen),
            subscribeLink: Owner.center.subscribeLink, newSecret: secret?.value, newSecretLabel: secret?.label, webhookErrors: webhookErrors,
            form: form, notice: notice))
    }

    /// "12/12 14:30 · Rendez-vous pris · 200 · envoyé", as the log says each delivery.
    static func deliveryLine(_ message: OutboxMessageRecord) -> String {
        let event = WebhookEvent(rawValue: message.event ?? message.subject)?.label ?? message.subject
        let code = message.responseCode.map { "réponse \($0)" } ?? (message.attempts == 0 ? "pas encore essayé" : "aucune réponse")
        let state = switch message.state {
        case "sent": "reçu"
        case "failed": "abandonné après \(message.attempts) essai(s)"
        default: message.attempts == 0 ? "en file d'attente" : "nouvel essai à \(FrenchFormat.time(message.nextAttemptAt))"
        }
        return "\(FrenchFormat.shortDate(message.createdAt)) \(FrenchFormat.time(message.createdAt)) · \(event) · \(code) · \(state)"
    }

    @Sendable func issueToken(req: Request) async throws -> Response {
        let practice = try await Self.practice(req)
        let form = try req.content.decode(TokenForm.self)
        let days = form.days.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let shown = ["label": form.label ?? "", "scope": form.scope ?? "read", "days": form.days ?? "365", "messages": form.messages ?? ""]
        do {
            if form.days != nil && days == nil { throw AppError.invalid("days", "nombre de jours attendu") }
            let (token, secret) = try await ConnectionStore.issueToken(
                ConnectionStore.TokenInput(label: form.label ?? "", scope: form.scope ?? "", readsMessages: form.messages == "1", days: days),
                for: practice, context: try req.writeContext(), now: req.application.clock.now())
            let view = try await render(req, practice: practice, secret: ("Jeton de « \(token.label) »", secret),
                                        notice: "Jeton créé. Copiez-le maintenant : il ne sera plus affiché.")
            return try await view.encodeResponse(status: .created, for: req)
        } catch let error as AppError {
            guard let faults = FormRefusal.faults(error) else { throw error }
            return try await FormRefusal.redisplay(req, status: error.status, render(req, practice: practice, tokenErrors: faults, form: shown))
        }
    }

    @Sendable func revokeToken(req: Request) async throws -> Response {
        let practice = try await Self.practice(req)
        try await ConnectionStore.revokeToken(req.parameters.get("tokenID").flatMap { UUID(fastString: $0) }, of: practice, context: try req.writeContext(),
                                              app: req.application, now: req.application.clock.now())
        return req.redirect(to: SitePath.connections.link(practice.id, query: "revoque=1"))
    }

    @Sendable func subscribe(req: Request) async throws -> Response {
        let owner = try await Self.owner(req)
        let form = try req.content.decode(WebhookForm.self)
        func page(secret: (label: String, value: String)? = nil, errors: [FormFault] = [], notice: String? = nil) async throws -> View {
            let shown = ["url": form.url ?? "", "messages": form.messages ?? ""]
            guard let practice = owner.practice else {
                return try await renderCenter(req, secret: secret, webhookErrors: errors, form: secret == nil ? shown : [:], chosen: form.events ?? [], notice: notice)
            }
            return try await render(req, practice: practice, secret: secret, webhookErrors: errors, form: secret == nil ? shown : [:], chosen: form.events ?? [],
                                    notice: notice)
        }
        do {
            let (subscription, secret) = try await Webhooks.subscribe(
                Webhooks.SubscriptionInput(url: form.url ?? "", events: form.events ?? [], readsMessages: form.messages == "1"),
                practice: owner.practice, serverHosts: Webhooks.serverHosts(req), app: req.application, context: try req.writeContext(),
                now: req.application.clock.now())
            return try await page(secret: ("Secret de signature de \(subscription.url)", secret),
                                  notice: "Abonnement créé. Copiez le secret de signature maintenant : il ne sera plus affiché.")
                .encodeResponse(status: .created, for: req)
        } catch let error as AppError {
            guard let faults = FormRefusal.faults(error) else { throw error }
            return try await FormRefusal.redisplay(req, status: error.status, page(errors: faults))
        }
    }

    // MARK: A subscription's page

    struct DeliveryRow: Encodable {
        let line: String
        let error: String?
    }

    struct WebhookPage: Encodable {
        enum Action { case test, secret, disable }
        let layout: PracticesController.Layout
        /// The practice's name, or nil for the center's subscription.
        let practiceID: UUID?
        let practiceName: String?
        let url: String
        let events: String
        let readsMessages: Bool
        let live: Bool
        let rotated: String?
        let deliveries: [DeliveryRow]
        let testLink: String
        let secretLink: String
        let disableLink: String
        let newSecret: String?
        let notice: String?
    }

    private static func subscription(_ req: Request, _ owner: Owner) async throws -> WebhookSubscriptionRecord {
        try await Webhooks.subscription(req.parameters.get("subscriptionID").flatMap { UUID(fastString: $0) }, of: owner.practice, on: req.db)
    }

    @Sendable func webhookPage(req: Request) async throws -> View {
        let owner = try await Self.owner(req)
        let subscription = try await Self.subscription(req, owner)
        let notice: String? = switch req.query[String.self, at: "ok"] {
        case "essai": "Essai envoyé : sa réponse est en tête du journal."
        case "desactive": "Abonnement désactivé : plus rien ne part vers cette adresse."
        default: nil
        }
        return try await renderWebhook(req, owner: owner, subscription: subscription, notice: notice)
    }

    private func renderWebhook(_ req: Request, owner: Owner, subscription: WebhookSubscriptionRecord, secret: String? = nil, notice: String?) async throws -> View {
        var name: String?
        if let practice = owner.practice { name = try await PracticeStore.practice(practice, on: req.db).name }
        let deliveries = try await Webhooks.log(of: subscription, on: req.db).map {
            DeliveryRow(line: Self.deliveryLine($0), error: $0.state == "sent" ? nil : $0.lastError)
        }
        let id = subscription.id!
        return try await req.view.render("connections/webhook", WebhookPage(
            layout: .init(try req.requirePrincipal()), practiceID: owner.practice?.id, practiceName: name, url: subscription.url,
            events: subscription.events.map(\.label).joined(separator: ", "), readsMessages: subscription.readsMessages, live: subscription.disabledAt == nil,
            rotated: subscription.secretRotatedAt.map { "\(FrenchFormat.shortDate($0)) \(FrenchFormat.time($0))" }, deliveries: deliveries,
            testLink: owner.link(id, .test), secretLink: owner.link(id, .secret), disableLink: owner.link(id, .disable), newSecret: secret, notice: notice))
    }

    @Sendable func sendTest(req: Request) async throws -> Response {
        let owner = try await Self.owner(req)
        let subscription = try await Self.subscription(req, owner)
        guard subscription.disabledAt == nil else { throw AppError.conflict("Cet abonnement est désactivé.") }
        _ = try await Webhooks.sendTest(subscription, practice: owner.practice?.id, app: req.application, context: try req.writeContext(),
                                        now: req.application.clock.now())
        return req.redirect(to: NextPage.adding("ok", "essai", to: owner.link(subscription.id!)))
    }

    @Sendable func rotateSecret(req: Request) async throws -> View {
        let owner = try await Self.owner(req)
        let subscription = try await Self.subscription(req, owner)
        let secret = try await Webhooks.rotateSecret(of: subscription, app: req.application, context: try req.writeContext(), now: req.application.clock.now())
        return try await renderWebhook(req, owner: owner, subscription: subscription, secret: secret,
                                       notice: "Nouveau secret de signature : copiez-le maintenant, l'ancien ne signe plus rien.")
    }

    @Sendable func disable(req: Request) async throws -> Response {
        let owner = try await Self.owner(req)
        let subscription = try await Self.subscription(req, owner)
        try await Webhooks.disable(subscription, context: try req.writeContext(), now: req.application.clock.now())
        return req.redirect(to: NextPage.adding("ok", "desactive", to: owner.link(subscription.id!)))
    }

    // MARK: The practitioner's feed

    struct FeedPage: Encodable {
        let layout: PracticesController.Layout
        let practitionerName: String
        let url: String?
        let qr: String?
        let showsPatientName: Bool
        let showsMotif: Bool
        let notice: String?
    }

    private static func practitioner(_ req: Request) async throws -> PractitionerRecord {
        let principal = try req.requirePrincipal()
        guard principal.role == .practitioner, let id = principal.practitionerID, let record = try await PractitionerRecord.find(id, on: req.db) else {
            throw AppError.forbiddenBecause("Cette page est celle d'un praticien : son agenda dans son téléphone.")
        }
        return record
    }

    @Sendable func feedPage(req: Request) async throws -> View {
        let practitioner = try await Self.practitioner(req)
        let feed = try await ConnectionStore.feed(of: practitioner.id!, on: req.db)
        let notice: String? = switch req.query[String.self, at: "ok"] {
        case "nouveau": "Nouvelle adresse créée : l'ancienne ne répond plus. Abonnez votre téléphone à celle-ci."
        case "choix": "Choix enregistrés : votre téléphone les verra à sa prochaine mise à jour (15 minutes environ)."
        case "revoque": "Adresse supprimée : plus aucun téléphone ne reçoit votre agenda."
        default: nil
        }
        let url = feed.flatMap { ConnectionStore.secret(of: $0, app: req.application) }.map { Self.feedURL(req, secret: $0) }
        return try await req.view.render("connections/feed", FeedPage(
            layout: .init(try req.requirePrincipal()), practitionerName: practitioner.displayName, url: url,
            qr: url.flatMap { QRCode.svg($0, label: "Adresse de l'agenda à scanner avec le téléphone") },
            showsPatientName: feed?.showsPatientName ?? false, showsMotif: feed?.showsMotif ?? true, notice: notice))
    }

    /// `webcal://` opens the phone's calendar directly; the same address in `https://` for the applications that ask it.
    static func feedURL(_ req: Request, secret: String) -> String {
        FHIRAPI.base(req).dropLast("/fhir".count) + "/ical/\(secret).ics"
    }

    struct FeedForm: Content {
        let nom: String?
        let motif: String?
        let renouveler: String?
    }

    @Sendable func setFeed(req: Request) async throws -> Response {
        let practitioner = try await Self.practitioner(req)
        let form = try req.content.decode(FeedForm.self)
        let existing = try await ConnectionStore.feed(of: practitioner.id!, on: req.db)
        let renew = existing == nil || form.renouveler == "1"
        try await ConnectionStore.setFeed(of: practitioner, renew: renew, showsPatientName: form.nom == "1", showsMotif: form.motif == "1",
                                          app: req.application, context: try req.writeContext(), now: req.application.clock.now())
        return req.redirect(to: SitePath.calendarFeed.link(query: renew ? "ok=nouveau" : "ok=choix"))
    }

    @Sendable func revokeFeed(req: Request) async throws -> Response {
        let practitioner = try await Self.practitioner(req)
        try await ConnectionStore.revokeFeed(of: practitioner.id!, context: try req.writeContext(), now: req.application.clock.now())
        return req.redirect(to: SitePath.calendarFeed.link(query: "ok=revoque"))
    }
}
