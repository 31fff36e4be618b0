import Foundation

/// A field of something typed (a patient record, a protocol, a practice sheet) and why its value is refused; the App
/// answers it as 422 naming the field.
public struct FieldProblem: Equatable, Sendable, Error {
    /// `birthName`, `criteria[2].followUps[0].ask`, `sheet.greeting`…
    public let field: String
    public let reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// Every problem of something typed, at once.
public struct FieldProblems: Error, Equatable, Sendable {
    public let list: [FieldProblem]

    public init(_ list: [FieldProblem]) {
        self.list = list
    }
}
