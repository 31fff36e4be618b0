import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import LeafKit
import Vapor

/// Wires the application from checked settings: database, views, middleware, routes and commands.
public func configure(_ app: Application, environment: [String: String]) async throws {
    try await configure(app, settings: AppSettings(environment: environment))
}

func configure(_ app: Application, settings: AppSettings) async throws {
    app.settings = settings
    app.makeCaches()
    app.metrics = AppMetrics()
    app.gracefulStop = GracefulStop()
    app.liveHub = LiveHub()   // given a relay by DatabaseSetup on PostgreSQL
    app.http.server.configuration.hostname = settings.host
    app.http.server.configuration.port = settings.port
    app.logger.logLevel = settings.logLevel
    let resources = ResourceLocation.locate(explicit: settings.resources, workingDirectory: DirectoryConfiguration.detect().workingDirectory,
                                            executable: ResourceLocation.currentExecutable)
    app.resourceLocation = resources
    app.directory = DirectoryConfiguration(workingDirectory: resources.root)
    if !resources.missing.isEmpty {
        app.logger.critical("resources missing in \(resources.root): \(resources.missing.joined(separator: ", ")); set PERMANENCE_RESOURCES to the folder holding Resources/ and Public/")
    }
    try DatabaseSetup.register(settings, on: app)
    if let file = settings.messaging.clockOffsetFile {
        app.logger.warning("Horloge décalée par \(file) : réglage d'essai, jamais en service.")
        app.clock = .offset(file: file)
    }

    usePageTemplates(app, reload: settings.reloadTemplates)
    app.middleware = Middlewares()
    app.middleware.use(MetricsMiddleware(metrics: app.metrics))
    app.middleware.use(RequestLogging())
    app.middleware.use(ErrorRendering())
    app.middleware.use(SecurityHeaders())

    // JSON bodies: 1 MB at most (the patient files' routes read theirs, up to 20 MB, once they know who sends them).
    app.routes.defaultMaxBodySize = "1mb"
    try routes(app)
    app.reminderWatermarks = PatientReminders.Watermarks()
    app.backgroundWorker = BackgroundWorker(interval: app.environment == .testing ? 0 : settings.workerInterval)
    app.lifecycle.use(app.backgroundWorker)
    // Last registered, first stopped.
    app.lifecycle.use(app.gracefulStop)
    await PermanenceCommands.register(on: app)
}

func routes(_ app: Application) throws {
    try app.register(collection: SystemController())
    try app.register(collection: MetricsController())
    AgendaGridStyle.boot(routes: app)
    try app.register(collection: StaticFiles(publicDirectory: app.directory.publicDirectory))

    let browser = app.grouped(SessionAuthenticator(), CSRFProtection())
    let auth = AuthController()
    try browser.register(collection: auth)
    let secondFactor = SecondFactorController()
    secondFactor.bootPublic(routes: browser)
    // A reminder's link: its token is the credential.
    try browser.register(collection: AppointmentLinks())
    let signedIn = browser.grouped(RequireSignIn())
    auth.bootSignedIn(routes: signedIn)
    try signedIn.register(collection: PracticesController())
    try signedIn.register(collection: SearchController())
    try signedIn.register(collection: PracticeSetupController())
    try signedIn.register(collection: AgendaImportController())
    try signedIn.register(collection: PractitionersController())
    try signedIn.register(collection: AgendaController())
    try signedIn.register(collection: AppointmentsController())
    try signedIn.register(collection: PatientsController())
    try signedIn.register(collection: TriageController())
    try signedIn.register(collection: PlaybookEditorController())
    try signedIn.register(collection: LiveEventsController())
    try signedIn.register(collection: CallsController())
    try signedIn.register(collection: TransmissionsController())
    try signedIn.register(collection: QueueController())
    try signedIn.register(collection: ScreenPopController())
    try signedIn.register(collection: PortalController())
    try signedIn.register(collection: ReportsController())
    try signedIn.register(collection: StatisticsController())
    try signedIn.register(collection: BoardController())
    try signedIn.register(collection: ConnectionsController())
    try signedIn.register(collection: MessagingSettingsController())
    UsersController().bootBrowser(routes: signedIn)
    AccountController().bootBrowser(routes: signedIn)
    secondFactor.bootBrowser(routes: signedIn)
    AuditController().bootBrowser(routes: signedIn)

    let api = app.grouped("api", "v1").grouped(JSONBodiesOnly(), BearerAuthenticator())
    let authAPI = AuthAPI()
    try api.register(collection: authAPI)
    // Signed by the center's secret, not by a user.
    try api.register(collection: TelephonyAPI())
    try api.register(collection: MessageReceiptsAPI())
    let apiSignedIn = api.grouped(RequireSignIn())
    authAPI.bootSignedIn(routes: apiSignedIn)
    try apiSignedIn.register(collection: PracticesAPI())
    try apiSignedIn.register(collection: AgendaAPI())
    try apiSignedIn.register(collection: AppointmentsAPI())
    try apiSignedIn.register(collection: PatientsAPI())
    try apiSignedIn.register(collection: PlaybookAPI())
    try apiSignedIn.register(collection: CallsAPI())
    try apiSignedIn.register(collection: TransmissionsAPI())
    try apiSignedIn.register(collection: QueueAPI())
    try apiSignedIn.register(collection: StatisticsAPI())
    UsersController().bootAPI(routes: apiSignedIn)
    AccountController().bootAPI(routes: apiSignedIn)
    secondFactor.bootAPI(routes: apiSignedIn)
    AuditController().bootAPI(routes: apiSignedIn)

    // FHIR R4 for the practices' software: a user's API token or a practice's connection token.
    // The practitioners' calendar feeds: the secret address is the credential.
    try app.register(collection: CalendarFeedController())
    let fhir = app.grouped("fhir").grouped(BearerAuthenticator(), ConnectionAuthenticator(), RequireSignIn())
    try fhir.register(collection: FHIRAPI())
}

/// `Public/` serves the style sheets and scripts on routes of their own, so that no other request looks at the disk:
/// Vapor's file middleware asks the file system (a thread hop and a `stat`) for every path, and reading a request's
/// path costs a URL parse each time — together more than a caller-ID lookup.
struct StaticFiles: RouteCollection {
    static let folders = ["css", "js"]
    let publicDirectory: String

    func boot(routes: any RoutesBuilder) throws {
        for folder in Self.folders {
            routes.get(.constant(folder), .catchall) { req async throws -> Response in
                let parts = req.parameters.getCatchall()
                // No way out of the folder, and no hidden file.
                guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") && !$0.contains("\\") }) else {
                    throw AppError.notFound(what: "Fichier")
                }
                let path = publicDirectory + folder + "/" + parts.joined(separator: "/")
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                    throw AppError.notFound(what: "Fichier")
                }
                let response = try await req.fileio.asyncStreamFile(at: path)
                // Kept, but checked again (its ETag) at each use: a new version shows at once.
                response.headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
                return response
            }
        }
    }
}

/// Each request in the log, as Vapor's route logging writes it, but never a calendar feed's secret address: a feed's
/// path is its only credential.
struct RequestLogging: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path.hasPrefix("/ical/") ? "/ical/…" : (request.url.path.removingPercentEncoding ?? request.url.path)
        request.logger.info("\(request.method) \(path)")
        return try await next.respond(to: request)
    }
}

/// Headers that keep a page about patients out of caches, frames and content sniffing.
struct SecurityHeaders: AsyncMiddleware {
    /// Scripts, styles and everything else from Permanence itself only: no inline script, handler or style attribute
    /// (the agenda's placements are classes: `AgendaGridStyle`), no frame around a page.
    static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: Self.contentSecurityPolicy)
        if CookieFactory.cameOverTLS(request) {
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains")
        }
        response.headers.replaceOrAdd(name: "X-Request-Id", value: request.id)
        // Pages and answers about patients are never stored; the static files say how they are kept.
        if !response.headers.contains(name: .cacheControl) {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }
}

/// Leaf's pages, each template read and parsed once and kept (unless `reload`). Leaf's own provider turns its cache off
/// in the development environment — the one `permanence serve` runs in unless told otherwise — each time the renderer
/// is asked for, that is at every page: every page read and parsed its templates again (a tenth of the cockpit's time).
func usePageTemplates(_ app: Application, reload: Bool) {
    app.leaf.cache.isEnabled = !reload
    FormFaultTags.register(app)
    app.leaf.tags["site"] = SiteTag()
    app.views.use { app in
        var userInfo = app.leaf.userInfo
        userInfo["application"] = app
        return LeafRenderer(configuration: app.leaf.configuration, tags: app.leaf.tags, cache: app.leaf.cache,
                            sources: app.leaf.sources, eventLoop: app.eventLoopGroup.next(), userInfo: userInfo)
    }
}
