import Foundation

/// A practitioner of the practice as the secretary must know them: what they do and what they do not.
public struct SheetPractitioner: Codable, Sendable, Equatable {
    public var name: String
    public var does: String
    public var doesNot: String

    public init(name: String, does: String, doesNot: String = "") {
        self.name = name
        self.does = does
        self.doesNot = doesNot
    }
}

/// A consultation type and what to tell the patient about it.
public struct SheetConsultation: Codable, Sendable, Equatable {
    public var name: String
    public var instructions: String

    public init(name: String, instructions: String) {
        self.name = name
        self.instructions = instructions
    }
}

/// A question patients ask, with the practice's standard answer.
public struct SheetAnswer: Codable, Sendable, Equatable {
    public var question: String
    public var answer: String

    public init(question: String, answer: String) {
        self.question = question
        self.answer = answer
    }
}

/// The practice sheet (fiche cabinet), shown first when a call for the practice is taken.
public struct PracticeSheet: Codable, Sendable, Equatable {
    /// What the secretary says on picking up ("Cabinet du Dr Martin, bonjour…").
    public var greeting: String
    public var address: String
    /// Access, parking, floor, lift.
    public var access: String
    /// When the center answers for the practice.
    public var coverage: String
    /// What to say outside those hours (116 117 where available, the on-call service, 15 for emergencies).
    public var outOfHours: String
    public var practitioners: [SheetPractitioner]
    public var consultations: [SheetConsultation]
    public var faq: [SheetAnswer]
    /// The practice's special instructions ("never give the doctor's mobile number").
    public var instructions: [String]

    public init(greeting: String, address: String, access: String = "", coverage: String, outOfHours: String,
                practitioners: [SheetPractitioner] = [], consultations: [SheetConsultation] = [], faq: [SheetAnswer] = [],
                instructions: [String] = []) {
        self.greeting = greeting
        self.address = address
        self.access = access
        self.coverage = coverage
        self.outOfHours = outOfHours
        self.practitioners = practitioners
        self.consultations = consultations
        self.faq = faq
        self.instructions = instructions
    }
}

/// The kinds of request a call brings, each with its procedure.
public enum RequestType: String, Codable, Sendable, CaseIterable {
    case appointment, prescriptionRenewal, results, certificate, homeVisit, newPatient, administrative

    public var label: String {
        switch self {
        case .appointment: "Rendez-vous"
        case .prescriptionRenewal: "Renouvellement d'ordonnance"
        case .results: "Résultats d'examens"
        case .certificate: "Certificat"
        case .homeVisit: "Visite à domicile"
        case .newPatient: "Nouveau patient"
        case .administrative: "Administratif"
        }
    }
}

/// What the secretary does once the procedure's fields are collected.
public enum ProcedureOutcome: String, Codable, Sendable, CaseIterable {
    case book, transmit, triage, inform, refusePolitely

    public var label: String {
        switch self {
        case .book: "Prendre le rendez-vous"
        case .transmit: "Transmettre au praticien"
        case .triage: "Évaluer l'urgence"
        case .inform: "Renseigner le patient"
        case .refusePolitely: "Refuser poliment"
        }
    }
}

/// How a request type is handled in this practice: what to collect, what to say, what to do next.
public struct Procedure: Codable, Sendable, Equatable {
    public var requestType: RequestType
    /// The checklist: what to ask and note, in order.
    public var collect: [String]
    public var say: String
    public var outcome: ProcedureOutcome
    /// Details of the next step ("transmettre au Dr Martin, qui rappelle sous 48 h").
    public var outcomeDetail: String

    public init(requestType: RequestType, collect: [String], say: String, outcome: ProcedureOutcome, outcomeDetail: String = "") {
        self.requestType = requestType
        self.collect = collect
        self.say = say
        self.outcome = outcome
        self.outcomeDetail = outcomeDetail
    }
}

/// The practice's framework: its sheet and its procedures, saved together as one version.
public struct Playbook: Codable, Sendable, Equatable {
    /// What every practice says outside its hours until it writes its own: the national numbers.
    public static let standardOutOfHours = "En dehors de ces horaires : pour un avis médical, appelez le 116 117 (médecin de garde) ; "
        + "pour une urgence vitale, le 15 (ou le 112 ; le 114 par SMS pour une personne sourde ou malentendante) ; "
        + "pour une pharmacie de garde, le 3237."

    /// A practice's first playbook, before anyone wrote it: its greeting and address, the national numbers.
    public static func starting(greeting: String, address: String) -> Playbook {
        Playbook(sheet: PracticeSheet(greeting: greeting, address: address, coverage: "Horaires du secrétariat à préciser par le cabinet.",
                                      outOfHours: standardOutOfHours), procedures: [])
    }

    public var sheet: PracticeSheet
    public var procedures: [Procedure]

    public init(sheet: PracticeSheet, procedures: [Procedure]) {
        self.sheet = sheet
        self.procedures = procedures
    }

    public func procedure(for type: RequestType) -> Procedure? { procedures.first { $0.requestType == type } }

    /// Every problem, each naming its field: the greeting, the coverage and what to say out of hours are required;
    /// lists hold no empty entry; one procedure per request type, each with something to collect and to say.
    public func problems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        func refuse(_ field: String, _ reason: String) { problems.append(.init(field: field, reason: reason)) }
        func text(_ value: String, _ field: String, required: Bool = false, max: Int = 2_000) {
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if required && trimmed.isEmpty { refuse(field, "obligatoire") }
            if trimmed.count > max { refuse(field, "\(max.formatted(.number.locale(Locale(identifier: "fr_FR")))) caractères au plus") }
        }
        text(sheet.greeting, "sheet.greeting", required: true, max: 300)
        text(sheet.address, "sheet.address", max: 300)
        text(sheet.access, "sheet.access")
        text(sheet.coverage, "sheet.coverage", required: true)
        text(sheet.outOfHours, "sheet.outOfHours", required: true)
        if !sheet.outOfHours.contains("15") { refuse("sheet.outOfHours", "le 15 pour une urgence doit y figurer") }
        for (index, practitioner) in sheet.practitioners.enumerated() {
            text(practitioner.name, "sheet.practitioners[\(index)].name", required: true, max: 100)
            text(practitioner.does, "sheet.practitioners[\(index)].does")
            text(practitioner.doesNot, "sheet.practitioners[\(index)].doesNot")
        }
        for (index, consultation) in sheet.consultations.enumerated() {
            text(consultation.name, "sheet.consultations[\(index)].name", required: true, max: 100)
            text(consultation.instructions, "sheet.consultations[\(index)].instructions")
        }
        for (index, entry) in sheet.faq.enumerated() {
            text(entry.question, "sheet.faq[\(index)].question", required: true, max: 300)
            text(entry.answer, "sheet.faq[\(index)].answer", required: true)
        }
        for (index, instruction) in sheet.instructions.enumerated() { text(instruction, "sheet.instructions[\(index)]", required: true, max: 500) }
        var types = Set<RequestType>()
        for (index, procedure) in procedures.enumerated() {
            let field = "procedures[\(index)]"
            if !types.insert(procedure.requestType).inserted {
                refuse("\(field).requestType", "une seule procédure « \(procedure.requestType.label) »")
            }
            if procedure.collect.isEmpty { refuse("\(field).collect", "au moins un élément à recueillir") }
            for (position, item) in procedure.collect.enumerated() { text(item, "\(field).collect[\(position)]", required: true, max: 200) }
            text(procedure.say, "\(field).say", required: true)
            text(procedure.outcomeDetail, "\(field).outcomeDetail", max: 500)
        }
        return problems
    }

    /// The playbook as lines to compare between two versions.
    public var versionLines: [VersionLine] {
        var lines: [VersionLine] = [
            .init(key: "greeting", label: "Accueil", value: sheet.greeting),
            .init(key: "address", label: "Adresse", value: sheet.address),
            .init(key: "access", label: "Accès et stationnement", value: sheet.access),
            .init(key: "coverage", label: "Horaires du secrétariat", value: sheet.coverage),
            .init(key: "outOfHours", label: "En dehors de ces horaires", value: sheet.outOfHours),
        ]
        for practitioner in sheet.practitioners {
            lines.append(.init(key: "practitioner.\(practitioner.name)", label: "\(practitioner.name) : fait", value: practitioner.does))
            lines.append(.init(key: "practitioner.\(practitioner.name).not", label: "\(practitioner.name) : ne fait pas", value: practitioner.doesNot))
        }
        for consultation in sheet.consultations {
            lines.append(.init(key: "consultation.\(consultation.name)", label: "Consultation « \(consultation.name) »", value: consultation.instructions))
        }
        for entry in sheet.faq { lines.append(.init(key: "faq.\(entry.question)", label: "Question « \(entry.question) »", value: entry.answer)) }
        for (index, instruction) in sheet.instructions.enumerated() {
            lines.append(.init(key: "instruction.\(index)", label: "Consigne \(index + 1)", value: instruction))
        }
        for procedure in procedures {
            let name = "Procédure « \(procedure.requestType.label) »"
            lines.append(.init(key: "procedure.\(procedure.requestType.rawValue).collect", label: "\(name) : à recueillir",
                               value: procedure.collect.joined(separator: " ; ")))
            lines.append(.init(key: "procedure.\(procedure.requestType.rawValue).say", label: "\(name) : à dire", value: procedure.say))
            lines.append(.init(key: "procedure.\(procedure.requestType.rawValue).outcome", label: "\(name) : ensuite",
                               value: [procedure.outcome.label, procedure.outcomeDetail].filter { !$0.isEmpty }.joined(separator: " — ")))
        }
        return lines
    }
}
