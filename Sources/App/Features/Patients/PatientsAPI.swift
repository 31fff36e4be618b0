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
        patients.post("duplicates", use: duplicates)
        let imports = patients.grouped("imports")
        imports.on(.POST, body: .stream, use: uploadImport)
        imports.get(":importID", use: showImport)
        imports.post(":importID", "check", use: checkImport)
        imports.post(":importID", "run", use: runImport)
        patients.get(":patientID", use: show)
        patients.put(":patientID", use: update)
        patients.post(":patientID", "merge", use: merge)
        patients.get(":patientID", "export", use: export)
        patients.post(":patientID", "erase", use: erase)
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

        init(_ patient: IndexedPatient) {
            id = patient.id
            displayName = patient.displayName
            birthName = patient.birthName
            firstNames = patient.firstNames
            usedName = patient.usedName
            birthDate = patient.birthDate.description
            sex = patient.sex
            identityStatus = patient.identityStatus
            phones = patient.phones.map { Phone(number: $0.number.e164, display: $0.number.display, label: $0.label) }
        }
    }

    struct PatientList: Content {
        let patients: [PatientSummaryDTO]

        /// The JSON `Content` would write (same keys and values, no key for a name not given), written by hand: search and caller-ID answer
        /// thousands of times a second.
        var json: String {
            var json = #"{"patients":["#
            for (index, patient) in patients.enumerated() {
                if index > 0 { json += "," }
                json += #"{"id":""# + patient.id.uuidString + #"","displayName":"# + JSONText.quoted(patient.displayName)
                json += #","birthName":"# + JSONText.quoted(patient.birthName) + #","firstNames":"# + JSONText.quoted(patient.firstNames)
                if let usedName = patient.usedName { json += #","usedName":"# + JSONText.quoted(usedName) }
                json += #","birthDate":"# + JSONText.quoted(patient.birthDate)
                json += #","sex":"# + JSONText.quoted(patient.sex) + #","identityStatus":"# + JSONText.quoted(patient.identityStatus) + #","phones":["#
                for (position, phone) in patient.phones.enumerated() {
                    if position > 0 { json += "," }
                    json += #"{"number":"# + JSONText.quoted(phone.number) + #","display":"# + JSONText.quoted(phone.display)
                        + #","label":"# + JSONText.quoted(phone.label) + "}"
                }
                json += "]}"
            }
            return json + "]}"
        }

        var response: Response {
            let response = Response(status: .ok, body: .init(string: json))
            response.headers.contentType = .json
            return response
        }
    }

    /// `?q=` name fragments, a date of birth in French formats, a year, or a phone number; `&limit=` 1–50 (20).
    @Sendable func search(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let parameters = QueryParameters(req.url.query, plusIsSpace: true)
        let text = parameters["q"]?.trimmed ?? ""
        guard !text.isEmpty else { throw AppError.invalid("q", "tapez un nom, une date de naissance ou un numéro de téléphone") }
        guard text.count <= 100 else { throw AppError.invalid("q", "100 caractères au plus") }
        let limitText = parameters["limit"]
        guard let limit = limitText.map({ Int($0) }) ?? 20, (1...50).contains(limit) else { throw AppError.invalid("limit", "de 1 à 50") }
        let today = req.parisToday
        let matches = try await PatientSearch.search(text, in: practice, today: today, limit: limit, cache: req.application.patientIndexCache, on: req.db)
        return PatientList(patients: matches.map(PatientSummaryDTO.init)).response
    }

    /// A new record: 201 with it; 422 naming each refused field; 409 with the likely duplicates unless `notDuplicateOf`
    /// lists them all.
    @Sendable func create(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let input = try req.content.decode(PatientInput.self)
        let record = try await PatientStore.create(input, in: practice, context: try req.writeContext(),
                                                   today: req.parisToday, on: req.db)
        let phones = try await PatientSearch.phones(of: [record.id!], on: req.db)[record.id!] ?? []
        let response = Response(status: .created)
        try response.content.encode(PatientRecordDTO(record, phones: phones, consultedBy: nil))
        return response
    }

    /// The file as the body (`text/csv`, UTF-8 or Windows-1252, `;`, `,` or tab), `?fileName=`: kept with the mapping
    /// guessed from its columns' names and the dry run's report. Nothing is imported yet.
    @Sendable func uploadImport(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePatientFiles)
        guard let body = try await req.collectBody(max: PatientImportStore.maxBytes), body.readableBytes > 0 else { throw AppError.invalid("file", "le corps de la requête doit être le fichier CSV") }
        let (record, dryRun) = try await PatientImportStore.upload(Array(body.readableBytesView), fileName: req.query[String.self, at: "fileName"] ?? "",
                                                                   mapping: nil, in: practice, context: try req.writeContext(), today: req.parisToday, on: req.db)
        let response = Response(status: .created)
        try response.content.encode(PatientImportDTO(record, file: dryRun.file))
        return response
    }

    @Sendable func showImport(req: Request) async throws -> PatientImportDTO {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePatientFiles)
        let (record, file) = try await PatientImportStore.find(Self.importID(req), in: practice, on: req.db)
        return PatientImportDTO(record, file: file)
    }

    struct MappingInput: Content { let mapping: [String: String]? }

    /// A dry run with `mapping` (column name → field; a column left out is not imported): 422 naming each unknown
    /// column or field, and nothing changes.
    @Sendable func checkImport(req: Request) async throws -> PatientImportDTO {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePatientFiles)
        let input = try req.content.decode(MappingInput.self)
        let (record, file) = try await PatientImportStore.check(Self.importID(req), mapping: input.mapping, in: practice,
                                                                context: try req.writeContext(), today: req.parisToday, on: req.db)
        return PatientImportDTO(record, file: file)
    }

    /// Imports the rows the dry run accepts (checked again now); answers the report with `importedCount`.
    @Sendable func runImport(req: Request) async throws -> PatientImportDTO {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePatientFiles)
        let record = try await PatientImportStore.run(Self.importID(req), in: practice, context: try req.writeContext(), today: req.parisToday, on: req.db)
        return PatientImportDTO(record, file: nil)
    }

    private static func importID(_ req: Request) -> UUID? { req.parameters.get("importID").flatMap { UUID(fastString: $0) } }


    struct DuplicateList: Content { let duplicates: [DuplicateCandidate] }

    /// The likely duplicates of a record being typed (nothing saved); `?excluding=` the record being edited.
    @Sendable func duplicates(req: Request) async throws -> DuplicateList {
        let practice = try await req.authorizePracticeParameter()
        let input = try req.content.decode(PatientInput.self)
        let checked = try PatientStore.check(input, in: practice, today: req.parisToday, on: req.db)
        let excluding = try req.query[String.self, at: "excluding"].map { raw -> UUID in
            guard let id = UUID(fastString: raw) else { throw AppError.invalid("excluding", "identifiant de dossier attendu") }
            return id
        }
        return DuplicateList(duplicates: try await PatientStore.duplicates(of: checked.traits, in: practice, excluding: excluding, on: req.db))
    }

    /// The record changed (the whole record is sent): 422 naming each refused field; 409 with the likely duplicates
    /// when a strict trait or a phone changed, unless `notDuplicateOf` lists them.
    @Sendable func update(req: Request) async throws -> PatientRecordDTO {
        let practice = try await req.authorizePracticeParameter()
        let input = try req.content.decode(PatientInput.self)
        let record = try await PatientStore.update(req.parameters.get("patientID").flatMap { UUID(fastString: $0) }, with: input, in: practice,
                                                   context: try req.writeContext(),
                                                   today: req.parisToday, on: req.db)
        return PatientRecordDTO(record, phones: try await PatientSearch.phones(of: [record.id!], on: req.db)[record.id!] ?? [], consultedBy: nil)
    }

    /// The patient's whole file (RGPD right of access), as JSON; handing it out is journaled.
    @Sendable func export(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let file = try await PatientRights.export(req.parameters.get("patientID").flatMap { UUID(fastString: $0) }, in: practice,
                                                  context: try req.writeContext(), now: req.application.clock.now(), on: req.db)
        let response = try await file.encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"dossier-\(file.patient.id).json\"")
        return response
    }

    struct EraseInput: Content { let mode: String; let reason: String }

    /// Erases or anonymises the record when the retention rules allow it; otherwise 409 with the reason.
    @Sendable func erase(req: Request) async throws -> ErasureResult {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.managePatientFiles)
        let input = try req.content.decode(EraseInput.self)
        return try await PatientRights.erase(req.parameters.get("patientID").flatMap { UUID(fastString: $0) }, mode: input.mode, reason: input.reason,
                                             in: practice, context: try req.writeContext(), now: req.application.clock.now(), on: req.db)
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
    @Sendable func callerID(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let number: PhoneNumber
        do {
            number = try PhoneNumber(parsing: QueryParameters(req.url.query, plusIsSpace: true)["number"] ?? "")
        } catch {
            throw AppError.invalid("number", error.reason)
        }
        let patients = try await PatientSearch.callerID(number, in: practice, cache: req.application.patientIndexCache, on: req.db)
        return PatientList(patients: patients.map(PatientSummaryDTO.init)).response
    }
}
