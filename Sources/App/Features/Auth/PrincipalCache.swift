import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Who a bearer token or a session cookie is, remembered for a few seconds so that hot routes and pages do not read
/// four tables per request (keyed by the hash of the token or cookie). A revocation or a sign-out clears its entry at
/// once on this instance and, through the relay, on the others; a change to a user's role, assignments, status or
/// credentials must call `forgetAll()`.
final class PrincipalCache: Sendable {
    private struct Entry { let principal: Principal; let validUntil: Date }
    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    private let peers: CachePeers
    let lifetime: TimeInterval = 15

    init(peers: CachePeers = CachePeers()) { self.peers = peers }

    func principal(forTokenHash hash: String, now: Date) -> Principal? {
        entries.withLockedValue { entries in
            guard let entry = entries[hash] else { return nil }
            if entry.validUntil <= now {
                entries[hash] = nil
                return nil
            }
            return entry.principal
        }
    }

    func remember(_ principal: Principal, forTokenHash hash: String, tokenExpiresAt: Date, now: Date) {
        entries.withLockedValue { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[hash] = Entry(principal: principal, validUntil: min(tokenExpiresAt, now.addingTimeInterval(lifetime)))
        }
    }

    /// After this instance revoked the token or ended the session.
    func forget(tokenHash hash: String) {
        drop(tokenHash: hash)
        peers.tell(.token(hash: hash))
    }

    /// After this instance changed an account.
    func forgetAll() {
        dropAll()
        peers.tell(.accounts)
    }

    func drop(tokenHash hash: String) { _ = entries.withLockedValue { $0.removeValue(forKey: hash) } }

    func dropAll() { entries.withLockedValue { $0.removeAll() } }
}

/// The center's practices (their names by id), reloaded every minute: the access check needs to know a practice
/// exists, and the pages name it.
final class PracticeDirectory: Sendable {
    private let state = NIOLockedValueBox<(names: [UUID: String], loadedAt: Date)?>(nil)
    private let peers: CachePeers
    let lifetime: TimeInterval = 60

    init(peers: CachePeers = CachePeers()) { self.peers = peers }

    /// The practice's name; nil when there is no such practice.
    func name(of id: UUID, now: Date, load: () async throws -> [UUID: String]) async throws -> String? {
        if let current = state.withLockedValue({ $0 }), now.timeIntervalSince(current.loadedAt) < lifetime, let name = current.names[id] {
            return name
        }
        // Unknown or stale: ask the database, so a practice created a moment ago is found.
        let names = try await load()
        state.withLockedValue { $0 = (names, now) }
        return names[id]
    }

    /// Every practice's name by id (read again once a minute old).
    func all(now: Date, load: () async throws -> [UUID: String]) async throws -> [UUID: String] {
        if let current = state.withLockedValue({ $0 }), now.timeIntervalSince(current.loadedAt) < lifetime { return current.names }
        let names = try await load()
        state.withLockedValue { $0 = (names, now) }
        return names
    }

    /// After this instance created or changed a practice.
    func forget() {
        drop()
        peers.tell(.practices)
    }

    func drop() { state.withLockedValue { $0 = nil } }
}

extension Application {
    private struct PrincipalCacheKey: StorageKey { typealias Value = PrincipalCache }
    private struct PracticeDirectoryKey: StorageKey { typealias Value = PracticeDirectory }

    var principalCache: PrincipalCache {
        get { configured(PrincipalCacheKey.self) }
        set { storage[PrincipalCacheKey.self] = newValue }
    }

    var practiceDirectory: PracticeDirectory {
        get { configured(PracticeDirectoryKey.self) }
        set { storage[PracticeDirectoryKey.self] = newValue }
    }
}
