import Foundation
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

    /// Checked when the e-mail is unknown, so that the answer takes as long as for a real account.
    static let decoyHash: String = (try? Bcrypt.hash(SecretToken.generate(), cost: cost)) ?? ""
}
