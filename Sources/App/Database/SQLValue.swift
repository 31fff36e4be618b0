import SQLKit

/// A value for a statement written in SQL: bound, or the literal NULL (a typed NULL bind is refused by PostgreSQL for a
/// column of another type; the literal fits every column).
enum SQLValue {
    static func of(_ value: (any Encodable & Sendable)?) -> any SQLExpression {
        value.map { SQLBind($0) } ?? SQLLiteral.null
    }

    /// Rows written in multi-row statements of at most 30,000 values (SQLite binds at most 32,766).
    static func insert(_ rows: [[(any Encodable & Sendable)?]], into table: String, columns: [String], on sql: any SQLDatabase) async throws {
        for chunk in rows.chunked(by: max(1, 30_000 / columns.count)) {
            var insert = sql.insert(into: table).columns(columns)
            for row in chunk { insert = insert.values(row.map(of)) }
            try await insert.run()
        }
    }
}
