import Foundation
import Logging
import Vapor

/// `LOG_FORMAT=json`: one JSON object per line on standard output — time, level, logger, message, the request id of
/// a request's lines (`request_id`), the place in the source, and the other metadata — for a log collector to index.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    private let output: @Sendable (String) -> Void

    init(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil,
         output: @escaping @Sendable (String) -> Void = JSONLogHandler.standardOutput) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.output = output
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit { merged.merge(explicit) { $1 } }
        var fields: [String: Any] = [
            "time": Self.timestamp(Date()),
            "level": level.rawValue,
            "logger": label,
            "message": message.description,
            "source": "\((file as NSString).lastPathComponent):\(line)",
        ]
        if let id = merged.removeValue(forKey: "request-id") { fields["request_id"] = id.description }
        for (key, value) in merged where fields[key] == nil { fields[key] = Self.plain(value) }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        output(String(decoding: data, as: UTF8.self))
    }

    private static func plain(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(plain)
        case .dictionary(let values): values.mapValues(plain)
        }
    }

    private static func timestamp(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }

    /// One write per line, so that lines of concurrent requests never mix.
    @Sendable static func standardOutput(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// Chooses the log format before anything logs (`permanence`'s entry point calls it first).
public enum LogSetup {
    public static func bootstrap(_ environment: inout Environment, variables: [String: String]) throws {
        guard variables["LOG_FORMAT"]?.trimmingCharacters(in: .whitespaces).lowercased() == "json" else {
            try LoggingSystem.bootstrap(from: &environment)
            return
        }
        let level = variables["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
    }
}
