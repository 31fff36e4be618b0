import Foundation

/// The center's screen, asked before every practice's criteria and never removed or lowered by a practice: first
/// whether the call is about a new or worsening health problem (if not, it is not a symptom call and goes to an
/// ordinary booking), then the red flags worded for the patient's age, then an ingestion or exposure.
/// A « oui » to a red flag gives level 1 whatever else was answered; a « ne sait pas » is doubt, which needs a
/// practitioner's opinion at once (level 2 at least). Public knowledge from the SAMU, the HAS, the stroke campaigns and
/// the French paediatric campaigns (DOMAIN.md).
public enum RedFlagScreen {
    /// The first question: symptom calls are never routine.
    public static let symptomGate = TriageQuestion(
        id: "new-problem", text: "L'appel concerne-t-il un problème de santé nouveau, ou qui s'aggrave ?",
        hint: "« Non » : une ordonnance à renouveler, un certificat, un suivi prévu, un résultat, un papier. Dans le doute, « Ne sait pas » : les questions suivent.",
        levelIfYes: nil, note: "Un appel pour un symptôme n'est jamais un rendez-vous de routine : au moins le niveau 4 et une transmission.")

    /// Asked after the red flags, at every age: without signs, at least level 3 and the poison centre's advice.
    public static let exposure = TriageQuestion(
        id: "exposure", text: "A-t-il avalé, respiré ou touché par erreur un médicament, un produit ménager, une plante, un champignon ou un autre produit, même s'il semble aller bien ?",
        hint: "Avec des signes (malaise, somnolence, vomissements, gêne pour respirer), c'est le signe d'alerte « intoxication » : le 15.",
        levelIfYes: .sameDay, note: "Une ingestion ou une exposition sans signe : le centre antipoison conseille, et le praticien voit la personne dans la journée.")

    /// The red flags asked when the age is not known: worded for anyone, infants included. Also what an API client
    /// that gives no age answers.
    public static let questions: [TriageQuestion] = [
        chest, faceArmSpeech, breathing, consciousness, bleedingTrauma, swelling, suicide, poisoningBurn, pregnancy,
        flag("rf-infant-fever", "Bébé de moins de 3 mois avec de la fièvre (38 °C ou plus), ou enfant fiévreux avec des taches violettes qui ne s'effacent pas quand on appuie dessus ?",
             hint: "Appuyer un verre transparent sur les taches : si elles restent visibles, c'est « oui »."),
        headache,
    ]

    /// A child's red flags (under 12), worded for the parents who call.
    public static let childQuestions: [TriageQuestion] = [
        flag("rf-child-drowsy", "L'enfant est-il difficile à réveiller, tout mou, ou ne réagit-il pas comme d'habitude ?", maxMonths: childUntil),
        flag("rf-child-breathing", "Respire-t-il très vite, bruyamment ou avec des pauses, les côtes qui se creusent, ou a-t-il les lèvres bleues ou grises ?",
             maxMonths: childUntil),
        flag("rf-child-seizure", "A-t-il fait une convulsion (raideur ou secousses, yeux révulsés, ne répond plus) ?", maxMonths: childUntil),
        flag("rf-baby-fever", "Le bébé a-t-il de la fièvre (38 °C ou plus, même une seule fois) ?", hint: "Moins de 3 mois : toute fièvre est un signe d'alerte.",
             maxMonths: 3),
        flag("rf-child-purpura", "A-t-il des taches violettes ou rouge foncé sur la peau qui ne s'effacent pas quand on appuie dessus ?",
             hint: "Appuyer un verre transparent sur les taches : si elles restent visibles, c'est « oui ».", minMonths: 3, maxMonths: childUntil),
        flag("rf-child-dehydration", "Refuse-t-il tout à boire, avec peu ou pas de couches mouillées (ou presque plus de pipi) depuis 8 heures ?",
             maxMonths: childUntil),
        flag("rf-child-skin", "Sa peau est-elle grise, marbrée ou très pâle ?", maxMonths: childUntil),
        flag("rf-child-head-injury", "Après un choc à la tête, vomit-il ou est-il inhabituellement somnolent ?", maxMonths: childUntil),
    ]

    /// Under this age (in months) the child's wording is used: 12 years.
    public static let childUntil = 144

    static let chest = flag("rf-chest", "Douleur ou serrement dans la poitrine, surtout avec des sueurs, un essoufflement, ou qui s'étend au bras, à la mâchoire ou au dos ?",
                            minMonths: childUntil)
    static let faceArmSpeech = flag("rf-face-arm-speech", "Visage qui se déforme, faiblesse ou engourdissement d'un côté du corps, difficulté soudaine à parler ou à comprendre, perte soudaine de la vue ?",
                                    hint: "Faire sourire, lever les deux bras, répéter une phrase : si l'un des trois ne va pas, c'est « oui ».", minMonths: childUntil)
    static let breathing = flag("rf-breathing", "Très grande difficulté à respirer : ne peut pas finir une phrase, lèvres bleues ou grises, s'étouffe ?", minMonths: childUntil)
    static let consciousness = flag("rf-consciousness", "Inconscient, ne répond pas normalement, confusion soudaine, convulsions qui durent ou pour la première fois ?",
                                    minMonths: childUntil)
    static let bleedingTrauma = flag("rf-bleeding-trauma", "Saignement abondant qui ne s'arrête pas, accident grave, chute de hauteur, choc à la tête avec perte de connaissance ?")
    static let swelling = flag("rf-swelling", "Gonflement du visage, des lèvres ou de la gorge, ou boutons avec gêne pour respirer, après un aliment, une piqûre ou un médicament ?")
    static let suicide = flag("rf-suicide-danger", "Idées de suicide avec un plan ou un moyen, ou danger immédiat pour soi-même ou pour d'autres ?",
                              hint: "Si le danger est immédiat : le 15, et le 3114 (prévention du suicide) en plus, jamais à la place.", minMonths: 96)
    static let poisoningBurn = flag("rf-poisoning-burn", "Intoxication ou surdosage avec des signes (malaise, somnolence, vomissements…), ou brûlure grave ?",
                                    hint: "Sans aucun signe : la question suivante (centre antipoison).")
    static let pregnancy = flag("rf-pregnancy", "Enceinte, avec un saignement abondant, une douleur forte du ventre ou des convulsions ?",
                                minMonths: childUntil, maxMonths: 55 * 12, pregnancy: true)
    static let headache = flag("rf-headache", "Mal de tête brutal et extrêmement fort, « le pire de sa vie » ?", minMonths: childUntil)

    /// The red flags for a patient of this age, in the order they are asked; the wording for anyone when it is unknown.
    public static func questions(forAgeInMonths age: Int?) -> [TriageQuestion] {
        guard let age else { return questions }
        let adult = [chest, faceArmSpeech, breathing, consciousness, bleedingTrauma, swelling, suicide, poisoningBurn, pregnancy, headache]
        let child = childQuestions + [bleedingTrauma, swelling, suicide, poisoningBurn]
        return (age < childUntil ? child : adult).filter { $0.applies(toAgeInMonths: age) }
    }

    /// Every question of the center, each wording of each age.
    public static let all: [TriageQuestion] = [symptomGate] + questions + childQuestions + [exposure]

    public static func question(_ id: String) -> TriageQuestion? { byID[id] }

    /// The red flags' ids (the gate and the exposure are the center's too, but not red flags).
    public static func isRedFlag(_ id: String) -> Bool { id.hasPrefix("rf-") && byID[id] != nil }

    private static let byID = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

    private static func flag(_ id: String, _ text: String, hint: String? = nil, minMonths: Int? = nil, maxMonths: Int? = nil,
                             pregnancy: Bool = false) -> TriageQuestion {
        TriageQuestion(id: id, text: text, hint: hint, levelIfYes: .vital, minAgeMonths: minMonths, maxAgeMonths: maxMonths, pregnancy: pregnancy,
                       note: "Signe d'alerte du centre : le 15, quoi qu'on ait répondu d'autre.")
    }
}
