// swift-tools-version:6.0
import Foundation
import PackageDescription

// The QR code of the second factor's enrolment is drawn by Debian's libqrencode (`apt-get install libqrencode-dev`,
// which CI installs); a machine without it still builds, and the enrolment page then shows the secret to type alone.
let qrencode = FileManager.default.fileExists(atPath: "/usr/include/qrencode.h")

let package = Package(
    name: "permanence",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "permanence", targets: ["Run"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // The rules of the trade: Foundation only.
        .target(name: "Domain"),
        // QR codes for the second factor's enrolment, drawn on the server (Debian's libqrencode-dev).
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .target(
            name: "App",
            dependencies: (qrencode ? ["CQRencode"] : []) + [
                "Domain",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                // The webhooks' deliveries, cancelled when the server stops.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // The SMTP client of the escalation notices, the relay of live events.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                // STARTTLS on the SMTP connection.
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // The figures of `/metrics`, in Prometheus's text format.
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: qrencode ? [.define("QRENCODE")] : []
        ),
        .executableTarget(name: "Run", dependencies: ["App"]),
        .testTarget(name: "DomainTests", dependencies: ["Domain"]),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App",
                .product(name: "VaporTesting", package: "vapor"),
                // A small SMTP server the outbox tests deliver to.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
