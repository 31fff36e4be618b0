import Domain
import Fluent
import Foundation
import Vapor

/// `/cabinets/{id}/patients/nouveau`: a new patient record, with the likely duplicates shown before anything is saved.
struct PatientsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let patients = routes.grouped("cabinets", ":practiceID", "patients")
        patients.get("nouveau", use: newPatient)
        patients.post("nouveau", use: create)
    }

    struct Form: Content {
        var nomNaissance: String?
        var prenoms: String?
        var nomUsage: String?
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
        var notes: String?
        var pasDoublon: [UUID]?
    }

    struct Page: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let form: Form
        let errors: [String]
        let duplicates: [Candidate]
    }

    struct Candidate: Encodable { let id: UUID; let name: String; let birth: String; let reasons: String; let link: String }

    @Sendable func newPatient(req: Request) async throws -> View {
        var form = Form()
        form.nomNaissance = AgendaController.string(req, "nom")
        return try await render(req, form: form, errors: [], duplicates: [])
    }

    private func render(_ req: Request, form: Form, errors: [String], duplicates: [DuplicateCandidate]) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        return try await req.view.render("patients/new", Page(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name, form: form, errors: errors,
            duplicates: duplicates.map {
                Candidate(id: $0.id, name: $0.displayName, birth: LocalDate(iso: $0.birthDate)?.frenchNumeric ?? $0.birthDate,
                          reasons: $0.reasons.joined(separator: " ; "), link: "/cabinets/\(practice.id)/patients/\($0.id)")
            }))
    }

    @Sendable func create(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let form = try req.content.decode(Form.self)
        func checked(_ value: String?) -> Bool { value != nil }
        let phones = [(form.telephone1, form.libelle1), (form.telephone2, form.libelle2)].compactMap { number, label -> PatientPhoneInput? in
            guard let number, !number.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            return PatientPhoneInput(number: number, label: label)
        }
        let input = PatientInput(
            birthName: form.nomNaissance ?? "", firstNames: form.prenoms ?? "", usedName: form.nomUsage, birthDate: form.naissance ?? "",
            sex: form.sexe ?? "", birthplaceCode: form.lieuNaissance, nir: form.nir, identityStatus: nil, phones: phones, email: form.email,
            address: form.adresse, preferredPractitionerId: nil, guardianName: nil, guardianPhone: nil,
            smsConsent: checked(form.sms), emailConsent: nil,
            flags: PatientFlagsInput(anxious: checked(form.anxieux), hardOfHearing: checked(form.malentendant),
                                     interpreterLanguage: form.interprete, reducedMobility: checked(form.mobiliteReduite),
                                     noOnlineBooking: checked(form.pasEnLigne)),
            notes: form.notes, notDuplicateOf: form.pasDoublon)
        do {
            let record = try await PatientStore.create(input, in: practice, context: try req.writeContext(),
                                                       today: LocalDate(req.application.clock.now(), in: FrenchFormat.parisTimeZone), on: req.db)
            let ok = "Dossier créé".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            return req.redirect(to: "/cabinets/\(practice.id)/patients/\(record.id!)?ok=\(ok)")
        } catch let error as AppError {
            let response: Response
            switch error {
            case .likelyDuplicates(let candidates):
                response = try await render(req, form: form, errors: [], duplicates: candidates).encodeResponse(for: req)
            default:
                guard let messages = AppointmentsController.messages(error) else { throw error }
                response = try await render(req, form: form, errors: messages, duplicates: []).encodeResponse(for: req)
            }
            response.status = error.status
            return response
        }
    }
}
