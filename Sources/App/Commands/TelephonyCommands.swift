import Domain
import Fluent
import Foundation
import Vapor

/// `permanence telephony secret [--rotate]`: the secret the center's phone system signs its call events with.
struct TelephonyCommands: AsyncCommandGroup {
    var help: String { "The telephony link: the secret that signs call events." }
    var commands: [String: any AnyAsyncCommand] { ["secret": TelephonySecretCommand()] }
}

struct TelephonySecretCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "rotate", help: "Make a new secret: events signed with the old one are refused from now on.")
        var rotate: Bool
    }

    var help: String { "Prints the center's telephony secret (made on first use)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await DatabaseSetup.prepare(app, settings: app.settings)
        context.console.print(try await TelephonyStore.secret(app: app, rotate: signature.rotate).secret)
    }
}

/// `permanence simulate-call --from 06… --to 01…|SLUG`: what the phone system would post when a call rings, signed with
/// the center's secret and sent to a running server; the secretary's console pops the call.
struct SimulateCallCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "from", help: "The caller's number (any French format).")
        var from: String?
        @Option(name: "to", help: "The number dialled, or the practice's slug.")
        var to: String?
        @Option(name: "extension", help: "The secretary's extension it rings on (default: every console of the practice).")
        var phoneExtension: String?
        @Option(name: "event", help: "ringing (default), answered, transferred or ended.")
        var event: String?
        @Option(name: "call-id", help: "The phone system's id of the call (default: a new one; give the same for its later events).")
        var callID: String?
        @Option(name: "url", help: "The running server (default http://127.0.0.1:PORT).")
        var url: String?
    }

    var help: String { "Simulates a call event from the phone system: the secretary's console pops the call." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let from = signature.from else { throw CommandFailure(description: "--from is required (the caller's number)") }
        guard let to = signature.to else { throw CommandFailure(description: "--to is required (the number dialled, or the practice's slug)") }
        try await DatabaseSetup.prepare(app, settings: app.settings)
        var dialled = to
        if (try? PhoneNumber(parsing: to)) == nil {
            guard let practice = try await PracticeRecord.query(on: app.db).filter(\.$slug == to).first() else {
                throw CommandFailure(description: "--to: \(to) is neither a phone number nor a practice's slug")
            }
            dialled = practice.phone
        }
        let callID = signature.callID ?? "sim-" + UUID().uuidString.lowercased().prefix(8)
        let input = TelephonyEventInput(event: signature.event ?? "ringing", callId: String(callID), from: from, to: dialled, extension: signature.phoneExtension)
        let body = Array(try JSONEncoder().encode(input))
        let secret = try await TelephonyStore.secret(app: app).secret
        let timestamp = Int(Date().timeIntervalSince1970)
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.add(name: TelephonyStore.timestampHeader, value: String(timestamp))
        headers.add(name: TelephonyStore.signatureHeader, value: TelephonyStore.signature(secret: secret, timestamp: timestamp, body: body))
        let base = signature.url ?? "http://127.0.0.1:\(app.settings.port)"
        let response = try await app.client.post(URI(string: base + "/api/v1/telephony/events"), headers: headers) { request in
            request.body = ByteBuffer(bytes: body)
        }
        let answer = response.body.map { String(buffer: $0) } ?? ""
        guard response.status == .created else {
            throw CommandFailure(description: "the server answered \(response.status.code): \(answer)")
        }
        context.console.print("\(input.event ?? "") \(callID) sent: \(answer)")
    }
}
