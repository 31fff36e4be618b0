import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA-1, 30-second steps, 6 digits, the step before
/// and after accepted for a phone's clock.
enum TOTP {
    static let period: Int64 = 30
    static let digits = 6

    /// 160 random bits, the size RFC 4226 recommends.
    static func newSecret() -> Data {
        SymmetricKey(size: SymmetricKeySize(bitCount: 160)).withUnsafeBytes { Data($0) }
    }

    static func step(at date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) / period }

    /// The code of `step` (RFC 4226 dynamic truncation).
    static func code(secret: Data, step: Int64) -> String {
        var counter = UInt64(step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        let value = binary % 1_000_000
        return String(repeating: "0", count: digits - String(value).count) + String(value)
    }

    /// The step whose code `typed` is, within one step of `now`, and later than `after` (a code is used once).
    static func matchingStep(_ typed: String, secret: Data, now: Date, after: Int64?) -> Int64? {
        let code = typed.filter { !$0.isWhitespace }
        guard code.count == digits, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else { return nil }
        let current = step(at: now)
        for candidate in [current - 1, current, current + 1] where candidate > (after ?? .min) {
            if SecretToken.constantTimeEquals(self.code(secret: secret, step: candidate), code) { return candidate }
        }
        return nil
    }

    /// The `otpauth://` address an authenticator application reads from the QR code.
    static func uri(secret: Data, account: String, issuer: String) -> String {
        let part = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: ":@/"))
        let label = (issuer.addingPercentEncoding(withAllowedCharacters: part) ?? issuer) + ":" + (account.addingPercentEncoding(withAllowedCharacters: part) ?? account)
        let name = issuer.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? issuer
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(name)&algorithm=SHA1&digits=\(digits)&period=\(period)"
    }
}

/// RFC 4648 base 32, without padding: how authenticator applications take a secret typed by hand.
enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    static func encode(_ data: Data) -> String {
        var output: [UInt8] = []
        var buffer = 0, bits = 0
        for byte in data {
            buffer = ((buffer << 8) | Int(byte)) & 0xFFFF  // never more than 12 bits are pending
            bits += 8
            while bits >= 5 {
                output.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Nil when `text` (spaces and case ignored) is not base 32.
    static func decode(_ text: String) -> Data? {
        var output = Data()
        var buffer = 0, bits = 0
        for character in text.uppercased().utf8 where character != UInt8(ascii: " ") && character != UInt8(ascii: "=") {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = ((buffer << 5) | value) & 0xFFFF
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return output
    }
}
