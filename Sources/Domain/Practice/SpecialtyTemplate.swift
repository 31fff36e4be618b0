import Foundation

/// What a new practice of a specialty starts from (`Resources/Specialties/*.json`): its usual motifs and durations, a
/// playbook (the sheet's common parts and the procedures) and a triage protocol, each to adapt with the practitioners.
/// The practice's own facts (greeting, address, access, hours, practitioners) come from the practice itself.
public struct SpecialtyTemplate: Decodable, Sendable, Equatable {
    public struct TemplateMotif: Decodable, Sendable, Equatable {
        public let label: String
        public let durationMinutes: Int
        public let bufferAfterMinutes: Int
        public let newPatientsAllowed: Bool
        public let minimumNoticeMinutes: Int
        public let horizonDays: Int
        public let patientInstructions: String
        public let bookableBy: [String]
        public let colour: String

        /// The motif, taken by no practitioner yet: each practitioner added to the practice takes the ones ticked.
        public func motif(id: UUID, practitioners: [UUID] = []) -> Motif {
            Motif(id: id, label: label, durationMinutes: durationMinutes, bufferAfterMinutes: bufferAfterMinutes, practitionerIDs: practitioners,
                  newPatientsAllowed: newPatientsAllowed, minimumNoticeMinutes: minimumNoticeMinutes, horizonDays: horizonDays,
                  patientInstructions: patientInstructions, bookableBy: Set(bookableBy.compactMap(BookingChannel.init(rawValue:))), colour: colour)
        }
    }

    public struct TemplateSheet: Decodable, Sendable, Equatable {
        public let consultations: [SheetConsultation]
        public let faq: [SheetAnswer]
        public let instructions: [String]
    }

    public struct TemplatePlaybook: Decodable, Sendable, Equatable {
        public let sheet: TemplateSheet
        public let procedures: [Procedure]
    }

    /// The file's name without `.json`: `pediatrie`.
    public let id: String
    /// The practice's specialty: « Pédiatrie ».
    public let specialty: String
    /// Its practitioners' usual specialty: « Pédiatre ».
    public let practitionerSpecialty: String
    /// The note of the first versions it gives.
    public let note: String
    public let motifs: [TemplateMotif]
    public let playbook: TemplatePlaybook
    public let triage: TriageProtocol

    /// The practice's first playbook: its own facts with the template's consultations, answers, instructions and procedures.
    public func playbook(greeting: String, address: String, access: String, coverage: String, outOfHours: String) -> Playbook {
        Playbook(sheet: PracticeSheet(greeting: greeting, address: address, access: access, coverage: coverage, outOfHours: outOfHours,
                                      consultations: playbook.sheet.consultations, faq: playbook.sheet.faq, instructions: playbook.sheet.instructions),
                 procedures: playbook.procedures)
    }

    /// Every problem of the template, each naming its field: its motifs (as if one practitioner took them), its playbook
    /// (with sample facts) and its protocol are held to the rules a practice's own are.
    public func problems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if id.range(of: "^[a-z0-9]+(-[a-z0-9]+)*$", options: .regularExpression) == nil { problems.append(.init(field: "id", reason: "identifiant en minuscules")) }
        for (field, value) in [("specialty", specialty), ("practitionerSpecialty", practitionerSpecialty), ("note", note)]
            where value.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append(.init(field: field, reason: "obligatoire"))
        }
        if motifs.isEmpty { problems.append(.init(field: "motifs", reason: "au moins un motif")) }
        var labels = Set<String>()
        for (index, motif) in motifs.enumerated() {
            if !labels.insert(motif.label).inserted { problems.append(.init(field: "motifs[\(index)].label", reason: "motif en double")) }
            if motif.bookableBy.contains(where: { BookingChannel(rawValue: $0) == nil }) {
                problems.append(.init(field: "motifs[\(index)].bookableBy", reason: "canal inconnu"))
            }
            problems += motif.motif(id: UUID(), practitioners: [UUID()]).problems().map { .init(field: "motifs[\(index)].\($0.field)", reason: $0.reason) }
        }
        let sample = playbook(greeting: "Cabinet, bonjour.", address: "", access: "", coverage: "Du lundi au vendredi.", outOfHours: Playbook.standardOutOfHours)
        problems += sample.problems().map { .init(field: "playbook.\($0.field)", reason: $0.reason) }
        problems += triage.problems().map { .init(field: "triage.\($0.field)", reason: $0.reason) }
        return problems
    }
}

extension CoverageHours {
    /// « Le secrétariat répond le lundi de 8 h à 12 h et de 14 h à 19 h ; le samedi de 8 h à 12 h. », for the sheet.
    public var frenchSentence: String {
        let days = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
        func time(_ t: LocalTime) -> String { t.minutes % 60 == 0 ? "\(t.minutes / 60) h" : "\(t.minutes / 60) h \(String(format: "%02d", t.minutes % 60))" }
        let parts = (1...7).compactMap { day -> String? in
            guard let ranges = weekly[day], !ranges.isEmpty else { return nil }
            return "le \(days[day - 1]) " + ranges.sorted { $0.start < $1.start }.map { "de \(time($0.start)) à \(time($0.end))" }.joined(separator: " et ")
        }
        return parts.isEmpty ? "Horaires du secrétariat à préciser par le cabinet." : "Le secrétariat répond " + parts.joined(separator: " ; ") + "."
    }
}
