@testable import App
import Foundation
import Testing
import Vapor
import VaporTesting

/// The site's paths come from one enum: each case is a route of the application and each page route is a case; the
/// links it builds fill the parameters in order; the templates name only its cases, with the values each needs.
struct SitePathTests {
    @Test func everyCaseIsARouteAndEveryPageRouteIsACase() async throws {
        try await withTestApp { app in
            let pages = Set(app.routes.all.map { "/" + $0.path.map(\.description).joined(separator: "/") }
                .filter { !$0.hasPrefix("/api/") && !$0.hasPrefix("/fhir") && !["/ical/:file", "/health", "/ready", "/metrics", "/css/**", "/js/**", "/css/agenda-grille.css"].contains($0) })
            let cases = Set(SitePath.allCases.map { "/" + $0.rawValue })
            #expect(pages.subtracting(cases).isEmpty, "routes without a case: \(pages.subtracting(cases).sorted())")
            #expect(cases.subtracting(pages).isEmpty, "cases without a route: \(cases.subtracting(pages).sorted())")
        }
    }

    @Test func aLinkFillsTheParametersInOrder() {
        let practice = UUID(), call = UUID()
        #expect(SitePath.call.link(practice, call) == "/cabinets/\(practice)/appels/\(call)")
        #expect(SitePath.call.link(practice, call, query: "enregistre=1") == "/cabinets/\(practice)/appels/\(call)?enregistre=1")
        #expect(SitePath.playbookVersion.link(practice, 3) == "/cabinets/\(practice)/fiche/versions/3")
        #expect(SitePath.home.link() == "/")
        #expect(SitePath.queue.link() == "/file")
        // A value stays inside its segment.
        #expect(SitePath.user.link("a/b?c") == "/admin/utilisateurs/a%2Fb%3Fc")
        #expect(SitePath.named["patientEdit"] == .patientEdit && SitePath.patientEdit.parameterCount == 2)
    }

    @Test func theTemplatesNameOnlyCasesWithTheirValues() throws {
        let views = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources/Views")
        let files = FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }.filter { $0.pathExtension == "leaf" }
        #expect(files.count > 40)
        var uses = 0
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: /#site\("(\w+)"((?:, [\w.!]+)*)\)/) {
                uses += 1
                let name = String(match.output.1)
                let values = match.output.2.split(separator: ",").count
                #expect(SitePath.named[name]?.parameterCount == values, "\(file.lastPathComponent): #site(\"\(name)\") with \(values) values")
            }
            // A path is never continued by the template (`#site("queue")#if(…):prendre`): a case names it whole.
            #expect(text.matches(of: /#site\([^)]*\)#(if|\()/).isEmpty, "\(file.lastPathComponent): a #site( continued by the template")
            // No page link of the site built by hand.
            #expect(!text.contains("\"/cabinets/"), "\(file.lastPathComponent) builds a practice link by hand")
            #expect(text.components(separatedBy: "#site(").count - 1 == text.matches(of: /#site\("(\w+)"((?:, [\w.!]+)*)\)/).count,
                    "\(file.lastPathComponent): a #site( the check cannot read")
        }
        #expect(uses > 250)
    }

    @Test func aPageLinksWithTheTag() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            try await browser.signIn(world.secretaryA)
            let page = try await browser.get("/cabinets/\(world.practiceA)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("href=\"/cabinets/\(world.practiceA)/appels\""))
        }
    }
}
