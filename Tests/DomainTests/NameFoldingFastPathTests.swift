@testable import Domain
import Testing

/// The table that folds French names quickly must agree with Foundation's folding wherever it answers.
struct NameFoldingFastPathTests {
    static let names = [
        "Lefèvre", "LE FÈVRE", "Hélène", "ÉLODIE", "Zoé", "Anaïs", "Noël", "Françoise", "Cœur", "ŒUVRE", "Lætitia", "Ærøskøbing",
        "Garçon", "Müller", "Ñúñez", "João", "Ýves", "Ÿvonne", "Ådne", "Ìsola", "Òscar", "Ùrsula", "N'Diaye", "Saint-Martin",
        "Marie-Dominique", "Da Silva", "O'Connor", "JEAN-PIERRE", "Straße", "N’Diaye", "Nguyễn", "Łukasz", "e\u{301}lodie", "123 rue",
    ]

    @Test(arguments: names) func theTableAgreesWithFoundation(name: String) {
        if let fast = NameFolding.fastFold(name) {
            #expect(fast == NameFolding.foundationFold(name))
        }
    }

    @Test func namesOutsideTheTableAreLeftToFoundation() {
        #expect(NameFolding.fastFold("Straße") == nil)
        #expect(NameFolding.fastFold("Nguyễn") == nil)
        #expect(NameFolding.fastFold("e\u{301}lodie") == nil)
        #expect(NameFolding.fold("Straße") == "strasse")
        #expect(NameFolding.fastFold("Lefèvre") == "lefevre")
    }
}

struct TrimmingTests {
    @Test func spacesTabsLineBreaksAndNoBreakSpacesGoFromBothEnds() {
        #expect("  Hélène \r\n".trimmed == "Hélène")
        #expect("\u{00A0}Le Fèvre\t".trimmed == "Le Fèvre")
        #expect(" \t\n ".trimmed == "")
        #expect("Marie  Dominique".trimmed == "Marie  Dominique")
    }
}
