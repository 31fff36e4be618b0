import Foundation

/// `suite`: the page of this site a form sends the user back to once done ("J'ai lu" on the home page, an absence
/// declared from the practitioner's portal). Only a path of this site is followed, never another host.
enum NextPage {
    static func path(_ raw: String?) -> String? {
        guard let raw, raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.contains("\\") else { return nil }
        return raw
    }

    /// The path with `name=value` added to its query.
    static func adding(_ name: String, _ value: String, to path: String) -> String {
        path + (path.contains("?") ? "&" : "?") + name + "=" + (value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
    }
}
