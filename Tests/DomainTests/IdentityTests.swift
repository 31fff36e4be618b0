import Domain
import Foundation
import Testing

struct NameFoldingTests {
    @Test func accentsCaseHyphensAndApostrophesAreIgnored() {
        #expect(NameFolding.compact("Le Fèvre") == "lefevre")
        #expect(NameFolding.compact("Lefèvre") == "lefevre")
        #expect(NameFolding.words("Marie-Dominique") == ["marie", "dominique"])
        #expect(NameFolding.words("N'Diaye") == ["n", "diaye"])
        #expect(NameFolding.compact("N'DIAYE") == "ndiaye")
        #expect(NameFolding.fold("Œuvre") == "oeuvre")
        #expect(NameFolding.fold("HÉLÈNE") == "helene")
    }

    @Test func editDistanceStopsPastItsLimit() {
        #expect(NameFolding.distance("martin", "martin") == 0)
        #expect(NameFolding.distance("martin", "martine") == 1)
        #expect(NameFolding.distance("dupont", "dupond") == 1)
        #expect(NameFolding.distance("bernard", "benard") == 1)
        #expect(NameFolding.distance("martin", "bernard", limit: 2) == 3)
    }
}

struct PatientSearchQueryTests {
    let today = LocalDate(year: 2026, month: 11, day: 24)

    @Test func aNameAndAYear() {
        let query = PatientSearchQuery("Martin 1957", today: today)
        #expect(query.nameFragments == ["martin"])
        #expect(query.birthYear == 1957)
        #expect(query.birthDates.isEmpty && query.phone == nil)
    }

    @Test func datesOfBirthInFrenchFormats() {
        let expected = LocalDate(year: 1957, month: 12, day: 3)
        for text in ["03/12/1957", "3/12/1957", "03-12-1957", "03.12.1957", "03121957", "3121957", "3/12/57", "031257", "1957-12-03"] {
            #expect(PatientSearchQuery(text, today: today).birthDates.contains(expected), "\(text)")
        }
        // One digit for the day or for the month: both readings are searched.
        #expect(Set(PatientSearchQuery("1121957", today: today).birthDates) == [LocalDate(year: 1957, month: 12, day: 1), LocalDate(year: 1957, month: 2, day: 11)])
        // A two-digit year is never in the future.
        #expect(PatientSearchQuery("03/12/30", today: today).birthDates == [LocalDate(year: 1930, month: 12, day: 3)])
        #expect(PatientSearchQuery("03/12/20", today: today).birthDates == [LocalDate(year: 2020, month: 12, day: 3)])
        // Impossible dates are no dates.
        #expect(PatientSearchQuery("31/02/1990", today: today).birthDates.isEmpty)
        #expect(PatientSearchQuery("01/01/2030", today: today).birthDates.isEmpty)
    }

    @Test func phoneNumbersInAnyFormat() {
        for text in ["06 12 34 56 78", "06.12.34.56.78", "0612345678", "+33 6 12 34 56 78", "0033612345678"] {
            #expect(PatientSearchQuery(text, today: today).phone?.e164 == "+33612345678", "\(text)")
        }
        let combined = PatientSearchQuery("dupont 0612345678", today: today)
        #expect(combined.nameFragments == ["dupont"] && combined.phone?.e164 == "+33612345678")
    }

    @Test func namesAreFoldedIntoFragments() {
        #expect(PatientSearchQuery("Le Fèvre", today: today).nameFragments == ["le", "fevre"])
        #expect(PatientSearchQuery("  ", today: today).isEmpty)
    }
}

struct NIRTests {
    // Keys computed independently: 97 − (number mod 97), 2A read as 19 and 2B as 18.
    @Test func theKeyIsChecked() throws {
        #expect(try NIR(parsing: "1 57 12 75 116 108 78").value == "157127511610878")
        #expect(try NIR(parsing: "269022A00412363").value == "269022A00412363")
        #expect(try NIR(parsing: "185112B00412382").description == "1 85 11 2B 004 123 82")
        #expect(throws: NIRProblem.wrongKey) { try NIR(parsing: "157127511610879") }
        #expect(throws: NIRProblem.wrongKey) { try NIR(parsing: "269022A00412382") }
    }

    @Test func malformedNumbersAreNamed() {
        #expect(throws: NIRProblem.wrongLength) { try NIR(parsing: "15712751161087") }
        #expect(throws: NIRProblem.invalidCharacters) { try NIR(parsing: "1571275X1610878") }
        #expect(throws: NIRProblem.wrongSex) { try NIR(parsing: "557127511610878") }
    }
}

struct DuplicateTests {
    let base = IdentityTraits(birthName: "Lefèvre", firstNames: "Marie Dominique", birthDate: LocalDate(year: 1957, month: 12, day: 3), sex: "F",
                              phones: [PhoneNumber(e164: "+33612345678")])

    @Test func strictTraitsCloseNamesAndSharedPhonesAreFlagged() {
        var same = base
        same.birthName = "LE FEVRE"
        same.phones = []
        #expect(base.duplicateReasons(same).first?.contains("mêmes traits stricts") == true)
        var typo = base
        typo.birthName = "Lefebvre"
        typo.firstNames = "Marie"
        typo.phones = []
        #expect(base.duplicateReasons(typo) == ["même date de naissance et nom proche"])
        var sibling = base
        sibling.birthName = "Martin"
        sibling.birthDate = LocalDate(year: 1990, month: 1, day: 1)
        #expect(base.duplicateReasons(sibling) == ["même téléphone et même prénom"])
    }

    @Test func aDifferentPersonIsNotFlagged() {
        var other = base
        other.birthName = "Bernard"
        other.firstNames = "Paul"
        #expect(base.duplicateReasons(other).isEmpty)
        // Same family phone, another first name: a relative, not a duplicate.
        var relative = base
        relative.firstNames = "Jeanne"
        relative.birthDate = LocalDate(year: 1985, month: 6, day: 1)
        #expect(base.duplicateReasons(relative).isEmpty)
    }
}

struct RetentionTests {
    @Test func twentyYearsAfterTheLastVisit() {
        let birth = LocalDate(year: 1957, month: 12, day: 3)
        let last = LocalDate(year: 2010, month: 5, day: 1)
        #expect(RetentionRule.erasableFrom(birthDate: birth, lastVisit: last) == LocalDate(year: 2030, month: 5, day: 1))
        #expect(RetentionRule.refusal(birthDate: birth, lastVisit: last, today: LocalDate(year: 2030, month: 4, day: 30))?.contains("01/05/2030") == true)
        #expect(RetentionRule.refusal(birthDate: birth, lastVisit: last, today: LocalDate(year: 2030, month: 5, day: 1)) == nil)
    }

    @Test func aPatientSeenAsAMinorIsKeptUntilTwentyEight() {
        let birth = LocalDate(year: 2010, month: 1, day: 15)
        let last = LocalDate(year: 2012, month: 3, day: 1)
        #expect(RetentionRule.erasableFrom(birthDate: birth, lastVisit: last) == LocalDate(year: 2038, month: 1, day: 15))
        #expect(RetentionRule.refusal(birthDate: birth, lastVisit: last, today: LocalDate(year: 2035, month: 1, day: 1))?.contains("28 ans") == true)
        #expect(RetentionRule.refusal(birthDate: birth, lastVisit: nil, today: LocalDate(year: 2026, month: 1, day: 1)) == nil)
    }
}

struct PatientSearchScoreTests {
    let today = LocalDate(year: 2026, month: 11, day: 24)
    let lefevre = IdentityTraits(birthName: "Le Fèvre", firstNames: "Marie-Dominique", birthDate: LocalDate(year: 1957, month: 12, day: 3), sex: "F",
                                 phones: [PhoneNumber(e164: "+33612345678")])
    let martin = IdentityTraits(birthName: "Martin", firstNames: "Paul", usedName: nil, birthDate: LocalDate(year: 1957, month: 4, day: 2), sex: "M")
    let martinez = IdentityTraits(birthName: "Martinez", firstNames: "Lucas", birthDate: LocalDate(year: 1980, month: 1, day: 9), sex: "M")

    func score(_ text: String, _ traits: IdentityTraits) -> Int? { PatientSearchQuery(text, today: today).score(traits) }

    @Test func namesMatchWhateverTheSpelling() {
        #expect(score("lefevre", lefevre) != nil)
        #expect(score("Le Fèvre", lefevre) != nil)
        #expect(score("dominique", lefevre) != nil)
        #expect(score("lef", lefevre) != nil)
        #expect(score("durand", lefevre) == nil)
    }

    @Test func datesPhonesAndCombinationsFilter() {
        #expect(score("03/12/1957", lefevre) != nil)
        #expect(score("03/12/1957", martin) == nil)
        #expect(score("martin 1957", martin) != nil)
        #expect(score("martin 1957", martinez) == nil)
        #expect(score("06 12 34 56 78", lefevre) != nil)
        #expect(score("06 12 34 56 79", lefevre) == nil)
    }

    @Test func theWholeNameRanksBeforeAPrefix() throws {
        let exact = try #require(score("martin", martin)), prefix = try #require(score("martin", martinez))
        #expect(exact > prefix)
    }
}

struct PatientDraftTests {
    let today = LocalDate(year: 2026, month: 11, day: 24)

    func problems(_ draft: PatientDraft) -> [String] {
        if case .failure(let problems) = draft.check(today: today) { return problems.list.map(\.field) }
        return []
    }

    @Test func aGoodDraftIsReadIntoItsCheckedForm() throws {
        let draft = PatientDraft(birthName: " Le Fèvre ", firstNames: "Marie-Dominique", birthDate: "03/12/1957", sex: "F", birthplaceCode: "2a004",
                                 nir: "2 57 12 75 116 108 ", identityStatus: nil,
                                 phones: [("06.12.34.56.78", ""), ("+33 1 45 00 00 01", "travail"), ("0612345678", "doublon")], email: "marie@exemple.fr")
        // The NIR above lacks its key: refused, named.
        #expect(problems(draft) == ["nir"])
        var fixed = draft
        fixed.nir = "257127511610828" // key computed independently: 97 − (2571275116108 mod 97) = 28
        let checked = try fixed.check(today: today).get()
        #expect(checked.birthName == "Le Fèvre")
        #expect(checked.birthDate == LocalDate(year: 1957, month: 12, day: 3))
        #expect(checked.birthplaceCode == "2A004")
        #expect(checked.phones.map(\.e164) == ["+33612345678", "+33145000001"])
        #expect(checked.phoneLabels == ["portable", "travail"])
        #expect(checked.identityStatus == .provisoire)
    }

    @Test func everyProblemIsNamed() {
        let draft = PatientDraft(birthName: "", firstNames: "Jean2", birthDate: "31/02/1990", sex: "X", birthplaceCode: "123",
                                 identityStatus: "qualifiée", phones: [("15", ""), ("06 12", "")], email: "pas-une-adresse", guardianPhone: "abc")
        #expect(problems(draft) == ["birthName", "firstNames", "birthDate", "sex", "birthplaceCode", "identityStatus",
                                    "phones[0].number", "phones[1].number", "guardianPhone", "email"])
        #expect(problems(PatientDraft(birthName: "Petit", firstNames: "Léa", birthDate: "2030-01-01", sex: "F")) == ["birthDate"])
    }

    @Test func theNIRMustAgreeWithTheTraits() {
        // A valid NIR (key 78) of a man born in December 1957.
        var draft = PatientDraft(birthName: "Martin", firstNames: "Paul", birthDate: "1957-12-03", sex: "M", nir: "157127511610878")
        #expect(problems(draft).isEmpty)
        draft.sex = "F"
        #expect(problems(draft) == ["nir"])
        draft.sex = "M"
        draft.birthDate = "1958-12-03"
        #expect(problems(draft) == ["nir"])
    }
}
