import Domain
import Testing

struct PlaybookTests {
    static let playbook = Playbook(
        sheet: PracticeSheet(
            greeting: "Cabinet du Dr Martin, bonjour, je vous écoute.", address: "12 rue des Tilleuls, 69003 Lyon",
            access: "Rez-de-chaussée, parking de la mairie en face.", coverage: "Du lundi au vendredi, de 8 h à 19 h.",
            outOfHours: "Le soir et le week-end : le 116 117 ; en cas d'urgence vitale, le 15.",
            practitioners: [SheetPractitioner(name: "Dr Claire Martin", does: "Médecine générale, suivi des enfants", doesNot: "Pas de visites le mercredi")],
            consultations: [SheetConsultation(name: "Vaccination", instructions: "Venir avec le carnet de santé.")],
            faq: [SheetAnswer(question: "Le cabinet prend-il la carte Vitale ?", answer: "Oui, et le tiers payant pour les patients en ALD.")],
            instructions: ["Ne jamais donner le numéro de portable du docteur."]),
        procedures: [
            Procedure(requestType: .prescriptionRenewal, collect: ["Nom du médicament", "Pharmacie habituelle"],
                      say: "Je transmets votre demande au Dr Martin ; l'ordonnance sera prête sous 48 h.", outcome: .transmit),
        ])

    @Test func aCompletePlaybookIsValid() {
        #expect(Self.playbook.problems().isEmpty)
        #expect(Self.playbook.procedure(for: .prescriptionRenewal)?.outcome == .transmit)
        #expect(Self.playbook.procedure(for: .homeVisit) == nil)
    }

    @Test func missingTextsAndRepeatedProceduresAreRefusedByField() {
        var playbook = Self.playbook
        playbook.sheet.greeting = "  "
        playbook.sheet.outOfHours = "Le 116 117."
        playbook.sheet.faq.append(SheetAnswer(question: "Horaires ?", answer: ""))
        playbook.procedures.append(Procedure(requestType: .prescriptionRenewal, collect: [], say: "Oui.", outcome: .inform))
        #expect(playbook.problems().map { "\($0.field): \($0.reason)" } == [
            "sheet.greeting: obligatoire",
            "sheet.outOfHours: le 15 pour une urgence doit y figurer",
            "sheet.faq[1].answer: obligatoire",
            "procedures[1].requestType: une seule procédure « Renouvellement d'ordonnance »",
            "procedures[1].collect: au moins un élément à recueillir",
        ])
    }

    @Test func twoVersionsShowTheChangedInstructionAndTheNewProcedure() {
        var next = Self.playbook
        next.sheet.instructions[0] = "Ne jamais donner le numéro de portable du docteur, même à un confrère."
        next.procedures.append(Procedure(requestType: .certificate, collect: ["Type de certificat"], say: "Le certificat demande une consultation.",
                                         outcome: .book))
        #expect(VersionDiff.between(Self.playbook.versionLines, next.versionLines) == [
            .changed(label: "Consigne 1", before: "Ne jamais donner le numéro de portable du docteur.",
                     after: "Ne jamais donner le numéro de portable du docteur, même à un confrère."),
            .added(label: "Procédure « Certificat » : à recueillir", value: "Type de certificat"),
            .added(label: "Procédure « Certificat » : à dire", value: "Le certificat demande une consultation."),
            .added(label: "Procédure « Certificat » : ensuite", value: "Prendre le rendez-vous"),
        ])
    }
}
