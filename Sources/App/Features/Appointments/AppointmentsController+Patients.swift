import Domain
import Fluent
import Foundation
import Vapor

/// The patient seen from the agenda: appointments, no-shows, series, waiting-list entries, merges.
extension AppointmentsController {
    struct PatientsPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let query: String
        let matches: [PatientRow]
        let canImport: Bool
    }

    @Sendable func patients(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let query = AgendaController.string(req, "q")
        let matches = try await Self.search(query, in: practice, req: req) { SitePath.patient.link(practice.id, $0) }
        return try await req.view.render("appointments/patients", PatientsPage(layout: .init(principal), practiceID: practice.id,
                                                                                practiceName: record.name, query: query ?? "", matches: matches,
                                                                                canImport: AccessPolicy.role(principal.role, has: .managePatientFiles)))
    }

    struct WaitingRow: Encodable {
        let id: UUID; let patient: String; let patientLink: String; let phone: String; let motif: String; let practitioners: String
        let window: String; let priority: String; let waiting: String; let state: String; let toCall: Bool; let matched: String; let bookLink: String
        let notes: String
    }

    struct SeriesFailure: Encodable { let start: String; let reasons: String; let alternatives: [String] }

    struct PatientPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let patient: PatientRow
        let record: PatientRecordDTO
        let consultations: [String]
        let noShows: Int
        let upcoming: [AppointmentRow]
        let past: [AppointmentRow]
        let waiting: [WaitingRow]
        let motifs: [Choice]
        let practitioners: [Choice]
        let today: String
        let inThreeMonths: String
        let notice: String?
        let errors: [FormFault]
        let section: String
        let mergeQuery: String
        let mergeCandidates: [PatientRow]
        let mergedInto: PatientRow?
        let canMerge: Bool
        /// Whether this user may erase or anonymise the record, and why the retention rules refuse it now (nil: allowed).
        let canErase: Bool
        let erasureRefusal: String?
        let anonymised: Bool
        let seriesReadBack: String?
        let seriesBooked: [AppointmentRow]
        let seriesFailures: [SeriesFailure]
        /// Calls, appointment changes, transmissions, triages and tasks, newest first.
        let timeline: [Timeline.Row]
        /// The messages sent to the patient, with their states.
        let messages: [PatientMessages.Row]
        let consents: String
    }

    /// What a series booking brings back to the patient's page.
    struct SeriesOutcome {
        var readBack: String
        var booked: [AppointmentRow]
        var failures: [SeriesFailure]
    }

    @Sendable func patient(req: Request) async throws -> View {
        try await renderPatient(req, errors: [], section: "", series: nil)
    }

    func renderPatient(_ req: Request, errors: [FormFault], section: String, series: SeriesOutcome?) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let agenda = try await AgendaStore.agenda(practice, app: req.application, on: req.db)
        let zone = agenda.timeZone, now = req.application.clock.now()
        let patient = try await Self.patientParameter(req, in: practice)
        let practitioners = try await PracticeStore.practitioners(of: practice, on: req.db)
        let names = Dictionary(uniqueKeysWithValues: practitioners.map { ($0.id!, $0.displayName) })
        let appointments = try await AppointmentRecord.query(on: req.db).filter(\.$practice.$id == practice.id).filter(\.$patient.$id == patient.id!)
            .sort(\.$startsAt, .descending).limit(200).all()
        let name = patient.displayName
        let rows = appointments.map { Self.appointmentRow($0, patient: name, names: names, zone: zone) }
        let upcoming = zip(appointments, rows).filter { $0.0.startsAt >= now }.map(\.1).reversed()
        let past = zip(appointments, rows).filter { $0.0.startsAt < now }.map(\.1)
        let motifs = try await AgendaStore.motifs(of: practice, on: req.db).map(\.domain)
        let entries = try await AppointmentStore.waitingList(of: practice, state: nil, on: req.db).filter { $0.patientID == patient.id }
        let today = LocalDate(now, in: zone)
        let opened = try await PatientStore.open(patient.id, in: practice, context: try req.writeContext(), on: req.db)
        let mergeQuery = AgendaController.string(req, "fusion") ?? ""
        // Without a search, the records this one looks like are offered first.
        var mergeCandidates = try await Self.search(mergeQuery, in: practice, req: req) { SitePath.patient.link(practice.id, $0) }
            .filter { $0.id != patient.id }
        if mergeQuery.isEmpty, patient.mergedIntoID == nil {
            let ownPhones = (try await PatientSearch.phones(of: [patient.id!], on: req.db)[patient.id!] ?? []).map(\.number)
            for candidate in try await PatientStore.duplicates(of: patient.traits(phones: ownPhones), in: practice, excluding: patient.id, on: req.db) {
                guard let record = try await PatientRecord.find(candidate.id, on: req.db) else { continue }
                mergeCandidates.append(try await Self.row(record, practice: practice.id, link: nil, req: req))
            }
        }
        let canErase = AccessPolicy.role(principal.role, has: .managePatientFiles) && patient.mergedIntoID == nil && patient.anonymisedAt == nil
        var mergedInto: PatientRow?
        if let target = patient.mergedIntoID, let kept = try await PatientRecord.find(target, on: req.db) {
            mergedInto = try await Self.row(kept, practice: practice.id, link: nil, req: req)
        }
        return try await req.view.render("appointments/patient", PatientPage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name,
            patient: try await Self.row(patient, practice: practice.id, link: nil, req: req),
            record: opened, consultations: (opened.consultedBy ?? []).map { "\(Self.historyDate($0.at)) — \($0.by)" },
            noShows: try await AppointmentStore.recentNoShows(patient: patient.id!, in: practice, now: now, on: req.db),
            upcoming: Array(upcoming), past: Array(past.prefix(30)),
            waiting: try await Self.waitingRows(entries, practice: practice, agenda: agenda, names: names, now: now, on: req.db),
            motifs: Self.motifOptions(motifs, selected: nil),
            practitioners: practitioners.map { Choice(value: $0.id!.uuidString, label: $0.displayName, selected: false) },
            today: today.description, inThreeMonths: today.adding(days: 91).description,
            notice: AgendaController.string(req, "ok"), errors: errors, section: section,
            mergeQuery: mergeQuery, mergeCandidates: mergeCandidates, mergedInto: mergedInto,
            canMerge: patient.mergedIntoID == nil && patient.anonymisedAt == nil,
            canErase: canErase, erasureRefusal: canErase ? try await PatientRights.refusal(of: patient, in: practice, now: now, on: req.db) : nil,
            anonymised: patient.anonymisedAt != nil,
            seriesReadBack: series?.readBack, seriesBooked: series?.booked ?? [], seriesFailures: series?.failures ?? [],
            timeline: try await Timeline.entries(of: patient, in: practice, limit: 30, on: req.db).map(Timeline.Row.init),
            messages: try await PatientMessages.rows(of: patient.id!, in: practice, zone: zone, on: req.db),
            consents: "SMS \(patient.smsConsent ? "acceptés" : "refusés") · e-mails \(patient.emailConsent ? "acceptés" : "refusés")"))
    }

    struct SeriesForm: Content {
        let motif: UUID?
        let praticien: UUID?
        let date: String?
        let heure: String?
        let nombre: String?
        let intervalle: String?
        let notes: String?
    }

    @Sendable func series(req: Request) async throws -> Response {
        let form = try req.content.decode(SeriesForm.self)
        do {
            let ctx = try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
            let patient = try await Self.patientParameter(req, in: ctx.practice)
            var errors: [FieldError] = []
            if form.motif == nil { errors.append(.init(field: "motif", reason: "choisissez le motif")) }
            if form.praticien == nil { errors.append(.init(field: "praticien", reason: "choisissez le praticien")) }
            let count = Int(form.nombre ?? ""), interval = Int(form.intervalle ?? "1")
            if count == nil { errors.append(.init(field: "count", reason: "nombre de séances attendu")) }
            if interval == nil { errors.append(.init(field: "intervalWeeks", reason: "nombre de semaines attendu")) }
            let first = try AgendaController.localInstant(form.date, form.heure ?? "", zone: ctx.zone, field: "firstStart")
            if !errors.isEmpty { throw AppError.validation(errors) }
            let result = try await AppointmentStore.series(
                SeriesInput(patientId: patient.id!, practitionerId: form.praticien!, motifId: form.motif!, firstStart: ISOTimestamp.string(first, in: ctx.zone),
                            count: count!, intervalWeeks: interval, source: BookingSource.phone.rawValue, notes: form.notes),
                in: ctx, on: req.db)
            var details: [ReadBack.Appointment] = []
            for record in result.booked { details.append(try await AppointmentStore.readBackDetails(record, in: ctx, on: req.db)) }
            let names = try await PracticeStore.practitionerNames(of: ctx.practice, on: req.db)
            let outcome = SeriesOutcome(
                readBack: ReadBack.series(details, zone: ctx.zone, now: ctx.now).text,
                booked: result.booked.map { Self.appointmentRow($0, patient: patient.displayName, names: names, zone: ctx.zone) },
                failures: result.failed.map { failure in
                    SeriesFailure(start: Self.spoken(failure.start, zone: ctx.zone), reasons: failure.reasons.joined(separator: " ; "),
                                  alternatives: failure.alternatives.map { Self.spoken($0, zone: ctx.zone) })
                })
            let response = try await renderPatient(req, errors: [], section: "series", series: outcome).encodeResponse(for: req)
            response.status = HTTPResponseStatus.created
            return response
        } catch let error as AppError {
            guard let faults = FormRefusal.faults(error) else { throw error }
            return try await FormRefusal.redisplay(req, status: error.status, renderPatient(req, errors: faults, section: "series", series: nil))
        }
    }

    struct WaitingForm: Content {
        let motif: UUID?
        let praticiens: [UUID]?
        let du: String?
        let au: String?
        let priorite: String?
        let notes: String?
    }

    @Sendable func addToWaitingList(req: Request) async throws -> Response {
        let form = try req.content.decode(WaitingForm.self)
        return try await FormRefusal.run(req, back: { try await renderPatient(req, errors: $0, section: "waiting", series: nil) }) {
            let ctx = try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
            let patient = try await Self.patientParameter(req, in: ctx.practice)
            guard let motif = form.motif else { throw AppError.invalid("motifId", "choisissez le motif") }
            let from = try AgendaController.localInstant(form.du, "00:00", zone: ctx.zone, field: "from")
            let until = try AgendaController.localInstant(LocalDate(iso: form.au ?? "")?.adding(days: 1).description, "00:00", zone: ctx.zone, field: "until")
            _ = try await AppointmentStore.addToWaitingList(
                WaitingListInput(patientId: patient.id!, motifId: motif, practitionerIds: form.praticiens?.isEmpty == false ? form.praticiens : nil,
                                 from: ISOTimestamp.string(from, in: ctx.zone), until: ISOTimestamp.string(until, in: ctx.zone),
                                 priority: form.priorite, notes: form.notes),
                in: ctx, on: req.db)
            let ok = "Inscrit en liste d'attente".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            return req.redirect(to: SitePath.patient.link(ctx.practice.id, patient.id!, query: "ok=\(ok)"))
        }
    }

    struct MergeForm: Content { let cible: UUID?; let raison: String? }

    /// Merges this record into the one chosen: a person's decision, with its reason; then opens the record kept.
    @Sendable func merge(req: Request) async throws -> Response {
        let form = try req.content.decode(MergeForm.self)
        return try await FormRefusal.run(req, back: { try await renderPatient(req, errors: $0, section: "merge", series: nil) }) {
            let practice = try await req.authorizePracticeParameter()
            let kept = try await PatientStore.merge(req.parameters.get("patientID").flatMap { UUID(fastString: $0) }, into: form.cible,
                                                    reason: form.raison ?? "", in: practice, context: try req.writeContext(), on: req.db)
            let ok = "Dossiers fusionnés : ce dossier reprend les rendez-vous du doublon".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            return req.redirect(to: SitePath.patient.link(practice.id, kept.id!, query: "ok=\(ok)"))
        }
    }

    struct MergeRow: Encodable { let at: String; let by: String; let duplicate: String; let duplicateLink: String; let kept: String; let keptLink: String; let reason: String }
    struct MergesPage: Encodable { let layout: PracticesController.Layout; let practiceID: UUID; let practiceName: String; let merges: [MergeRow] }

    /// The practice's merges, newest first, for review.
    @Sendable func merges(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        struct After: Decodable { let mergedInto: String; let kept: String; let reason: String }
        let rows = try await PatientStore.merges(in: practice, on: req.db).compactMap { entry -> MergeRow? in
            guard let data = entry.after?.data(using: .utf8), let after = try? JSONDecoder().decode(After.self, from: data) else { return nil }
            let duplicateName = try? JSONDecoder().decode([String: String].self, from: Data((entry.before ?? "{}").utf8))["name"]
            return MergeRow(at: "\(FrenchFormat.shortDate(entry.occurredAt)) \(FrenchFormat.time(entry.occurredAt))", by: entry.actorLabel,
                            duplicate: duplicateName ?? "Dossier fusionné", duplicateLink: SitePath.patient.link(practice.id, entry.entityID),
                            kept: after.kept, keptLink: SitePath.patient.link(practice.id, after.mergedInto), reason: after.reason)
        }
        return try await req.view.render("patients/merges", MergesPage(layout: .init(principal), practiceID: practice.id, practiceName: record.name, merges: rows))
    }
}
