import Foundation

/// What the phone system says of a call.
public enum TelephonyEventKind: String, Codable, CaseIterable, Sendable {
    case ringing, answered, transferred, ended
}

/// The rules a call event must pass before anything is done with it.
public enum TelephonyEventRules {
    /// An event signed more than 5 minutes away from now (either way) is refused: a captured request cannot be replayed.
    public static let freshness: TimeInterval = 300

    public enum Refusal: Error, Equatable, Sendable {
        case unsigned
        case badSignature
        case stale
        case replayed

        public var reason: String {
            switch self {
            case .unsigned: "événement non signé (en-têtes X-Permanence-Timestamp et X-Permanence-Signature attendus)"
            case .badSignature: "signature invalide"
            case .stale: "horodatage à plus de 5 minutes de l'heure du serveur"
            case .replayed: "événement déjà reçu"
            }
        }
    }

    /// Whether a signature stamped at `timestamp` (seconds since 1970) may still be accepted at `now`.
    public static func isFresh(timestamp: Int, now: Date) -> Bool {
        abs(now.timeIntervalSince1970 - TimeInterval(timestamp)) <= freshness
    }

    /// The bytes the signature covers: the timestamp, a dot, the body, so that neither can be swapped.
    public static func signedContent(timestamp: Int, body: [UInt8]) -> [UInt8] {
        Array("\(timestamp).".utf8) + body
    }
}
