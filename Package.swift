// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Ember",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Ember", targets: ["Ember"]),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "Ember", dependencies: ["CBLAS"]),
        .target(name: "EmberTestSupport", dependencies: ["Ember"], path: "Sources/EmberTestSupport"),
        .executableTarget(name: "EmberDemo", dependencies: ["Ember"], path: "Sources/EmberDemo"),
        .executableTarget(name: "EmberBench", dependencies: ["Ember", "CBLAS"], path: "Sources/EmberBench"),
        .testTarget(
            name: "EmberTests",
            dependencies: ["Ember", "EmberTestSupport"]
        ),
    ]
)
