#if QRENCODE
import CQRencode
#endif
import Foundation

/// A QR code drawn on the server with libqrencode, as SVG: no image service, no script, no inline style.
enum QRCode {
    /// Whether this build has libqrencode (`Package.swift`); without it the enrolment shows the secret to type.
    static var isAvailable: Bool {
        #if QRENCODE
        true
        #else
        false
        #endif
    }

    /// `text` as an SVG square of dark modules (error correction M, a quiet zone of four modules), or nil when it does
    /// not fit in a QR code.
    static func svg(_ text: String, label: String) -> String? {
        #if QRENCODE
        guard let code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else { return nil }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width), quiet = 4, size = width + 2 * quiet
        var path = ""
        for y in 0..<width {
            for x in 0..<width where code.pointee.data[y * width + x] & 1 == 1 {
                path += "M\(x + quiet) \(y + quiet)h1v1h-1z"
            }
        }
        let title = HTML.escaped(label)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 \(size) \(size)" role="img" aria-label="\(title)" shape-rendering="crispEdges">\
            <title>\(title)</title><rect width="\(size)" height="\(size)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
            """
        #else
        return nil
        #endif
    }
}
