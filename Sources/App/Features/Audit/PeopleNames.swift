import Domain
import Fluent
import Foundation

/// Who acted, as people read it: "Prénom Nom (rôle)" for an account, the system's acts named for what they are,
/// never an e-mail address.
enum PeopleNames {
    /// Names of these accounts, by id.
    static func names(of userIDs: Set<UUID>, on db: any Database) async throws -> [UUID: String] {
        guard !userIDs.isEmpty else { return [:] }
        let users = try await UserRecord.query(on: db).filter(\.$id ~~ Array(userIDs)).all()
        return Dictionary(uniqueKeysWithValues: users.map { ($0.id!, AuditActor.personName($0.displayName, role: $0.role)) })
    }

    /// The account's name when it is known, else the stored label made readable.
    static func label(userID: UUID?, fallback: String, on db: any Database) async throws -> String {
        if let userID, let name = try await names(of: [userID], on: db)[userID] { return name }
        return AuditActor.readable(fallback)
    }

    /// A journal entry's author.
    static func author(of entry: AuditEntryRecord, names: [UUID: String]) -> String {
        entry.actorID.flatMap { names[$0] } ?? AuditActor.readable(entry.actorLabel)
    }
}
