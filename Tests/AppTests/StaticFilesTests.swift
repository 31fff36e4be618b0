@testable import App
import Testing
import Vapor
import VaporTesting

struct StaticFilesTests {
    @Test func styleSheetsAndScriptsAreServedAndRevalidated() async throws {
        try await withTestApp { app in
            for (path, type) in [("/css/app.css", "text/css"), ("/js/live-search.js", "application/javascript")] {
                let response = try await app.testing().sendRequest(.GET, path)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers.contentType?.description.hasPrefix(type) == true, "\(path): \(response.headers.contentType?.description ?? "-")")
                #expect(response.headers.first(name: .cacheControl) == "no-cache")
                #expect(response.body.readableBytes > 100)
            }
        }
    }

    @Test(arguments: ["/css/../Package.swift", "/css/%2E%2E/Package.swift", "/js/.hidden", "/css/nothing.css", "/css", "/Package.swift", "/css/sub/../../README.md"])
    func nothingElseOfTheDiskIsServed(path: String) async throws {
        try await withTestApp { app in
            let response = try await app.testing().sendRequest(.GET, path)
            #expect(response.status == .notFound || response.status == .seeOther, "\(path): \(response.status)")
            #expect(!response.body.string.contains("swift-tools-version"))
            #expect(!response.body.string.contains("# Permanence"))
        }
    }

    @Test func answersAboutPatientsAreNeverStored() async throws {
        try await withTestApp { app in
            let health = try await app.testing().sendRequest(.GET, "/health")
            #expect(health.headers.first(name: .cacheControl) == "no-store")
            let login = try await app.testing().sendRequest(.GET, "/connexion")
            #expect(login.headers.first(name: .cacheControl) == "no-store")
        }
    }
}
