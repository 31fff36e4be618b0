import Foundation

/// An e-mail address that can plausibly receive mail: one `@`, a domain with a dot, no spaces, 254 characters at most.
public enum EmailAddress {
    public static func isPlausible(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return text.count <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".") && !text.contains(where: \.isWhitespace)
    }
}

/// How the center reaches a practitioner: numbers a secretary dials and the address escalation notices go to. For the
/// center only: never read to a patient nor written in anything sent to one.
public struct PractitionerContact: Equatable, Sendable {
    public var mobilePhone: PhoneNumber?
    public var directPhone: PhoneNumber?
    public var noticeEmail: String?

    public init(mobilePhone: PhoneNumber? = nil, directPhone: PhoneNumber? = nil, noticeEmail: String? = nil) {
        self.mobilePhone = mobilePhone
        self.directPhone = directPhone
        self.noticeEmail = noticeEmail
    }

    /// Reads what a form or the API sent (empty means none); every problem at once, by field.
    public static func parse(mobilePhone: String?, directPhone: String?, noticeEmail: String?) -> Result<PractitionerContact, FieldProblems> {
        var problems: [FieldProblem] = []
        func phone(_ text: String?, field: String) -> PhoneNumber? {
            guard let text = text?.trimmed, !text.isEmpty else { return nil }
            do { return try PhoneNumber(parsing: text) } catch {
                problems.append(FieldProblem(field: field, reason: error.reason))
                return nil
            }
        }
        let contact = PractitionerContact(mobilePhone: phone(mobilePhone, field: "mobilePhone"), directPhone: phone(directPhone, field: "directPhone"))
        var result = contact
        if let text = noticeEmail?.trimmed, !text.isEmpty {
            if EmailAddress.isPlausible(text) { result.noticeEmail = text.lowercased() } else {
                problems.append(FieldProblem(field: "noticeEmail", reason: "adresse électronique attendue (nom@domaine.fr)"))
            }
        }
        return problems.isEmpty ? .success(result) : .failure(FieldProblems(problems))
    }
}
