import Foundation

/// What must hold before a new practice goes live ("Mise en service"): each item says whether it holds and, when not,
/// what is still to do. The practice goes live only when every item holds.
public struct OnboardingChecklist: Equatable, Sendable {
    /// What the center knows of the practice, read from its records.
    public struct Facts: Equatable, Sendable {
        public var dialledNumbers: [String]
        public var activePractitioners: [String]
        /// Active practitioners without weekly hours.
        public var practitionersWithoutHours: [String]
        /// Bookable motifs (not archived) that at least one active practitioner takes.
        public var motifsTaken: Int
        /// The saved version of the playbook in service (0: the starting one, never written).
        public var playbookVersion: Int
        /// The triage protocol version in service, and the one a practitioner of the practice last reviewed.
        public var triageVersion: Int
        public var triageReviewedVersion: Int?
        public var triageReviewedBy: String?
        /// Secretaries' accounts that reach the practice.
        public var secretaryAccounts: Int
        /// Calls received on its numbers (a test call counts).
        public var callsReceived: Int

        public init(dialledNumbers: [String], activePractitioners: [String], practitionersWithoutHours: [String], motifsTaken: Int,
                    playbookVersion: Int, triageVersion: Int, triageReviewedVersion: Int?, triageReviewedBy: String?,
                    secretaryAccounts: Int, callsReceived: Int) {
            self.dialledNumbers = dialledNumbers
            self.activePractitioners = activePractitioners
            self.practitionersWithoutHours = practitionersWithoutHours
            self.motifsTaken = motifsTaken
            self.playbookVersion = playbookVersion
            self.triageVersion = triageVersion
            self.triageReviewedVersion = triageReviewedVersion
            self.triageReviewedBy = triageReviewedBy
            self.secretaryAccounts = secretaryAccounts
            self.callsReceived = callsReceived
        }
    }

    public struct Item: Equatable, Sendable {
        /// Stable name for the API: `number`, `practitioners`, `motifs`, `playbook`, `triage`, `accounts`, `test-call`.
        public let key: String
        public let label: String
        public let done: Bool
        /// What holds, or what is still to do.
        public let detail: String
    }

    public let items: [Item]

    public var ready: Bool { items.allSatisfy(\.done) }

    public init(_ facts: Facts) {
        func plural(_ count: Int, _ one: String, _ many: String) -> String { "\(count) \(count == 1 ? one : many)" }
        let withHours = facts.activePractitioners.count - facts.practitionersWithoutHours.count
        let reviewed = facts.triageVersion > 0 && facts.triageReviewedVersion == facts.triageVersion
        items = [
            Item(key: "number", label: "Un numéro appelé", done: !facts.dialledNumbers.isEmpty,
                 detail: facts.dialledNumbers.isEmpty ? "Aucun numéro : ajoutez le numéro que les patients composent." : facts.dialledNumbers.joined(separator: ", ")),
            Item(key: "practitioners", label: "Des praticiens avec leurs horaires",
                 done: !facts.activePractitioners.isEmpty && facts.practitionersWithoutHours.isEmpty,
                 detail: facts.activePractitioners.isEmpty ? "Aucun praticien : ajoutez-les."
                    : facts.practitionersWithoutHours.isEmpty ? plural(withHours, "praticien avec ses horaires", "praticiens avec leurs horaires")
                    : "Sans horaires : " + facts.practitionersWithoutHours.joined(separator: ", ") + "."),
            Item(key: "motifs", label: "Des motifs de consultation", done: facts.motifsTaken > 0,
                 detail: facts.motifsTaken > 0 ? plural(facts.motifsTaken, "motif pris par un praticien", "motifs pris par un praticien")
                    : "Aucun motif pris par un praticien : donnez ses motifs à chaque praticien."),
            Item(key: "playbook", label: "Accueil et consignes", done: facts.playbookVersion > 0,
                 detail: facts.playbookVersion > 0 ? "Fiche en service : version \(facts.playbookVersion)."
                    : "La fiche n'a jamais été écrite : accueil, consignes et procédures à convenir avec le cabinet."),
            Item(key: "triage", label: "Critères d'urgence relus par un praticien", done: reviewed,
                 detail: facts.triageVersion == 0 ? "Le cabinet n'a pas encore de critères d'urgence propres."
                    : reviewed ? "Version \(facts.triageVersion) relue par \(facts.triageReviewedBy ?? "un praticien")."
                    : "La version \(facts.triageVersion) en service n'a pas été relue par un praticien du cabinet."),
            Item(key: "accounts", label: "Des comptes de télésecrétaires", done: facts.secretaryAccounts > 0,
                 detail: facts.secretaryAccounts > 0 ? plural(facts.secretaryAccounts, "télésecrétaire rattachée", "télésecrétaires rattachées")
                    : "Aucune télésecrétaire n'est rattachée au cabinet."),
            Item(key: "test-call", label: "Un appel d'essai", done: facts.callsReceived > 0,
                 detail: facts.callsReceived > 0 ? "Appel reçu sur un numéro du cabinet."
                    : "Appelez un numéro du cabinet : l'appel doit s'afficher sur cette page."),
        ]
    }
}
