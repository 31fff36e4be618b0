import SQLKit

/// A value for a statement written in SQL: bound, or the literal NULL (a typed NULL bind is refused by PostgreSQL for a
/// column of another type; the literal fits every column).
enum SQLValue {
    static func of(_ value: (any Encodable & Sendable)?) -> any SQLExpression {
        value.map { SQLBind($0) } ?? SQLLiteral.null
    }
}
