// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every target: Swift 6 language mode everywhere.
let common: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

/// The numerics (and the JSON writer's float formatting) are hot loops over unsafe buffers; exclusivity checks there
/// cost more than they protect.
/// On x86-64 they are compiled for AVX2 + FMA (Haswell, 2013, and every Zen): the SIMD exp/erf/GELU/softmax kernels
/// run about twice as fast as with the baseline SSE2. Set ATTEND_PORTABLE=1 when building for older CPUs.
#if arch(x86_64)
let vectorISA: [String] =
    Context.environment["ATTEND_PORTABLE"] == nil ? ["-target-cpu", "haswell"] : []
#else
let vectorISA: [String] = []
#endif
let numerics: [SwiftSetting] = common + [
    .unsafeFlags(["-enforce-exclusivity=unchecked"] + vectorISA)
]

let package = Package(
    name: "Attend",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "attend", targets: ["attend"]),
        .library(name: "Transformer", targets: ["Transformer"]),
        .library(name: "HTTPServer", targets: ["HTTPServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // System libraries, found with pkg-config.
        .systemLibrary(
            name: "CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),

        // epoll(7) and eventfd(2) from the C library (headers only: no pkg-config, nothing to link).
        .systemLibrary(name: "CEpoll"),

        // Leaves.
        .target(name: "Sockets", dependencies: ["CEpoll"], swiftSettings: common),
        .target(name: "JSON", swiftSettings: numerics),
        .target(name: "HTTP1", dependencies: ["JSON"], swiftSettings: common),
        .target(name: "Transformer", dependencies: ["CBLAS"], swiftSettings: numerics),

        // The server on the leaves; knows nothing of transformers.
        .target(
            name: "HTTPServer",
            dependencies: [
                "Sockets", "HTTP1", "JSON", "CZlib", "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: common),

        // The service without HTTP: models, typed jobs and their checks, budgets, batching, analysis.
        .target(name: "AttendCore", dependencies: ["Transformer", "JSON"], swiftSettings: common),

        // The only target that imports both sides: routes, typed JSON models, writers, the page, OpenAPI.
        .target(
            name: "AttendHTTP",
            dependencies: [
                "AttendCore", "HTTPServer", "HTTP1", "JSON", "Transformer",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [
                .embedInCode("Resources/index.html"), .embedInCode("Resources/app.js"),
                .embedInCode("Resources/app.css"), .embedInCode("Resources/openapi.json"),
            ],
            swiftSettings: common),

        // What `attend bench` measures.
        .target(
            name: "Benchmarks",
            dependencies: [
                "AttendHTTP", "AttendCore", "HTTPServer", "HTTP1", "JSON", "Transformer", "TestSupport", "CBLAS",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: common),

        // Thin executable: flags, configuration, wiring, signals.
        .executableTarget(
            name: "attend",
            dependencies: [
                "AttendHTTP", "AttendCore", "Benchmarks", "JSON", "Transformer", "HTTPServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: common),

        // One test target per module.
        .testTarget(name: "SocketsTests", dependencies: ["Sockets"], swiftSettings: common),
        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1", "JSON"], swiftSettings: common),
        .testTarget(name: "JSONTests", dependencies: ["JSON"], swiftSettings: common),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: ["HTTPServer", "HTTP1", "Sockets", .product(name: "Logging", package: "swift-log")],
            swiftSettings: common),
        .testTarget(
            name: "TransformerTests", dependencies: ["Transformer"],
            resources: [.copy("Fixtures")], swiftSettings: common),
        .testTarget(
            name: "AttendCoreTests", dependencies: ["AttendCore", "Transformer", "JSON", "TestSupport"],
            swiftSettings: common),
        .testTarget(
            name: "AttendHTTPTests",
            dependencies: [
                "AttendHTTP", "AttendCore", "HTTPServer", "HTTP1", "JSON", "Transformer", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: common),

        // Shared by the test targets and the benchmarks: a loopback HTTP client on Sockets, tiny seeded models.
        .target(
            name: "TestSupport", dependencies: ["Sockets", "AttendCore", "Transformer"], path: "Tests/TestSupport",
            swiftSettings: common),
    ]
)
