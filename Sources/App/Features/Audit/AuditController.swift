import Domain
import Fluent
import Vapor

/// The audit journal for administrators and supervisors: the page `/journal-audit` with its filters and CSV export,
/// and the same through `/api/v1/audit/entries`. Every viewing is journaled.
struct AuditController {
    func bootBrowser(routes: any RoutesBuilder) {
        routes.get(.auditJournal, use: page)
        routes.get(.auditExport, use: exportCSV)
    }

    func bootAPI(routes: any RoutesBuilder) {
        routes.get("audit", "entries", use: list)
        routes.get("audit", "entries.csv", use: exportCSV)
    }


    struct Page: Encodable {
        let layout: PracticesController.Layout
        let rows: [AuditViewer.Row]
        let person: String
        let patient: String
        let from: String
        let to: String
        let practices: [Choice]
        let actions: [Choice]
        let errors: [FormFault]
        let exportLink: String
        let nextLink: String?
        let lockoutsLink: String
        let signInsLink: String
    }

    @Sendable func page(req: Request) async throws -> Response {
        let principal = try req.require(.viewAudit)
        var errors: [FieldError] = []
        var filters = AuditViewer.Filters()
        do { filters = try AuditViewer.Filters(req) } catch AppError.validation(let problems) { errors = problems }
        let entries = errors.isEmpty ? try await AuditViewer.entries(filters, limit: AuditViewer.pageSize + 1, on: req.db) : []
        if errors.isEmpty { try await AuditViewer.traceViewing(filters, how: "page", principal: principal, req: req) }
        let shown = Array(entries.prefix(AuditViewer.pageSize))
        let practices = try await PracticeRecord.query(on: req.db).sort(\.$name).all()
        let query = filters.query
        let view = try await req.view.render("audit/journal", Page(
            layout: .init(principal), rows: try await AuditViewer.rows(shown, on: req.db),
            person: filters.person, patient: filters.patient?.uuidString ?? "",
            from: filters.from?.description ?? "", to: filters.to?.description ?? "",
            practices: practices.map { Choice(value: $0.id!.uuidString, label: $0.name, selected: $0.id == filters.practice) },
            actions: AuditAction.allCases.map { Choice(value: $0.rawValue, label: $0.label, selected: $0 == filters.action) },
            errors: FormRefusal.faults(errors, labels: ["au": "Au", "du": "Du", "avant": "Page"]), exportLink: SitePath.auditExport.link(query: query),
            nextLink: entries.count > AuditViewer.pageSize ? SitePath.auditJournal.link(query: "\(query)&avant=\(shown.last?.id ?? 0)") : nil,
            lockoutsLink: SitePath.auditJournal.link(query: "action=lockout"), signInsLink: SitePath.auditJournal.link(query: "action=login_failed")))
        let response = try await view.encodeResponse(for: req)
        if !errors.isEmpty { response.status = .unprocessableEntity }
        return response
    }

    struct Entries: Content { let entries: [AuditViewer.Row]; let next: String? }

    /// `?personne=&patient=&cabinet=&action=&du=&au=&avant=`: 100 entries, newest first, and the next page's link.
    @Sendable func list(req: Request) async throws -> Entries {
        let principal = try req.require(.viewAudit)
        let filters = try AuditViewer.Filters(req)
        let entries = try await AuditViewer.entries(filters, limit: AuditViewer.pageSize + 1, on: req.db)
        try await AuditViewer.traceViewing(filters, how: "api", principal: principal, req: req)
        let shown = Array(entries.prefix(AuditViewer.pageSize))
        return Entries(entries: try await AuditViewer.rows(shown, on: req.db),
                       next: entries.count > AuditViewer.pageSize ? "/api/v1/audit/entries?\(filters.query)&avant=\(shown.last?.id ?? 0)" : nil)
    }

    @Sendable func exportCSV(req: Request) async throws -> Response {
        let principal = try req.require(.viewAudit)
        let filters = try AuditViewer.Filters(req)
        let entries = try await AuditViewer.entries(filters, limit: AuditViewer.exportLimit, on: req.db)
        try await AuditViewer.traceViewing(filters, how: "export", principal: principal, req: req)
        let response = Response(status: .ok, body: .init(string: AuditViewer.csv(try await AuditViewer.rows(entries, on: req.db))))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: "journal-audit.csv")
        return response
    }
}
