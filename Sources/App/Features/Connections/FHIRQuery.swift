import Domain
import Foundation
import Vapor

/// A refusal of the FHIR API, answered as an `OperationOutcome` (`ErrorRendering`).
struct FHIRError: Error {
    let status: HTTPResponseStatus
    /// The FHIR issue type: `not-supported`, `invalid`, `not-found`, `conflict`, `forbidden`, `processing`…
    let code: String
    let diagnostics: String
    var expression: [String]? = nil

    static func unsupported(_ parameter: String, _ why: String) -> FHIRError {
        FHIRError(status: .badRequest, code: "not-supported", diagnostics: "Paramètre « \(parameter) » : \(why)", expression: [parameter])
    }

    static func invalid(_ parameter: String, _ why: String) -> FHIRError {
        FHIRError(status: .badRequest, code: "invalid", diagnostics: "Paramètre « \(parameter) » : \(why)", expression: [parameter])
    }

    /// The same answer for a resource that does not exist and for one of another practice.
    static func notFound(_ type: String, _ id: String) -> FHIRError {
        FHIRError(status: .notFound, code: "not-found", diagnostics: "\(type)/\(id) : ressource inconnue")
    }

    var outcome: FHIR.OperationOutcome {
        FHIR.OperationOutcome(issue: [FHIR.Issue(severity: "error", code: code, diagnostics: diagnostics, expression: expression)])
    }
}

/// A search's query string: every parameter checked against those the resource supports (an unknown one is refused,
/// never ignored), with paging (`_count`, `_offset`).
struct FHIRQuery {
    static let defaultCount = 20
    static let maximumCount = 100
    /// Every search takes these.
    static let common: Set<String> = ["_count", "_offset", "_format"]

    let pairs: [(name: String, value: String)]
    let count: Int
    let offset: Int

    init(_ req: Request, supported: Set<String>) throws {
        var pairs: [(String, String)] = []
        for (name, value) in QueryParameters.pairs(req.url.query, plusIsSpace: false) {
            guard let value else { throw FHIRError.invalid(name, "encodage invalide") }
            let bare = name.split(separator: ":", maxSplits: 1)[0]
            guard Self.common.contains(name) || supported.contains(name) else {
                if name.contains(":"), Self.common.contains(String(bare)) || supported.contains(String(bare)) {
                    throw FHIRError.unsupported(name, "ce modificateur n'est pas pris en charge")
                }
                throw FHIRError.unsupported(name, "paramètre de recherche non pris en charge pour cette ressource (voir /fhir/metadata)")
            }
            pairs.append((name, value))
        }
        self.pairs = pairs
        func integer(_ name: String, _ range: ClosedRange<Int>, _ fallback: Int) throws -> Int {
            guard let text = pairs.last(where: { $0.0 == name })?.1 else { return fallback }
            guard let value = Int(text), range.contains(value) else { throw FHIRError.invalid(name, "entier de \(range.lowerBound) à \(range.upperBound) attendu") }
            return value
        }
        count = try integer("_count", 0...Self.maximumCount, Self.defaultCount)
        offset = try integer("_offset", 0...100_000, 0)
        if let format = pairs.last(where: { $0.0 == "_format" })?.1, !["json", "application/json", "application/fhir+json"].contains(format) {
            throw FHIRError.unsupported("_format", "seul JSON est servi")
        }
    }

    func values(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    /// The one value of a parameter given at most once.
    func single(_ name: String) throws -> String? {
        let all = values(name)
        guard all.count <= 1 else { throw FHIRError.invalid(name, "à donner une seule fois") }
        if let value = all.first, value.isEmpty { throw FHIRError.invalid(name, "valeur vide") }
        return all.first
    }

    /// `_id`: one or more ids separated by commas.
    func ids() throws -> [UUID]? {
        guard let text = try single("_id") else { return nil }
        return try text.split(separator: ",").map {
            guard let id = UUID(fastString: String($0)) else { throw FHIRError.invalid("_id", "identifiant de ressource attendu") }
            return id
        }
    }

    /// A reference parameter (`patient=Patient/…` or `patient=…`): the id, which must be of `types`.
    func reference(_ name: String, types: [String]) throws -> UUID? {
        guard let text = try single(name) else { return nil }
        var id = Substring(text)
        if let slash = text.lastIndex(of: "/") {
            let type = text[..<slash].split(separator: "/").last.map(String.init) ?? ""
            guard types.contains(type) else { throw FHIRError.invalid(name, "référence \(types.joined(separator: " ou "))/… attendue") }
            id = text[text.index(after: slash)...]
        }
        guard let uuid = UUID(fastString: String(id)) else { throw FHIRError.invalid(name, "identifiant de ressource attendu") }
        return uuid
    }

    /// A token parameter (`system|code` or `code`).
    func token(_ name: String) throws -> (system: String?, code: String)? {
        guard let text = try single(name) else { return nil }
        if let bar = text.firstIndex(of: "|") {
            return (String(text[..<bar]), String(text[text.index(after: bar)...]))
        }
        return (nil, text)
    }

    /// Every condition given on a date parameter, together the half-open period they allow.
    func period(_ name: String, zone: TimeZone) throws -> (from: Date?, before: Date?) {
        var from: Date?, before: Date?
        for text in values(name) {
            guard let search = FHIRDateSearch(text, zone: zone) else {
                throw FHIRError.invalid(name, "date FHIR attendue, éventuellement précédée de eq, gt, ge, lt ou le (ge2026-12-01, lt2026-12-08T12:00:00+01:00)")
            }
            let bounds = search.bounds
            if let lower = bounds.from { from = max(from ?? lower, lower) }
            if let upper = bounds.before { before = min(before ?? upper, upper) }
        }
        return (from, before)
    }

    /// Links of a page: `self`, and `next` / `previous` when there are more.
    func links(base: String, path: String, total: Int) -> [FHIR.BundleLink] {
        let kept = pairs.filter { $0.name != "_offset" && $0.name != "_count" }
        func url(offset: Int) -> String {
            let parameters = kept + [("_count", String(count)), ("_offset", String(offset))]
            return base + path + "?" + parameters.map { Self.encode($0.0) + "=" + Self.encode($0.1) }.joined(separator: "&")
        }
        var links = [FHIR.BundleLink(relation: "self", url: url(offset: offset))]
        if count > 0, offset + count < total { links.append(FHIR.BundleLink(relation: "next", url: url(offset: offset + count))) }
        if count > 0, offset > 0 { links.append(FHIR.BundleLink(relation: "previous", url: url(offset: max(0, offset - count)))) }
        return links
    }

    private static let allowed: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~:/,")
        return set
    }()

    static func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
}
