import Foundation

/// The French poison centres (centres antipoison), each answering 24 hours a day for its regions (DOMAIN.md).
public enum PoisonCentre: String, CaseIterable, Codable, Sendable {
    case angers, bordeaux, lille, lyon, marseille, nancy, paris, toulouse

    public var city: String {
        switch self {
        case .angers: "Angers"
        case .bordeaux: "Bordeaux"
        case .lille: "Lille"
        case .lyon: "Lyon"
        case .marseille: "Marseille"
        case .nancy: "Nancy"
        case .paris: "Paris"
        case .toulouse: "Toulouse"
        }
    }

    /// As it is dialled and read out.
    public var number: String {
        switch self {
        case .angers: "02 41 48 21 21"
        case .bordeaux: "05 56 96 40 80"
        case .lille: "0 800 59 59 59"
        case .lyon: "04 72 11 69 11"
        case .marseille: "04 91 75 25 25"
        case .nancy: "03 83 22 50 50"
        case .paris: "01 40 05 48 48"
        case .toulouse: "05 61 77 74 47"
        }
    }

    /// "le centre antipoison de Lyon, au 04 72 11 69 11".
    public var spoken: String { "le centre antipoison de \(city), au \(number)" }

    /// Their public advice while waiting, and when the person gets worse.
    public static let whileWaiting = "En attendant : ne donnez rien à boire ni à manger, ne faites pas vomir, gardez l'emballage ou le produit."
    public static let ifWorse = "Si la personne respire mal, s'endort ou perd connaissance : le 15."

    /// The centre serving a département ("69", "2A", "974"); nil for a code that is not one.
    public static func serving(departement code: String) -> PoisonCentre? { byDepartement[code.uppercased()] }

    /// The centre serving the place of a French postal code ("69003", "97400", "20000"); nil when none is found.
    public static func serving(postalCode code: String) -> PoisonCentre? { Departement.of(postalCode: code).flatMap { serving(departement: $0) } }

    private static let byDepartement: [String: PoisonCentre] = {
        let regions: [(PoisonCentre, String)] = [
            (.lyon, "01 03 07 15 26 38 42 43 63 69 73 74"),  // Auvergne-Rhône-Alpes
            (.nancy, "21 25 39 58 70 71 89 90"),  // Bourgogne-Franche-Comté
            (.nancy, "08 10 51 52 54 55 57 67 68 88"),  // Grand Est
            (.angers, "22 29 35 56"),  // Bretagne
            (.angers, "18 28 36 37 41 45"),  // Centre-Val de Loire
            (.angers, "14 27 50 61 76"),  // Normandie
            (.angers, "44 49 53 72 85"),  // Pays de la Loire
            (.marseille, "2A 2B 04 05 06 13 83 84 974 976"),  // Corse, Provence-Alpes-Côte d'Azur, La Réunion, Mayotte
            (.lille, "02 59 60 62 80"),  // Hauts-de-France
            (.paris, "75 77 78 91 92 93 94 95 971 972 973 975 977 978"),  // Île-de-France, Antilles, Guyane, Saint-Pierre, Saint-Barthélemy, Saint-Martin
            (.bordeaux, "16 17 19 23 24 33 40 47 64 79 86 87"),  // Nouvelle-Aquitaine
            (.toulouse, "09 11 12 30 31 32 34 46 48 65 66 81 82"),  // Occitanie
        ]
        return Dictionary(uniqueKeysWithValues: regions.flatMap { centre, codes in codes.split(separator: " ").map { (String($0), centre) } })
    }()
}
