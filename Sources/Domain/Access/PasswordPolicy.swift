import Foundation

/// Why a password is refused.
public enum PasswordProblem: Error, Equatable, Sendable {
    case tooShort(minimum: Int)
    /// bcrypt reads only the first 72 bytes: a longer password would be silently cut.
    case tooLong(maximumBytes: Int)
    case blank
    /// Among the most common or leaked passwords, or one of them with digits or signs added, or one character repeated.
    case common

    /// The French sentence shown next to the field.
    public var reason: String {
        switch self {
        case .tooShort(let minimum): "Le mot de passe doit comporter au moins \(minimum) caractères."
        case .tooLong(let maximum): "Le mot de passe ne peut dépasser \(maximum) octets."
        case .blank: "Le mot de passe ne peut pas être composé uniquement d'espaces."
        case .common: "Ce mot de passe figure parmi les plus répandus ou déjà divulgués : choisissez-en un autre, une phrase par exemple."
        }
    }
}

/// The center's password rules.
public enum PasswordPolicy {
    public static let minimumLength = 12
    public static let maximumBytes = 72

    /// The problem with `password`, or nil when it is acceptable: long enough, and not `common` (a list of common and
    /// leaked passwords in lower case). No rule of composition (ASVS 2.1.9): length and rarity make a password.
    public static func problem(with password: String, common: Set<String> = []) -> PasswordProblem? {
        if password.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && !password.isEmpty { return .blank }
        if password.count < minimumLength { return .tooShort(minimum: minimumLength) }
        if password.utf8.count > maximumBytes { return .tooLong(maximumBytes: maximumBytes) }
        let lowered = password.lowercased()
        if Set(lowered).count == 1 || common.contains(lowered) { return .common }
        // "azertyuiop123!": a common word with digits or signs after it is no better.
        let stem = String(lowered.reversed().drop(while: { $0.isNumber || $0.isPunctuation || $0.isSymbol || $0 == " " }).reversed())
        if stem.count >= 4, common.contains(stem) { return .common }
        return nil
    }
}
