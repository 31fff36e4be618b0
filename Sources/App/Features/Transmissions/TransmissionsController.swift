import Domain
import Fluent
import Foundation
import Vapor

/// Transmissions in the browser (French): composing one with its read-back, the practice's list, one transmission
/// with the practitioner's acknowledgement and answer, and the practitioner's inbox.
struct TransmissionsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.transmissions, use: list)
        routes.get(.newTransmission, use: compose)
        routes.post(.transmissions, use: send)
        routes.get(.transmission, use: show)
        routes.post(.transmissionAcknowledge, use: acknowledge)
        routes.post(.transmissionAnswer, use: answer)
        routes.get(.inbox, use: inbox)
    }


    struct Row: Encodable {
        let id: UUID
        let practiceID: UUID
        let practiceName: String
        let when: String
        let priority: String
        let priorityClass: String
        let subject: String
        let patient: String
        let practitioner: String
        let state: String
        let waiting: Bool
        let answer: String?
    }

    static func rows(_ transmissions: [TransmissionRecord], practiceNames: [UUID: String], on db: any Database) async throws -> [Row] {
        let patientIDs = Array(Set(transmissions.compactMap(\.patientID)))
        let patients = patientIDs.isEmpty ? [] : try await PatientRecord.query(on: db).filter(\.$id ~~ patientIDs).all()
        let names = Dictionary(uniqueKeysWithValues: patients.map { ($0.id!, $0.displayName) })
        let practitionerIDs = Array(Set(transmissions.map(\.practitionerID)))
        let practitioners = practitionerIDs.isEmpty ? [] : try await PractitionerRecord.query(on: db).filter(\.$id ~~ practitionerIDs).all()
        let doctors = practitioners.namesByID
        return transmissions.map {
            Row(id: $0.id!, practiceID: $0.$practice.id, practiceName: practiceNames[$0.$practice.id] ?? "",
                when: "\(FrenchFormat.shortDate($0.sentAt)) \(FrenchFormat.time($0.sentAt))", priority: $0.priority.label,
                priorityClass: $0.priority.rawValue, subject: $0.subject, patient: $0.patientID.flatMap { names[$0] } ?? "—",
                practitioner: doctors[$0.practitionerID] ?? "", state: $0.state.label, waiting: $0.state.awaitsPractitioner, answer: $0.answer)
        }
    }

    struct ListPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let rows: [Row]
    }

    @Sendable func list(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let rows = try await Self.rows(try await TransmissionStore.list(in: practice, on: req.db), practiceNames: [practice.id: record.name], on: req.db)
        return try await req.view.render("transmissions/list", ListPage(layout: .init(principal), practiceID: practice.id, practiceName: record.name, rows: rows))
    }

    struct ComposePage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let callID: UUID?
        let patientID: UUID?
        let patientName: String?
        let practitioners: [Choice]
        let priorities: [Choice]
        let subject: String
        let message: String
        let callback: String
        let evaluationID: UUID?
        /// Filled in from a triage with a practitioner chosen: the send button has the focus (Entrée sends).
        let ready: Bool
        let errors: [FormFault]
    }

    struct ComposeForm: Content {
        let appel: UUID?
        let patient: UUID?
        let praticien: UUID?
        let priorite: String?
        let objet: String?
        let message: String?
        let rappel: String?
        /// The triage this transmission reports.
        let evaluation: UUID?
    }

    /// The form; from a triage (`?evaluation=`) it comes filled in with the triage's level, answers, patient and
    /// number, ready to send with one key.
    @Sendable func compose(req: Request) async throws -> View {
        let practice = try await req.authorizePracticeParameter()
        if let triageID = req.query[UUID.self, at: "evaluation"] {
            let draft = TriageStore.transmissionDraft(try await TriageStore.find(triageID, in: practice, on: req.db))
            let form = ComposeForm(appel: draft.callId, patient: draft.patientId, praticien: nil, priorite: draft.priority?.rawValue, objet: draft.subject,
                                   message: draft.message, rappel: draft.callbackNumber.map { FrenchFormat.phone($0) }, evaluation: triageID)
            return try await render(req, practice: practice, form: form, errors: [])
        }
        let form = ComposeForm(appel: req.query[UUID.self, at: "appel"], patient: req.query[UUID.self, at: "patient"], praticien: nil, priorite: nil,
                               objet: nil, message: nil, rappel: nil, evaluation: nil)
        return try await render(req, practice: practice, form: form, errors: [])
    }

    func render(_ req: Request, practice: AuthorizedPractice, form: ComposeForm, errors: [FormFault]) async throws -> View {
        let principal = try req.requirePrincipal()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let practitioners = try await PracticeStore.practitioners(of: practice, on: req.db)
        var patient: PatientRecord?
        if let id = form.patient, let found = try await PatientRecord.find(id, on: req.db), found.$practice.id == practice.id { patient = found }
        var callback = form.rappel
        if callback == nil, let patient {
            callback = try await PatientSearch.phones(of: [patient.id!], on: req.db)[patient.id!]?.first.map { FrenchFormat.phone($0.e164) }
        }
        if callback == nil, let callID = form.appel, let call = try await CallRecord.find(callID, on: req.db), call.$practice.id == practice.id, !call.callerNumber.isEmpty {
            callback = FrenchFormat.phone(call.callerNumber)
        }
        let chosen = form.praticien ?? patient?.preferredPractitionerID ?? (practitioners.count == 1 ? practitioners.first?.id : nil)
        let priority = form.priorite ?? "normal"
        return try await req.view.render("transmissions/compose", ComposePage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name, callID: form.appel, patientID: patient?.id,
            patientName: patient?.displayName,
            practitioners: practitioners.map { Choice(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id == chosen) },
            priorities: TransmissionPriority.allCases.map { Choice(value: $0.rawValue, label: $0.label, selected: $0.rawValue == priority) },
            subject: form.objet ?? "", message: form.message ?? "", callback: callback ?? "", evaluationID: form.evaluation,
            ready: form.evaluation != nil && chosen != nil, errors: errors))
    }

    @Sendable func send(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let form = try req.content.decode(ComposeForm.self)
        let input = TransmissionInput(practitionerId: form.praticien, patientId: form.patient, callId: form.appel,
                                      priority: form.priorite.flatMap(TransmissionPriority.init(rawValue:)), subject: form.objet,
                                      message: form.message, callbackNumber: form.rappel, triageId: form.evaluation)
        return try await FormRefusal.run(req, back: { try await render(req, practice: practice, form: form, errors: $0) }) {
            let transmission = try await TransmissionStore.send(input, in: practice, context: try req.writeContext(), now: req.application.clock.now())
            return req.redirect(to: SitePath.transmission.link(practice.id, transmission.id!, query: "envoyee=1"))
        }
    }

    struct ShowPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let row: Row
        let message: String
        let callback: String
        let sentBy: String
        let readBack: String?
        let callID: UUID?
        let patientID: UUID?
        let ladder: [String]
        let next: String?
        let mayAct: Bool
        let acknowledgedBy: String?
        let errors: [FormFault]
    }

    @Sendable func show(req: Request) async throws -> View {
        let practice = try await req.authorizePracticeParameter()
        let transmission = try await TransmissionsAPI.transmission(req, practice)
        let principal = try req.requirePrincipal()
        if (try? TransmissionStore.requireAddressee(transmission, principal: principal)) != nil {
            try await TransmissionStore.markRead(transmission, in: practice, context: try req.writeContext(), now: req.application.clock.now())
        }
        return try await render(req, practice: practice, transmission: transmission, errors: [])
    }

    func render(_ req: Request, practice: AuthorizedPractice, transmission: TransmissionRecord, errors: [FormFault]) async throws -> View {
        let principal = try req.requirePrincipal()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let row = try await Self.rows([transmission], practiceNames: [practice.id: record.name], on: req.db)[0]
        let policy = try await TransmissionStore.policy(of: practice, on: req.db)
        let ladder = try await TransmissionStore.trace(of: transmission, on: req.db)
        let reachable = try await Outbox.recipients(of: [transmission.practitionerID], on: req.db)[transmission.practitionerID] != nil
        let next = EscalationLadder.nextStep(policy: policy, priority: transmission.priority, state: transmission.state,
                                             addressee: transmission.practitionerID, sentAt: transmission.sentAt, reached: transmission.escalationStep,
                                             noticeReachable: reachable)
        let sent = req.query[String.self, at: "envoyee"] != nil
        return try await req.view.render("transmissions/show", ShowPage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name, row: row, message: transmission.message,
            callback: FrenchFormat.phone(transmission.callbackNumber.isEmpty ? nil : transmission.callbackNumber),
            sentBy: AuditActor.readable(transmission.sentByLabel),
            readBack: sent ? try await TransmissionsAPI.readBack(transmission, on: req.db) : nil,
            callID: transmission.callID, patientID: transmission.patientID, ladder: ladder,
            next: next.map { "À \(FrenchFormat.time($0.1)) si personne n'en accuse réception : \($0.0.label.prefix(1).lowercased() + $0.0.label.dropFirst())" },
            mayAct: (try? TransmissionStore.requireAddressee(transmission, principal: principal)) != nil && transmission.state != .done,
            acknowledgedBy: transmission.acknowledgedByLabel.map(AuditActor.readable), errors: errors))
    }

    @Sendable func acknowledge(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let transmission = try await TransmissionsAPI.transmission(req, practice)
        try TransmissionStore.requireAddressee(transmission, principal: try req.requirePrincipal())
        return try await FormRefusal.run(req, back: { try await render(req, practice: practice, transmission: transmission, errors: $0) }) {
            try await TransmissionStore.acknowledge(transmission, in: practice, context: try req.writeContext(), now: req.application.clock.now())
            return req.redirect(to: SitePath.transmission.link(practice.id, transmission.id!))
        }
    }

    struct AnswerForm: Content { let reponse: String? }

    @Sendable func answer(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        let transmission = try await TransmissionsAPI.transmission(req, practice)
        try TransmissionStore.requireAddressee(transmission, principal: try req.requirePrincipal())
        let text = try req.content.decode(AnswerForm.self).reponse ?? ""
        return try await FormRefusal.run(req, back: { try await render(req, practice: practice, transmission: transmission, errors: $0) }) {
            _ = try await TransmissionStore.answer(transmission, text: text, in: practice, context: try req.writeContext(), now: req.application.clock.now())
            return req.redirect(to: SitePath.inbox.link())
        }
    }

    struct InboxPage: Encodable {
        let layout: PracticesController.Layout
        let waiting: [Row]
        let recent: [Row]
        let isPractitioner: Bool
    }

    /// The practitioner's transmissions: to read and acknowledge first, then the recent ones.
    @Sendable func inbox(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        var all: [TransmissionRecord] = []
        var names: [UUID: String] = [:]
        if let practitioner = principal.practitionerID {
            for practice in try await PracticeStore.visible(to: principal, on: req.db) {
                names[practice.id!] = practice.name
                all += try await TransmissionStore.list(in: try await req.authorize(practice: practice.id!), practitioner: practitioner, limit: 50, on: req.db)
            }
        }
        let rows = try await Self.rows(all.sorted { ($0.priority, $1.sentAt) < ($1.priority, $0.sentAt) }, practiceNames: names, on: req.db)
        let page = InboxPage(layout: .init(principal), waiting: rows.filter(\.waiting), recent: rows.filter { !$0.waiting }, isPractitioner: principal.practitionerID != nil)
        if req.query[String.self, at: "partiel"] != nil { return try await req.view.render("transmissions/inbox-items", page) }
        return try await req.view.render("transmissions/inbox", page)
    }
}
