import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// An SMTP server on a free local port that accepts every message and keeps it, or refuses every recipient.
final class SMTPTestServer: Sendable {
    struct Received: Sendable, Equatable {
        let from: String
        let to: String
        let data: String
    }

    private let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let received = NIOLockedValueBox<[Received]>([])
    let port: Int

    var messages: [Received] { received.withLockedValue { $0 } }

    /// `login`: the user and password the server asks for (AUTH PLAIN) before it takes a message.
    init(refuseRecipients: Bool = false, login: (user: String, password: String)? = nil) async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child) }
            }
        port = channel.channel.localAddress!.port!
        let channel = channel, received = received
        Task {
            try await channel.executeThenClose { connections in
                for try await connection in connections {
                    Task { try? await Self.serve(connection, refuseRecipients: refuseRecipients, login: login, into: received) }
                }
            }
        }
    }

    func stop() async { try? await channel.channel.close() }

    private static func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, refuseRecipients: Bool,
                              login: (user: String, password: String)?, into received: NIOLockedValueBox<[Received]>) async throws {
        try await connection.executeThenClose { inbound, outbound in
            func say(_ line: String) async throws { try await outbound.write(ByteBuffer(string: line + "\r\n")) }
            try await say("220 test ESMTP")
            var pending = "", from = "", to = "", data: [String] = [], inData = false, signedIn = login == nil
            for try await buffer in inbound {
                pending += String(buffer: buffer)
                while let end = pending.range(of: "\r\n") {
                    let line = String(pending[..<end.lowerBound])
                    pending.removeSubrange(..<end.upperBound)
                    if inData {
                        if line == "." {
                            inData = false
                            let message = Received(from: from, to: to, data: data.joined(separator: "\r\n"))
                            received.withLockedValue { $0.append(message) }
                            try await say("250 2.0.0 queued")
                        } else {
                            data.append(line.hasPrefix("..") ? String(line.dropFirst()) : line)
                        }
                        continue
                    }
                    let verb = line.prefix(4).uppercased()
                    switch verb {
                    case "EHLO": try await say("250-test"); if login != nil { try await say("250-AUTH PLAIN") }; try await say("250 8BITMIME")
                    case "AUTH":
                        let expected = Data(([0] + Array((login?.user ?? "").utf8) + [0] + Array((login?.password ?? "").utf8))).base64EncodedString()
                        signedIn = line == "AUTH PLAIN " + expected
                        try await say(signedIn ? "235 2.7.0 ok" : "535 5.7.8 bad credentials")
                    case "MAIL" where !signedIn: try await say("530 5.7.0 authentication required")
                    case "MAIL": from = String(line.dropFirst(10)); try await say("250 2.1.0 ok")
                    case "RCPT":
                        if refuseRecipients { try await say("550 5.1.1 unknown user") } else { to = String(line.dropFirst(8)); try await say("250 2.1.5 ok") }
                    case "DATA": inData = true; data = []; try await say("354 go ahead")
                    case "QUIT": try await say("221 bye"); return
                    default: try await say("502 unknown")
                    }
                }
            }
        }
    }
}
