@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The HTTP answers a health-data host is audited on: each refusal with its own status, bodies bounded and read only
/// once the sender is known, pages that run only Permanence's own scripts and styles, HSTS over TLS.
struct HttpProtectionTests {
    struct Problem: Decodable { let type: String; let status: Int; let title: String }

    @Test func aBodyOverTheLimitIs413AndAWrongContentTypeIs415() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let big = #"{"notes":""# + String(repeating: "x", count: 1_100_000) + #""}"#
            var bearer: HTTPHeaders = ["Content-Type": "application/json"]
            bearer.bearerAuthorization = BearerAuthorization(token: s.token)
            // Over real HTTP: the route reads at most 1 MB of JSON.
            let tooLarge = try await app.testing(method: .running(port: 0)).sendRequest(.POST, "\(s.base)/appointments", headers: bearer,
                                                                                       body: ByteBuffer(string: big))
            #expect(tooLarge.status == .payloadTooLarge)
            #expect(tooLarge.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            let problem = try JSONDecoder().decode(Problem.self, from: Data(tooLarge.body.readableBytesView))
            #expect(problem.type == "urn:permanence:problem:payload-too-large" && problem.status == 413 && problem.title == "Requête trop volumineuse")

            var headers: HTTPHeaders = ["Content-Type": "text/plain"]
            headers.bearerAuthorization = BearerAuthorization(token: s.token)
            let wrongType = try await app.testing().sendRequest(.POST, "\(s.base)/appointments", headers: headers,
                                                                body: ByteBuffer(string: s.booking("2026-11-26T10:00:00+01:00")))
            #expect(wrongType.status == .unsupportedMediaType, "\(wrongType.body.string)")
            #expect(try JSONDecoder().decode(Problem.self, from: Data(wrongType.body.readableBytesView)).type == "urn:permanence:problem:unsupported-media-type")
            #expect(try await AppointmentsAPITests.liveAppointments(app) == 0)
        }
    }

    @Test func aFileOfPatientsIsBoundedAndReadOnlyOnceTheSenderMayImport() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let supervisor = try await app.apiToken(world.supervisor)
            let secretary = try await app.apiToken(world.secretaryA)
            let base = "/api/v1/practices/\(world.practiceA)/patients/imports?fileName=export.csv"
            // Over 20 MB is refused; who may not import is told so first, whatever the size.
            let declared: HTTPHeaders = ["Content-Type": "text/csv"]
            let tiny = ByteBuffer(repeating: UInt8(ascii: "a"), count: 21 << 20)
            let refused = try await app.testing().sendRequest(.POST, base, headers: PatientImportAPITests.bearer(secretary, declared), body: tiny)
            #expect(refused.status == .forbidden, "a secretary may not import, whatever the size")
            let elsewhere = "/api/v1/practices/\(world.practiceB)/patients/imports?fileName=export.csv"
            let outsider = try await app.testing().sendRequest(.POST, elsewhere, headers: PatientImportAPITests.bearer(secretary, declared), body: tiny)
            #expect(outsider.status == .notFound)
            let tooLarge = try await app.testing().sendRequest(.POST, base, headers: PatientImportAPITests.bearer(supervisor, declared), body: tiny)
            #expect(tooLarge.status == .payloadTooLarge)
            let unsigned = try await app.testing().sendRequest(.POST, base, headers: declared, body: tiny)
            #expect(unsigned.status == .unauthorized)
            #expect(try await PatientImportRecord.query(on: app.db).count() == 0)

            // The browser's form: no token in its address, refused before anything is read.
            var browser = Browser(app)
            try await browser.signIn(world.supervisor)
            browser.extraHeaders = ["Content-Type": "multipart/form-data; boundary=x"]
            let forged = try await browser.post("/cabinets/\(world.practiceA)/patients/import", form: [])
            #expect(forged.status == .forbidden)
        }
    }

    @Test func pagesRunOnlyPermanencesOwnScriptsAndStyles() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            try await browser.signIn(world.supervisor)
            for path in ["/", "/cabinets/\(world.practiceA)/agenda?praticien=\(world.practitionerA)&semaine=2026-11-30",
                         "/cabinets/\(world.practiceA)/agenda/jour?jour=2026-11-26", "/cabinets/\(world.practiceA)/patients/import"] {
                let page = try await browser.get(path)
                #expect(page.status == .ok, "\(path)")
                let policy = try #require(page.headers.first(name: "Content-Security-Policy"), "\(path)")
                #expect(policy.contains("script-src 'self'") && policy.contains("style-src 'self'") && policy.contains("frame-ancestors 'none'"))
                let html = page.body.string
                for inline in ["style=\"", "onclick=", "onsubmit=", "onchange=", "<style", "javascript:"] {
                    #expect(!html.contains(inline), "\(path) holds \(inline)")
                }
                #expect(!html.contains("<script>"), "\(path) holds an inline script")
                #expect(page.headers.first(name: "Strict-Transport-Security") == nil, "no HSTS over plain HTTP")
            }
            let grid = try await browser.get("/css/agenda-grille.css")
            #expect(grid.headers.contentType?.subType == "css")
            #expect(grid.body.string.contains(".t-60{top:7.692%}.h-60{height:7.692%}"))
            browser.extraHeaders = ["X-Forwarded-Proto": "https"]
            let overTLS = try await browser.get("/")
            #expect(overTLS.headers.first(name: "Strict-Transport-Security") == "max-age=31536000; includeSubDomains")
        }
    }
}
