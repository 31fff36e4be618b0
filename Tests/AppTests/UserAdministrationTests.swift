@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

struct UserAdministrationTests {
    @Test func anAdministratorCreatesASecretaryThroughTheAPI() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.admin)
            let body = #"{"email":"Nouvelle@Permanence.test","displayName":"Léa Nouvelle","role":"secretary","password":"un mot de passe sûr","practices":["cabinet-a"]}"#
            let response = try await app.api(.POST, "/api/v1/users", token: token, json: body)
            #expect(response.status == .created)
            let user = try #require(try await UserRecord.query(on: app.db).filter(\.$email == "nouvelle@permanence.test").first())
            #expect(user.role == .secretary)
            #expect(user.passwordHash.hasPrefix("$2b$12$"))
            let assignments = try await UserPracticeRecord.query(on: app.db).filter(\.$user.$id == user.id!).all()
            #expect(assignments.map { $0.$practice.id } == [world.practiceA])
        }
    }

    @Test func badFieldsAreAllNamedAndNothingIsCreated() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.admin)
            let before = try await UserRecord.query(on: app.db).count()
            let entries = try await AuditEntryRecord.query(on: app.db).count()
            let body = #"{"email":"pas-une-adresse","displayName":"","role":"stagiaire","password":"court","practices":["inconnu"]}"#
            let response = try await app.api(.POST, "/api/v1/users", token: token, json: body)
            #expect(response.status == .unprocessableEntity)
            struct P: Decodable { struct F: Decodable { let field: String; let reason: String }; let errors: [F] }
            let fields = Set(try JSONDecoder().decode(P.self, from: Data(response.body.string.utf8)).errors.map(\.field))
            #expect(fields == ["email", "displayName", "role", "password", "practices"])
            #expect(try await UserRecord.query(on: app.db).count() == before)
            #expect(try await AuditEntryRecord.query(on: app.db).count() == entries)
        }
    }

    @Test func aPractitionerNeedsExactlyOnePracticeAndADuplicateEmailIsRefused() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.admin)
            let two = #"{"email":"dr.c@permanence.test","displayName":"Dr C","role":"practitioner","password":"un mot de passe sûr","practices":["cabinet-a","cabinet-b"]}"#
            #expect(try await app.api(.POST, "/api/v1/users", token: token, json: two).status == .unprocessableEntity)
            let duplicate = #"{"email":"\#(world.secretaryA)","displayName":"Doublon","role":"supervisor","password":"un mot de passe sûr","practices":[]}"#
            let response = try await app.api(.POST, "/api/v1/users", token: token, json: duplicate)
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("un compte existe déjà"))
        }
    }

    @Test func onlyAdministratorsManageUsers() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.supervisor)
            #expect(try await app.api(.GET, "/api/v1/users", token: token).status == .forbidden)
            var browser = Browser(app)
            try await browser.signIn(world.secretaryA)
            #expect(try await browser.get("/admin/utilisateurs").status == .forbidden)
        }
    }

    @Test func theAdministrationFormCreatesAUserAndShowsErrorsInFrench() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            try await browser.signIn(world.admin)
            let page = try await browser.get("/admin/utilisateurs")
            #expect(page.status == .ok)
            let csrf = try #require(Browser.csrfToken(in: page.body.string))
            let bad = try await browser.post("/admin/utilisateurs", form: [
                ("csrf", csrf), ("displayName", "Zoé Martin"), ("email", "zoe@permanence.test"), ("role", "secretary"), ("password", "court"),
                ("practices[]", world.practiceA.uuidString),
            ])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("au moins 12 caractères"))
            #expect(bad.body.string.contains("Mot de passe : "))
            #expect(try await UserRecord.query(on: app.db).filter(\.$email == "zoe@permanence.test").count() == 0)
            let good = try await browser.post("/admin/utilisateurs", form: [
                ("csrf", csrf), ("displayName", "Zoé Martin"), ("email", "zoe@permanence.test"), ("role", "secretary"),
                ("password", "un mot de passe sûr"), ("practices[]", world.practiceA.uuidString), ("practices[]", world.practiceB.uuidString),
            ])
            #expect(good.status == .seeOther)
            let user = try #require(try await UserRecord.query(on: app.db).filter(\.$email == "zoe@permanence.test").first())
            #expect(try await UserPracticeRecord.query(on: app.db).filter(\.$user.$id == user.id!).count() == 2)
        }
    }
}
