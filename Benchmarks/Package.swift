// swift-tools-version:6.1
import PackageDescription

// In-process benchmarks (package-benchmark). The Domain module and the load fixture are the application's own
// sources, reached through symbolic links, so that what is measured is what ships.
let package = Package(
    name: "PermanenceBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(name: "Domain", path: "Domain"),
        .executableTarget(
            name: "AgendaSearch",
            dependencies: ["Domain", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/AgendaSearch",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
