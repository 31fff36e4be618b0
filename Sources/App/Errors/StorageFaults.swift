import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import VaporCSQLite
import Vapor

/// Faults of the storage under the server that a user should meet as "not now, try again" (503 with `Retry-After`),
/// never as an internal error: nothing was written, and the answer says so.
enum StorageFaults {
    static func unavailable(for error: any Error) -> AppError? {
        if let sqlite = error as? SQLiteError {
            switch sqlite.reason {
            case .full: return diskFull
            case .ioError, .ioErrorFailedWrite, .ioErrorFailedSync, .ioErrorFailedRead, .ioErrorIncompleteRead: return diskFailing
            default: return nil
            }
        }
        // The writer's own connection (DirectSQLite) reports SQLite's codes as they are.
        if let sqlite = error as? DirectSQLiteError {
            switch sqlite.primary {
            case SQLITE_FULL: return diskFull
            case SQLITE_IOERR: return diskFailing
            default: return nil
            }
        }
        if let postgres = error as? PSQLError {
            let restarting: Set<String> = ["57P01", "57P02", "57P03"]   // admin shutdown, crash shutdown, cannot connect now
            switch postgres.code {
            case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown, .poolClosed:
                return restart
            case .server where restarting.contains(postgres.serverInfo?[.sqlState] ?? ""):
                return restart
            default:
                return nil
            }
        }
        if error is NIOConnectionError || error is ConnectionPoolTimeoutError || error is ConnectionPoolError { return restart }
        return nil
    }

    private static let diskFull = AppError.unavailable(
        "Le disque du serveur est plein : rien n'a été enregistré. Prévenez l'administrateur ; les consultations restent possibles.",
        retryAfter: 60)
    private static let diskFailing = AppError.unavailable(
        "Le disque du serveur ne répond pas : rien n'a été enregistré. Prévenez l'administrateur.", retryAfter: 60)

    /// The error ended the database session (PostgreSQL shutting down or restarting, the connection gone): the server
    /// rolled the transaction back itself, and nothing more may be sent on that connection.
    static func endedSession(_ error: any Error) -> Bool {
        guard let postgres = error as? PSQLError else { return false }
        switch postgres.code {
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown, .poolClosed:
            return true
        case .server:
            return postgres.serverInfo?[.severity] == "FATAL" || postgres.serverInfo?[.severity] == "PANIC"
        default:
            return false
        }
    }

    private static let restart = AppError.unavailable(
        "La base de données ne répond pas pour l'instant : rien n'a été enregistré. Réessayez dans quelques secondes.", retryAfter: 2)
}
