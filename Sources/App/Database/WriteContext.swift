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
    /// Where a store says what it changed, once written, to the consoles (none for the command line and the seeders).
    var live: LiveHub? = nil

    /// Tells the consoles of the practice (nil: of every practice) that these parts changed; after the commit when
    /// the write is still open.
    func publish(_ kinds: LiveEvent.Kind..., practice: UUID?) async {
        for kind in kinds { await live?.publish(LiveEvent(kind: kind, practiceID: practice)) }
    }
}

extension Request {
    func writeContext() throws -> WriteContext {
        WriteContext(actor: try requirePrincipal().auditActor, requestID: id, writer: writer, database: db,
                     patientIndex: application.patientIndexCache, live: application.liveHub)
    }

    /// Today's date in Paris by the application's clock: what dates of birth and retention are checked against.
    var parisToday: LocalDate { LocalDate(application.clock.now(), in: FrenchFormat.parisTimeZone) }
}
