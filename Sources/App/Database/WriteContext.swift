import Domain
import Fluent
import Foundation
import Vapor

/// Who writes, for the journal: taken from the request once.
struct WriteContext: Sendable {
    let actor: AuditActor
    let requestID: String?
    let writer: Writer
    let database: any Database
    /// Dropped for a practice once a write changed its patients.
    let patientIndex: PatientIndexCache
}

extension Request {
    func writeContext() throws -> WriteContext {
        WriteContext(actor: try requirePrincipal().auditActor, requestID: id, writer: writer, database: db,
                     patientIndex: application.patientIndexCache)
    }

    /// Today's date in Paris by the application's clock: what dates of birth and retention are checked against.
    var parisToday: LocalDate { LocalDate(application.clock.now(), in: FrenchFormat.parisTimeZone) }
}
