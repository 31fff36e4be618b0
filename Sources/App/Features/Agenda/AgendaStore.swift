import Domain
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The agenda rules of a practice: stored, journaled, and compiled into a `PracticeAgenda` kept in memory.
enum AgendaStore {
    /// The practitioners who may be booked and given rules: the active ones, in the practice's order.
    static func practitionerIDs(of practice: AuthorizedPractice, on db: any Database) async throws -> [UUID] {
        try await PracticeStore.practitioners(of: practice, on: db).filter { $0.deactivatedAt == nil }.map { $0.id! }
    }

    static func motifs(of practice: AuthorizedPractice, on db: any Database) async throws -> [MotifRecord] {
        try await MotifRecord.query(on: db).filter(\.$practice.$id == practice.id).sort(\.$label).all()
    }

    /// What still names a motif: every appointment (past, cancelled or to come), hold and waiting-list entry.
    static func usage(ofMotif motif: UUID, on db: any Database) async throws -> MotifUsage {
        MotifUsage(appointments: try await AppointmentRecord.query(on: db).filter(\.$motifID == motif).count(),
                   holds: try await HoldRecord.query(on: db).filter(\.$motifID == motif).count(),
                   waitingListEntries: try await WaitingListEntryRecord.query(on: db).filter(\.$motifID == motif).count())
    }

    static func templates(of practice: AuthorizedPractice, on db: any Database) async throws -> [WeeklyTemplateRecord] {
        try await WeeklyTemplateRecord.query(on: db).filter(\.$practice.$id == practice.id).sort(\.$validFrom).all()
    }

    static func exceptions(of practice: AuthorizedPractice, on db: any Database) async throws -> [AgendaExceptionRecord] {
        try await AgendaExceptionRecord.query(on: db).filter(\.$practice.$id == practice.id).sort(\.$startsAt).all()
    }

    static func urgentRules(of practice: AuthorizedPractice, on db: any Database) async throws -> [UrgentSlotRuleRecord] {
        try await UrgentSlotRuleRecord.query(on: db).filter(\.$practice.$id == practice.id).all()
    }

    /// A record of the practice by id, or 404: a record of another practice is never found through this one.
    static func find<R: Model>(_ type: R.Type, _ id: UUID?, in practice: AuthorizedPractice, practiceKey: KeyPath<R, ParentProperty<R, PracticeRecord>>,
                               on db: any Database, what: String) async throws -> R where R.IDValue == UUID {
        guard let id, let record = try await R.find(id, on: db), record[keyPath: practiceKey].id == practice.id else {
            throw AppError.notFound(what: what)
        }
        return record
    }

    /// Saves a record and journals it in one transaction, then forgets the practice's compiled agenda.
    static func save<R: Model>(_ record: R, isNew: Bool, entity: String, before: (any Encodable & Sendable)?, after: any Encodable & Sendable,
                               practice: AuthorizedPractice, context: WriteContext, cache: AgendaCache) async throws where R.IDValue == UUID {
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            if isNew { try await record.create(on: tx) } else { try await record.update(on: tx) }
            try await journal.record(isNew ? .create : .update, entity: entity, entityID: record.id!.uuidString, practiceID: practice.id,
                                     before: before, after: after)
        }
        cache.invalidate(practice.id)
    }

    /// Deletes a record and journals it in one transaction, once `check` (run in that transaction) let it.
    static func delete<R: Model>(_ record: R, entity: String, before: any Encodable & Sendable, practice: AuthorizedPractice,
                                 context: WriteContext, cache: AgendaCache,
                                 check: @escaping @Sendable (any Database) async throws -> Void = { _ in }) async throws where R.IDValue == UUID {
        try await context.writer.transaction(on: context.database, actor: context.actor, requestID: context.requestID) { tx, journal in
            try await check(tx)
            try await record.delete(on: tx)
            try await journal.record(.delete, entity: entity, entityID: record.id!.uuidString, practiceID: practice.id, before: before)
        }
        cache.invalidate(practice.id)
    }

    static func template(_ record: WeeklyTemplateRecord) throws -> WeeklyTemplate {
        let ranges = try JSONDecoder().decode([OpeningRangeDTO].self, from: Data(record.ranges.utf8)).compactMap { dto -> OpeningRange? in
            guard let start = LocalTime(parsing: dto.start), let end = LocalTime(parsing: dto.end) else { return nil }
            return OpeningRange(weekday: dto.weekday, start: start, end: end, motifIDs: dto.motifIds.map(Set.init),
                                weeks: WeekParity(rawValue: dto.weeks ?? "every") ?? .every)
        }
        return WeeklyTemplate(id: record.id!, practitionerID: record.$practitioner.id, validFrom: LocalDate(iso: record.validFrom)!,
                              validUntil: record.validUntil.flatMap(LocalDate.init(iso:)), ranges: ranges)
    }

    static func apply(_ template: WeeklyTemplate, to record: WeeklyTemplateRecord, practice: UUID) throws {
        record.id = template.id
        record.$practice.id = practice
        record.$practitioner.id = template.practitionerID
        record.validFrom = template.validFrom.description
        record.validUntil = template.validUntil?.description
        record.ranges = String(decoding: try JSONEncoder().encode(template.ranges.map(OpeningRangeDTO.init)), as: UTF8.self)
    }

    static func dto(_ record: WeeklyTemplateRecord) throws -> HoursDTO {
        let template = try template(record)
        return HoursDTO(id: template.id, practitionerID: template.practitionerID, validFrom: template.validFrom.description,
                        validUntil: template.validUntil?.description, ranges: template.ranges.map(OpeningRangeDTO.init))
    }

    /// Compiles the practice's rules and the time taken by live appointments and holds from `since` on into the search's
    /// in-memory form; also says when the first of those holds expires, after which the agenda is stale.
    static func compile(_ practice: AuthorizedPractice, since: Date, now: Date, on db: any Database) async throws -> (PracticeAgenda, staleAt: Date?) {
        let record = try await PracticeStore.practice(practice, on: db)
        let practitioners = try await practitionerIDs(of: practice, on: db)
        struct Busy: Decodable { let practitioner_id: UUID; let starts_at: Date; let ends_at: Date; let expires_at: Date? }
        let busy = try await (db as! any SQLDatabase).select()
            .columns("practitioner_id", "starts_at", "ends_at", "expires_at")
            .from(SlotOccupancyRecord.schema)
            .where("practice_id", .equal, SQLBind(practice.id))
            .where("ends_at", .greaterThan, SQLBind(since))
            .where { $0.where("expires_at", .is, SQLLiteral.null).orWhere("expires_at", .greaterThan, SQLBind(now)) }
            .all(decoding: Busy.self)
        let agenda = PracticeAgenda(
            timeZone: TimeZone(identifier: record.timeZone) ?? FrenchFormat.parisTimeZone,
            alsaceMoselle: record.alsaceMoselle,
            openedHolidays: Set(CommaList.strings(record.openedHolidays).compactMap(LocalDate.init(iso:))),
            practitionerIDs: practitioners,
            motifs: try await motifs(of: practice, on: db).map(\.domain),
            templates: try await templates(of: practice, on: db).map(template),
            exceptions: try await exceptions(of: practice, on: db).map(\.domain),
            busy: busy.map { BusyInterval(practitionerID: $0.practitioner_id, interval: DateInterval(start: $0.starts_at, end: max($0.starts_at, $0.ends_at))) },
            urgentRules: try await urgentRules(of: practice, on: db).map(\.domain))
        return (agenda, busy.compactMap(\.expires_at).min())
    }

    /// The practice's compiled agenda, from the cache when it is fresh.
    static func agenda(_ practice: AuthorizedPractice, app: Application, on db: any Database) async throws -> PracticeAgenda {
        let now = app.clock.now()
        return try await app.agendaCache.agenda(for: practice, now: now) {
            try await compile(practice, since: now.addingTimeInterval(-86_400), now: now, on: db)
        }
    }
}

/// Compiled agendas by practice, so that the availability route reads memory, not the database. A write to a
/// practice's rules invalidates its entry; a booking, move or cancellation updates it in place once committed; an
/// entry also expires after a few minutes, or when a hold it counts expires. Each write moves the practice's
/// generation on. An agenda compiled while bookings committed is kept with their changes of occupied time replayed on
/// it, in order: each change makes its time busy or free whatever it was, so the time a replayed change names ends as
/// its last change left it, and the rest is as the compilation read it (under a steady booking load no compilation
/// would otherwise ever be kept, and every request would compile the agenda again). One compiled across a change of
/// the rules is used by its request but never kept. The other instances are told the changes of occupied time and
/// apply them the same way (their news arrive in the order of the commits that made them); a change of the rules,
/// or a change of occupied time that crosses one from another instance within a few seconds (the two may have
/// arrived out of their commits' order), makes them drop the practice's entry and read the rows again at the next use.
///
/// One compilation per practice at a time: the requests that miss while it runs wait for it and read what it kept
/// (64 secretaries' requests arriving when an entry expired used to compile the same agenda 64 times at once). A
/// compilation read inside a unit of work may see that unit's uncommitted writes: it serves its own request only.
final class AgendaCache: Sendable {
    private struct Entry { var agenda: PracticeAgenda; let loadedAt: Date; var staleAt: Date? }
    /// A committed change of occupied time, under the generation it moved the practice to; `source`: the instance that
    /// made it (nil: this one), `at`: when it was applied here.
    private struct Logged {
        let generation: UInt64; let changes: [BusyChange]; let expiry: Date?; let source: UUID?; let at: ContinuousClock.Instant
    }
    /// A compilation under way and the requests waiting for it; `outcome` is set when it ends.
    private final class Round: @unchecked Sendable {  // guarded by `state`'s lock
        var waiting: [CheckedContinuation<Void, Never>] = []
        var outcome: Outcome?
    }
    private enum Outcome { case kept, notKept, failed(any Error) }
    private struct State {
        var entries: [UUID: Entry] = [:]
        var generations: [UUID: UInt64] = [:]
        /// The latest changes of occupied time by practice (a change of the rules empties it).
        var logs: [UUID: [Logged]] = [:]
        var rounds: [UUID: Round] = [:]
    }
    private let state = NIOLockedValueBox(State())
    private let peers: CachePeers
    let lifetime: TimeInterval = 300
    /// Changes kept for replay: a compilation that outlasts more bookings than this is not kept.
    static let replayable = 512
    /// Two changes of the same time from two instances applied closer than this may be out of their commits' order.
    static let reorderWindow = Duration.seconds(3)

    init(peers: CachePeers = CachePeers()) { self.peers = peers }

    func agenda(for practice: AuthorizedPractice, now: Date, load: () async throws -> (PracticeAgenda, staleAt: Date?)) async throws -> PracticeAgenda {
        enum Step { case cached(PracticeAgenda), wait(Round), lead(Round?, generation: UInt64) }
        let shared = UnitOfWork.current == nil
        while true {
            let step = state.withLockedValue { state -> Step in
                if let entry = state.entries[practice.id], now.timeIntervalSince(entry.loadedAt) < lifetime, entry.staleAt.map({ now < $0 }) ?? true {
                    return .cached(entry.agenda)
                }
                let generation = state.generations[practice.id, default: 0]
                guard shared else { return .lead(nil, generation: generation) }
                if let round = state.rounds[practice.id] { return .wait(round) }
                let round = Round()
                state.rounds[practice.id] = round
                return .lead(round, generation: generation)
            }
            switch step {
            case .cached(let agenda):
                return agenda
            case .wait(let round):
                await withCheckedContinuation { continuation in
                    let ended = state.withLockedValue { _ in
                        if round.outcome == nil { round.waiting.append(continuation) }
                        return round.outcome != nil
                    }
                    if ended { continuation.resume() }
                }
                switch state.withLockedValue({ _ in round.outcome }) {
                case .failed(let error) where !(error is CancellationError): throw error
                case .notKept, .failed: return try await compile(practice: practice, now: now, generation: nil, load: load).agenda
                case .kept, nil: continue  // read the entry it kept (or, expired already, compile)
                }
            case .lead(let round, let generation):
                var outcome = Outcome.notKept
                defer { end(round, of: practice.id, outcome) }
                do {
                    let (agenda, kept) = try await compile(practice: practice, now: now, generation: shared ? generation : nil, load: load)
                    if kept { outcome = .kept }
                    return agenda
                } catch {
                    outcome = .failed(error)
                    throw error
                }
            }
        }
    }

    /// Compiles the agenda; kept when `generation` is given and every write since it was read can be replayed on it.
    private func compile(practice: AuthorizedPractice, now: Date, generation: UInt64?,
                         load: () async throws -> (PracticeAgenda, staleAt: Date?)) async throws -> (agenda: PracticeAgenda, kept: Bool) {
        let (compiled, staleAt) = try await load()
        guard let generation else { return (compiled, false) }
        return state.withLockedValue { state in
            let current = state.generations[practice.id, default: 0]
            let since = (state.logs[practice.id] ?? []).filter { $0.generation > generation }
            // Every generation since the read must be a logged change of occupied time, or the compilation is not kept.
            guard since.count == Int(current &- generation) else { return (compiled, false) }
            let agenda = since.isEmpty ? compiled : compiled.updatingBusy(since.flatMap(\.changes))
            let expiry = ([staleAt] + since.map(\.expiry)).compactMap { $0 }.min()
            state.entries[practice.id] = Entry(agenda: agenda, loadedAt: now, staleAt: expiry)
            return (agenda, true)
        }
    }

    /// Ends `round` with its outcome and wakes the requests waiting for it.
    private func end(_ round: Round?, of practice: UUID, _ outcome: Outcome) {
        guard let round else { return }
        let waiting = state.withLockedValue { state in
            if state.rounds[practice] === round { state.rounds.removeValue(forKey: practice) }
            round.outcome = outcome
            defer { round.waiting = [] }
            return round.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    /// After this instance changed the practice's rules.
    func invalidate(_ practice: UUID) {
        drop(practice)
        peers.tell(.agenda(practice: practice))
    }

    func drop(_ practice: UUID) {
        state.withLockedValue { Self.drop(practice, in: &$0) }
    }

    private static func drop(_ practice: UUID, in state: inout State) {
        state.entries.removeValue(forKey: practice)
        state.logs.removeValue(forKey: practice)
        state.generations[practice, default: 0] &+= 1
    }

    func dropAll() {
        state.withLockedValue { state in
            for practice in Set(state.generations.keys).union(state.entries.keys) { state.generations[practice, default: 0] &+= 1 }
            state.entries.removeAll()
            state.logs.removeAll()
        }
    }

    /// After a committed transaction: the occupied time it changed, applied to the cached agenda and told to the other
    /// instances (as a change of the agenda when there are too many to carry).
    func apply(_ changes: OccupancyChanges, to practice: UUID) {
        let list = changes.changes
        guard !list.isEmpty else { return }
        let expiry = changes.earliestExpiry
        peers.tell(list.count <= BusyNews.limit ? .occupancy(practice: practice, changes: list.map(BusyNews.init), expiry: expiry)
                                                : .agenda(practice: practice))
        record(list, expiry: expiry, from: nil, to: practice)
    }

    /// Another instance committed these changes of occupied time.
    func received(_ news: [BusyNews], expiry: Date?, from instance: UUID, to practice: UUID) {
        record(news.map(\.change), expiry: expiry, from: instance, to: practice)
    }

    private func record(_ list: [BusyChange], expiry: Date?, from source: UUID?, to practice: UUID) {
        let now = ContinuousClock.now
        state.withLockedValue { state in
            let crossing = (state.logs[practice] ?? []).contains { logged in
                logged.source != source && now - logged.at < Self.reorderWindow && BusyChange.anyCross(logged.changes, list)
            }
            guard !crossing else { return Self.drop(practice, in: &state) }
            state.generations[practice, default: 0] &+= 1
            state.logs[practice, default: []].append(Logged(generation: state.generations[practice]!, changes: list, expiry: expiry,
                                                            source: source, at: now))
            if state.logs[practice]!.count > Self.replayable { state.logs[practice]!.removeFirst(state.logs[practice]!.count - Self.replayable) }
            guard var entry = state.entries[practice] else { return }
            entry.agenda = entry.agenda.updatingBusy(list)
            if let expiry { entry.staleAt = min(entry.staleAt ?? expiry, expiry) }
            state.entries[practice] = entry
        }
    }
}

/// A change of occupied time as it travels between instances.
struct BusyNews: Codable, Sendable, Hashable {
    let taken: Bool
    let practitioner: UUID
    let start: Date
    let end: Date

    /// More changes than this in one transaction travel as a change of the agenda (a notification carries 8,000 bytes).
    static let limit = 24

    init(_ change: BusyChange) {
        if case .taken = change { taken = true } else { taken = false }
        practitioner = change.busy.practitionerID
        start = change.busy.interval.start
        end = change.busy.interval.end
    }

    var change: BusyChange {
        let busy = BusyInterval(practitionerID: practitioner, interval: DateInterval(start: start, end: max(start, end)))
        return taken ? .taken(busy) : .freed(busy)
    }
}

extension Application {
    private struct AgendaCacheKey: StorageKey { typealias Value = AgendaCache }

    /// Set by `makeCaches()`.
    var agendaCache: AgendaCache {
        get { configured(AgendaCacheKey.self) }
        set { storage[AgendaCacheKey.self] = newValue }
    }
}
