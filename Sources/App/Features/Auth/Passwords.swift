import Foundation
import Vapor

/// bcrypt at cost 12, computed off the event loops (about a quarter of a second each).
enum Passwords {
    static let cost = 12

    static func hash(_ password: String, on pool: NIOThreadPool) async throws -> String {
        try await pool.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    static func verify(_ password: String, against hash: String, on pool: NIOThreadPool) async throws -> Bool {
        try await pool.runIfActive { (try? Bcrypt.verify(password, created: hash)) ?? false }
    }

    /// Checked when the e-mail is unknown, so that the answer takes as long as for a real account.
    static let decoyHash: String = (try? Bcrypt.hash(SecretToken.generate(), cost: cost)) ?? ""
}
