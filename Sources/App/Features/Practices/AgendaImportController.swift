import Domain
import Fluent
import Foundation
import Vapor

/// `/cabinets/{id}/reprise-agenda`: taking over a practitioner's upcoming appointments from the previous agenda. The file
/// is checked first (the report, nothing saved); the import then takes what the report accepted.
struct AgendaImportController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.agendaImport, use: form)
        routes.on(.POST, .agendaImport, body: .stream, use: check)
        routes.post(.agendaImportRun, use: run)
    }

    struct Page: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let practitioners: [Choice]
        let motifs: [Choice]
        let errors: [FormFault]
        let report: AgendaImportStore.Report?
        /// The checked file, carried to the import (base64) with its type and choices.
        let content: String
        let contentType: String
        let practitionerID: String
        let motifID: String
    }

    @Sendable func form(req: Request) async throws -> View {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        return try await render(req, practice: practice, errors: [], report: nil)
    }

    struct Upload: Content { let fichier: File?; let praticien: UUID?; let motif: String? }

    @Sendable func check(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        try await req.collectBody(max: AgendaImportStore.maxBytes)
        let upload = try req.content.decode(Upload.self)
        guard let file = upload.fichier, file.data.readableBytes > 0 else {
            return try await refused(req, practice: practice, [FormFault(field: "file", message: "choisissez l'export de l'agenda (.ics ou CSV)")])
        }
        let bytes = Array(file.data.readableBytesView)
        let type: HTTPMediaType = file.filename.lowercased().hasSuffix(".ics") || String(decoding: bytes.prefix(15), as: UTF8.self).uppercased().hasPrefix("BEGIN:VCALENDAR")
            ? HTTPMediaType(type: "text", subType: "calendar") : HTTPMediaType(type: "text", subType: "csv")
        return try await run(req, practice: practice, bytes: bytes, type: type, practitioner: upload.praticien, motif: upload.motif, dryRun: true)
    }

    struct Confirmed: Content { let contenu: String; let type: String; let praticien: UUID?; let motif: String? }

    @Sendable func run(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        let confirmed = try req.content.decode(Confirmed.self)
        guard let data = Data(base64Encoded: confirmed.contenu) else { return try await refused(req, practice: practice, [FormFault(field: "file", message: "à vérifier de nouveau")]) }
        return try await run(req, practice: practice, bytes: Array(data), type: HTTPMediaType(type: "text", subType: confirmed.type == "calendar" ? "calendar" : "csv"),
                             practitioner: confirmed.praticien, motif: confirmed.motif, dryRun: false)
    }

    private func run(_ req: Request, practice: AuthorizedPractice, bytes: [UInt8], type: HTTPMediaType, practitioner: UUID?, motif: String?,
                     dryRun: Bool) async throws -> Response {
        guard let practitioner else { return try await refused(req, practice: practice, [FormFault(field: "practitionerId", message: "choisissez celui dont l'agenda est repris")]) }
        let motifID = motif.flatMap(UUID.init(uuidString:))
        do {
            let report = try await AgendaImportStore.run(bytes, contentType: type, practitioner: practitioner, motif: motifID, dryRun: dryRun,
                                                         in: try await BookingContext.make(req, practice: practice), today: req.parisToday, on: req.db)
            return try await render(req, practice: practice, errors: [], report: report, carried: dryRun ? (Data(bytes).base64EncodedString(), type.subType) : ("", ""),
                                    practitioner: practitioner, motif: motifID).encodeResponse(for: req)
        } catch let error as AppError {
            guard let messages = FormRefusal.faults(error) else { throw error }
            return try await refused(req, practice: practice, messages, status: error.status)
        }
    }

    private func refused(_ req: Request, practice: AuthorizedPractice, _ messages: [FormFault], status: HTTPResponseStatus = .unprocessableEntity) async throws -> Response {
        try await FormRefusal.redisplay(req, status: status, render(req, practice: practice, errors: messages, report: nil))
    }

    private func render(_ req: Request, practice: AuthorizedPractice, errors: [FormFault], report: AgendaImportStore.Report?,
                        carried: (String, String) = ("", ""), practitioner: UUID? = nil, motif: UUID? = nil) async throws -> View {
        let record = try await PracticeStore.practice(practice, on: req.db)
        let practitioners = try await PracticeStore.practitioners(of: practice, on: req.db).filter { $0.deactivatedAt == nil }
        let motifs = try await AgendaStore.motifs(of: practice, on: req.db).filter { $0.archivedAt == nil }
        return try await req.view.render("practices/agenda-import", Page(
            layout: .init(try req.requirePrincipal()), practiceID: practice.id, practiceName: record.name,
            practitioners: practitioners.map { Choice(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id == practitioner) },
            motifs: motifs.map { Choice(value: $0.id!.uuidString, label: "\($0.label) (\($0.durationMinutes) min)", selected: $0.id == motif) },
            errors: errors, report: report, content: carried.0, contentType: carried.1,
            practitionerID: practitioner?.uuidString ?? "", motifID: motif?.uuidString ?? ""))
    }
}
