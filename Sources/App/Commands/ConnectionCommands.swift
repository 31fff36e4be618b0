import Domain
import Fluent
import Foundation
import Vapor

/// `permanence calendar-feed --practitioner ID [--renew] [--patient-names] [--no-motif]`: the secret address of a
/// practitioner's calendar feed (made on first use), for an administrator who hands it to a practitioner without an
/// account, and for the benchmarks. Prints the address's path (`/ical/cal_….ics`).
struct CalendarFeedCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "practitioner", help: "The practitioner's id.")
        var practitioner: String?
        @Flag(name: "renew", help: "A new address: the former one stops answering.")
        var renew: Bool
        @Flag(name: "patient-names", help: "The feed shows the patients' names.")
        var patientNames: Bool
        @Flag(name: "no-motif", help: "The feed does not show the motifs.")
        var noMotif: Bool
    }

    var help: String { "Prints the path of a practitioner's calendar feed (made on first use)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let raw = signature.practitioner, let id = UUID(uuidString: raw) else {
            throw CommandFailure(description: "--practitioner is required (the practitioner's id)")
        }
        try await DatabaseSetup.prepare(app, settings: app.settings)
        guard let practitioner = try await PractitionerRecord.find(id, on: app.db) else { throw CommandFailure(description: "--practitioner: no such practitioner") }
        let now = app.clock.now()
        let context2 = WriteContext(actor: .system("cli"), requestID: nil, writer: app.writer, database: app.db, patientIndex: app.patientIndexCache)
        var feed = try await ConnectionStore.feed(of: id, on: app.db)
        if feed == nil || signature.renew || feed!.showsPatientName != signature.patientNames || feed!.showsMotif == signature.noMotif {
            feed = try await ConnectionStore.setFeed(of: practitioner, renew: feed == nil || signature.renew, showsPatientName: signature.patientNames,
                                                     showsMotif: !signature.noMotif, app: app, context: context2, now: now)
        }
        guard let secret = ConnectionStore.secret(of: feed!, app: app) else { throw CommandFailure(description: "the feed's address cannot be read with this server's key") }
        context.console.print("/ical/\(secret).ics")
    }
}
