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

    @Test(arguments: [
        ("0262 12 34 56", "+262262123456"), ("02 63 12 34 56", "+262263123456"), ("0692 12 34 56", "+262692123456"),
        ("0693123456", "+262693123456"), ("0269 61 23 45", "+262269612345"), ("0639 12 34 56", "+262639123456"),
        ("0590 12 34 56", "+590590123456"), ("0690 12 34 56", "+590690123456"), ("0691 12 34 56", "+590691123456"),
        ("0594 12 34 56", "+594594123456"), ("0694 12 34 56", "+594694123456"),
        ("0596 12 34 56", "+596596123456"), ("0696 12 34 56", "+596696123456"), ("0697 12 34 56", "+596697123456"),
        ("0508 41 23 45", "+508508412345"),
    ])
    func overseasNumbersTakeTheirOwnCountryCode(text: String, e164: String) throws {
        let number = try PhoneNumber(parsing: text)
        #expect(number.e164 == e164)
        let digits = text.filter(\.isNumber)
        #expect(number.display == stride(from: 0, to: 10, by: 2).map { String(Array(digits)[$0..<$0 + 2]) }.joined(separator: " "))
        // Written internationally, with its own code or wrongly with +33, it is the same number.
        #expect(try PhoneNumber(parsing: e164).e164 == e164)
        #expect(try PhoneNumber(parsing: "+33" + digits.dropFirst()).e164 == e164)
        #expect(number.isFrenchMobile == (digits.hasPrefix("06") || digits.hasPrefix("07")))
    }

    @Test func metropolitanNumbersNextToOverseasPrefixesStayFrench() throws {
        // 0261…, 0589…, 05 08… (a Bordeaux-area landline starts 05 0 too only as 0508: that one is Saint-Pierre).
        #expect(try PhoneNumber(parsing: "02 61 12 34 56").e164 == "+33261123456")
        #expect(try PhoneNumber(parsing: "05 89 12 34 56").e164 == "+33589123456")
        #expect(try PhoneNumber(parsing: "06 95 12 34 56").e164 == "+33695123456")
        #expect(PhoneNumber(e164: "+262123456789").display == "+262123456789")
    }
}
