@testable import App
import Domain
import Foundation
import Testing

/// The hot routes write their JSON by hand: it must say exactly what Foundation's encoder says.
struct HandWrittenJSONTests {
    static func object(_ data: Data) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: data) as? NSDictionary)
    }

    @Test func aPatientListReadsAsTheEncoderWritesIt() throws {
        let awkward = IndexedPatient(id: UUID(), birthName: "N'Diaye \"dit\" \\Le Fèvre\\", firstNames: "Zoé\tMarie\nŒdipe \u{1}🙂",
                                     usedName: nil, birthDate: LocalDate(year: 1957, month: 12, day: 3), sex: "F", identityStatus: "récupérée",
                                     phones: [LabelledPhone(number: PhoneNumber(e164: "+33612345678"), label: "portable \"perso\""),
                                              LabelledPhone(number: PhoneNumber(e164: "+3221234567"), label: "")])
        let plain = IndexedPatient(id: UUID(), birthName: "Martin", firstNames: "Paul", usedName: "Durand", birthDate: LocalDate(year: 2001, month: 1, day: 9),
                                   sex: "M", identityStatus: "provisoire", phones: [])
        for patients in [[], [awkward], [awkward, plain]] {
            let list = PatientsAPI.PatientList(patients: patients.map(PatientsAPI.PatientSummaryDTO.init))
            let byHand = try Self.object(Data(list.json.utf8))
            let encoded = try Self.object(try JSONEncoder().encode(list))
            #expect(byHand == encoded)
        }
    }

    @Test(arguments: ["", "plain", "quote \" backslash \\ slash /", "\u{0}\u{1F}\u{7F}", "é 🙂 \u{2028}", "\r\n\t"])
    func aQuotedStringDecodesToItself(text: String) throws {
        let decoded = try JSONDecoder().decode([String].self, from: Data("[\(JSONText.quoted(text))]".utf8))
        #expect(decoded == [text])
    }

    @Test func queryParametersDecodeAsForms() {
        let form = QueryParameters("q=martin+1957&number=%2B33%206%2012&empty=&q2=a%3Db&bad=%E9", plusIsSpace: true)
        #expect(form["q"] == "martin 1957")
        #expect(form["number"] == "+33 6 12")
        #expect(form["empty"] == "")
        #expect(form["q2"] == "a=b")
        #expect(form["bad"] == nil, "not UTF-8 once decoded")
        #expect(form["missing"] == nil)
        #expect(QueryParameters("from=2026-12-01T08:00:00+01:00", plusIsSpace: false)["from"] == "2026-12-01T08:00:00+01:00")
    }
}
