import Domain
import Testing

struct PlaybookTextTests {
    @Test func listsAreReadLineByLineWithTheirParts() throws {
        let text = "Dr Claire Martin | consultations, suivi | visites à domicile\n\n  Dr Paul Petit | pédiatrie  \n"
        let (practitioners, problems) = PlaybookText.practitioners(text)
        #expect(problems.isEmpty)
        #expect(practitioners == [SheetPractitioner(name: "Dr Claire Martin", does: "consultations, suivi", doesNot: "visites à domicile"),
                                  SheetPractitioner(name: "Dr Paul Petit", does: "pédiatrie", doesNot: "")])
        #expect(PlaybookText.practitioners(PlaybookText.text(practitioners)).entries == practitioners, "written back, read the same")
        let faq = PlaybookText.faq("Parking ? | Place du marché, gratuit").entries
        #expect(faq == [SheetAnswer(question: "Parking ?", answer: "Place du marché, gratuit")])
    }

    @Test func aLineWithTooManyPartsOrNoNameIsRefusedNamingIt() {
        let consultations = PlaybookText.consultations("Première consultation | 30 min\nSuivi | 15 min | en trop")
        #expect(consultations.entries == [SheetConsultation(name: "Première consultation", instructions: "30 min")])
        #expect(consultations.problems == [FieldProblem(field: "sheet.consultations[1]", reason: "ligne 2 : « Consultation | consignes » attendu")])
        #expect(PlaybookText.faq(" | réponse sans question").problems == [FieldProblem(field: "sheet.faq[0]", reason: "ligne 1 : « Question | réponse » attendu")])
    }
}
