import Domain
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// bcrypt at cost 12 (about a quarter of a second each), computed on threads of its own: a burst of sign-ins, or of
/// guesses, must not queue the database's work (SQLite runs on the application's thread pool) behind the hashes.
enum Passwords {
    static let cost = 12

    /// Started once for the process, like NIO's own singletons.
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(1, System.coreCount))
        pool.start()
        return pool
    }()

    static func hash(_ password: String) async throws -> String {
        try await pool.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    static func verify(_ password: String, against hash: String) async throws -> Bool {
        try await pool.runIfActive { (try? Bcrypt.verify(password, created: hash)) ?? false }
    }

    /// The common and leaked passwords refused (`Resources/Passwords/common-passwords.txt`), read once per file.
    static func common(in app: Application) -> Set<String> {
        let path = app.directory.resourcesDirectory + "Passwords/common-passwords.txt"
        return commonLists.withLockedValue { lists in
            if let list = lists[path] { return list }
            let list = Set(((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init))
            lists[path] = list
            return list
        }
    }

    private static let commonLists = NIOLockedValueBox<[String: Set<String>]>([:])

    /// The problem with `password` under the center's rules (`PasswordPolicy`), common passwords included.
    static func problem(with password: String, in app: Application) -> PasswordProblem? {
        PasswordPolicy.problem(with: password, common: common(in: app))
    }

    /// Checked when the e-mail is unknown, so that the answer takes as long as for a real account.
    static let decoyHash: String = (try? Bcrypt.hash(SecretToken.generate(), cost: cost)) ?? ""
}
