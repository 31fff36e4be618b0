import Domain
import Fluent
import Foundation
import Vapor

/// `/cabinets/{id}/patients/…`: a new record and a changed one, with the likely duplicates shown before anything is
/// saved; the patient's whole file (RGPD) and its erasure or anonymisation.
struct PatientsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.newPatient, use: newPatient)
        routes.post(.newPatient, use: create)
        routes.get(.patientEdit, use: editPatient)
        routes.post(.patientEdit, use: update)
        routes.get(.patientFile, use: file)
        routes.get(.patientFileJSON, use: fileJSON)
        routes.post(.patientErase, use: erase)
        routes.get(.patientImport, use: importPage)
        routes.on(.POST, .patientImport, body: .stream, use: uploadImport)
        routes.get(.patientImportReport, use: importReport)
        routes.post(.patientImportCheck, use: checkImport)
        routes.post(.patientImportRun, use: runImport)
    }

    struct Form: Content {
        var nomNaissance: String?
        var prenoms: String?
        var nomUsage: String?
        var statut: String?
        var naissance: String?
        var sexe: String?
        var lieuNaissance: String?
        var nir: String?
        var telephone1: String?
        var libelle1: String?
        var telephone2: String?
        var libelle2: String?
        var email: String?
        var adresse: String?
        var anxieux: String?
        var malentendant: String?
        var interprete: String?
        var mobiliteReduite: String?
        var pasEnLigne: String?
        var sms: String?
        var courriel: String?
        /// A minor's legal representative: name and number (the SMS go to that number).
        var representant: String?
        var telephoneRepresentant: String?
        var notes: String?
        var pasDoublon: [UUID]?
        /// The call the record is created in: the caller's number is proposed, and the call opens again once saved.
        var appel: UUID?

        /// The form filled with a record, to change it.
        init(_ record: PatientRecord, phones: [PatientsAPI.PatientSummaryDTO.Phone]) {
            func box(_ on: Bool) -> String? { on ? "on" : nil }
            nomNaissance = record.birthName
            prenoms = record.firstNames
            nomUsage = record.usedName
            statut = record.identityStatus
            naissance = LocalDate(iso: record.birthDate)?.frenchNumeric ?? record.birthDate
            sexe = record.sex
            lieuNaissance = record.birthplaceCode
            nir = record.insNIR
            telephone1 = phones.first?.display
            libelle1 = phones.first?.label
            telephone2 = phones.dropFirst().first?.display
            libelle2 = phones.dropFirst().first?.label
            email = record.email
            adresse = record.address
            anxieux = box(record.anxious)
            malentendant = box(record.hardOfHearing)
            interprete = record.interpreterLanguage
            mobiliteReduite = box(record.reducedMobility)
            pasEnLigne = box(record.noOnlineBooking)
            sms = box(record.smsConsent)
            courriel = box(record.emailConsent)
            representant = record.guardianName
            telephoneRepresentant = record.guardianPhone.map { PhoneNumber(e164: $0).display }
            notes = record.notes
        }

        init() {}

        /// What the API would receive. A third phone number, kept on the record, is sent back as it was.
        func input(keeping extraPhones: [PatientPhoneInput] = []) -> PatientInput {
            func checked(_ value: String?) -> Bool { value != nil }
            let phones = [(telephone1, libelle1), (telephone2, libelle2)].compactMap { number, label -> PatientPhoneInput? in
                guard let number, !number.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
                return PatientPhoneInput(number: number, label: label)
            }
            return PatientInput(
                birthName: nomNaissance ?? "", firstNames: prenoms ?? "", usedName: nomUsage, birthDate: naissance ?? "",
                sex: sexe ?? "", birthplaceCode: lieuNaissance, nir: nir, identityStatus: statut, phones: phones + extraPhones, email: email,
                address: adresse, preferredPractitionerId: nil, guardianName: representant, guardianPhone: telephoneRepresentant,
                smsConsent: checked(sms), emailConsent: checked(courriel),
                flags: PatientFlagsInput(anxious: checked(anxieux), hardOfHearing: checked(malentendant),
                                         interpreterLanguage: interprete, reducedMobility: checked(mobiliteReduite),
                                         noOnlineBooking: checked(pasEnLigne)),
                notes: notes, notDuplicateOf: pasDoublon)
        }
    }

    struct Page: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        /// The record being changed; nil for a new one.
        let patientID: UUID?
        let patientName: String?
        let statuses: [Choice]
        let form: Form
        let errors: [FormFault]
        let duplicates: [Candidate]
    }

    struct Candidate: Encodable { let id: UUID; let name: String; let birth: String; let reasons: String; let link: String }

    @Sendable func newPatient(req: Request) async throws -> View {
        var form = Form()
        form.nomNaissance = AgendaController.string(req, "nom")
        if let id = AgendaController.uuid(req, "appel") {
            let call = try await CallStore.find(id, in: try await req.authorizePracticeParameter(), on: req.db)
            form.appel = call.id
            if !call.callerNumber.isEmpty { form.telephone1 = FrenchFormat.phone(call.callerNumber) }
        }
        return try await render(req, form: form, errors: [], duplicates: [])
    }

    @Sendable func editPatient(req: Request) async throws -> View {
        let practice = try await req.authorizePracticeParameter()
        let opened = try await PatientStore.open(Self.patientID(req), in: practice, context: try req.writeContext(), on: req.db)
        let record = try await AgendaStore.find(PatientRecord.self, opened.id, in: practice, practiceKey: \.$practice, on: req.db, what: "Patient")
        guard record.mergedIntoID == nil, record.anonymisedAt == nil else {
            throw AppError.conflict("Ce dossier a été fusionné ou anonymisé : il ne se modifie plus.")
        }
        return try await render(req, form: Form(record, phones: opened.phones), errors: [], duplicates: [], editing: (opened.id, opened.displayName))
    }

    private func render(_ req: Request, form: Form, errors: [FormFault], duplicates: [DuplicateCandidate],
                        editing: (id: UUID, name: String)? = nil) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let current = form.statut ?? IdentityStatus.provisoire.rawValue
        return try await req.view.render("patients/new", Page(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name, patientID: editing?.id, patientName: editing?.name,
            statuses: IdentityStatus.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0.rawValue == current) },
            form: form, errors: errors,
            duplicates: duplicates.map {
                Candidate(id: $0.id, name: $0.displayName, birth: LocalDate(iso: $0.birthDate)?.birthText(on: req.parisToday) ?? $0.birthDate,
                          reasons: $0.reasons.joined(separator: " ; "), link: SitePath.patient.link(practice.id, $0.id))
            }))
    }

    @Sendable func create(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let form = try req.content.decode(Form.self)
        return try await saving(req, form: form, editing: nil) {
            try await PatientStore.create(form.input(), in: practice, context: try req.writeContext(), today: req.parisToday, on: req.db)
        }
    }

    @Sendable func update(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let form = try req.content.decode(Form.self)
        let id = Self.patientID(req)
        let current = try await AgendaStore.find(PatientRecord.self, id, in: practice, practiceKey: \.$practice, on: req.db, what: "Patient")
        // The form shows two numbers; the others the record carries are kept.
        let extra = (try await PatientSearch.phones(of: [current.id!], on: req.db)[current.id!] ?? []).dropFirst(2)
            .map { PatientPhoneInput(number: $0.e164, label: $0.label) }
        return try await saving(req, form: form, editing: (current.id!, current.displayName)) {
            try await PatientStore.update(id, with: form.input(keeping: extra), in: practice, context: try req.writeContext(), today: req.parisToday, on: req.db)
        }
    }

    /// Saves, then opens the record; a refusal shows the form again with the reasons or the likely duplicates.
    private func saving(_ req: Request, form: Form, editing: (id: UUID, name: String)?,
                        _ save: () async throws -> PatientRecord) async throws -> Response {
        do {
            let record = try await save()
            let ok = (editing == nil ? "Dossier créé" : "Dossier modifié").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            // Back to the call, where the caller's number now names the new record.
            if editing == nil, let call = form.appel {
                let found = try await CallStore.find(call, in: try await req.authorize(practice: record.$practice.id), on: req.db)
                return req.redirect(to: SitePath.call.link(record.$practice.id, found.id!, query: "q=\(record.birthName.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"))
            }
            return req.redirect(to: SitePath.patient.link(record.$practice.id, record.id!, query: "ok=\(ok)"))
        } catch let error as AppError {
            if case .likelyDuplicates(let candidates) = error {
                return try await FormRefusal.redisplay(req, status: error.status, render(req, form: form, errors: [], duplicates: candidates, editing: editing))
            }
            guard let faults = FormRefusal.faults(error) else { throw error }
            return try await FormRefusal.redisplay(req, status: error.status, render(req, form: form, errors: faults, duplicates: [], editing: editing))
        }
    }

    struct FilePage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let file: PatientFileDTO
        let exportedAt: String
        let identity: [Line]
        let appointments: [Line]
        let history: [Line]
        let consultations: [String]
    }

    struct Line: Encodable { let label: String; let value: String }

    /// The patient's whole file as a page to print or hand over; the JSON beside it.
    @Sendable func file(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let file = try await PatientRights.export(Self.patientID(req), in: practice, context: try req.writeContext(),
                                                  now: req.application.clock.now(), on: req.db)
        let p = file.patient
        func date(_ iso: String) -> String { AppointmentsController.historyDate(iso) }
        let identity: [Line] = [
            .init(label: "Nom de naissance", value: p.birthName), .init(label: "Prénom(s)", value: p.firstNames),
            .init(label: "Nom d'usage", value: p.usedName ?? "—"),
            .init(label: "Date de naissance", value: LocalDate(iso: p.birthDate)?.frenchNumeric ?? p.birthDate),
            .init(label: "Sexe", value: ["F": "féminin", "M": "masculin"][p.sex] ?? "indéterminé"),
            .init(label: "Lieu de naissance (INSEE)", value: p.birthplaceCode ?? "—"), .init(label: "INS", value: p.nir ?? "—"),
            .init(label: "Statut de l'identité", value: p.identityStatus),
            .init(label: "Téléphones", value: p.phones.map { "\($0.display) (\($0.label))" }.joined(separator: ", ")),
            .init(label: "E-mail", value: p.email ?? "—"), .init(label: "Adresse", value: p.address ?? "—"),
            .init(label: "Messages par SMS", value: p.smsConsent ? "acceptés" : "refusés"),
            .init(label: "Messages par e-mail", value: p.emailConsent ? "acceptés" : "refusés"),
            .init(label: "À savoir", value: p.flags.isEmpty ? "—" : p.flags.joined(separator: " ; ")),
            .init(label: "Notes du secrétariat", value: p.notes.isEmpty ? "—" : p.notes),
        ]
        return try await req.view.render("patients/file", FilePage(
            layout: .init(principal), practiceID: practice.id, file: file, exportedAt: date(file.exportedAt), identity: identity,
            appointments: file.appointments.map {
                .init(label: date($0.start), value: "\($0.practitioner) — \($0.motif) — \($0.status)"
                      + ($0.cancellation.map { " (\($0.party == "patient" ? "par le patient" : "par le cabinet") : \($0.reason))" } ?? ""))
            },
            history: file.history.map { .init(label: date($0.at), value: "\($0.by) — \(Self.actionLabel($0.action)) (\($0.entity == "patient" ? "dossier" : "rendez-vous"))") },
            consultations: file.consultations.map { "\(date($0.at)) — \($0.by)" }))
    }

    @Sendable func fileJSON(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let file = try await PatientRights.export(Self.patientID(req), in: practice, context: try req.writeContext(),
                                                  now: req.application.clock.now(), on: req.db)
        let response = try await file.encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"dossier-\(file.patient.id).json\"")
        return response
    }

    static func actionLabel(_ action: String) -> String {
        switch AuditAction(rawValue: action) {
        case .create: "création"
        case .update: "modification"
        case .merge: "fusion"
        case .export: "remise du dossier"
        case .delete, .erase: "effacement"
        case .anonymise: "anonymisation"
        case .import: "import"
        default: action
        }
    }

    struct EraseForm: Content { let mode: String?; let raison: String? }

    /// Erases or anonymises the record; a refusal (retention, appointments to come) comes back on the record's page.
    @Sendable func erase(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePatientFiles)
        let form = try req.content.decode(EraseForm.self)
        let id = Self.patientID(req)
        do {
            let result = try await PatientRights.erase(id, mode: form.mode ?? "", reason: form.raison ?? "", in: practice,
                                                       context: try req.writeContext(), now: req.application.clock.now(), on: req.db)
            let done = result.mode == "erase" ? "Dossier effacé" : "Dossier anonymisé"
            let target = result.mode == "erase" ? SitePath.patients.link(practice.id) : SitePath.patient.link(practice.id, result.patientId)
            return req.redirect(to: "\(target)?ok=\(done.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
        } catch let error as AppError {
            guard let faults = FormRefusal.faults(error) else { throw error }
            return try await FormRefusal.redisplay(req, status: error.status, AppointmentsController().renderPatient(req, errors: faults, section: "erase", series: nil))
        }
    }

    struct ImportPage: Encodable {
        struct Past: Encodable { let link: String; let when: String; let by: String; let file: String; let outcome: String }
        struct Column: Encodable { let index: Int; let name: String; let example: String; let options: [Choice] }
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let errors: [FormFault]
        let past: [Past]
        let current: PatientImportDTO?
        let columns: [Column]
        let rejectedShown: [PatientImportRejection]
        let rejectedMore: Int
        let imported: Bool
    }

    /// Importing the patients of a practice's previous software: the file, then its columns and the dry run's report.
    @Sendable func importPage(req: Request) async throws -> View {
        try await renderImport(req, current: nil, errors: [])
    }

    private func renderImport(_ req: Request, current: (PatientImportRecord, CSVFile?)?, errors: [FormFault]) async throws -> View {
        let practice = try await req.authorizePracticeParameter()
        let principal = try req.require(.managePatientFiles)
        let record = try await PracticeStore.practice(practice, on: req.db)
        let past = try await PatientImportStore.imports(of: practice, on: req.db).map { item in
            ImportPage.Past(link: SitePath.patientImportReport.link(practice.id, item.id!),
                            when: item.createdAt.map { "\(FrenchFormat.shortDate($0, in: FrenchFormat.parisTimeZone)) \(FrenchFormat.time($0, in: FrenchFormat.parisTimeZone))" } ?? "",
                            by: item.createdByLabel, file: item.fileName,
                            outcome: item.state == PatientImportStore.State.imported ? "\(item.importedCount ?? 0) dossiers importés"
                                : "vérifié : \(item.acceptedCount) lignes acceptées sur \(item.rowCount), non importé")
        }
        let dto = current.map { PatientImportDTO($0.0, file: $0.1) }
        let columns = (dto?.columns ?? []).enumerated().map { index, column in
            ImportPage.Column(index: index, name: column.name, example: column.example, options: PatientImportField.allCases.map {
                Choice(value: $0.rawValue, label: $0.label, selected: $0.rawValue == column.field)
            })
        }
        return try await req.view.render("patients/import", ImportPage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name,
            errors: errors + FormRefusal.faults(dto?.mappingProblems ?? []), past: past, current: dto, columns: columns,
            rejectedShown: Array((dto?.rejected ?? []).prefix(500)), rejectedMore: max(0, (dto?.rejected.count ?? 0) - 500),
            imported: dto?.state == PatientImportStore.State.imported))
    }

    struct UploadForm: Content { let fichier: File? }

    @Sendable func uploadImport(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePatientFiles)
        try await req.collectBody(max: PatientImportStore.maxBytes)
        let form = try req.content.decode(UploadForm.self)
        guard let file = form.fichier, file.data.readableBytes > 0 else {
            return try await refused(req, status: .unprocessableEntity, [FormFault(field: "file", message: "choisissez le fichier CSV exporté du logiciel du cabinet")])
        }
        do {
            let (record, _) = try await PatientImportStore.upload(Array(file.data.readableBytesView), fileName: file.filename, mapping: nil,
                                                                  in: practice, context: try req.writeContext(), today: req.parisToday, on: req.db)
            return req.redirect(to: SitePath.patientImportReport.link(practice.id, record.id!))
        } catch let error as AppError {
            guard let messages = FormRefusal.faults(error) else { throw error }
            return try await refused(req, status: error.status, messages)
        }
    }

    private func refused(_ req: Request, status: HTTPResponseStatus, _ messages: [FormFault], current: (PatientImportRecord, CSVFile?)? = nil) async throws -> Response {
        try await FormRefusal.redisplay(req, status: status, renderImport(req, current: current, errors: messages))
    }

    @Sendable func importReport(req: Request) async throws -> View {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePatientFiles)
        return try await renderImport(req, current: try await PatientImportStore.find(Self.importID(req), in: practice, on: req.db), errors: [])
    }

    /// The form sends `colonne0`, `colonne1`… (the field of each column, in order).
    @Sendable func checkImport(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePatientFiles)
        let (record, file) = try await PatientImportStore.find(Self.importID(req), in: practice, on: req.db)
        var mapping: [String: String] = [:]
        for (index, name) in (file?.header ?? []).enumerated() {
            if let field = try? req.content.get(String.self, at: "colonne\(index)") { mapping[name] = field }
        }
        do {
            _ = try await PatientImportStore.check(record.id, mapping: mapping, in: practice, context: try req.writeContext(), today: req.parisToday, on: req.db)
            return req.redirect(to: SitePath.patientImportReport.link(practice.id, record.id!))
        } catch let error as AppError {
            guard let messages = FormRefusal.faults(error) else { throw error }
            return try await refused(req, status: error.status, messages, current: (record, file))
        }
    }

    @Sendable func runImport(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePatientFiles)
        let id = Self.importID(req)
        do {
            let record = try await PatientImportStore.run(id, in: practice, context: try req.writeContext(), today: req.parisToday, on: req.db)
            return req.redirect(to: SitePath.patientImportReport.link(practice.id, record.id!))
        } catch let error as AppError {
            guard let messages = FormRefusal.faults(error) else { throw error }
            return try await refused(req, status: error.status, messages, current: try? await PatientImportStore.find(id, in: practice, on: req.db))
        }
    }

    private static func importID(_ req: Request) -> UUID? { req.parameters.get("importID").flatMap { UUID(fastString: $0) } }

    private static func patientID(_ req: Request) -> UUID? { req.parameters.get("patientID").flatMap { UUID(fastString: $0) } }

}
