import Domain
import Fluent
import Foundation
import Vapor

/// The call panel (French): opening a call, writing it as it runs, closing it, correcting it once closed; the
/// practice's journal of calls.
struct CallsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.calls, use: journal)
        routes.post(.calls, use: open)
        routes.get(.call, use: panel)
        routes.post(.call, use: save)
        routes.post(.callCorrection, use: correct)
        routes.post(.callSupervisor, use: askSupervisor)
        routes.post(.callAnxious, use: flagAnxious)
    }

    struct PatientChoice: Encodable { let id: UUID; let name: String; let born: String; let phones: String }
    struct LinkView: Encodable { let label: String; let href: String }
    struct CorrectionView: Encodable { let incident: Bool; let text: String; let by: String; let at: String }
    struct ChecklistItem: Encodable { let value: String; let label: String; let checked: Bool }
    struct ProcedureView: Encodable { let title: String; let say: String; let next: String; let items: [ChecklistItem]; let open: Bool }

    struct CallView: Encodable {
        let id: UUID
        let closed: Bool
        let callerNumber: String
        let openedAt: String
        let openedBy: String
        let closedAt: String?
        let duration: String?
        let reasons: String
        let outcome: String
        let notes: String

        init(_ call: CallRecord) {
            id = call.id!
            closed = call.isClosed
            callerNumber = call.callerNumber.isEmpty ? "Numéro masqué" : FrenchFormat.phone(call.callerNumber)
            openedAt = "\(FrenchFormat.shortDate(call.openedAt)) \(FrenchFormat.time(call.openedAt))"
            openedBy = call.openedByLabel
            closedAt = call.closedAt.map { FrenchFormat.time($0) }
            duration = call.durationSeconds.map { CallRules.duration(TimeInterval($0)) }
            reasons = call.reasons.map(\.label).joined(separator: ", ")
            outcome = call.outcome?.label ?? ""
            notes = call.notes
        }
    }

    struct PanelPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let greeting: String
        /// The practice's sheet (instructions, practitioners, coverage) kept open beside the call.
        let sheet: PracticeSheet
        let call: CallView
        let callerInput: String
        let patient: PatientChoice?
        let matches: [PatientChoice]
        let search: String
        let results: [PatientChoice]
        let reasons: [Choice]
        let outcomes: [Choice]
        let links: [LinkView]
        let procedures: [ProcedureView]
        let checklist: [String]
        let playbookVersion: Int?
        let anxious: Bool
        let corrections: [CorrectionView]
        let timeline: [Timeline.Row]
        let errors: [FormFault]
        let saved: Bool
        let helpAsked: Bool
        /// The cockpit beside the call: the practice's day, the next-free finder, the patient's record, the handover.
        let day: AgendaDay?
        let finder: Finder?
        let facts: PatientFacts?
        let handover: [QueueController.NoteRow]
        /// A slot held from the call waiting for its confirmation, or the read-back of what was just booked.
        let booking: CockpitBooking?
    }

    /// "Prochain créneau libre": a motif (and a practitioner or any), the first free slots, each held in one click.
    struct Finder: Encodable {
        let motifs: [Choice]
        let practitioners: [Choice]
        let motifID: String
        let instructions: String
        let slots: [AppointmentsController.SlotRow]
        let asked: Bool
        let problem: String?
    }

    /// What the secretary needs of the identified patient while the caller talks.
    struct PatientFacts: Encodable {
        let flags: [String]
        /// Each opens the appointment, with the call, so that a move or a cancellation made there comes back to it.
        let upcoming: [LinkView]
        let link: String
    }

    struct Row: Encodable {
        let id: UUID
        let when: String
        let caller: String
        let patient: String
        let reasons: String
        let outcome: String
        let duration: String
        let open: Bool
        let by: String
    }

    struct JournalPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let rows: [Row]
    }

    @Sendable func journal(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let calls = try await CallStore.list(in: practice, limit: 100, on: req.db)
        let names = try await Self.patientNames(calls.compactMap(\.patientID), in: practice, on: req.db)
        return try await req.view.render("calls/journal", JournalPage(layout: .init(principal), practiceID: practice.id, practiceName: record.name, rows: calls.map {
            let view = CallView($0)
            return Row(id: $0.id!, when: view.openedAt, caller: view.callerNumber, patient: $0.patientID.flatMap { names[$0] } ?? "Non identifié",
                       reasons: view.reasons, outcome: view.closed ? view.outcome : "En cours", duration: view.duration ?? "", open: !view.closed, by: view.openedBy)
        }))
    }

    struct OpenForm: Content { let numero: String?; let patient: UUID? }

    /// "Nouvel appel": opens the journal entry and shows the panel.
    @Sendable func open(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let form = try req.content.decode(OpenForm.self)
        var input = CallInput()
        input.callerNumber = form.numero
        input.patientId = form.patient
        do {
            let call = try await CallStore.open(input, in: practice, context: try req.writeContext(), now: req.application.clock.now())
            return req.redirect(to: SitePath.call.link(practice.id, call.id!))
        } catch AppError.validation {
            // A mistyped number: the call is opened all the same (the secretary corrects it on the panel).
            input.callerNumber = nil
            let call = try await CallStore.open(input, in: practice, context: try req.writeContext(), now: req.application.clock.now())
            return req.redirect(to: SitePath.call.link(practice.id, call.id!, query: "numero=\(form.numero?.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"))
        }
    }

    @Sendable func panel(req: Request) async throws -> View {
        let practice = try await req.authorizePracticeParameter()
        let call = try await CallStore.find(req.parameters.get("callID", as: UUID.self), in: practice, on: req.db)
        return try await render(req, practice: practice, call: call, errors: [], saved: req.query[String.self, at: "enregistre"] != nil,
                                helpAsked: req.query[String.self, at: "renfort"] != nil)
    }

    func render(_ req: Request, practice: AuthorizedPractice, call: CallRecord, errors: [FormFault], saved: Bool = false,
                helpAsked: Bool = false, typed: SaveForm? = nil) async throws -> View {
        let principal = try req.requirePrincipal()
        guard let practiceName = try await req.practiceName(practice.id) else { throw AppError.notFound(what: "Cabinet") }
        let playbook = try await PlaybookStore.version(Playbook.self, call.playbookVersion ?? 0, of: practice, on: req.db,
                                                       cache: req.application.savedVersions)
        let reasons = typed.map { $0.reasonList } ?? call.reasons
        let ticked = Set(typed?.checklist ?? call.checklist)
        let wanted = Set(reasons.compactMap(\.requestType))
        let procedures = playbook.document.procedures.map { procedure in
            ProcedureView(title: procedure.requestType.label, say: procedure.say,
                          next: procedure.outcome.label + (procedure.outcomeDetail.isEmpty ? "" : " — " + procedure.outcomeDetail),
                          items: procedure.collect.indices.map {
                              let value = CallChecklist.item(procedure, $0)
                              return ChecklistItem(value: value, label: procedure.collect[$0], checked: ticked.contains(value))
                          },
                          open: wanted.contains(procedure.requestType))
        }
        // The call's patient, read once for the panel, the history and the record beside the call.
        var patientRecord: PatientRecord?
        if let id = call.patientID { patientRecord = try await PatientRecord.find(id, on: req.db) }
        // The patient's history and next appointments, what the call produced and its corrections: one statement.
        let file = try await CallFile.read(patient: patientRecord?.id, call: call.id, upcomingAfter: req.application.clock.now(),
                                           in: practice, limit: 12, on: req.db)
        let outcome = typed?.issue.flatMap(CallOutcome.init(rawValue:)) ?? call.outcome
            ?? (call.isClosed ? nil : CallOutcome.suggested(by: Set(file.links.compactMap { CallLinkKind(rawValue: $0.kind) })))
        // Those who carry the caller's number, from the practice's index in memory: the identified patient is most
        // often one of them (else her numbers are read).
        let carriers = call.callerNumber.isEmpty ? []
            : try await PatientSearch.callerID(PhoneNumber(e164: call.callerNumber), in: practice, cache: req.application.patientIndexCache, on: req.db)
        var patient: PatientChoice?
        var anxious = false
        var matches: [PatientChoice] = []
        if let found = patientRecord {
            if let carrier = carriers.first(where: { $0.id == found.id }) {
                patient = Self.choice(carrier, today: req.parisToday)
            } else {
                patient = try await Self.choices([found], today: req.parisToday, on: req.db).first
            }
            anxious = found.anxious
        } else {
            matches = carriers.map { Self.choice($0, today: req.parisToday) }
        }
        let search = (req.query[String.self, at: "q"] ?? "").trimmed
        var results: [PatientChoice] = []
        if !search.isEmpty {
            results = try await PatientSearch.search(search, in: practice, today: req.parisToday, limit: 8, cache: req.application.patientIndexCache, on: req.db)
                .map { Self.choice($0, today: req.parisToday) }
        }
        let links = file.links.compactMap { link -> LinkView? in
            guard let kind = CallLinkKind(rawValue: link.kind) else { return nil }
            switch kind {
            case .appointment: return LinkView(label: kind.label, href: SitePath.appointment.link(practice.id, link.targetID))
            case .transmission: return LinkView(label: kind.label, href: SitePath.transmission.link(practice.id, link.targetID))
            case .triage: return LinkView(label: "Évaluation de l'urgence", href: SitePath.evaluation.link(practice.id, link.targetID))
            case .task: return LinkView(label: kind.label, href: SitePath.task.link(practice.id, link.targetID))
            }
        }
        let timeline = file.history.filter { $0.link != SitePath.call.link(practice.id, call.id!) }.prefix(8).map(Timeline.Row.init)
        let cockpit = try await Self.cockpit(req, practice: practice, practiceName: practiceName, call: call, patient: patientRecord,
                                             upcoming: file.upcoming)
        return try await req.view.render("calls/panel", PanelPage(
            layout: .init(principal), practiceID: practice.id, practiceName: practiceName, greeting: playbook.document.sheet.greeting,
            sheet: playbook.document.sheet, call: CallView(call), callerInput: typed?.numero ?? req.query[String.self, at: "numero"] ?? (call.callerNumber.isEmpty ? "" : FrenchFormat.phone(call.callerNumber)),
            patient: patient, matches: matches, search: search, results: results,
            reasons: CallReason.allCases.map { Choice(value: $0.rawValue, label: $0.label, selected: reasons.contains($0)) },
            outcomes: CallOutcome.allCases.map { Choice(value: $0.rawValue, label: $0.label, selected: $0 == outcome) },
            links: links, procedures: procedures, checklist: call.checklist, playbookVersion: call.playbookVersion, anxious: anxious,
            corrections: file.corrections.map {
                CorrectionView(incident: $0.kind == "incident", text: $0.text, by: $0.authorLabel,
                               at: "\(FrenchFormat.shortDate($0.createdAt)) \(FrenchFormat.time($0.createdAt))")
            },
            timeline: timeline,
            errors: errors, saved: saved, helpAsked: helpAsked,
            day: cockpit.day, finder: cockpit.finder, facts: cockpit.facts, handover: cockpit.handover,
            booking: call.isClosed ? nil : try await CockpitBooking.make(req, practice: practice, call: call)))
    }

    /// The parts of the cockpit around an open call: the day of the practice (`?jour=`), the finder (`?motif=`,
    /// `&praticien=`), the identified patient's flags and next appointments, the unread handover notes of the practice.
    static func cockpit(_ req: Request, practice: AuthorizedPractice, practiceName: String, call: CallRecord, patient: PatientRecord?,
                        upcoming: [CallFile.Upcoming]) async throws
        -> (day: AgendaDay?, finder: Finder?, facts: PatientFacts?, handover: [QueueController.NoteRow]) {
        let principal = try req.requirePrincipal()
        let now = req.application.clock.now()
        let unread = try await HandoverStore.unread(of: practice, practiceName: practiceName, for: principal, now: now, on: req.db)
        // Read once for the patient's next appointments, the finder and the day.
        let practitioners = patient != nil || !call.isClosed ? try await PracticeStore.practitioners(of: practice, on: req.db) : []
        var facts: PatientFacts?
        if let patient, let id = patient.id {
            let names = practitioners.namesByID
            facts = PatientFacts(flags: patient.flagLabels, upcoming: upcoming.map {
                LinkView(label: "\(FrenchFormat.shortDate($0.startsAt)) \(FrenchFormat.time($0.startsAt)) — \($0.reason) (\(names[$0.practitionerID] ?? ""))",
                         href: SitePath.appointment.link(practice.id, $0.id) + (call.isClosed ? "" : "?appel=\(call.id!)"))
            }, link: SitePath.patient.link(practice.id, id))
        }
        guard !call.isClosed else { return (nil, nil, facts, QueueController.noteRows(unread)) }
        let agenda = try await AgendaStore.agenda(practice, app: req.application, on: req.db)
        let motifs = agenda.motifList
        let motifID = AgendaController.uuid(req, "motif"), practitionerID = AgendaController.uuid(req, "praticien")
        let motif = motifID.flatMap { id in motifs.first { $0.id == id } }
        var slots: [AppointmentsController.SlotRow] = []
        var problem: String?
        if let motif {
            do {
                slots = try AppointmentsController.freeSlots(agenda, motif: motif.id, practitioner: practitionerID, from: now, now: now, limit: 6,
                                                             names: practitioners.namesByID)
            } catch {
                problem = error.reason
            }
        }
        // The day shown: the one asked for, else the first free slot's, else today.
        let page = SitePath.call.link(practice.id, call.id!)
        let firstSlotDay = slots.first.flatMap { ISOTimestamp.parse($0.start) }.map { LocalDate($0, in: agenda.timeZone) }
        let day = try await AgendaDay.make(req, practice: practice,
                                           date: try AgendaDay.requested(req) ?? firstSlotDay,
                                           carry: .init(call: call.id, patient: call.patientID), page: page, known: practitioners)
        let finder = Finder(
            motifs: AppointmentsController.motifOptions(motifs, selected: motif?.id),
            practitioners: practitioners.filter { motif.map { Set($0.practitionerIDs) }?.contains($0.id!) ?? true }
                .map { Choice(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id == practitionerID) },
            motifID: motif?.id.uuidString ?? "", instructions: motif?.patientInstructions ?? "", slots: slots, asked: motif != nil, problem: problem)
        return (day, finder, facts, QueueController.noteRows(unread))
    }

    struct SaveForm: Content {
        let numero: String?
        let patient: String?
        let motifs: [String]?
        let notes: String?
        let issue: String?
        let checklist: [String]?
        /// enregistrer, cloturer, non-identifie.
        let action: String?

        var reasonList: [CallReason] { (motifs ?? []).compactMap(CallReason.init(rawValue:)) }
    }

    @Sendable func save(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let call = try await CallStore.find(req.parameters.get("callID", as: UUID.self), in: practice, on: req.db)
        let form = try req.content.decode(SaveForm.self)
        var input = CallInput()
        input.callerNumber = form.numero ?? ""
        if form.action == "non-identifie" { input.patientUnidentified = true } else if let raw = form.patient, !raw.isEmpty { input.patientId = UUID(uuidString: raw) }
        input.reasons = form.reasonList
        input.notes = form.notes ?? ""
        input.outcome = form.issue.flatMap(CallOutcome.init(rawValue:))
        input.checklist = form.checklist ?? []
        return try await FormRefusal.run(req, back: { try await render(req, practice: practice, call: call, errors: $0, typed: form) }) {
            let context = try req.writeContext()
            if form.action == "cloturer" {
                try await CallStore.close(call, with: input, in: practice, context: context, now: req.application.clock.now())
                return req.redirect(to: SitePath.call.link(practice.id, call.id!))
            }
            try await CallStore.update(call, with: input, in: practice, context: context)
            return req.redirect(to: SitePath.call.link(practice.id, call.id!, query: "enregistre=1"))
        }
    }

    struct CorrectionForm: Content { let texte: String? }

    @Sendable func correct(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let call = try await CallStore.find(req.parameters.get("callID", as: UUID.self), in: practice, on: req.db)
        let text = try req.content.decode(CorrectionForm.self).texte ?? ""
        return try await FormRefusal.run(req, back: { try await render(req, practice: practice, call: call, errors: $0) }) {
            _ = try await CallStore.correct(call, text: text, in: practice, context: try req.writeContext(), now: req.application.clock.now())
            return req.redirect(to: SitePath.call.link(practice.id, call.id!))
        }
    }

    struct IncidentForm: Content { let texte: String? }

    /// "Demander une responsable": the incident on the call, an urgent item in the supervisors' queue.
    @Sendable func askSupervisor(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let call = try await CallStore.find(req.parameters.get("callID", as: UUID.self), in: practice, on: req.db)
        let text = try req.content.decode(IncidentForm.self).texte ?? ""
        return try await FormRefusal.run(req, back: { try await render(req, practice: practice, call: call, errors: $0) }) {
            _ = try await CallStore.incident(call, text: text, in: practice, context: try req.writeContext(), now: req.application.clock.now())
            return req.redirect(to: SitePath.call.link(practice.id, call.id!, query: "renfort=1"))
        }
    }

    @Sendable func flagAnxious(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let call = try await CallStore.find(req.parameters.get("callID", as: UUID.self), in: practice, on: req.db)
        return try await FormRefusal.run(req, back: { try await render(req, practice: practice, call: call, errors: $0) }) {
            try await CallStore.flagAnxious(call, in: practice, context: try req.writeContext())
            return req.redirect(to: SitePath.call.link(practice.id, call.id!))
        }
    }

    static func choice(_ patient: IndexedPatient, today: LocalDate) -> PatientChoice {
        PatientChoice(id: patient.id, name: patient.displayName, born: patient.birthDate.birthText(on: today),
                      phones: patient.phones.map(\.number.display).joined(separator: ", "))
    }

    static func choices(_ patients: [PatientRecord], today: LocalDate, on db: any Database) async throws -> [PatientChoice] {
        let phones = try await PatientSearch.phones(of: patients.map { $0.id! }, on: db)
        return patients.map { patient in
            PatientChoice(id: patient.id!, name: patient.displayName, born: LocalDate(iso: patient.birthDate)?.birthText(on: today) ?? patient.birthDate,
                          phones: (phones[patient.id!] ?? []).map { PhoneNumber(e164: $0.e164).display }.joined(separator: ", "))
        }
    }

    static func patientNames(_ ids: [UUID], in practice: AuthorizedPractice, on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        let patients = try await PatientRecord.query(on: db).filter(\.$practice.$id == practice.id).filter(\.$id ~~ Array(Set(ids))).all()
        return Dictionary(uniqueKeysWithValues: patients.map { ($0.id!, $0.displayName) })
    }
}
