import Domain
import Testing

struct PhoneNumberTests {
    @Test(arguments: [
        "06 12 34 56 78", "06.12.34.56.78", "0612345678", "+33 6 12 34 56 78", "+33612345678", "0033612345678",
        "+33 (0)6 12 34 56 78", "06-12-34-56-78", " 06 12 34 56 78 ",
    ])
    func everyUsualWritingGivesTheSameE164(text: String) throws {
        let number = try PhoneNumber(parsing: text)
        #expect(number.e164 == "+33612345678")
        #expect(number.display == "06 12 34 56 78")
        #expect(number.isFrenchMobile)
    }

    @Test(arguments: ["15", "112", "114", "3114", "116 117", "3237"])
    func shortServiceNumbersAreRefused(text: String) {
        #expect(throws: PhoneNumberProblem.shortServiceNumber) { try PhoneNumber(parsing: text) }
    }

    @Test(arguments: [
        ("", PhoneNumberProblem.empty),
        ("06 12 34 56", PhoneNumberProblem.wrongLength),
        ("06 12 34 56 78 90", PhoneNumberProblem.wrongLength),
        ("06 12 AB 56 78", PhoneNumberProblem.invalidCharacters),
        ("+33 06 12 34 56 78", PhoneNumberProblem.wrongLength),
    ])
    func malformedNumbersAreRefusedWithAReason(text: String, problem: PhoneNumberProblem) {
        #expect(throws: problem) { try PhoneNumber(parsing: text) }
    }

    @Test func foreignNumbersKeepTheirCountryCode() throws {
        let number = try PhoneNumber(parsing: "+32 2 123 45 67")
        #expect(number.e164 == "+3221234567")
        #expect(number.display == "+3221234567")
        #expect(!number.isFrenchMobile)
    }

    @Test func landlineDisplayIsGroupedByTwo() throws {
        #expect(try PhoneNumber(parsing: "01 99 00 10 01").display == "01 99 00 10 01")
    }
}
