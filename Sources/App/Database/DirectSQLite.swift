import FluentKit
import FluentSQL
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import SQLiteKit
import VaporCSQLite

/// A SQLite connection whose statements run on the thread that asks for them: the writer's, and the backup's and
/// restore's. SQLiteNIO hands each statement to a pool thread and its answer back to an event loop: two thread
/// wake-ups per statement, about 0.14 ms each on a busy machine, and a booking's writes take a dozen statements while
/// every other write of its batch waits. The writer runs its batches on a thread of its own (`WriterConnection`), so it
/// can as well run SQLite there directly. Same library as the readers' connections (SQLiteNIO's own SQLite, one copy
/// in the process: its file locks stay coherent), foreign keys on, prepared statements kept.
final class DirectSQLiteConnection: @unchecked Sendable {
    /// Guards the handle and the prepared statements (the writer runs one statement at a time anyway).
    private let lock = NIOLock()
    private var handle: OpaquePointer?
    private var prepared: [String: OpaquePointer] = [:]
    private static let preparedLimit = 128
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(path: String, readOnly: Bool = false) throws {
        var opened: OpaquePointer?
        let access = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let status = sqlite_nio_sqlite3_open_v2(path, &opened, access | SQLITE_OPEN_FULLMUTEX, nil)
        guard status == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "error \(status)"
            if let opened { sqlite_nio_sqlite3_close_v2(opened) }
            throw DirectSQLiteError(code: status, message: "cannot open \(path): \(message)")
        }
        handle = opened
        sqlite_nio_sqlite3_extended_result_codes(opened, 1)
        // The readers never lock the writer out (WAL); a backup or a command beside the server may, briefly.
        sqlite_nio_sqlite3_busy_timeout(opened, 30_000)
        try run("PRAGMA foreign_keys = ON", []) { _, _ in }
    }

    deinit { close() }

    /// SQLite's own API on this connection (the online backup), with its last error message.
    func withHandle<T>(_ body: (OpaquePointer, _ message: () -> String) throws -> T) throws -> T {
        try lock.withLock {
            guard let handle else { throw DirectSQLiteError(code: SQLITE_MISUSE, message: "the connection is closed") }
            return try body(handle) { String(cString: sqlite_nio_sqlite3_errmsg(handle)) }
        }
    }

    func close() {
        lock.withLock {
            for statement in prepared.values { sqlite_nio_sqlite3_finalize(statement) }
            prepared = [:]
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            handle = nil
        }
    }

    /// Runs `sql` with `binds`, giving each row's column names and values to `onRow`.
    func run(_ sql: String, _ binds: [SQLiteData], _ onRow: ([String], [SQLiteData]) throws -> Void) throws {
        try lock.withLock {
            guard let handle else { throw DirectSQLiteError(code: SQLITE_MISUSE, message: "the connection is closed") }
            let statement = try statement(sql, on: handle)
            defer {
                sqlite_nio_sqlite3_reset(statement)
                sqlite_nio_sqlite3_clear_bindings(statement)
            }
            for (index, value) in binds.enumerated() {
                try check(bind(value, at: Int32(index + 1), of: statement), on: handle)
            }
            let count = sqlite_nio_sqlite3_column_count(statement)
            let names = (0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) }
            while true {
                let status = sqlite_nio_sqlite3_step(statement)
                if status == SQLITE_DONE { return }
                guard status == SQLITE_ROW else { throw error(status, on: handle) }
                try onRow(names, (0..<count).map { column(at: $0, of: statement) })
            }
        }
    }

    private func statement(_ sql: String, on handle: OpaquePointer) throws -> OpaquePointer {
        if let kept = prepared[sql] { return kept }
        var statement: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status, on: handle) }
        if prepared.count >= Self.preparedLimit {
            for kept in prepared.values { sqlite_nio_sqlite3_finalize(kept) }
            prepared = [:]
        }
        prepared[sql] = statement
        return statement
    }

    private func bind(_ value: SQLiteData, at index: Int32, of statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let integer): sqlite_nio_sqlite3_bind_int64(statement, index, Int64(integer))
        case .float(let double): sqlite_nio_sqlite3_bind_double(statement, index, double)
        case .text(let text): sqlite_nio_sqlite3_bind_text64(statement, index, text, UInt64(text.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
        case .blob(let bytes):
            bytes.withUnsafeReadableBytes { sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), Self.transient) }
        case .null: sqlite_nio_sqlite3_bind_null(statement, index)
        }
    }

    private func column(at index: Int32, of statement: OpaquePointer) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, index)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, index))
        case SQLITE_TEXT: return sqlite_nio_sqlite3_column_text(statement, index).map { .text(String(cString: $0)) } ?? .null
        case SQLITE_BLOB:
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            var buffer = ByteBufferAllocator().buffer(capacity: length)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, index) { buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: length)) }
            return .blob(buffer)
        default: return .null
        }
    }

    private func check(_ status: Int32, on handle: OpaquePointer) throws {
        guard status == SQLITE_OK else { throw error(status, on: handle) }
    }

    private func error(_ status: Int32, on handle: OpaquePointer) -> DirectSQLiteError {
        DirectSQLiteError(code: status, message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
    }
}

/// What a direct connection refused, with SQLite's extended result code.
struct DirectSQLiteError: Error, DatabaseError, CustomStringConvertible {
    let code: Int32
    let message: String

    /// The primary result code (SQLITE_CONSTRAINT, SQLITE_FULL…).
    var primary: Int32 { code & 0xFF }
    var isSyntaxError: Bool { primary == SQLITE_ERROR }
    var isConnectionClosed: Bool { primary == SQLITE_MISUSE || primary == SQLITE_CANTOPEN }
    var isConstraintFailure: Bool { primary == SQLITE_CONSTRAINT }
    var description: String { "SQLite error \(code): \(message)" }
}

/// The writer's connection as Fluent and SQLKit see a database: the same SQL as Fluent's SQLite driver writes, run
/// on the calling thread. Transactions are the caller's (`GroupCommit` begins and commits its batches).
struct DirectSQLiteDatabase: Database, SQLDatabase {
    let connection: DirectSQLiteConnection
    let context: DatabaseContext
    let inTransaction: Bool
    private static let encoder = SQLiteDataEncoder()
    private static let decoder = SQLiteDataDecoder()

    init(connection: DirectSQLiteConnection, context: DatabaseContext, inTransaction: Bool = false) {
        self.connection = connection
        self.context = context
        self.inTransaction = inTransaction
    }

    /// The same database, its statements said to be in a transaction.
    var inOpenTransaction: DirectSQLiteDatabase { .init(connection: connection, context: context, inTransaction: true) }

    var dialect: any SQLDialect { SQLiteDialect() }
    var logger: Logger { context.logger }
    var eventLoop: any EventLoop { context.eventLoop }
    var queryLogLevel: Logger.Level? { .debug }

    // SQLDatabase

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        eventLoop.makeCompletedFuture { try run(query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try run(query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        let (sql, values) = serialize(query)
        let binds = try values.map { try Self.encoder.encode($0) }
        if let level = queryLogLevel { logger.log(level: level, "Executing query", metadata: ["sql": .string(sql), "binds": .array(binds.map { .string("\($0)") })]) }
        try connection.run(sql, binds) { names, values in onRow(DirectSQLiteRow(names: names, values: values, decoder: Self.decoder)) }
    }

    // Database

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void) -> EventLoopFuture<Void> {
        var converted = SQLQueryConverter(delegate: DirectSQLiteConverterDelegate()).convert(query)
        // As Fluent's driver does: a creation returns the ids it made.
        if case .create = query.action, query.customIDKey != .some(.string("")) {
            converted = SQLList([converted, SQLReturning(.init((query.customIDKey ?? .id).description))], separator: SQLRaw(" "))
        }
        return execute(sql: converted) { onOutput(DirectSQLiteOutput(row: $0, schema: nil)) }
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> {
        eventLoop.makeFailedFuture(DirectSQLiteError(code: SQLITE_MISUSE, message: "the schema is changed by the migrations, not by the writer"))
    }

    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> {
        eventLoop.makeSucceededVoidFuture()
    }

    func transaction<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        guard !inTransaction else { return closure(self) }
        return eventLoop.makeFailedFuture(DirectSQLiteError(code: SQLITE_MISUSE, message: "the writer's transactions are its batches"))
    }

    func withConnection<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        closure(self)
    }
}

/// The types Fluent's SQLite driver gives its columns, for the same SQL.
private struct DirectSQLiteConverterDelegate: SQLConverterDelegate {
    func customDataType(_ dataType: DatabaseSchema.DataType) -> (any SQLExpression)? {
        switch dataType {
        case .string, .enum: SQLRaw("TEXT")
        case .datetime: SQLRaw("REAL")
        case .int64: SQLRaw("INTEGER")
        default: nil
        }
    }
}

/// A row read by the writer, as SQLKit reads rows.
private struct DirectSQLiteRow: SQLRow {
    let names: [String]
    let values: [SQLiteData]
    let decoder: SQLiteDataDecoder

    var allColumns: [String] { names }

    private func value(_ column: String) -> SQLiteData? {
        names.firstIndex(of: column).map { values[$0] }
    }

    func contains(column: String) -> Bool { names.contains(column) }

    func decodeNil(column: String) throws -> Bool { (value(column) ?? .null) == .null }

    func decode<D: Decodable>(column: String, as: D.Type) throws -> D {
        guard let data = value(column) else {
            throw DecodingError.keyNotFound(SomeCodingKey(stringValue: column), .init(codingPath: [], debugDescription: "no column \(column) in the row"))
        }
        return try decoder.decode(D.self, from: data)
    }
}

/// A row read by the writer, as Fluent reads a model's fields (prefixed by their schema in joins).
private struct DirectSQLiteOutput: DatabaseOutput {
    let row: any SQLRow
    let schema: String?

    var description: String { String(describing: row.allColumns) }

    private func column(_ key: FieldKey) -> String {
        (schema.map { .prefix(.prefix(.string($0), "_"), key) } ?? key).description
    }

    func schema(_ schema: String) -> any DatabaseOutput { DirectSQLiteOutput(row: row, schema: schema) }
    func contains(_ key: FieldKey) -> Bool { row.contains(column: column(key)) }
    func decodeNil(_ key: FieldKey) throws -> Bool { try row.decodeNil(column: column(key)) }
    func decode<T: Decodable>(_ key: FieldKey, as: T.Type) throws -> T { try row.decode(column: column(key), as: T.self) }
}
