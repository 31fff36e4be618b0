/// One entry of a list to choose from on a page (a select's option, a radio button): what the form sends, what the
/// person reads, and whether it is the one chosen.
struct Choice: Encodable {
    let value: String
    let label: String
    var selected = false
}
