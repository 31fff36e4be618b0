@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// The server finds its templates, static files and API description whatever its working directory, and says what it
/// lacks when it cannot.
struct ResourceLocationTests {
    /// A new empty folder, removed by the caller.
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("permanence-resources-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Every required file and folder under `root`, empty.
    static func fill(_ root: String, except: Set<String> = []) throws {
        for item in ResourceLocation.required where !except.contains(item) {
            let path = root + "/" + item
            if item.hasSuffix("/") {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } else {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                FileManager.default.createFile(atPath: path, contents: Data())
            }
        }
    }

    @Test func aCheckoutAboveTheExecutableIsFoundFromAnyWorkingDirectory() throws {
        let base = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let checkout = base + "/permanence"
        try Self.fill(checkout)
        try FileManager.default.createDirectory(atPath: checkout + "/.build/debug", withIntermediateDirectories: true)
        let elsewhere = base + "/ailleurs"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let found = ResourceLocation.locate(explicit: nil, workingDirectory: elsewhere, executable: checkout + "/.build/debug/permanence")
        #expect(found == ResourceLocation(root: checkout + "/", missing: []))
        // An installed copy: bin/permanence and share/permanence beside it.
        let installed = base + "/opt"
        try Self.fill(installed + "/share/permanence")
        let fromInstall = ResourceLocation.locate(explicit: nil, workingDirectory: elsewhere, executable: installed + "/bin/permanence")
        #expect(fromInstall.root == installed + "/share/permanence/")
        #expect(fromInstall.missing.isEmpty)
    }

    @Test func aFolderMissingFilesIsReportedItemByItem() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.fill(root, except: ["Resources/OpenAPI/openapi.json", "Public/js/"])
        // A file where a folder is expected counts as missing too.
        FileManager.default.createFile(atPath: root + "/Public/js", contents: Data())
        let found = ResourceLocation.locate(explicit: root, workingDirectory: "/", executable: nil)
        #expect(found.root == root + "/")
        #expect(found.missing == ["Resources/OpenAPI/openapi.json", "Public/js/"])
    }

    @Test func theRepositoryItselfHoldsEverything() {
        let root = DirectoryConfiguration.detect().workingDirectory
        #expect(ResourceLocation.missing(in: root).isEmpty)
    }

    @Test func withoutItsFilesTheServerSaysWhatIsMissingInsteadOfDroppingTheConnection() async throws {
        let empty = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: empty) }
        try await withTestApp(environment: ["PERMANENCE_RESOURCES": empty]) { app in
            struct Ready: Decodable { let status: String; let missing: [String]? }
            let ready = try await app.sendRequest(.GET, "/ready")
            #expect(ready.status == .serviceUnavailable)
            let body = try ready.content.decode(Ready.self)
            #expect(body.status == "resources missing")
            #expect(body.missing == ResourceLocation.required)
            let page = try await app.sendRequest(.GET, "/connexion")
            #expect(page.status == .serviceUnavailable)
            #expect(page.headers.contentType == .html)
            #expect(page.body.string.contains("Resources/Views/"))
            #expect(page.body.string.contains("PERMANENCE_RESOURCES"))
            let openAPI = try await app.sendRequest(.GET, "/api/v1/openapi.json")
            #expect(openAPI.status == .serviceUnavailable)
            #expect(openAPI.body.string.contains("urn:permanence:problem:unavailable"))
        }
    }
}
