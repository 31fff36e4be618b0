/// Common French names, for demo patients.
enum DemoNames {
    static let surnames = [
        "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent", "Simon", "Michel",
        "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine",
        "Rousseau", "Vincent", "Muller", "Lefebvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier",
        "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu",
        "Masson", "Marchand", "Duval", "Denis", "Dumont", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard",
        "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard", "Roche", "Renard",
        "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix",
        "Le Gall", "Le Fèvre", "Nguyen", "Benali", "Haddad", "Diallo", "N'Diaye", "Da Silva", "Ferreira", "Saint-Martin", "Payet",
    ]

    static let femaleFirstNames = [
        "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise", "Christine", "Monique", "Sophie", "Valérie", "Sandrine",
        "Céline", "Julie", "Camille", "Léa", "Chloé", "Emma", "Manon", "Inès", "Louise", "Jade", "Alice", "Lina", "Zoé", "Anaïs",
        "Mathilde", "Hélène", "Élodie", "Aurélie", "Émilie", "Marie-Dominique", "Anne-Sophie", "Yasmine", "Fatima", "Aïcha", "Jeanne",
        "Geneviève", "Odile", "Brigitte", "Martine",
    ]

    static let maleFirstNames = [
        "Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "Christophe", "Patrick", "Laurent", "Frédéric", "Stéphane", "David",
        "Julien", "Thomas", "Maxime", "Lucas", "Hugo", "Louis", "Gabriel", "Léo", "Nathan", "Arthur", "Jules", "Raphaël", "Théo", "Enzo",
        "Mohamed", "Karim", "Yanis", "Adam", "Bernard", "Jacques", "Gérard", "Daniel", "René", "Jean-Pierre", "Jean-Marc", "François",
        "Éric", "Olivier",
    ]

    /// "Marie-Dominique" → "marie-dominique", "Lefèvre" → "lefevre", "N'Diaye" → "ndiaye": for e-mail addresses.
    static func ascii(_ name: String) -> String {
        name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
            .lowercased()
            .filter { $0.isLetter || $0 == "-" }
            .replacingOccurrences(of: " ", with: "")
    }
}
