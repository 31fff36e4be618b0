@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

struct OpenAPITests {
    /// "GET /api/v1/practices/{practiceId}" for every operation the document describes.
    static func documentedOperations(_ document: [String: Any]) -> Set<String> {
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        let methods: Set<String> = ["get", "post", "put", "patch", "delete"]
        return Set(paths.flatMap { path, operations in
            operations.keys.filter(methods.contains).map { "\($0.uppercased()) \(Self.normalise(path))" }
        })
    }

    /// Parameters become `{}` whatever their name, so `:practiceID` and `{practiceId}` compare equal.
    static func normalise(_ path: String) -> String {
        path.split(separator: "/").map { $0.hasPrefix("{") || $0.hasPrefix(":") ? "{}" : String($0) }.joined(separator: "/")
            .replacingOccurrences(of: "^", with: "/", options: .regularExpression)
    }

    @Test func everyAPIRouteIsDocumentedAndEveryDocumentedRouteExists() async throws {
        try await withTestApp { app in
            let response = try await app.testing().sendRequest(.GET, "/api/v1/openapi.json")
            #expect(response.status == .ok)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body.string.utf8)) as? [String: Any])
            #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
            let routes = Set(app.routes.all
                .map { ($0.method.rawValue, "/" + $0.path.map(\.description).joined(separator: "/")) }
                .filter { $0.1.hasPrefix("/api/v1/") }
                .map { "\($0.0) \(Self.normalise($0.1))" })
            let documented = Self.documentedOperations(document)
            #expect(routes.subtracting(documented).isEmpty, "routes missing from the document: \(routes.subtracting(documented).sorted())")
            #expect(documented.subtracting(routes).isEmpty, "documented routes that do not exist: \(documented.subtracting(routes).sorted())")
        }
    }

    /// Every query parameter an API controller reads (`req.query…at: "name"`, `parameters["name"]`) is a query
    /// parameter the document describes somewhere: a filter added to the code and forgotten in the document fails here.
    @Test func everyQueryParameterTheAPIReadsIsDocumented() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("Resources/OpenAPI/openapi.json")))
            as? [String: Any])
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        let documented = Set(paths.values.flatMap { $0.values.compactMap { $0 as? [String: Any] } }
            .flatMap { ($0["parameters"] as? [[String: Any]]) ?? [] }
            .filter { $0["in"] as? String == "query" }.compactMap { $0["name"] as? String })
        let features = root.appendingPathComponent("Sources/App/Features")
        var read: [String: String] = [:]
        for case let file as URL in FileManager.default.enumerator(at: features, includingPropertiesForKeys: nil)!
        where file.lastPathComponent.hasSuffix("API.swift") {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: /query\.(?:get|\[)[^\n]*?at: "([a-z][A-Za-z]*)"|(?:parameters|QueryParameters\([^)]*\))\["([a-z][A-Za-z]*)"\]/) {
                if let name = match.1 ?? match.2 { read[String(name)] = file.lastPathComponent }
            }
        }
        #expect(read.count >= 15, "the scan finds what the controllers read: \(read.keys.sorted())")
        let missing = read.filter { !documented.contains($0.key) }
        #expect(missing.isEmpty, "query parameters read but not documented: \(missing.sorted { $0.key < $1.key })")
    }
}
