import Domain
import Fluent
import Foundation
import Vapor

/// `/api/v1/practices/{id}/patients`: the search as the secretary types and the caller-ID match.
struct PatientsAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let patients = routes.grouped("practices", ":practiceID", "patients")
        patients.get(use: search)
        patients.post(use: create)
        patients.get("caller-id", use: callerID)
        patients.get(":patientID", use: show)
        patients.post(":patientID", "merge", use: merge)
    }

    struct PatientSummaryDTO: Content {
        struct Phone: Content { let number: String; let display: String; let label: String }
        let id: UUID
        let displayName: String
        let birthName: String
        let firstNames: String
        let usedName: String?
        let birthDate: String
        let sex: String
        let identityStatus: String
        let phones: [Phone]

        init(_ match: PatientSearch.Match) {
            let patient = match.patient
            id = patient.id!
            displayName = patient.displayName
            birthName = patient.birthName
            firstNames = patient.firstNames
            usedName = patient.usedName
            birthDate = patient.birthDate
            sex = patient.sex
            identityStatus = patient.identityStatus
            phones = match.phones.map { Phone(number: $0.e164, display: $0.number.display, label: $0.label) }
        }
    }

    struct PatientList: Content { let patients: [PatientSummaryDTO] }

    /// `?q=` name fragments, a date of birth in French formats, a year, or a phone number; `&limit=` 1–50 (20).
    @Sendable func search(req: Request) async throws -> PatientList {
        let practice = try await req.authorizePracticeParameter()
        let text = req.query[String.self, at: "q"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !text.isEmpty else { throw AppError.invalid("q", "tapez un nom, une date de naissance ou un numéro de téléphone") }
        guard text.count <= 100 else { throw AppError.invalid("q", "100 caractères au plus") }
        let limitText = req.query[String.self, at: "limit"]
        guard let limit = limitText.map({ Int($0) }) ?? 20, (1...50).contains(limit) else { throw AppError.invalid("limit", "de 1 à 50") }
        let today = LocalDate(req.application.clock.now(), in: FrenchFormat.parisTimeZone)
        let matches = try await PatientSearch.search(text, in: practice, today: today, limit: limit, on: req.db)
        return PatientList(patients: matches.map(PatientSummaryDTO.init))
    }

    /// A new record: 201 with it; 422 naming each refused field; 409 with the likely duplicates unless `notDuplicateOf`
    /// lists them all.
    @Sendable func create(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let input = try req.content.decode(PatientInput.self)
        let record = try await PatientStore.create(input, in: practice, context: try req.writeContext(),
                                                   today: LocalDate(req.application.clock.now(), in: FrenchFormat.parisTimeZone), on: req.db)
        let phones = try await PatientSearch.phones(of: [record.id!], on: req.db)[record.id!] ?? []
        let response = Response(status: .created)
        try response.content.encode(PatientRecordDTO(record, phones: phones, consultedBy: nil))
        return response
    }

    /// The whole record; the opening is traced, and the record lists who consulted it.
    @Sendable func show(req: Request) async throws -> PatientRecordDTO {
        let practice = try await req.authorizePracticeParameter()
        return try await PatientStore.open(req.parameters.get("patientID").flatMap { UUID(fastString: $0) }, in: practice,
                                           context: try req.writeContext(), on: req.db)
    }

    struct MergeInput: Content { let into: UUID?; let reason: String }

    /// Merges this record (a duplicate) into `into`, the record kept; answers the record kept.
    @Sendable func merge(req: Request) async throws -> PatientRecordDTO {
        let practice = try await req.authorizePracticeParameter()
        let input = try req.content.decode(MergeInput.self)
        let kept = try await PatientStore.merge(req.parameters.get("patientID").flatMap { UUID(fastString: $0) }, into: input.into, reason: input.reason,
                                                in: practice, context: try req.writeContext(), on: req.db)
        return PatientRecordDTO(kept, phones: try await PatientSearch.phones(of: [kept.id!], on: req.db)[kept.id!] ?? [], consultedBy: nil)
    }

    /// `?number=` the caller's number in any format: the patients who carry it (a family may share one).
    @Sendable func callerID(req: Request) async throws -> PatientList {
        let practice = try await req.authorizePracticeParameter()
        let number: PhoneNumber
        do {
            number = try PhoneNumber(parsing: req.query[String.self, at: "number"] ?? "")
        } catch {
            throw AppError.invalid("number", error.reason)
        }
        return PatientList(patients: try await PatientSearch.callerID(number, in: practice, on: req.db).map(PatientSummaryDTO.init))
    }
}
