import Domain
import Fluent
import Foundation
import Vapor

/// The screens that put a practice into service, for administrators and supervisors: `/cabinets/nouveau` and
/// `/cabinets/{id}/parametres` (the practice's details, numbers, coverage hours, suspension and practitioners).
struct PracticeSetupController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.newPractice, use: newPractice)
        routes.post(.newPractice, use: create)
        routes.get(.settings, use: settings)
        routes.post(.settings, use: update)
        routes.post(.suspend, use: suspend)
        routes.post(.reopen, use: reopen)
        routes.post(.newPractitioner, use: addPractitioner)
        routes.post(.practitionerDisable, use: deactivate)
        routes.post(.practitionerEnable, use: reactivate)
        routes.get(.service, use: onboarding)
        routes.post(.service, use: goLive)
        routes.post(.protocolReviewed, use: reviewTriage)
    }

    // MARK: Onboarding

    struct ChecklistRow: Encodable { let label: String; let done: Bool; let detail: String }
    struct OnboardingPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let items: [ChecklistRow]
        let ready: Bool
        let live: Bool
        let liveSince: String
        let notice: String?
        let numbers: String
    }

    @Sendable func onboarding(req: Request) async throws -> View {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        let (record, checklist) = try await PracticeOnboarding.checklist(of: practice, on: req.db)
        let numbers = try await PracticeSetupStore.numbers(of: practice.id, on: req.db).map { FrenchFormat.phone($0.number) }
        // The live region fetches the list alone: a test call turns its item green.
        return try await req.view.render(AgendaController.string(req, "partiel") == nil ? "practices/onboarding" : "practices/onboarding-list", OnboardingPage(
            layout: .init(try req.requirePrincipal()), practiceID: practice.id, practiceName: record.name,
            items: checklist.items.map { ChecklistRow(label: $0.label, done: $0.done, detail: $0.detail) }, ready: checklist.ready,
            live: record.liveAt != nil, liveSince: record.liveAt.map { FrenchFormat.longDate($0) } ?? "",
            notice: Self.notice(req),
            numbers: numbers.joined(separator: " ou ")))
    }

    @Sendable func goLive(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        do {
            _ = try await PracticeOnboarding.goLive(practice, context: try req.writeContext(), now: req.application.clock.now())
        } catch let error as AppError {
            return req.redirect(to: SitePath.service.link(practice.id, query: "erreur=") + Self.encoded(Self.message(error)))
        }
        return req.redirect(to: SitePath.service.link(practice.id, query: "ok=") + Self.encoded("Cabinet en service : ses appels s'affichent chez ses télésecrétaires."))
    }

    @Sendable func reviewTriage(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let version = try await PracticeOnboarding.reviewTriage(practice, by: try req.requirePrincipal(), context: try req.writeContext(),
                                                                now: req.application.clock.now())
        return req.redirect(to: SitePath.playbook.link(practice.id, query: "relu=\(version)"))
    }

    /// What the practice form sends, named in French.
    struct PracticeForm: Content {
        var nom: String?
        var identifiant: String?
        var specialite: String?
        var adresse: String?
        var acces: String?
        var departement: String?
        var fuseau: String?
        var numeros: [String]?
        var etiquettes: [String]?
        /// One exception per line (`exceptionLine`); the coverage table's `c{jour}_{i}_debut` / `…_fin` are read from the
        /// raw form (`coverage(from:)`).
        var exceptions: String?
        var feries: String?
        var horsHoraires: String?
        var accueil: String?
        var debut: String?
        /// On creation: the specialty template's id.
        var modele: String?
    }

    struct NumberRow: Encodable { let number: String; let label: String }
    struct CoverageDay: Encodable { let weekday: Int; let day: String; let ranges: [CoverageRangeRow] }
    struct CoverageRangeRow: Encodable { let index: Int; let start: String; let end: String }
    struct PractitionerRow: Encodable {
        let id: UUID; let name: String; let specialty: String; let rpps: String; let backup: String; let active: Bool
    }

    struct Page: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID?
        let title: String
        let values: PracticeForm
        let numbers: [NumberRow]
        let coverage: [CoverageDay]
        let errors: [FormFault]
        let notice: String?
        let suspended: Bool
        let suspensionReason: String
        let practitioners: [PractitionerRow]
        let practitionerErrors: [FormFault]
        let motifs: [Choice]
        let colleagues: [Choice]
        /// On creation: the specialty templates to start from.
        let templates: [Choice]
    }

    /// A practice's fields as its form names them, where they differ from the common names.
    private static let labels: [String: String] = [
        "name": "Nom", "slug": "Identifiant", "specialty": "Spécialité", "address": "Adresse", "access": "Accès", "departement": "Département",
        "timeZone": "Fuseau horaire", "numbers": "Numéros appelés", "outsideHoursMessage": "Message hors des heures", "greeting": "Accueil",
        "serviceStartsOn": "Début du service", "openedHolidays": "Jours fériés ouverts", "coverage": "Heures de permanence",
        "firstName": "Prénom", "lastName": "Nom", "title": "Titre", "rpps": "RPPS", "backupPractitionerId": "Remplaçant",
        "mobilePhone": "Portable", "directPhone": "Ligne directe", "noticeEmail": "E-mail des alertes", "motifIds": "Motifs",
        "template": "Modèle de spécialité",
    ]


    // MARK: Practice

    @Sendable func newPractice(req: Request) async throws -> View {
        _ = try req.require(.managePractices)
        return try await render(req, practice: nil, form: PracticeForm(departement: "", horsHoraires: "Le secrétariat est fermé. En cas d'urgence vitale, appelez le 15."),
                                coverage: Self.defaultCoverage, errors: [])
    }

    @Sendable func create(req: Request) async throws -> Response {
        _ = try req.require(.managePractices)
        let form = try req.content.decode(PracticeForm.self)
        let coverage = Self.coverage(from: req)
        do {
            let record = try await PracticeSetupStore.create(try Self.input(form, coverage: coverage), context: try req.writeContext(), app: req.application)
            let next = form.modele?.isEmpty == false
                ? "Cabinet créé avec les motifs, la fiche et les critères d'urgence du modèle : ajoutez ses praticiens, puis leurs horaires ; faites relire les critères par un praticien."
                : "Cabinet créé : ajoutez ses praticiens, puis leurs horaires et les motifs."
            return req.redirect(to: SitePath.settings.link(record.id!, query: "ok=") + Self.encoded(next))
        } catch let error as AppError {
            return try await refusal(req, error, practice: nil, form: form, coverage: coverage)
        }
    }

    @Sendable func settings(req: Request) async throws -> View {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        let record = try await PracticeStore.practice(practice, on: req.db)
        let dto = try await PracticeDTO.make(record, on: req.db)
        let form = Self.form(record, dto)
        return try await render(req, practice: practice, form: form, coverage: dto.coverage ?? CoverageDTO(weekly: [], exceptions: nil), errors: [])
    }

    @Sendable func update(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        let record = try await PracticeStore.practice(practice, on: req.db)
        let form = try req.content.decode(PracticeForm.self)
        let coverage = Self.coverage(from: req)
        do {
            try await PracticeSetupStore.update(record, with: try Self.input(form, coverage: coverage), context: try req.writeContext(), app: req.application)
            return req.redirect(to: SitePath.settings.link(practice.id, query: "ok=") + Self.encoded("Cabinet enregistré."))
        } catch let error as AppError {
            return try await refusal(req, error, practice: practice, form: form, coverage: coverage)
        }
    }

    @Sendable func suspend(req: Request) async throws -> Response {
        try await setSuspended(req, suspending: true)
    }

    @Sendable func reopen(req: Request) async throws -> Response {
        try await setSuspended(req, suspending: false)
    }

    private func setSuspended(_ req: Request, suspending: Bool) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        let record = try await PracticeStore.practice(practice, on: req.db)
        struct Form: Content { var raison: String? }
        let reason = suspending ? (try req.content.decode(Form.self).raison ?? "") : nil
        do {
            try await PracticeSetupStore.setSuspended(record, reason: reason, context: try req.writeContext(), now: req.application.clock.now())
        } catch let error as AppError {
            return req.redirect(to: SitePath.settings.link(practice.id, query: "erreur=") + Self.encoded(Self.message(error)))
        }
        return req.redirect(to: SitePath.settings.link(practice.id, query: "ok=") + Self.encoded(suspending ? "Cabinet suspendu." : "Cabinet rouvert."))
    }

    // MARK: Practitioners

    struct PractitionerForm: Content {
        var titre: String?
        var prenom: String?
        var nomPraticien: String?
        var specialitePraticien: String?
        var rpps: String?
        var remplacant: String?
        var motifs: [UUID]?
        var portable: String?
        var directe: String?
        var courriel: String?
    }

    @Sendable func addPractitioner(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        let form = try req.content.decode(PractitionerForm.self)
        let input = PractitionerInput(title: form.titre, firstName: form.prenom ?? "", lastName: form.nomPraticien ?? "", specialty: form.specialitePraticien ?? "",
                                      rpps: form.rpps, motifIds: form.motifs ?? [], backupPractitionerId: form.remplacant.flatMap(UUID.init(uuidString:)),
                                      mobilePhone: form.portable, directPhone: form.directe, noticeEmail: form.courriel)
        do {
            let record = try await PractitionerSetupStore.save(input, existing: nil, practice: practice, context: try req.writeContext(),
                                                               cache: req.application.agendaCache)
            return req.redirect(to: SitePath.settings.link(practice.id, query: "ok=") + Self.encoded("\(record.displayName) ajouté : donnez-lui ses horaires dans l'agenda.") + "#praticiens")
        } catch let error as AppError {
            guard case .validation(let errors) = error else { throw error }
            let record = try await PracticeStore.practice(practice, on: req.db)
            let dto = try await PracticeDTO.make(record, on: req.db)
            return try await FormRefusal.redisplay(req, status: .unprocessableEntity, render(
                req, practice: practice, form: Self.form(record, dto), coverage: dto.coverage ?? CoverageDTO(weekly: [], exceptions: nil),
                errors: [], practitionerErrors: FormRefusal.faults(errors, labels: Self.labels)))
        }
    }

    @Sendable func deactivate(req: Request) async throws -> Response {
        try await setActive(req, active: false)
    }

    @Sendable func reactivate(req: Request) async throws -> Response {
        try await setActive(req, active: true)
    }

    private func setActive(_ req: Request, active: Bool) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePractices)
        let record = try await PracticeStore.practitioner(req.parameters.get("practitionerID", as: UUID.self), of: practice, on: req.db)
        do {
            try await PractitionerSetupStore.setActive(active, record, practice: practice, context: try req.writeContext(),
                                                       now: req.application.clock.now(), cache: req.application.agendaCache)
        } catch let error as AppError {
            return req.redirect(to: SitePath.settings.link(practice.id, query: "erreur=") + Self.encoded(Self.message(error)) + "#praticiens")
        }
        let done = active ? "\(record.displayName) réactivé." : "\(record.displayName) désactivé : son historique est conservé."
        return req.redirect(to: SitePath.settings.link(practice.id, query: "ok=") + Self.encoded(done) + "#praticiens")
    }

    // MARK: Rendering

    private func refusal(_ req: Request, _ error: AppError, practice: AuthorizedPractice?, form: PracticeForm, coverage: CoverageDTO) async throws -> Response {
        guard let faults = FormRefusal.faults(error, labels: Self.labels) else { throw error }
        return try await FormRefusal.redisplay(req, status: error.status, render(req, practice: practice, form: form, coverage: coverage, errors: faults))
    }

    private func render(_ req: Request, practice: AuthorizedPractice?, form: PracticeForm, coverage: CoverageDTO, errors: [FormFault],
                        practitionerErrors: [FormFault] = []) async throws -> View {
        let principal = try req.requirePrincipal()
        var record: PracticeRecord?
        var practitioners: [PractitionerRecord] = []
        var motifs: [Choice] = []
        if let practice {
            record = try await PracticeStore.practice(practice, on: req.db)
            practitioners = try await PracticeStore.practitioners(of: practice, on: req.db)
            motifs = try await AgendaStore.motifs(of: practice, on: req.db).filter { $0.archivedAt == nil }.map { Choice(value: $0.id!.uuidString, label: $0.label) }
        }
        let names = practitioners.namesByID
        var numbers = zip(form.numeros ?? [], (form.etiquettes ?? []) + Array(repeating: "", count: 10)).map { NumberRow(number: $0, label: $1) }
            .filter { !$0.number.isEmpty }
        while numbers.count < 3 { numbers.append(NumberRow(number: "", label: "")) }
        let coverageDays = (1...7).map { weekday -> CoverageDay in
            var ranges = coverage.weekly.filter { $0.weekday == weekday }.enumerated().map { CoverageRangeRow(index: $0.offset, start: $0.element.start, end: $0.element.end) }
            while ranges.count < 2 { ranges.append(CoverageRangeRow(index: ranges.count, start: "", end: "")) }
            return CoverageDay(weekday: weekday, day: AgendaController.weekdayNames[weekday - 1], ranges: ranges)
        }
        let notice = Self.notice(req)
        return try await req.view.render("practices/setup", Page(
            layout: .init(principal), practiceID: practice?.id,
            title: record.map { "Paramètres — \($0.name)" } ?? "Nouveau cabinet",
            values: form, numbers: numbers, coverage: coverageDays, errors: errors, notice: notice,
            suspended: record?.suspendedAt != nil, suspensionReason: record?.suspensionReason ?? "",
            practitioners: practitioners.map { practitioner in
                PractitionerRow(id: practitioner.id!, name: practitioner.displayName, specialty: practitioner.profession, rpps: practitioner.rpps ?? "—",
                                backup: practitioner.backupPractitionerID.flatMap { names[$0] } ?? "—", active: practitioner.deactivatedAt == nil)
            },
            practitionerErrors: practitionerErrors, motifs: motifs,
            colleagues: practitioners.filter { $0.deactivatedAt == nil }.map { Choice(value: $0.id!.uuidString, label: $0.displayName) },
            templates: practice == nil ? try SpecialtyTemplates.all(req.application).map { Choice(value: $0.id, label: $0.specialty) } : []))
    }

    // MARK: Form ↔ input

    /// Weekdays 08:00–12:00 and 14:00–19:00: a first draft to adapt.
    static let defaultCoverage = CoverageDTO(weekly: (1...5).flatMap { [CoverageDTO.Weekly(weekday: $0, start: "08:00", end: "12:00"),
                                                                         CoverageDTO.Weekly(weekday: $0, start: "14:00", end: "19:00")] },
                                             exceptions: nil)

    static func form(_ record: PracticeRecord, _ dto: PracticeDTO) -> PracticeForm {
        PracticeForm(nom: record.name, identifiant: record.slug, specialite: record.kind, adresse: record.address, acces: record.access,
                     departement: record.departement ?? "", fuseau: record.timeZone, numeros: dto.numbers.map { FrenchFormat.phone($0.number) },
                     etiquettes: dto.numbers.map { $0.label ?? "" }, exceptions: (dto.coverage?.exceptions ?? []).map(exceptionLine).joined(separator: "\n"),
                     feries: dto.openedHolidays.joined(separator: ", "), horsHoraires: record.outsideHoursMessage, accueil: record.greeting,
                     debut: record.serviceStartsOn)
    }

    /// The weekly ranges typed in the coverage table (`c{weekday}_{index}_debut`, `…_fin`), blank rows left out.
    static func coverage(from req: Request) -> CoverageDTO {
        var weekly: [CoverageDTO.Weekly] = []
        for weekday in 1...7 {
            for index in 0..<2 {
                let start = (req.content[String.self, at: "c\(weekday)_\(index)_debut"] ?? "").trimmingCharacters(in: .whitespaces)
                let end = (req.content[String.self, at: "c\(weekday)_\(index)_fin"] ?? "").trimmingCharacters(in: .whitespaces)
                if !start.isEmpty || !end.isEmpty { weekly.append(CoverageDTO.Weekly(weekday: weekday, start: start, end: end)) }
            }
        }
        return CoverageDTO(weekly: weekly, exceptions: nil)
    }

    /// "2026-12-24 08:00-12:00 Veille de Noël" or "2026-12-31 fermé Réveillon".
    static func exceptionLine(_ exception: CoverageDTO.Exception) -> String {
        let hours = exception.ranges.isEmpty ? "fermé" : exception.ranges.map { "\($0.start)-\($0.end)" }.joined(separator: ",")
        return [exception.date, hours, exception.reason ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
    }

    static func exceptions(_ text: String) throws -> [CoverageDTO.Exception] {
        try text.split(whereSeparator: \.isNewline).enumerated().compactMap { index, raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { return nil }
            let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
            guard parts.count >= 2 else {
                throw AppError.invalid("coverage.exceptions[\(index)]", "ligne « \(line) » : date puis « fermé » ou HH:MM-HH:MM, puis la raison")
            }
            let ranges = parts[1].lowercased() == "fermé" ? [] : parts[1].split(separator: ",").map { range -> CoverageDTO.Range in
                let bounds = range.split(separator: "-").map(String.init)
                return CoverageDTO.Range(start: bounds.first ?? "", end: bounds.count > 1 ? bounds[1] : "")
            }
            return CoverageDTO.Exception(date: parts[0], ranges: ranges, reason: parts.count > 2 ? parts[2] : nil)
        }
    }

    static func input(_ form: PracticeForm, coverage: CoverageDTO) throws -> PracticeInput {
        let labels = (form.etiquettes ?? []) + Array(repeating: "", count: 10)
        let numbers = zip(form.numeros ?? [], labels).filter { !$0.0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { DialledNumberDTO(number: $0, label: $1.isEmpty ? nil : $1) }
        var withExceptions = coverage
        withExceptions.exceptions = try exceptions(form.exceptions ?? "")
        let holidays = (form.feries ?? "").split { $0 == "," || $0.isWhitespace }.map(String.init)
        return PracticeInput(name: form.nom ?? "", slug: form.identifiant, specialty: form.specialite ?? "", address: form.adresse ?? "",
                             access: form.acces, departement: form.departement ?? "", timeZone: form.fuseau, openedHolidays: holidays,
                             numbers: numbers, coverage: withExceptions, outsideHoursMessage: form.horsHoraires ?? "", greeting: form.accueil,
                             serviceStartsOn: form.debut, template: form.modele.flatMap { $0.isEmpty ? nil : $0 })
    }

    static func message(_ error: AppError) -> String {
        if case .validation(let errors) = error { return FormRefusal.faults(errors, labels: labels).map(\.text).joined(separator: " ; ") }
        return error.detail
    }

    /// What the last form did (`?ok=`), or why it was refused (`?erreur=`).
    static func notice(_ req: Request) -> String? {
        AgendaController.string(req, "ok") ?? AgendaController.string(req, "erreur").map { "⚠ " + $0 }
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }
}
