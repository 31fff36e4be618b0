import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// `/plateau`: the supervisor's live board. The calls ringing now with their practice and how long they have been
/// waiting (amber past 3 rings, red past 4: the page's script counts the seconds), the secretaries signed in and
/// those on a call, the work queue by priority with its oldest urgent item, and today's calls so far per practice.
/// The board's region is fetched again at each ringing, answer, end or queue change (server-sent events), so it moves
/// without a reload. Supervisors and administrators only.
struct BoardController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.board, use: page)
    }

    struct Ringing: Encodable {
        let id: UUID
        let practice: String
        let caller: String
        let since: String
        let sinceText: String
    }

    struct Secretary: Encodable { let name: String; let onCall: Bool; let phoneExtension: String? }

    struct PracticeToday: Encodable {
        let name: String
        let presented: Int
        let answered: Int
        let abandoned: Int
        let answerRate: String
        let medianToAnswer: String
    }

    struct Board: Encodable {
        let ringing: [Ringing]
        let secretaries: [Secretary]
        let waiting: PracticesController.Waiting
        let today: [PracticeToday]
        let updatedAt: String
    }

    struct Page: Encodable {
        let layout: PracticesController.Layout
        let board: Board
    }

    /// A call still ringing after this long is left to the statistics (the phone system lost its end).
    static let ringingWindow: TimeInterval = 600

    @Sendable func page(req: Request) async throws -> View {
        let principal = try req.require(.viewBoard)
        let board = try await Self.board(principal, req: req)
        if req.query[String.self, at: "partiel"] != nil { return try await req.view.render("board/live", ["board": board]) }
        return try await req.view.render("board/page", Page(layout: .init(principal), board: board))
    }

    static func board(_ principal: Principal, req: Request) async throws -> Board {
        let now = req.application.clock.now()
        let sql = req.db as! any SQLDatabase
        let names = Dictionary(uniqueKeysWithValues: try await PracticeRecord.query(on: req.db).all().map { ($0.id!, $0.name) })
        struct RingingRow: Decodable { let id: UUID; let practice_id: UUID; let caller_number: String; let received_at: Date }
        let ringing = try await sql.raw("""
            SELECT r.id, r.practice_id, r.caller_number, r.received_at FROM telephony_events r
            WHERE r.kind = 'ringing' AND r.received_at > \(bind: now.addingTimeInterval(-ringingWindow)) AND r.taken_by_label IS NULL
              AND NOT EXISTS (SELECT 1 FROM telephony_events e WHERE e.provider_call_id = r.provider_call_id AND e.kind IN ('answered', 'ended'))
            ORDER BY r.received_at
            """).all(decoding: RingingRow.self)
        struct SecretaryRow: Decodable { let display_name: String; let telephony_extension: String?; let on_call: Int }
        let secretaries = try await sql.raw("""
            SELECT u.display_name, u.telephony_extension,
              (SELECT COUNT(*) FROM telephony_events a WHERE a.kind = 'answered' AND a.extension = u.telephony_extension
                 AND a.received_at > \(bind: now.addingTimeInterval(-4 * 3600))
                 AND NOT EXISTS (SELECT 1 FROM telephony_events e WHERE e.provider_call_id = a.provider_call_id AND e.kind = 'ended'))
              + (SELECT COUNT(*) FROM calls c WHERE c.opened_by = u.id AND c.state = 'open' AND c.opened_at > \(bind: now.addingTimeInterval(-4 * 3600))) AS on_call
            FROM users u
            WHERE u.role = 'secretary' AND u.disabled = \(bind: false)
              AND EXISTS (SELECT 1 FROM login_sessions s WHERE s.user_id = u.id AND s.expires_at > \(bind: now))
            ORDER BY u.display_name
            """).all(decoding: SecretaryRow.self)
        let entries = try await QueueStore.entries(for: principal, on: req.db, now: now)
        let today = LocalDate(now, in: FrenchFormat.parisTimeZone)
        let byPractice = try await StatisticsStore.tallies(of: today, on: sql)
        return Board(
            ringing: ringing.map {
                Ringing(id: $0.id, practice: names[$0.practice_id] ?? "", caller: FrenchFormat.phone($0.caller_number.isEmpty ? nil : $0.caller_number),
                        since: ISOTimestamp.string($0.received_at, in: FrenchFormat.parisTimeZone), sinceText: FrenchFormat.time($0.received_at))
            },
            secretaries: secretaries.map { Secretary(name: $0.display_name, onCall: $0.on_call > 0, phoneExtension: $0.telephony_extension) },
            waiting: try await PracticesController.Waiting.of(principal, entries: entries, on: req.db),
            today: byPractice.map { id, tally in
                let figures = CallFigures(tally)
                return PracticeToday(name: names[id] ?? "", presented: figures.presented, answered: figures.answered, abandoned: figures.abandoned,
                                     answerRate: FrenchFormat.percent(figures.answerRate),
                                     medianToAnswer: FrenchFormat.seconds(figures.timeToAnswer.median))
            }.sorted { $0.name < $1.name },
            updatedAt: FrenchFormat.time(now))
    }
}
