import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends an SMS by posting the gateway's JSON body (`SMS_GATEWAY_BODY`, with `{to}`, `{text}` and `{reference}` filled
/// in as JSON strings) to `SMS_GATEWAY_URL`, with HTTP Basic credentials or a bearer token. A 2xx is accepted; a 5xx,
/// a timeout or a lost connection is tried again later; another answer (a number or credentials refused) fails at once.
struct SMSGatewayProvider: DeliveryProvider {
    let gateway: MessagingSettings.SMSGateway
    let client: HTTPClient
    var name: String { "sms-gateway" }
    static let timeout: TimeAmount = .seconds(10)

    struct Refused: Error, CustomStringConvertible, PermanentDeliveryFailure {
        let description: String
        let permanent: Bool
    }

    /// The body posted for one message.
    static func body(_ template: String, to: String, text: String, reference: String) -> String {
        func json(_ value: String) -> String { JSONText.quoted(value) }
        return template.replacingOccurrences(of: "{to}", with: json(to)).replacingOccurrences(of: "{text}", with: json(text))
            .replacingOccurrences(of: "{reference}", with: json(reference))
    }

    func deliver(_ message: OutboundMessage) async throws -> String? {
        guard message.channel == "sms" else { throw Refused(description: "canal \(message.channel) non pris en charge par la passerelle SMS", permanent: true) }
        var request = HTTPClientRequest(url: gateway.url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Permanence-SMS/1.0")
        if let token = gateway.bearerToken {
            request.headers.add(name: "Authorization", value: "Bearer " + token)
        } else if let user = gateway.user, let password = gateway.password {
            request.headers.add(name: "Authorization", value: "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
        }
        request.body = .bytes(ByteBuffer(string: Self.body(gateway.bodyTemplate, to: message.recipient, text: message.body, reference: message.reference)))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: Self.timeout)
        } catch where Task.isCancelled {
            throw CancellationError()
        } catch {
            throw Refused(description: "passerelle SMS injoignable ou muette en \(Self.timeout.nanoseconds / 1_000_000_000) s : \(error)", permanent: false)
        }
        let answer = (try? await response.body.collect(upTo: 16 * 1024)).map { String(buffer: $0) } ?? ""
        let code = Int(response.status.code)
        guard (200...299).contains(code) else {
            throw Refused(description: "la passerelle SMS a répondu \(code) \(answer.prefix(200))", permanent: !(500...599).contains(code) && code != 429 && code != 408)
        }
        return message.reference
    }
}
