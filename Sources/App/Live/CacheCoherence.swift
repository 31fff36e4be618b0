import Foundation
import NIOConcurrencyHelpers
import Vapor

/// What a committed write made stale in the in-memory caches. The instance that wrote updates its own caches at once;
/// on PostgreSQL the others are told through the relay and drop what it names.
enum CacheChange: Codable, Sendable, Hashable {
    /// The practice's agenda: rules, hours, practitioners, or the time an appointment or a hold occupies.
    case agenda(practice: UUID)
    /// Time an appointment or a hold took or gave back in the practice's agenda, applied to the cached agenda.
    case occupancy(practice: UUID, changes: [BusyNews], expiry: Date?)
    /// These patients of the practice were created, changed, merged or erased; nil: too many to name, read them all again.
    case patients(practice: UUID, ids: [UUID]?)
    /// A user's role, practices, status, password or second factor: every cached principal.
    case accounts
    /// One API token revoked.
    case token(hash: String)
    /// A practice created, changed, suspended or reopened.
    case practices

    /// More patients than this are sent as "the whole practice" (a notification carries at most 8,000 bytes).
    static let namedPatientsLimit = 100
}

/// Tells the other server instances what a committed write made stale. Unconnected (SQLite: one instance), it tells
/// nobody. Inside a `UnitOfWork` the news waits for the unit's commit: told earlier, another instance could read the
/// old rows again and keep them.
final class CachePeers: Sendable {
    private let send = NIOLockedValueBox<(@Sendable (CacheChange) async -> Void)?>(nil)

    func connect(_ send: @escaping @Sendable (CacheChange) async -> Void) {
        self.send.withLockedValue { $0 = send }
    }

    func tell(_ change: CacheChange) {
        guard let send = send.withLockedValue({ $0 }) else { return }
        if let unit = UnitOfWork.current {
            unit.afterCommit { await send(change) }
        } else {
            Task { await send(change) }
        }
    }
}

/// Every cache of an instance, so that news from another instance, or a gap in that news, reaches all of them.
struct InstanceCaches: Sendable {
    let principals: PrincipalCache
    let practices: PracticeDirectory
    let agendas: AgendaCache
    let patients: PatientIndexCache

    /// Another instance committed `change`: what it names is dropped here (read again at its next use), or, for a
    /// change of occupied time, applied.
    func received(_ change: CacheChange, from instance: UUID) {
        switch change {
        case .agenda(let practice): agendas.drop(practice)
        case .occupancy(let practice, let news, let expiry): agendas.received(news, expiry: expiry, from: instance, to: practice)
        case .patients(let practice, let ids?): patients.received(practice, patients: ids)
        case .patients(let practice, nil): patients.drop(practice)
        case .accounts: principals.dropAll()
        case .token(let hash): principals.drop(tokenHash: hash)
        case .practices: practices.drop()
        }
    }

    /// News may have been missed (the relay's connection dropped): nothing cached can be trusted.
    func dropAll() {
        principals.dropAll()
        practices.drop()
        agendas.dropAll()
        patients.dropAll()
    }
}

extension Application {
    private struct CachePeersKey: StorageKey { typealias Value = CachePeers }

    /// Set with the caches by `configure`; given a relay by `DatabaseSetup` on PostgreSQL.
    var cachePeers: CachePeers {
        get { configured(CachePeersKey.self) }
        set { storage[CachePeersKey.self] = newValue }
    }

    var instanceCaches: InstanceCaches {
        InstanceCaches(principals: principalCache, practices: practiceDirectory, agendas: agendaCache, patients: patientIndexCache)
    }

    /// One set of caches sharing one `CachePeers`.
    func makeCaches() {
        let peers = CachePeers()
        cachePeers = peers
        principalCache = PrincipalCache(peers: peers)
        practiceDirectory = PracticeDirectory(peers: peers)
        agendaCache = AgendaCache(peers: peers)
        patientIndexCache = PatientIndexCache(peers: peers)
        savedVersions = SavedVersions()
    }
}
