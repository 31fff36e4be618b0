import Foundation
import NIOCore
import NIOPosix
import Vapor

/// Sends e-mail through the center's SMTP relay (RFC 5321): EHLO, MAIL FROM, RCPT TO, DATA, QUIT, one connection per
/// message. The relay inside the center's network handles authentication and TLS outward.
struct SMTPDeliveryProvider: DeliveryProvider {
    let settings: SMTPSettings
    let eventLoopGroup: any EventLoopGroup
    var name: String { "smtp" }

    struct SMTPError: Error, CustomStringConvertible {
        let description: String
    }

    func deliver(_ message: OutboundMessage) async throws {
        guard message.channel == "email" else { throw SMTPError(description: "canal \(message.channel) non pris en charge par SMTP") }
        for address in [settings.from, message.recipient] where address.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "<" || $0 == ">" }) {
            throw SMTPError(description: "adresse refusée : \(address)")
        }
        let channel = try await ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(.seconds(10))
            .connect(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        try await channel.executeThenClose { inbound, outbound in
            var replies = SMTPReplies(inbound.makeAsyncIterator())
            try await replies.expect(220)
            func command(_ line: String, expect code: Int) async throws {
                try await outbound.write(ByteBuffer(string: line + "\r\n"))
                try await replies.expect(code)
            }
            try await command("EHLO permanence", expect: 250)
            try await command("MAIL FROM:<\(settings.from)>", expect: 250)
            try await command("RCPT TO:<\(message.recipient)>", expect: 250)
            try await command("DATA", expect: 354)
            try await outbound.write(ByteBuffer(string: Self.content(of: message, from: settings.from, date: Date())))
            try await replies.expect(250)
            try await outbound.write(ByteBuffer(string: "QUIT\r\n"))
            _ = try? await replies.next()
        }
    }

    /// The message as DATA carries it: headers, a quoted-printable-free UTF-8 body (8BITMIME), dot-stuffed, ended by ".".
    static func content(of message: OutboundMessage, from: String, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let subject = "=?UTF-8?B?" + Data(message.subject.utf8).base64EncodedString() + "?="
        let body = message.body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
        return """
        From: Permanence <\(from)>\r
        To: <\(message.recipient)>\r
        Subject: \(subject)\r
        Date: \(formatter.string(from: date))\r
        MIME-Version: 1.0\r
        Content-Type: text/plain; charset=utf-8\r
        Content-Transfer-Encoding: 8bit\r
        \r
        \(body)\r
        .\r

        """
    }
}

/// Reads SMTP replies line by line ("250-…" continues, "250 …" ends a reply).
struct SMTPReplies {
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var pending = ""

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.iterator = iterator }

    private mutating func line() async throws -> String {
        while true {
            if let end = pending.range(of: "\r\n") {
                let line = String(pending[..<end.lowerBound])
                pending.removeSubrange(..<end.upperBound)
                return line
            }
            guard let buffer = try await iterator.next() else { throw SMTPDeliveryProvider.SMTPError(description: "connexion SMTP fermée par le serveur") }
            pending += String(buffer: buffer)
        }
    }

    /// The code and text of the next whole reply.
    mutating func next() async throws -> (Int, String) {
        var text: [String] = []
        while true {
            let line = try await line()
            guard line.count >= 3, let code = Int(line.prefix(3)) else { throw SMTPDeliveryProvider.SMTPError(description: "réponse SMTP illisible : \(line)") }
            text.append(String(line.dropFirst(4)))
            if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " { return (code, text.joined(separator: " ")) }
        }
    }

    mutating func expect(_ code: Int) async throws {
        let (got, text) = try await next()
        guard got == code else { throw SMTPDeliveryProvider.SMTPError(description: "le relais SMTP a répondu \(got) \(text) (attendu \(code))") }
    }
}
