@testable import App
import Fluent
import Foundation
import Leaf
import SQLKit
import Testing
import Vapor

struct ConfigurationTests {
    @Test func defaultsRunSQLiteInTheWorkingDirectoryWithDemoData() throws {
        let settings = try AppSettings(environment: [:])
        #expect(settings.database == .sqliteFile(path: "permanence.sqlite"))
        #expect(settings.host == "127.0.0.1")
        #expect(settings.port == 8080)
        #expect(settings.logLevel == .info)
        #expect(settings.seedDemoData)
    }

    @Test(arguments: [
        ("sqlite:///var/lib/permanence/centre.sqlite", DatabaseLocation.sqliteFile(path: "/var/lib/permanence/centre.sqlite")),
        ("sqlite:data.sqlite", DatabaseLocation.sqliteFile(path: "data.sqlite")),
        ("./centre.sqlite", DatabaseLocation.sqliteFile(path: "./centre.sqlite")),
        ("postgres://u:p@db.local:5432/permanence", DatabaseLocation.postgres(url: "postgres://u:p@db.local:5432/permanence")),
    ])
    func databaseURLForms(raw: String, expected: DatabaseLocation) throws {
        #expect(try AppSettings(environment: ["DATABASE_URL": raw]).database == expected)
    }

    @Test func noticesGoToTheLogUnlessARelayIsNamed() throws {
        #expect(try AppSettings(environment: [:]).smtp == nil)
        #expect(try AppSettings(environment: [:]).workerInterval == 15)
        let relay = try AppSettings(environment: ["SMTP_URL": "smtp://relais.centre.local:2525", "SMTP_FROM": "plateau@centre.fr"]).smtp
        #expect(relay == SMTPSettings(host: "relais.centre.local", port: 2525, from: "plateau@centre.fr"))
        #expect(try AppSettings(environment: ["SMTP_URL": "smtp://relais"]).smtp?.port == 25)
    }

    @Test func theSMTPServerMayAskForSTARTTLSAndALoginAndTheSMSGatewayForItsBody() throws {
        let provider = try AppSettings(environment: ["SMTP_URL": "smtp://permanence%40centre.fr:mot%20de%20passe@smtp.example.fr:587?starttls=required"]).smtp
        #expect(provider == SMTPSettings(host: "smtp.example.fr", port: 587, from: "permanence@localhost", user: "permanence@centre.fr",
                                         password: "mot de passe", startTLS: true))
        #expect(throws: ConfigurationError.self) { try AppSettings(environment: ["SMTP_URL": "smtp://relais", "SMTP_CA_FILE": "/nulle/part/ca.pem"]) }
        let messaging = try AppSettings(environment: ["SMS_GATEWAY_URL": "https://api:secret@sms.example.fr/v1/send", "PORT": "8090"]).messaging
        #expect(messaging.smsGateway?.url.absoluteString == "https://sms.example.fr/v1/send", "the credentials leave the URL")
        #expect(messaging.smsGateway?.user == "api" && messaging.smsGateway?.password == "secret")
        #expect(messaging.publicURL == "http://localhost:8090")
        for body in [#"{"to": {to}}"#, #"{"to": {to}, "text": {text}"#] {
            #expect(throws: ConfigurationError.self) { try AppSettings(environment: ["SMS_GATEWAY_URL": "https://sms.example.fr", "SMS_GATEWAY_BODY": body]) }
        }
    }

    @Test func pageTemplatesAreParsedOnceUnlessAskedToReload() async throws {
        #expect(try !AppSettings(environment: [:]).reloadTemplates)
        #expect(try AppSettings(environment: ["PERMANENCE_TEMPLATES_RELOAD": "true"]).reloadTemplates)
        // `permanence serve` runs in the development environment unless told otherwise.
        let app = try await Application.make(.development)
        usePageTemplates(app, reload: false)
        for _ in 1...2 { _ = app.view }
        #expect(app.leaf.cache.isEnabled, "each template parsed once, in the development environment too")
        let editing = try await Application.make(.development)
        usePageTemplates(editing, reload: true)
        _ = editing.view
        #expect(!editing.leaf.cache.isEnabled)
        try await app.asyncShutdown()
        try await editing.asyncShutdown()
    }

    @Test func demoDataIsOffByDefaultOnPostgreSQL() throws {
        #expect(try !AppSettings(environment: ["DATABASE_URL": "postgres://u@localhost/p"]).seedDemoData)
        #expect(try AppSettings(environment: ["DATABASE_URL": "postgres://u@localhost/p", "PERMANENCE_DEMO": "true"]).seedDemoData)
    }

    @Test(arguments: [
        ("PORT", "eighty", "expected a whole number from 1 to 65535"),
        ("PORT", "70000", "expected a whole number from 1 to 65535"),
        ("LOG_LEVEL", "verbose", "expected one of trace"),
        ("DATABASE_URL", "mysql://u@h/db", "unsupported scheme \"mysql\""),
        ("DATABASE_URL", "postgres://", "needs a host and a database name"),
        ("DATABASE_URL", "sqlite://", "the SQLite path is empty"),
        ("PERMANENCE_DEMO", "peut-être", "expected true or false"),
        ("PERMANENCE_DEMO_SEED", "-3", "expected a whole number"),
        ("PERMANENCE_SESSION_HOURS", "48", "from 1 to 24"),
        ("PERMANENCE_TOKEN_HOURS", "0", "from 1 to 720"),
        ("PERMANENCE_TOKEN_HOURS", "un mois", "from 1 to 720"),
        ("PERMANENCE_SECURE_COOKIES", "never", "expected auto or always"),
        ("SMTP_URL", "mail.centre.local", "expected smtp://[USER:PASSWORD@]HOST:PORT"),
        ("SMTP_URL", "https://mail.centre.local", "expected smtp://[USER:PASSWORD@]HOST:PORT"),
        ("SMTP_URL", "smtp://mail.centre.local?tls=oui", "the only option is ?starttls=required"),
        ("SMTP_URL", "smtp://plateau@mail.centre.local:587", "a login needs both a user and a password"),
        ("SMS_GATEWAY_URL", "ftp://sms.example", "expected http(s)://[USER:PASSWORD@]HOST/PATH"),
        ("SMS_INBOUND_SECRET", "court", "expected 32 characters or more"),
        ("PERMANENCE_PUBLIC_URL", "rdv.centre.fr", "expected http(s)://HOST[:PORT]"),
        ("PERMANENCE_WORKER_SECONDS", "souvent", "from 0 to 3600"),
        ("PERMANENCE_TEMPLATES_RELOAD", "parfois", "expected true or false"),
        ("PERMANENCE_RESOURCES", "/nulle/part/permanence", "expected an existing folder holding Resources/ and Public/"),
    ])
    func malformedValueNamesTheVariableAndWhatIsExpected(variable: String, value: String, expected: String) {
        do {
            _ = try AppSettings(environment: [variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.variable == variable)
            #expect(error.problem.contains(expected), "\(error.problem)")
        }
    }

    @Test func aFileThatIsNotSQLiteIsRefusedAndLeftUntouched() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("notes-\(UUID().uuidString).sqlite").path
        let content = Data("Liste des gardes de décembre\n".utf8)
        try content.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: DatabaseStartError.self) { try DatabaseSetup.checkSQLiteFile(at: path) }
        do { try DatabaseSetup.checkSQLiteFile(at: path) } catch {
            #expect("\(error)".contains("is not a SQLite database"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == content)
    }

    @Test func aMissingFolderIsNamed() {
        #expect(throws: DatabaseStartError.self) { try DatabaseSetup.checkSQLiteFile(at: "/nonexistent-\(UUID().uuidString)/p.sqlite") }
    }

    @Test func anUnreachablePostgreSQLIsAClearErrorWithoutThePassword() async throws {
        let app = try await Application.make(.testing)
        // Port 1 on loopback: nothing listens there.
        let settings = try AppSettings(environment: ["DATABASE_URL": "postgres://permanence:s3cret@127.0.0.1:1/permanence"])
        do {
            try await configure(app, settings: settings)
            try await DatabaseSetup.prepare(app, settings: settings)
            Issue.record("an unreachable database was accepted")
        } catch {
            let error = try #require(error as? DatabaseStartError)
            #expect(error.description.contains("cannot reach"))
            #expect(error.description.contains("127.0.0.1"))
            #expect(!error.description.contains("s3cret"))
        }
        try await app.asyncShutdown()
    }

    @Test func aDatabaseFromANewerSchemaIsRefused() async throws {
        try await withTestApp { app in
            try await (app.db as! any SQLDatabase).raw(
                "INSERT INTO _fluent_migrations (id, name, batch, created_at, updated_at) VALUES (\(bind: UUID()), '0099_CreateFromTheFuture', 9, NULL, NULL)"
            ).run()
            do {
                try await DatabaseSetup.prepare(app, settings: app.settings)
                Issue.record("a newer schema was accepted")
            } catch let error as DatabaseStartError {
                #expect(error.description.contains("newer version of Permanence"))
                #expect(error.description.contains("0099_CreateFromTheFuture"))
            }
        }
    }

    @Test(.enabled(if: !TestDatabase.isPostgres, "SQLite pragmas"))
    func sqliteRunsInWALWithFullSyncAndForeignKeys() async throws {
        try await withTestApp { app in
            let sql = app.db as! any SQLDatabase
            struct Mode: Decodable { let journal_mode: String }
            struct Sync: Decodable { let synchronous: Int }
            struct Keys: Decodable { let foreign_keys: Int }
            let mode = try await sql.raw("PRAGMA journal_mode").first(decoding: Mode.self)
            let sync = try await sql.raw("PRAGMA synchronous").first(decoding: Sync.self)
            let keys = try await sql.raw("PRAGMA foreign_keys").first(decoding: Keys.self)
            #expect(mode?.journal_mode == "wal")
            #expect(sync?.synchronous == 2)
            #expect(keys?.foreign_keys == 1)
        }
    }

    @Test func healthAndReadiness() async throws {
        try await withTestApp { app in
            let health = try await app.testing().sendRequest(.GET, "/health")
            #expect(health.status == .ok)
            let ready = try await app.testing().sendRequest(.GET, "/ready")
            #expect(ready.status == .ok)
            #expect(ready.body.string.contains("ready"))
            #expect(ready.headers.first(name: "X-Request-Id") != nil)
        }
    }
}
