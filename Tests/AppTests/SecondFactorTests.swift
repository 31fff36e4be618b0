@testable import App
import Foundation
import Testing

/// The second factor's parts, held to independent references: RFC 6238's own test vectors, RFC 4648's base 32
/// examples, and a QR code's fixed patterns.
struct SecondFactorTests {
    /// RFC 6238, appendix B, SHA-1 with the secret "12345678901234567890": the last six of its eight digits.
    @Test(arguments: [(Int64(59), "287082"), (1_111_111_109, "081804"), (1_111_111_111, "050471"), (1_234_567_890, "005924"),
                      (2_000_000_000, "279037"), (20_000_000_000, "353130")])
    func rfc6238Vectors(time: Int64, code: String) {
        let secret = Data("12345678901234567890".utf8)
        #expect(TOTP.code(secret: secret, step: time / 30) == code)
    }

    @Test func aCodeIsAcceptedOneStepEitherSideAndOnlyOnce() {
        let secret = Data("12345678901234567890".utf8)
        let now = Date(timeIntervalSince1970: 1_111_111_111)
        let step = TOTP.step(at: now)
        for offset in [-1, 0, 1] as [Int64] {
            #expect(TOTP.matchingStep(TOTP.code(secret: secret, step: step + offset), secret: secret, now: now, after: nil) == step + offset)
        }
        #expect(TOTP.matchingStep(TOTP.code(secret: secret, step: step + 2), secret: secret, now: now, after: nil) == nil, "too far ahead")
        #expect(TOTP.matchingStep(TOTP.code(secret: secret, step: step), secret: secret, now: now, after: step) == nil, "used already")
        #expect(TOTP.matchingStep("05 04 71", secret: secret, now: now, after: nil) == step, "spaces as a phone shows them")
        for bad in ["", "12345", "1234567", "abcdef", "٠٥٠٤٧١"] {
            #expect(TOTP.matchingStep(bad, secret: secret, now: now, after: nil) == nil, "\(bad)")
        }
    }

    /// RFC 4648, section 10, without padding.
    @Test(arguments: [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI")])
    func base32Vectors(plain: String, encoded: String) {
        #expect(Base32.encode(Data(plain.utf8)) == encoded)
        #expect(Base32.decode(encoded.lowercased()) == Data(plain.utf8))
    }

    @Test(.enabled(if: QRCode.isAvailable, "libqrencode-dev is not installed (CI installs it)"))
    func theEnrolmentAddressAndItsQRCode() throws {
        let secret = Data("12345678901234567890".utf8)
        let uri = TOTP.uri(secret: secret, account: "admin@permanence.test", issuer: "Permanence")
        #expect(uri == "otpauth://totp/Permanence:admin%40permanence.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Permanence&algorithm=SHA1&digits=6&period=30")
        #expect(TOTP.newSecret().count == 20 && TOTP.newSecret() != TOTP.newSecret())
        let svg = try #require(QRCode.svg(uri, label: "Code QR à scanner"))
        let size = try #require(svg.firstMatch(of: /viewBox="0 0 (\d+) \d+"/).map { Int($0.1)! })
        let modules = size - 8
        #expect((modules - 17) % 4 == 0 && modules >= 21, "a QR code of version \((modules - 17) / 4)")
        // The three finder patterns: a 7-module dark square at three corners, each module drawn as its own square.
        for (x, y) in [(0, 0), (modules - 7, 0), (0, modules - 7)] {
            for i in 0..<7 {
                #expect(svg.contains("M\(x + i + 4) \(y + 4)h1v1h-1z") && svg.contains("M\(x + 4) \(y + i + 4)h1v1h-1z"))
            }
            #expect(!svg.contains("M\(x + 5) \(y + 5)h1v1h-1z"), "the light ring inside the finder")
        }
        #expect(svg.contains("<title>Code QR à scanner</title>"))
        #expect(!svg.contains("style="), "drawn without inline style")
    }
}
