import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Vapor

/// Sends e-mail through the center's SMTP server (RFC 5321), one connection per message: EHLO, then STARTTLS
/// (RFC 3207) and EHLO again when the URL asks for it, AUTH PLAIN (RFC 4954) when it carries a login, then MAIL FROM,
/// RCPT TO, DATA, QUIT. Each reply is awaited 30 seconds at most.
struct SMTPDeliveryProvider: DeliveryProvider {
    let settings: SMTPSettings
    let eventLoopGroup: any EventLoopGroup
    var name: String { "smtp" }

    struct SMTPError: Error, CustomStringConvertible, PermanentDeliveryFailure {
        let description: String
        /// A 5xx reply (a recipient refused, a login rejected): trying again would be refused again.
        var permanent = false
    }

    func deliver(_ message: OutboundMessage) async throws -> String? {
        guard message.channel == "email" else { throw SMTPError(description: "canal \(message.channel) non pris en charge par SMTP", permanent: true) }
        for address in [settings.from, message.recipient] where address.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "<" || $0 == ">" }) {
            throw SMTPError(description: "adresse refusée : \(address)", permanent: true)
        }
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let channel = try await ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([IdleStateHandler(readTimeout: .seconds(30)), SMTPInbound(continuation)])
                }
            }
            .connect(host: settings.host, port: settings.port).get()
        defer { channel.close(promise: nil) }
        var replies = SMTPReplies(stream.makeAsyncIterator())
        func send(_ text: String) async throws { try await channel.writeAndFlush(ByteBuffer(string: text)) }
        /// Sends a command and checks its reply; what a log may show stands in for a secret.
        @discardableResult
        func command(_ line: String, expect code: Int, shown: String? = nil) async throws -> String {
            try await send(line + "\r\n")
            return try await replies.expect(code, after: shown ?? line)
        }
        try await replies.expect(220, after: "la connexion")
        var capabilities = try await command("EHLO permanence", expect: 250)
        if settings.startTLS {
            guard capabilities.uppercased().contains("STARTTLS") else {
                throw SMTPError(description: "le serveur SMTP ne propose pas STARTTLS, que SMTP_URL exige : rien n'est envoyé en clair")
            }
            try await command("STARTTLS", expect: 220)
            var configuration = TLSConfiguration.makeClientConfiguration()
            // The system's authorities, or the center's own (`SMTP_CA_FILE`).
            if let file = settings.caFile { configuration.trustRoots = .file(file) }
            let context = try NIOSSLContext(configuration: configuration)
            let tls = try NIOSSLClientHandler(context: context, serverHostname: settings.host.first?.isNumber == true ? nil : settings.host)
            try await channel.pipeline.addHandler(tls, position: .first)
            capabilities = try await command("EHLO permanence", expect: 250)
        }
        if let user = settings.user, let password = settings.password {
            guard capabilities.uppercased().contains("AUTH") else { throw SMTPError(description: "le serveur SMTP ne propose pas d'authentification (AUTH)") }
            let plain = Data(([0] + Array(user.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            try await command("AUTH PLAIN " + plain, expect: 235, shown: "AUTH PLAIN (identifiant de SMTP_URL)")
        }
        try await command("MAIL FROM:<\(settings.from)>", expect: 250)
        try await command("RCPT TO:<\(message.recipient)>", expect: 250)
        try await command("DATA", expect: 354)
        try await send(Self.content(of: message, from: settings.from, date: Date()))
        let accepted = try await replies.expect(250, after: "le message")
        try? await send("QUIT\r\n")
        return accepted.isEmpty ? nil : String(accepted.prefix(200))
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

/// Hands what the server says to the provider's loop; a silence of 30 seconds ends the conversation.
private final class SMTPInbound: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation

    init(_ continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation) { self.continuation = continuation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { continuation.yield(unwrapInboundIn(data)) }
    func channelInactive(context: ChannelHandlerContext) { continuation.finish() }
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish(throwing: SMTPDeliveryProvider.SMTPError(description: "connexion SMTP interrompue : \(error)"))
        context.close(promise: nil)
    }
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            continuation.finish(throwing: SMTPDeliveryProvider.SMTPError(description: "le serveur SMTP n'a pas répondu en 30 s"))
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

/// Reads SMTP replies line by line ("250-…" continues, "250 …" ends a reply).
struct SMTPReplies {
    private var iterator: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator
    private var pending = ""

    init(_ iterator: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator) { self.iterator = iterator }

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

    /// The reply's text when its code is the one expected; otherwise an error naming what was refused.
    @discardableResult
    mutating func expect(_ code: Int, after what: String) async throws -> String {
        let (got, text) = try await next()
        guard got == code else {
            throw SMTPDeliveryProvider.SMTPError(description: "le serveur SMTP a répondu \(got) \(text) à « \(what) » (attendu \(code))", permanent: (500...599).contains(got))
        }
        return text
    }
}
