import Domain
import Fluent
import Foundation
import Vapor

/// What is asked to create a user, from the command line, the admin screen or the API.
struct NewUser: Content {
    var email: String
    var displayName: String
    var role: String
    var password: String
    /// Practice ids or slugs.
    var practices: [String]
    var practitionerID: UUID?
}

/// A `NewUser` whose every field was checked.
struct ValidatedUser: Sendable {
    let email: String
    let displayName: String
    let role: Role
    let practiceIDs: [UUID]
    let practitionerID: UUID?
}

/// Users and their practice assignments.
enum UserStore {
    /// Checks every field and answers all the problems at once.
    static func validate(_ draft: NewUser, app: Application, on db: any Database) async throws -> ValidatedUser {
        var errors: [FieldError] = []
        let email = draft.email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if !EmailAddress.isPlausible(email) {
            errors.append(FieldError(field: "email", reason: "adresse e-mail invalide"))
        } else if try await UserRecord.query(on: db).filter(\.$email == email).first() != nil {
            errors.append(FieldError(field: "email", reason: "un compte existe déjà avec cette adresse"))
        }
        let displayName = draft.displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        if displayName.isEmpty || displayName.count > 100 {
            errors.append(FieldError(field: "displayName", reason: "nom obligatoire, 100 caractères au plus"))
        }
        if let problem = Passwords.problem(with: draft.password, in: app) {
            errors.append(FieldError(field: "password", reason: problem.reason))
        }
        let (role, practiceIDs, problems) = try await assignment(role: draft.role, practices: draft.practices, practitionerID: draft.practitionerID, on: db)
        errors += problems
        guard errors.isEmpty, let role else { throw AppError.validation(errors) }
        return ValidatedUser(email: email, displayName: displayName, role: role, practiceIDs: practiceIDs, practitionerID: draft.practitionerID)
    }

    /// A role with its practices (and practitioner, for a practitioner's account), checked together.
    static func assignment(role text: String, practices: [String], practitionerID: UUID?, on db: any Database) async throws
        -> (role: Role?, practiceIDs: [UUID], problems: [FieldError]) {
        var errors: [FieldError] = []
        let role = Role(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased())
        if role == nil {
            errors.append(FieldError(field: "role", reason: "rôle inconnu (attendu : \(Role.allCases.map(\.rawValue).joined(separator: ", ")))"))
        }
        var practiceIDs: [UUID] = []
        for reference in practices.map({ $0.trimmingCharacters(in: .whitespaces) }).filter({ !$0.isEmpty }) {
            if let practice = try await findPractice(reference, on: db), let id = practice.id {
                if !practiceIDs.contains(id) { practiceIDs.append(id) }
            } else {
                errors.append(FieldError(field: "practices", reason: "cabinet inconnu : \(reference)"))
            }
        }
        if let role, !AccessPolicy.assignmentRule(for: role).contains(practiceIDs.count) {
            let rule = AccessPolicy.assignmentRule(for: role)
            let reason = rule.upperBound == 0 ? "ce rôle couvre tout le centre : aucun cabinet à indiquer"
                : rule.lowerBound == rule.upperBound ? "ce rôle demande exactement \(rule.lowerBound) cabinet"
                : "ce rôle demande au moins \(rule.lowerBound) cabinet"
            errors.append(FieldError(field: "practices", reason: reason))
        }
        if let practitionerID = practitionerID {
            let practitioner = try await PractitionerRecord.find(practitionerID, on: db)
            if role != .practitioner {
                errors.append(FieldError(field: "practitionerID", reason: "seul un compte praticien est lié à un praticien"))
            } else if practitioner == nil || !practiceIDs.contains(practitioner!.$practice.id) {
                errors.append(FieldError(field: "practitionerID", reason: "praticien inconnu dans ce cabinet"))
            }
        }
        return (role, practiceIDs, errors)
    }

    /// Validates, hashes the password and stores the user, journaled.
    static func create(_ draft: NewUser, actor: AuditActor, requestID: String?, app: Application, on db: any Database) async throws -> UserRecord {
        let valid = try await validate(draft, app: app, on: db)
        let hash = try await Passwords.hash(draft.password)
        return try await insert(valid, passwordHash: hash, actor: actor, requestID: requestID, writer: app.writer, on: db)
    }

    static func insert(_ valid: ValidatedUser, passwordHash: String, id: UUID? = nil, actor: AuditActor, requestID: String?,
                       writer: Writer, on db: any Database) async throws -> UserRecord {
        try await writer.transaction(on: db, actor: actor, requestID: requestID) { tx, journal -> UserRecord in
            let user = UserRecord()
            user.id = id ?? UUID()
            user.email = valid.email
            user.displayName = valid.displayName
            user.role = valid.role
            user.passwordHash = passwordHash
            user.practitionerID = valid.practitionerID
            user.disabled = false
            user.mustChangePassword = false
            try await user.create(on: tx)
            for practiceID in valid.practiceIDs {
                try await UserPracticeRecord(userID: user.id!, practiceID: practiceID).create(on: tx)
            }
            try await journal.record(.create, entity: "user", entityID: user.id!.uuidString, practiceID: nil,
                                     after: user.snapshot(practiceIDs: valid.practiceIDs))
            return user
        }
    }

    static func findPractice(_ reference: String, on db: any Database) async throws -> PracticeRecord? {
        if let id = UUID(uuidString: reference) { return try await PracticeRecord.find(id, on: db) }
        return try await PracticeRecord.query(on: db).filter(\.$slug == reference.lowercased()).first()
    }

    /// The users and their practices, for the administration screen.
    static func listWithPractices(on db: any Database) async throws -> [(UserRecord, [UUID])] {
        let users = try await UserRecord.query(on: db).sort(\.$role).sort(\.$email).all()
        let assignments = try await UserPracticeRecord.query(on: db).all()
        let byUser = Dictionary(grouping: assignments, by: { $0.$user.id })
        return users.map { ($0, byUser[$0.id!]?.map { $0.$practice.id } ?? []) }
    }
}
