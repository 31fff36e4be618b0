import Vapor

/// The agenda grid's placements as classes (`t-N`: starts N minutes after the grid's first hour; `h-N`: lasts N
/// minutes; `cols-N`: N practitioners side by side), so that the pages need no inline style and the
/// Content-Security-Policy can refuse them all. Written once from the grid's hours.
enum AgendaGridStyle {
    static let path = "agenda-grille.css"

    static let css: String = {
        let span = Double(AgendaController.gridEnd - AgendaController.gridStart)
        var rules: [String] = []
        for minutes in 0...Int(span) {
            let percent = String(format: "%.3f%%", Double(minutes) / span * 100)
            rules.append(".t-\(minutes){top:\(percent)}.h-\(minutes){height:\(percent)}")
        }
        for columns in 1...40 {
            rules.append(".week.cols-\(columns){grid-template-columns:3rem repeat(\(columns),minmax(8rem,1fr))}")
        }
        return rules.joined(separator: "\n") + "\n"
    }()

    static func boot(routes: any RoutesBuilder) {
        routes.get("css", .constant(path)) { _ -> Response in
            let response = Response(status: .ok, body: .init(string: css))
            response.headers.contentType = HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])
            response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
            return response
        }
    }
}
