@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// How the center reaches a practitioner: set by those who edit the practice, refused field by field, shown to the
/// secretaries on the practitioners' page, never to a patient.
struct PractitionerContactTests {
    @Test func aSupervisorSetsTheNumbersAndTheNoticeAddressABadOneChangesNothing() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let supervisor = try await app.apiToken(world.supervisor), secretary = try await app.apiToken(world.secretaryA)
            let path = "/api/v1/practices/\(world.practiceA)/practitioners/\(world.practitionerA)/contact"
            let good = #"{"mobilePhone":"06 11 22 33 44","directPhone":"0692 12 34 56","noticeEmail":"Dr.A@Cabinet.test"}"#
            #expect(try await app.api(.PUT, path, token: secretary, json: good).status == .forbidden)

            let bad = try await app.api(.PUT, path, token: supervisor, json: #"{"mobilePhone":"06 11","noticeEmail":"pas une adresse"}"#)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("mobilePhone") && bad.body.string.contains("noticeEmail"))
            let untouched = try #require(try await PractitionerRecord.find(world.practitionerA, on: app.db))
            #expect(untouched.mobilePhone == nil && untouched.noticeEmail == nil)

            #expect(try await app.api(.PUT, path, token: supervisor, json: good).status == .ok)
            let saved = try #require(try await PractitionerRecord.find(world.practitionerA, on: app.db))
            #expect(saved.mobilePhone == "+33611223344" && saved.directPhone == "+262692123456" && saved.noticeEmail == "dr.a@cabinet.test")
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "practitioner").filter(\.$action == "update").count() == 1)

            // The secretaries read them on the practitioners' page, with where the notices go.
            var browser = Browser(app)
            try await browser.signIn(world.secretaryA)
            let page = try await browser.get("/cabinets/\(world.practiceA)/praticiens")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("06 11 22 33 44") && page.body.string.contains("06 92 12 34 56"))
            #expect(page.body.string.contains("Avis envoyés à dr.a@cabinet.test"))
            #expect(!page.body.string.contains("Enregistrer"), "a secretary reads, she does not change them")
        }
    }
}
