import Foundation

/// The center's red-flag screen: factual questions a non-clinician can ask (public knowledge from the SAMU, the HAS
/// and the stroke campaigns), asked first in every practice's protocol. A « oui » to any of them gives level 1 whatever
/// else was answered; a « ne sait pas » is doubt, which needs a practitioner's opinion at once (level 2 at least).
public enum RedFlagScreen {
    public static let questions: [TriageQuestion] = [
        flag("rf-chest", "Douleur ou serrement dans la poitrine, surtout avec des sueurs, un essoufflement, ou qui s'étend au bras, à la mâchoire ou au dos ?"),
        flag("rf-face-arm-speech", "Visage qui se déforme, faiblesse ou engourdissement d'un côté du corps, difficulté soudaine à parler ou à comprendre, perte soudaine de la vue ?",
             hint: "Faire sourire, lever les deux bras, répéter une phrase : si l'un des trois ne va pas, c'est « oui »."),
        flag("rf-breathing", "Très grande difficulté à respirer : ne peut pas finir une phrase, lèvres bleues ou grises, s'étouffe ?"),
        flag("rf-consciousness", "Inconscient, ne répond pas normalement, confusion soudaine, convulsions qui durent ou pour la première fois ?"),
        flag("rf-bleeding-trauma", "Saignement abondant qui ne s'arrête pas, accident grave, chute de hauteur, choc à la tête avec perte de connaissance ?"),
        flag("rf-swelling", "Gonflement du visage, des lèvres ou de la gorge, ou boutons avec gêne pour respirer, après un aliment, une piqûre ou un médicament ?"),
        flag("rf-suicide-danger", "Idées de suicide avec un plan ou un moyen, ou danger immédiat pour elle-même ou pour d'autres ?",
             hint: "Si le danger est immédiat : le 15. Le 3114 (prévention du suicide) en plus, jamais à la place."),
        flag("rf-poisoning-burn", "Intoxication ou surdosage avec des signes (malaise, somnolence, vomissements…), ou brûlure grave ?",
             hint: "Sans aucun signe : le centre antipoison de la région peut conseiller."),
        flag("rf-pregnancy", "Enceinte, avec un saignement abondant, une douleur forte du ventre ou des convulsions ?"),
        flag("rf-infant-fever", "Bébé de moins de 3 mois avec de la fièvre (38 °C ou plus), ou enfant fiévreux avec des taches violettes qui ne s'effacent pas quand on appuie dessus ?",
             hint: "Appuyer un verre transparent sur les taches : si elles restent visibles, c'est « oui »."),
        flag("rf-headache", "Mal de tête brutal et extrêmement fort, « le pire de sa vie » ?"),
    ]

    public static func question(_ id: String) -> TriageQuestion? { byID[id] }

    private static let byID = Dictionary(uniqueKeysWithValues: questions.map { ($0.id, $0) })

    private static func flag(_ id: String, _ text: String, hint: String? = nil) -> TriageQuestion {
        TriageQuestion(id: id, text: text, hint: hint, levelIfYes: .vital)
    }
}
