import Foundation

/// Why a password is refused.
public enum PasswordProblem: Error, Equatable, Sendable {
    case tooShort(minimum: Int)
    /// bcrypt reads only the first 72 bytes: a longer password would be silently cut.
    case tooLong(maximumBytes: Int)
    case blank

    /// The French sentence shown next to the field.
    public var reason: String {
        switch self {
        case .tooShort(let minimum): "Le mot de passe doit comporter au moins \(minimum) caractères."
        case .tooLong(let maximum): "Le mot de passe ne peut dépasser \(maximum) octets."
        case .blank: "Le mot de passe ne peut pas être composé uniquement d'espaces."
        }
    }
}

/// The center's password rules.
public enum PasswordPolicy {
    public static let minimumLength = 12
    public static let maximumBytes = 72

    /// The problem with `password`, or nil when it is acceptable.
    public static func problem(with password: String) -> PasswordProblem? {
        if password.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && !password.isEmpty { return .blank }
        if password.count < minimumLength { return .tooShort(minimum: minimumLength) }
        if password.utf8.count > maximumBytes { return .tooLong(maximumBytes: maximumBytes) }
        return nil
    }
}
