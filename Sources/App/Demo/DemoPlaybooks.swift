import Domain

/// The demo practices' frameworks: what the secretary reads when a call for them comes in, how each request is
/// handled, and the criteria each practitioner agreed for urgent calls (on top of the center's red flags).
enum DemoPlaybooks {
    static let outOfHours = Playbook.standardOutOfHours

    static func playbook(forSlug slug: String) -> Playbook? {
        switch slug {
        case "cabinet-des-tilleuls": general
        case "cabinet-lambert-pediatrie": paediatrics
        case "kine-roux": physiotherapy
        default: nil
        }
    }

    static func triage(forSlug slug: String) -> TriageProtocol? {
        switch slug {
        case "cabinet-des-tilleuls": generalTriage
        case "cabinet-lambert-pediatrie": paediatricsTriage
        case "kine-roux": physiotherapyTriage
        default: nil
        }
    }

    static let general = Playbook(
        sheet: PracticeSheet(
            greeting: "Cabinet médical des Tilleuls, bonjour, que puis-je faire pour vous ?",
            address: "14 rue des Tilleuls, 92100 Boulogne-Billancourt",
            access: "Rez-de-chaussée, accessible en fauteuil. Métro Marcel-Sembat (ligne 9). Stationnement payant rue des Tilleuls, parking Indigo à 200 m.",
            coverage: "Le secrétariat répond du lundi au vendredi de 8 h à 19 h et le samedi de 8 h à 12 h.",
            outOfHours: outOfHours,
            practitioners: [
                SheetPractitioner(name: "Dr Claire Martin", does: "Médecine générale, suivi des enfants et des femmes enceintes, frottis, vaccinations.",
                                  doesNot: "Pas de visites à domicile le mercredi. Pas de certificats sans consultation."),
                SheetPractitioner(name: "Dr Karim Benali", does: "Médecine générale, médecine du sport, sutures simples.",
                                  doesNot: "Ne suit pas de nouveaux patients en médecin traitant en ce moment."),
            ],
            consultations: [
                SheetConsultation(name: "Consultation", instructions: "Venir avec la carte Vitale, l'ordonnance en cours et les derniers résultats."),
                SheetConsultation(name: "Renouvellement d'ordonnance", instructions: "Uniquement pour un traitement habituel ; apporter l'ancienne ordonnance."),
                SheetConsultation(name: "Vaccination", instructions: "Apporter le vaccin (acheté en pharmacie, gardé au frais) et le carnet de vaccination."),
                SheetConsultation(name: "Certificat médical", instructions: "Toujours une consultation : préciser le sport ou l'usage du certificat."),
            ],
            faq: [
                SheetAnswer(question: "Le cabinet pratique-t-il le tiers payant ?", answer: "Oui pour la part Sécurité sociale ; la part mutuelle selon la mutuelle."),
                SheetAnswer(question: "Peut-on avoir les résultats par téléphone ?", answer: "Non : le médecin les commente en consultation, ou rappelle si un résultat demande une action rapide."),
                SheetAnswer(question: "Le cabinet prend-il de nouveaux patients ?", answer: "Le Dr Martin, oui, pour les habitants de Boulogne ; le Dr Benali, pas en ce moment."),
            ],
            instructions: [
                "Ne jamais donner le numéro de portable des médecins.",
                "Une demande de visite à domicile est toujours transmise au médecin, qui décide.",
                "Un patient qui appelle pour la troisième fois dans la journée est transmis au médecin.",
            ]),
        procedures: [
            Procedure(requestType: .appointment, collect: ["Patient identifié (nom de naissance, date de naissance)", "Motif de consultation", "Médecin souhaité", "Numéro de rappel"],
                      say: "Je vous propose le premier créneau disponible ; je vous récapitule le rendez-vous avant de raccrocher.", outcome: .book),
            Procedure(requestType: .prescriptionRenewal, collect: ["Médicaments à renouveler", "Date de la dernière consultation", "Pharmacie habituelle"],
                      say: "Je transmets votre demande au médecin ; l'ordonnance sera à retirer au cabinet sous 48 h ouvrées, ou le médecin vous proposera une consultation.",
                      outcome: .transmit, outcomeDetail: "Transmission normale au médecin traitant."),
            Procedure(requestType: .results, collect: ["Examen et date", "Laboratoire ou centre d'imagerie", "Numéro de rappel"],
                      say: "Les résultats sont commentés par le médecin : je lui transmets votre appel, il vous rappellera ou vous proposera un rendez-vous.",
                      outcome: .transmit, outcomeDetail: "Transmission au médecin prescripteur ; jamais de lecture de résultats par le secrétariat."),
            Procedure(requestType: .certificate, collect: ["Type de certificat (sport, crèche, travail…)", "Date limite"],
                      say: "Un certificat demande une consultation : je vous propose un rendez-vous.", outcome: .book),
            Procedure(requestType: .homeVisit, collect: ["Adresse complète et code d'accès", "Raison de la visite", "Peut-elle se déplacer ?", "Numéro de rappel"],
                      say: "Je transmets votre demande au médecin, qui décide de la visite et vous rappelle dans la matinée.",
                      outcome: .transmit, outcomeDetail: "Transmission urgente si la personne ne peut pas se déplacer et se sent plus mal."),
            Procedure(requestType: .newPatient, collect: ["Identité complète", "Commune de résidence", "Médecin traitant actuel"],
                      say: "Le Dr Martin accepte de nouveaux patients habitant Boulogne ; je vous propose une première consultation.",
                      outcome: .book, outcomeDetail: "Créer le dossier avec la vérification des doublons."),
        ])

    static let generalTriage = TriageProtocol(criteria: [
        TriageQuestion(id: "breathing-worse", text: "La gêne pour respirer augmente-t-elle, même si la personne peut encore parler ?", levelIfYes: .immediateAdvice),
        TriageQuestion(id: "elderly-fall", text: "Une personne âgée a-t-elle chuté et ne peut plus se relever ou marcher comme avant ?", levelIfYes: .immediateAdvice),
        TriageQuestion(id: "fever-3-days", text: "Fièvre (38 °C ou plus) depuis plus de 3 jours ?", levelIfYes: .sameDay),
        TriageQuestion(id: "strong-pain", text: "Douleur forte, apparue depuis moins de 48 heures, qui empêche de dormir ou de bouger ?", levelIfYes: .sameDay),
        TriageQuestion(id: "cannot-drink", text: "Vomissements ou diarrhée qui empêchent de boire depuis plus de 24 heures ?", levelIfYes: .sameDay),
        TriageQuestion(id: "urine-fever", text: "Brûlures en urinant avec de la fièvre ou une douleur dans le bas du dos ?", levelIfYes: .sameDay),
        TriageQuestion(id: "wound", text: "Plaie ou cicatrice rouge, chaude, gonflée ou qui coule ?", levelIfYes: .within48Hours),
        TriageQuestion(id: "lasting", text: "Des symptômes qui durent depuis plus d'une semaine sans s'améliorer ?", levelIfYes: .within48Hours),
    ])

    static let paediatrics = Playbook(
        sheet: PracticeSheet(
            greeting: "Cabinet du docteur Lambert, pédiatre, bonjour.",
            address: "3 place de la Mairie, 94300 Vincennes",
            access: "1er étage avec ascenseur, place pour les poussettes dans le hall. RER A Vincennes.",
            coverage: "Le secrétariat répond du lundi au vendredi de 8 h 30 à 18 h 30.",
            outOfHours: outOfHours,
            practitioners: [
                SheetPractitioner(name: "Dr Sophie Lambert", does: "Pédiatrie de 0 à 16 ans : suivi, vaccinations, examens obligatoires, certificats.",
                                  doesNot: "Pas de visites à domicile. Pas de consultation d'adulte, même pour les parents."),
            ],
            consultations: [
                SheetConsultation(name: "Consultation", instructions: "Venir avec le carnet de santé et la carte Vitale du parent."),
                SheetConsultation(name: "Vaccination", instructions: "Acheter le vaccin en pharmacie, le garder au réfrigérateur, l'apporter avec le carnet de santé."),
                SheetConsultation(name: "Examen du 9e mois", instructions: "Consultation de 30 minutes ; le carnet de santé est rempli pendant la consultation."),
                SheetConsultation(name: "Certificat de sport", instructions: "Préciser le sport ; apporter le carnet de santé."),
            ],
            faq: [
                SheetAnswer(question: "Quelle dose de paracétamol donner ?", answer: "Le secrétariat ne donne pas de posologie : voir l'ordonnance ou la notice, ou demander au pharmacien ; en cas de doute, évaluation de l'urgence."),
                SheetAnswer(question: "Peut-on venir sans rendez-vous ?", answer: "Non, mais des créneaux d'urgence sont gardés chaque jour pour les enfants malades."),
            ],
            instructions: [
                "Tout appel pour un bébé de moins de 3 mois qui a de la fièvre : appeler le 15 (signe d'alerte du centre).",
                "Un enfant malade est vu le jour même si un créneau d'urgence reste libre.",
                "Ne jamais donner de posologie de médicament.",
            ]),
        procedures: [
            Procedure(requestType: .appointment, collect: ["Enfant identifié (nom, date de naissance)", "Parent qui appelle et numéro de rappel", "Motif", "L'enfant est-il malade aujourd'hui ?"],
                      say: "Je vous propose un rendez-vous ; si votre enfant est malade aujourd'hui, je vais d'abord vous poser quelques questions.",
                      outcome: .book, outcomeDetail: "Enfant malade : évaluation de l'urgence avant tout rendez-vous."),
            Procedure(requestType: .prescriptionRenewal, collect: ["Médicament", "Poids actuel de l'enfant", "Pharmacie"],
                      say: "Je transmets votre demande au Dr Lambert, qui vous rappellera si une consultation est nécessaire.", outcome: .transmit),
            Procedure(requestType: .results, collect: ["Examen", "Date", "Numéro de rappel"],
                      say: "Le Dr Lambert commente les résultats elle-même : je lui transmets votre appel.", outcome: .transmit),
            Procedure(requestType: .certificate, collect: ["Type de certificat", "Sport ou collectivité"],
                      say: "Le certificat se fait en consultation : je vous propose un rendez-vous.", outcome: .book),
            Procedure(requestType: .homeVisit, collect: ["Raison de la demande"],
                      say: "Le Dr Lambert ne se déplace pas à domicile ; je peux vous proposer un créneau au cabinet aujourd'hui, ou vous orienter vers le 116 117.",
                      outcome: .refusePolitely),
            Procedure(requestType: .newPatient, collect: ["Identité de l'enfant", "Date de naissance", "Pédiatre ou médecin actuel"],
                      say: "Le Dr Lambert prend de nouveaux patients de moins de 2 ans ; au-delà, je transmets votre demande.",
                      outcome: .book),
        ])

    static let paediatricsTriage = TriageProtocol(criteria: [
        TriageQuestion(id: "child-fever", text: "L'enfant a-t-il de la fièvre (38 °C ou plus) ?", levelIfYes: .within48Hours, followUps: [
            TriageFollowUp(on: [.yes], ask: ["fever-3-to-6-months", "fever-drinks-less", "fever-unusually-sleepy", "fever-48h"]),
        ]),
        TriageQuestion(id: "fever-3-to-6-months", text: "L'enfant a-t-il entre 3 et 6 mois ?", levelIfYes: .sameDay),
        TriageQuestion(id: "fever-drinks-less", text: "Boit-il beaucoup moins que d'habitude, ou refuse-t-il le biberon ou le sein ?", levelIfYes: .immediateAdvice),
        TriageQuestion(id: "fever-unusually-sleepy", text: "Est-il inhabituellement mou, endormi ou geignard, même quand la fièvre baisse ?", levelIfYes: .immediateAdvice),
        TriageQuestion(id: "fever-48h", text: "La fièvre dure-t-elle depuis plus de 48 heures ?", levelIfYes: .sameDay),
        TriageQuestion(id: "fast-breathing", text: "Respire-t-il plus vite que d'habitude, ou en creusant le ventre ou le bas du cou ?", levelIfYes: .immediateAdvice),
        TriageQuestion(id: "dry-nappies", text: "Vomit-il tout ce qu'il boit, ou a-t-il beaucoup moins de couches mouillées depuis 12 heures ?", levelIfYes: .immediateAdvice),
        TriageQuestion(id: "ear-pain", text: "Se plaint-il d'une douleur à l'oreille, ou se touche-t-il sans cesse l'oreille ?", levelIfYes: .within48Hours),
        TriageQuestion(id: "rash", text: "Des boutons ou des plaques sont-ils apparus sur la peau, sans fièvre ?", levelIfYes: .within48Hours),
    ])

    static let physiotherapy = Playbook(
        sheet: PracticeSheet(
            greeting: "Cabinet de kinésithérapie Roux, bonjour.",
            address: "27 avenue Jean-Jaurès, 75019 Paris",
            access: "Rez-de-chaussée sur cour, accessible en fauteuil ; code de la porte donné au patient au moment du rendez-vous. Métro Laumière.",
            coverage: "Le secrétariat répond du lundi au vendredi de 8 h à 20 h.",
            outOfHours: outOfHours,
            practitioners: [
                SheetPractitioner(name: "Julien Roux, masseur-kinésithérapeute", does: "Rééducation après chirurgie (genou, épaule, hanche), dos, sport.",
                                  doesNot: "Pas de kinésithérapie respiratoire du nourrisson. Pas de séances à domicile."),
            ],
            consultations: [
                SheetConsultation(name: "Bilan kinésithérapique", instructions: "Apporter l'ordonnance, le compte rendu opératoire et les imageries ; tenue souple."),
                SheetConsultation(name: "Séance de rééducation", instructions: "Tenue souple et une serviette ; prévenir 24 h avant pour annuler."),
            ],
            faq: [
                SheetAnswer(question: "Faut-il une ordonnance ?", answer: "Oui pour être remboursé ; la première séance est un bilan."),
                SheetAnswer(question: "Combien de séances ?", answer: "Le nombre prescrit par le médecin ; le kinésithérapeute en fait le point au bilan."),
            ],
            instructions: [
                "Une douleur nouvelle ou un gonflement après une opération : évaluation de l'urgence avant tout rendez-vous.",
                "Les séances annulées moins de 24 h avant sont notées dans le dossier.",
            ]),
        procedures: [
            Procedure(requestType: .appointment, collect: ["Patient identifié", "Ordonnance (date, prescripteur, nombre de séances)", "Opération récente et sa date"],
                      say: "Je vous propose un premier bilan puis les séances suivantes aux mêmes heures si vous le souhaitez.", outcome: .book),
            Procedure(requestType: .results, collect: ["Examen", "Numéro de rappel"],
                      say: "Les résultats sont à voir avec votre médecin ; je peux transmettre votre question à M. Roux.", outcome: .transmit),
            Procedure(requestType: .homeVisit, collect: ["Raison"],
                      say: "M. Roux ne fait pas de séances à domicile ; je peux vous donner le numéro de l'Ordre des kinésithérapeutes pour en trouver un.",
                      outcome: .refusePolitely),
            Procedure(requestType: .newPatient, collect: ["Identité", "Ordonnance", "Motif de rééducation"],
                      say: "Je vous propose un bilan : apportez l'ordonnance et vos examens.", outcome: .book),
        ])

    static let physiotherapyTriage = TriageProtocol(criteria: [
        TriageQuestion(id: "calf-after-surgery", text: "Depuis une opération ou un plâtre, le mollet est-il devenu douloureux et gonflé d'un coup ?",
                       hint: "Avec un essoufflement ou une douleur dans la poitrine, c'est un signe d'alerte : le 15.", levelIfYes: .immediateAdvice),
        TriageQuestion(id: "leg-weakness", text: "Après une opération du dos, une jambe a-t-elle perdu de la force, ou est-il devenu difficile d'uriner ou de se retenir ?",
                       levelIfYes: .immediateAdvice),
        TriageQuestion(id: "scar", text: "La cicatrice est-elle rouge, chaude, gonflée ou coule-t-elle, ou y a-t-il de la fièvre depuis l'opération ?", levelIfYes: .sameDay),
        TriageQuestion(id: "fall", text: "Une chute depuis la dernière séance, avec une douleur nouvelle ?", levelIfYes: .sameDay),
        TriageQuestion(id: "pain-increase", text: "La douleur a-t-elle nettement augmenté depuis la dernière séance ?", levelIfYes: .within48Hours),
    ])
}
