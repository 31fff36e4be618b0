import Domain
import Fluent
import Foundation
import Vapor

/// The playbook and the triage criteria edited in the browser by practitioners and supervisors (French): the form,
/// "Aperçu" showing the sheet as the secretaries will see it and the changes against the current version, then
/// "Enregistrer" making a new version; the list of versions and the changes between any two.
struct PlaybookEditorController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.playbook, use: versions)
        routes.get(.playbookEdit, use: edit)
        routes.post(.playbookEdit, use: submit)
        routes.get(.playbookVersion, use: version)
        routes.get(.protocolEdit, use: editProtocol)
        routes.post(.protocolEdit, use: submitProtocol)
    }


    struct ChangeView: Encodable {
        let kind: String
        let label: String
        let before: String?
        let after: String?

        init(_ change: VersionChange) {
            switch change {
            case .added: kind = "Ajouté"
            case .removed: kind = "Retiré"
            case .changed: kind = "Modifié"
            }
            (label, before, after) = change.parts
        }
    }

    struct ProcedureFields: Encodable {
        let key: String
        let title: String
        let enabled: Bool
        let collect: String
        let say: String
        let outcomes: [Choice]
        let detail: String
    }

    struct EditorPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let currentVersion: Int
        let greeting: String
        let address: String
        let access: String
        let coverage: String
        let outOfHours: String
        let instructions: String
        let practitionersText: String
        let consultations: String
        let faq: String
        let procedureFields: [ProcedureFields]
        let note: String
        let errors: [FormFault]
        /// Set by "Aperçu": the sheet as it will show, and what changes.
        let preview: Bool
        let sheet: PracticeSheet
        let procedures: [PracticesController.ProcedureView]
        let changes: [ChangeView]
        // What the shared sheet template reads besides the sheet; the practice's own facts are not part of the playbook.
        let searchable = false, phone = "", kind = "", patientCount = 0
        let practitioners: [PractitionerDTO] = []
    }

    static func fields(_ playbook: Playbook, form: [String: String]?) -> [ProcedureFields] {
        RequestType.allCases.map { type in
            let key = "p_\(type.rawValue)"
            let existing = playbook.procedure(for: type)
            let outcome = form?["\(key)_outcome"] ?? existing?.outcome.rawValue ?? ProcedureOutcome.book.rawValue
            return ProcedureFields(
                key: key, title: type.label, enabled: form.map { $0["\(key)_on"] != nil } ?? (existing != nil),
                collect: form?["\(key)_collect"] ?? existing?.collect.joined(separator: "\n") ?? "",
                say: form?["\(key)_say"] ?? existing?.say ?? "",
                outcomes: ProcedureOutcome.allCases.map { Choice(value: $0.rawValue, label: $0.label, selected: $0.rawValue == outcome) },
                detail: form?["\(key)_detail"] ?? existing?.outcomeDetail ?? "")
        }
    }

    /// The playbook the form describes, with the problems of the lines it could not read.
    static func playbook(from form: [String: String]) -> (Playbook, [FieldError]) {
        let practitioners = PlaybookText.practitioners(form["praticiens"] ?? "")
        let consultations = PlaybookText.consultations(form["consultations"] ?? "")
        let faq = PlaybookText.faq(form["faq"] ?? "")
        let sheet = PracticeSheet(greeting: (form["accueil"] ?? "").trimmed, address: (form["adresse"] ?? "").trimmed, access: (form["acces"] ?? "").trimmed,
                                  coverage: (form["horaires"] ?? "").trimmed, outOfHours: (form["hors_horaires"] ?? "").trimmed,
                                  practitioners: practitioners.entries, consultations: consultations.entries, faq: faq.entries,
                                  instructions: PlaybookText.lines(form["consignes"] ?? ""))
        let procedures = RequestType.allCases.compactMap { type -> Procedure? in
            let key = "p_\(type.rawValue)"
            guard form["\(key)_on"] != nil else { return nil }
            return Procedure(requestType: type, collect: PlaybookText.lines(form["\(key)_collect"] ?? ""), say: (form["\(key)_say"] ?? "").trimmed,
                             outcome: ProcedureOutcome(rawValue: form["\(key)_outcome"] ?? "") ?? .book, outcomeDetail: (form["\(key)_detail"] ?? "").trimmed)
        }
        let problems = (practitioners.problems + consultations.problems + faq.problems).map { FieldError(field: $0.field, reason: $0.reason) }
        return (Playbook(sheet: sheet, procedures: procedures), problems)
    }

    static func requireEditor(_ req: Request) throws { _ = try req.require(.editPlaybook) }

    @Sendable func edit(req: Request) async throws -> View {
        let practice = try await req.authorizePracticeParameter()
        try Self.requireEditor(req)
        let current = try await PlaybookStore.current(Playbook.self, of: practice, on: req.db)
        return try await render(req, practice: practice, playbook: current.document, current: current, form: nil, note: "", errors: [], preview: false)
    }

    func render(_ req: Request, practice: AuthorizedPractice, playbook: Playbook, current: DocumentVersion<Playbook>, form: [String: String]?,
                note: String, errors: [FormFault], preview: Bool) async throws -> View {
        let record = try await PracticeStore.practice(practice, on: req.db)
        let sheet = playbook.sheet
        return try await req.view.render("playbook/editor", EditorPage(
            layout: .init(try req.requirePrincipal()), practiceID: practice.id, practiceName: record.name, currentVersion: current.number,
            greeting: form?["accueil"] ?? sheet.greeting, address: form?["adresse"] ?? sheet.address, access: form?["acces"] ?? sheet.access,
            coverage: form?["horaires"] ?? sheet.coverage, outOfHours: form?["hors_horaires"] ?? sheet.outOfHours,
            instructions: form?["consignes"] ?? sheet.instructions.joined(separator: "\n"),
            practitionersText: form?["praticiens"] ?? PlaybookText.text(sheet.practitioners),
            consultations: form?["consultations"] ?? PlaybookText.text(sheet.consultations), faq: form?["faq"] ?? PlaybookText.text(sheet.faq),
            procedureFields: Self.fields(playbook, form: form), note: note, errors: errors, preview: preview,
            sheet: sheet, procedures: playbook.procedures.map(PracticesController.ProcedureView.init),
            changes: preview ? VersionDiff.between(current.document.versionLines, playbook.versionLines).map(ChangeView.init) : []))
    }

    @Sendable func submit(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        try Self.requireEditor(req)
        let form = try req.content.decode([String: String].self)
        let current = try await PlaybookStore.current(Playbook.self, of: practice, on: req.db)
        let (playbook, lineProblems) = Self.playbook(from: form)
        let note = (form["note"] ?? "").trimmed
        func back(_ errors: [FormFault], preview: Bool) async throws -> View {
            try await render(req, practice: practice, playbook: playbook, current: current, form: form, note: note, errors: errors, preview: preview)
        }
        return try await FormRefusal.run(req, back: { try await back($0, preview: false) }) {
            var problems = lineProblems + playbook.problems().map { FieldError(field: $0.field, reason: $0.reason) }
            if form["action"] == "enregistrer" && note.isEmpty { problems.append(FieldError(field: "note", reason: "dites ce qui change (gardé avec la version)")) }
            guard problems.isEmpty else { throw AppError.validation(problems) }
            if form["action"] != "enregistrer" { return try await back([], preview: true).encodeResponse(for: req) }
            let saved = try await PlaybookStore.save(playbook, note: note, of: practice, context: try req.writeContext())
            return req.redirect(to: SitePath.playbook.link(practice.id, query: "enregistree=\(saved.number)"))
        }
    }

    struct VersionRow: Encodable { let number: Int; let previous: Int; let when: String; let by: String; let note: String; let current: Bool }

    struct VersionsPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let playbook: [VersionRow]
        let triage: [VersionRow]
        let mayEdit: Bool
        let saved: Int?
        let savedProtocol: Int?
        let from: Int?
        let to: Int?
        let kind: String
        let changes: [ChangeView]
        /// « Relue par Dr Weber le 3 décembre (version 2) », or nil when never reviewed.
        let review: String?
        /// A practitioner of the practice may say they reviewed the protocol in service.
        let mayReview: Bool
        let reviewed: Int?
    }

    static func rows<Document: VersionedDocument>(_ type: Document.Type, _ practice: AuthorizedPractice, on db: any Database) async throws -> [VersionRow] {
        let versions = try await PlaybookStore.versions(type, of: practice, on: db)
        let newest = versions.map(\.number).max()
        return versions.map {
            VersionRow(number: $0.number, previous: max(0, $0.number - 1), when: $0.savedAt.map { "\(FrenchFormat.shortDate($0)) \(FrenchFormat.time($0))" } ?? "—",
                       by: $0.savedBy.isEmpty ? "Version de départ" : $0.savedBy, note: $0.note, current: $0.number == newest)
        }
    }

    /// The versions of the playbook and of the protocol; `?de=&a=` (and `&protocole=1`) shows the changes between two.
    @Sendable func versions(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let from = req.query[Int.self, at: "de"], to = req.query[Int.self, at: "a"]
        let triage = req.query[String.self, at: "protocole"] != nil
        var changes: [ChangeView] = []
        if let from, let to {
            changes = triage
                ? try await PlaybookStore.diff(TriageProtocol.self, from: from, to: to, of: practice, on: req.db).map(ChangeView.init)
                : try await PlaybookStore.diff(Playbook.self, from: from, to: to, of: practice, on: req.db).map(ChangeView.init)
        }
        return try await req.view.render("playbook/versions", VersionsPage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name,
            playbook: try await Self.rows(Playbook.self, practice, on: req.db), triage: try await Self.rows(TriageProtocol.self, practice, on: req.db),
            mayEdit: AccessPolicy.role(principal.role, has: .editPlaybook), saved: req.query[Int.self, at: "enregistree"],
            savedProtocol: req.query[Int.self, at: "protocole-enregistre"], from: from, to: to,
            kind: triage ? "du protocole d'urgence" : "de la fiche", changes: changes,
            review: record.triageReviewedVersion.map { version in
                "Version \(version) relue par \(record.triageReviewedBy ?? "un praticien")" + (record.triageReviewedAt.map { " le \(FrenchFormat.longDate($0))" } ?? "")
            },
            mayReview: principal.role == .practitioner, reviewed: req.query[Int.self, at: "relu"]))
    }

    struct VersionPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let number: Int
        let when: String
        let by: String
        let note: String
        let sheet: PracticeSheet
        let procedures: [PracticesController.ProcedureView]
        let searchable = false, phone = "", kind = "", patientCount = 0
        let practitioners: [PractitionerDTO] = []
    }

    @Sendable func version(req: Request) async throws -> View {
        let practice = try await req.authorizePracticeParameter()
        guard let number = req.parameters.get("version", as: Int.self) else { throw AppError.notFound(what: "Version") }
        let found = try await PlaybookStore.version(Playbook.self, number, of: practice, on: req.db, cache: req.application.savedVersions)
        return try await req.view.render("playbook/version", VersionPage(
            layout: .init(try req.requirePrincipal()), practiceID: practice.id, practiceName: try await PracticeStore.practice(practice, on: req.db).name,
            number: found.number, when: found.savedAt.map { "\(FrenchFormat.longDate($0)) à \(FrenchFormat.time($0))" } ?? "",
            by: found.savedBy, note: found.note, sheet: found.document.sheet, procedures: found.document.procedures.map(PracticesController.ProcedureView.init)))
    }

    // MARK: The triage criteria

    /// A criterion as the preview lists it: for whom, when, what « oui » gives and why.
    struct QuestionView: Encodable {
        let id: String
        let text: String
        let level: String
        let followUps: String
        let audience: String?
        let askIf: String?
        let note: String?

        init(_ question: TriageQuestion) {
            id = question.id
            text = question.text
            level = question.levelIfYes?.label ?? "aucun (ouvre des questions de suite)"
            followUps = question.followUps.map { "si « \($0.on.map(\.label).joined(separator: " » ou « ")) » : \($0.ask.joined(separator: ", "))" }
                .joined(separator: " ; ")
            audience = question.audience
            askIf = question.condition
            note = question.note.flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    struct ProtocolPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let currentVersion: Int
        let json: String
        let note: String
        let errors: [FormFault]
        let preview: Bool
        let redFlagCount: Int
        let questions: [QuestionView]
        let defaultLevel: String
        let changes: [ChangeView]
    }

    static func exportJSON(_ document: TriageProtocol) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }

    @Sendable func editProtocol(req: Request) async throws -> View {
        let practice = try await req.authorizePracticeParameter()
        try Self.requireEditor(req)
        let current = try await PlaybookStore.current(TriageProtocol.self, of: practice, on: req.db)
        return try await renderProtocol(req, practice: practice, current: current, json: try Self.exportJSON(current.document), document: nil,
                                        note: "", errors: [])
    }

    func renderProtocol(_ req: Request, practice: AuthorizedPractice, current: DocumentVersion<TriageProtocol>, json: String,
                        document: TriageProtocol?, note: String, errors: [FormFault]) async throws -> View {
        let shown = document ?? current.document
        return try await req.view.render("playbook/protocol", ProtocolPage(
            layout: .init(try req.requirePrincipal()), practiceID: practice.id, practiceName: try await PracticeStore.practice(practice, on: req.db).name,
            currentVersion: current.number, json: json, note: note, errors: errors, preview: document != nil,
            redFlagCount: RedFlagScreen.questions.count,
            questions: shown.criteria.map(QuestionView.init),
            defaultLevel: shown.defaultLevel.label,
            changes: document.map { VersionDiff.between(current.document.versionLines, $0.versionLines).map(ChangeView.init) } ?? []))
    }

    struct ProtocolForm: Content { let protocole: String?; let note: String?; let action: String? }

    @Sendable func submitProtocol(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        try Self.requireEditor(req)
        let form = try req.content.decode(ProtocolForm.self)
        let current = try await PlaybookStore.current(TriageProtocol.self, of: practice, on: req.db)
        let json = form.protocole ?? "", note = (form.note ?? "").trimmed
        var document: TriageProtocol?
        var problems: [FieldError] = []
        do {
            document = try JSONDecoder().decode(TriageProtocol.self, from: Data(json.utf8))
        } catch {
            problems.append(FieldError(field: "protocole", reason: "JSON illisible : vérifiez les guillemets, virgules et accolades (\(Self.where(error)))"))
        }
        if let document { problems += document.problems().map { FieldError(field: $0.field, reason: $0.reason) } }
        if form.action == "enregistrer" && note.isEmpty { problems.append(FieldError(field: "note", reason: "dites ce qui change (gardé avec la version)")) }
        let valid = problems.isEmpty ? document : nil
        return try await FormRefusal.run(req, back: {
            try await renderProtocol(req, practice: practice, current: current, json: json, document: valid, note: note, errors: $0)
        }) {
            guard problems.isEmpty, let document else { throw AppError.validation(problems) }
            if form.action != "enregistrer" {
                return try await renderProtocol(req, practice: practice, current: current, json: json, document: document, note: note, errors: [])
                    .encodeResponse(for: req)
            }
            let saved = try await PlaybookStore.save(document, note: note, of: practice, context: try req.writeContext())
            return req.redirect(to: SitePath.playbook.link(practice.id, query: "protocole-enregistre=\(saved.number)"))
        }
    }

    private static func `where`(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "contenu illisible" }
        switch decoding {
        case .keyNotFound(let key, _): return "champ « \(key.stringValue) » manquant"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? "contenu illisible" : "à « \(path) »"
        @unknown default: return "contenu illisible"
        }
    }
}
