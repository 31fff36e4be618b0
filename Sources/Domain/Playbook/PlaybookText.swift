import Foundation

/// The lists of a practice sheet as the editor types them: one entry per line, the parts of an entry separated by
/// " | " ("Dr Claire Martin | consultations, suivi | visites à domicile"). Reading refuses a line with too many parts,
/// naming it, so that nothing typed is silently lost.
public enum PlaybookText {
    static let separator: Character = "|"

    /// The non-empty lines of `text`, trimmed.
    public static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `count` parts of each line (missing ones empty), or the problems of the lines that have more.
    static func parts(_ text: String, count: Int, field: String, expected: String) -> (rows: [[String]], problems: [FieldProblem]) {
        var rows: [[String]] = [], problems: [FieldProblem] = []
        for (index, line) in lines(text).enumerated() {
            var parts = line.split(separator: separator, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count > count || parts[0].isEmpty {
                problems.append(FieldProblem(field: "\(field)[\(index)]", reason: "ligne \(index + 1) : « \(expected) » attendu"))
                continue
            }
            parts += Array(repeating: "", count: count - parts.count)
            rows.append(parts)
        }
        return (rows, problems)
    }

    /// The entries read, and the problems of the lines refused.
    public static func practitioners(_ text: String) -> (entries: [SheetPractitioner], problems: [FieldProblem]) {
        let read = parts(text, count: 3, field: "sheet.practitioners", expected: "Nom | ce qu'il fait | ce qu'il ne fait pas")
        return (read.rows.map { SheetPractitioner(name: $0[0], does: $0[1], doesNot: $0[2]) }, read.problems)
    }

    /// The entries read, and the problems of the lines refused.
    public static func consultations(_ text: String) -> (entries: [SheetConsultation], problems: [FieldProblem]) {
        let read = parts(text, count: 2, field: "sheet.consultations", expected: "Consultation | consignes")
        return (read.rows.map { SheetConsultation(name: $0[0], instructions: $0[1]) }, read.problems)
    }

    /// The entries read, and the problems of the lines refused.
    public static func faq(_ text: String) -> (entries: [SheetAnswer], problems: [FieldProblem]) {
        let read = parts(text, count: 2, field: "sheet.faq", expected: "Question | réponse")
        return (read.rows.map { SheetAnswer(question: $0[0], answer: $0[1]) }, read.problems)
    }

    public static func text(_ practitioners: [SheetPractitioner]) -> String {
        practitioners.map { [$0.name, $0.does, $0.doesNot].joined(separator: " | ") }.joined(separator: "\n")
    }

    public static func text(_ consultations: [SheetConsultation]) -> String {
        consultations.map { "\($0.name) | \($0.instructions)" }.joined(separator: "\n")
    }

    public static func text(_ faq: [SheetAnswer]) -> String {
        faq.map { "\($0.question) | \($0.answer)" }.joined(separator: "\n")
    }
}
