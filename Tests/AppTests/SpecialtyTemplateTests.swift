@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The specialty templates shipped as data files, and a practice created from one. The clock stands on Tuesday
/// 24 November 2026, 09:30 in Paris.
struct SpecialtyTemplateTests {
    static let folder = DirectoryConfiguration.detect().resourcesDirectory

    @Test func everyTemplateFileIsWholeAndFollowsThePracticesRules() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder + "Specialties/").filter { $0.hasSuffix(".json") }.sorted()
        #expect(names == ["dentaire.json", "kinesitherapie.json", "medecine-generale.json", "pediatrie.json", "psychiatrie.json", "sage-femme.json"])
        for name in names {
            let template = try JSONDecoder().decode(SpecialtyTemplate.self, from: Data(contentsOf: URL(fileURLWithPath: Self.folder + "Specialties/" + name)))
            #expect(template.id + ".json" == name)
            #expect(template.problems().isEmpty, "\(name): \(template.problems())")
            #expect(!template.triage.criteria.isEmpty, "\(name) has urgency criteria to review")
            #expect(!template.playbook.procedures.isEmpty, "\(name) has procedures")
            // A template speaks of the specialty, never of the demo's practitioners or places.
            let text = try String(contentsOfFile: Self.folder + "Specialties/" + name, encoding: .utf8)
            for demo in ["Lambert", "Martin", "Benali", "Roux", "Tilleuls", "Boulogne", "Vincennes"] {
                #expect(!text.contains(demo), "\(name) names \(demo)")
            }
        }
    }

    @Test func aTemplateWithAMistakeIsReportedByField() throws {
        let json = ##"{"id":"essai","specialty":"Essai","practitionerSpecialty":"","note":"n","motifs":[{"label":"A","durationMinutes":2,"bufferAfterMinutes":0,"newPatientsAllowed":true,"minimumNoticeMinutes":0,"horizonDays":30,"patientInstructions":"","bookableBy":["fax"],"colour":"#123456"}],"playbook":{"sheet":{"consultations":[],"faq":[],"instructions":[""]},"procedures":[]},"triage":{"criteria":[]}}"##
        let template = try JSONDecoder().decode(SpecialtyTemplate.self, from: Data(json.utf8))
        let fields = Set(template.problems().map(\.field))
        #expect(fields.isSuperset(of: ["practitionerSpecialty", "motifs[0].durationMinutes", "motifs[0].bookableBy", "playbook.sheet.instructions[0]"]))
    }

    @Test func aPaediatricPracticeStartsFromItsTemplateAndItsPractitionerTakesTheMotifs() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.supervisor)
            let created = try await app.api(.POST, "/api/v1/practices", token: token, json: PracticeSetupAPITests.body(extra: #","template":"pediatrie""#))
            #expect(created.status == .created, "\(created.body.string)")
            let id = try created.content.decode(PracticeSetupAPITests.Practice.self).id
            let base = "/api/v1/practices/\(id)"
            let template = try #require(try SpecialtyTemplates.named("pediatrie", app: app))
            struct Motifs: Decodable { let motifs: [MotifArchiveTests.Motif] }
            let motifs = try await app.api(.GET, "\(base)/motifs", token: token).content.decode(Motifs.self).motifs
            #expect(Set(motifs.map(\.label)) == Set(template.motifs.map(\.label)))

            struct Versions: Decodable { struct Version: Decodable { let version: Int; let note: String }; let versions: [Version] }
            let playbook = try await app.api(.GET, "\(base)/playbook/versions", token: token).content.decode(Versions.self).versions
            #expect(playbook.map(\.version) == [1])
            #expect(playbook.first?.note == template.note)
            let triage = try await app.api(.GET, "\(base)/triage/protocol/versions", token: token).content.decode(Versions.self).versions
            #expect(triage.map(\.version) == [1])
            #expect(triage.first?.note.contains("à relire par un praticien") == true)
            let sheet = try await app.api(.GET, "\(base)/playbook", token: token).body.string
            #expect(sheet.contains("Le secrétariat répond le lundi de 8 h à 12 h et de 14 h à 19 h."))
            #expect(sheet.contains("Cabinet de pédiatrie Lumière, bonjour."))
            #expect(sheet.contains(template.playbook.sheet.consultations[0].name))

            // Its practitioner takes the motifs ticked; with hours, a consultation is offered.
            let consultation = try #require(motifs.first { $0.label == "Consultation" })
            let practitioner = try await app.api(.POST, "\(base)/practitioners", token: token, json: """
                {"title":"Dr","firstName":"Louise","lastName":"Weber","specialty":"\(template.practitionerSpecialty)","motifIds":[\(motifs.map { "\"\($0.id)\"" }.joined(separator: ","))]}
                """)
            let practitionerID = try practitioner.content.decode(PractitionerSetupAPITests.Practitioner.self).id
            _ = try await app.api(.POST, "\(base)/hours", token: token, json: """
                {"practitionerId":"\(practitionerID)","validFrom":"2026-01-01","ranges":[{"weekday":3,"start":"09:00","end":"12:00"}]}
                """)
            let slots = try await AgendaAPITests.slots(app, "\(base)/availability?motif=\(consultation.id)&limit=1", token: token)
            #expect(slots.first?.practitionerId == practitionerID)

            let unknown = try await app.api(.POST, "/api/v1/practices", token: token, json: PracticeSetupAPITests.body(
                name: "Autre", numbers: #"[{"number":"03 87 99 99 99"}]"#, extra: #","template":"osteopathie""#))
            #expect(try PracticeSetupAPITests.fields(unknown) == ["template"])
        }
    }
}
