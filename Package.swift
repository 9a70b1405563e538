// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Ember",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Ember", targets: ["Ember"]),
        .library(name: "EmberNN", targets: ["EmberNN"]),
        .library(name: "EmberData", targets: ["EmberData"]),
        .library(name: "EmberOptim", targets: ["EmberOptim"]),
        .library(name: "EmberVision", targets: ["EmberVision"]),
        .library(name: "EmberTrain", targets: ["EmberTrain"]),
        .library(name: "EmberDistributed", targets: ["EmberDistributed"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // MPI from Debian's Open MPI (libopenmpi-dev), for EmberDistributed.
        .systemLibrary(
            name: "CMPI",
            path: "Sources/CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        .systemLibrary(
            name: "CPNG",
            path: "Sources/CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        .systemLibrary(
            name: "CJPEG",
            path: "Sources/CJPEG",
            pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg62-turbo-dev"])]
        ),
        // libpng's and libjpeg's longjmp error handling, kept in C (EmberVision calls it).
        .target(name: "CEmberImage", dependencies: ["CPNG", "CJPEG"], path: "Sources/CEmberImage"),
        .target(name: "CEmberKernels", path: "Sources/CEmberKernels"),
        .target(name: "Ember", dependencies: ["CBLAS", "CEmberKernels"]),
        .target(name: "EmberNN", dependencies: ["Ember"]),
        .target(name: "EmberData", dependencies: ["Ember", "CZlib"]),
        .target(name: "EmberOptim", dependencies: ["Ember", "EmberNN"]),
        .target(name: "EmberVision", dependencies: ["Ember", "EmberNN", "EmberData", "CEmberImage"]),
        .target(name: "EmberTestSupport", dependencies: ["Ember"], path: "Sources/EmberTestSupport"),
        // The fuzz targets' logic (Fuzz/ builds it with libFuzzer; FuzzCorpusTests replays the corpus).
        .target(name: "EmberFuzzHarness", dependencies: ["Ember", "EmberData", "EmberVision", "EmberTrain"], path: "Sources/EmberFuzzHarness"),
        // Examples/: small runnable programs, one folder each.
        .executableTarget(name: "DetectionExample", dependencies: ["Ember", "EmberNN", "EmberOptim", "EmberVision"], path: "Examples/Detection"),
        .executableTarget(name: "EmberDemo", dependencies: ["Ember"], path: "Sources/EmberDemo"),
        .executableTarget(name: "EmberBench", dependencies: ["Ember", "EmberNN", "EmberOptim", "EmberData", "EmberTrain", "CBLAS"], path: "Sources/EmberBench"),
        .testTarget(
            name: "EmberTests",
            dependencies: ["Ember", "EmberTestSupport", "CEmberKernels"]
        ),
        .testTarget(name: "EmberNNTests", dependencies: ["Ember", "EmberNN", "EmberTestSupport"]),
        .testTarget(name: "EmberDataTests", dependencies: ["Ember", "EmberData", "EmberTestSupport"]),
        .testTarget(name: "EmberVisionTests", dependencies: ["Ember", "EmberNN", "EmberData", "EmberVision", "EmberTestSupport"]),
        .testTarget(name: "EmberOptimTests", dependencies: ["Ember", "EmberNN", "EmberOptim", "EmberTestSupport"]),
        .target(name: "EmberDistributed", dependencies: ["Ember", "EmberNN", "CMPI"]),
        .target(name: "EmberTrain", dependencies: ["Ember", "EmberNN", "EmberOptim", "EmberData", "EmberDistributed", "EmberVision"]),
        // The scenarios EmberDistributedTests runs under mpirun.
        .executableTarget(name: "EmberDistributedCheck", dependencies: ["EmberDistributed", "EmberTrain"], path: "Sources/EmberDistributedCheck"),
        .executableTarget(name: "EmberDistributedBench", dependencies: ["EmberDistributed", "EmberTrain", "CMPI"], path: "Sources/EmberDistributedBench"),
        .testTarget(name: "EmberDistributedTests", dependencies: ["Ember", "EmberDistributed", "EmberTestSupport"]),
        .executableTarget(name: "ember", dependencies: ["EmberTrain", "EmberVision", .product(name: "ArgumentParser", package: "swift-argument-parser")], path: "Sources/ember"),
        .testTarget(name: "EmberTrainTests", dependencies: ["EmberTrain", "EmberVision", "EmberTestSupport", "EmberFuzzHarness"]),
        // Examples/: one small program each, built with everything and run briefly by `make test`.
        .executableTarget(name: "SeedMLP", dependencies: ["Ember", "EmberNN", "EmberOptim", "EmberData"], path: "Examples/SeedMLP", exclude: ["README.md"]),
        .executableTarget(name: "CNN", dependencies: ["Ember", "EmberNN", "EmberOptim", "EmberData"], path: "Examples/CNN", exclude: ["README.md"]),
        .executableTarget(name: "CharLM", dependencies: ["Ember", "EmberNN", "EmberOptim", "EmberData"], path: "Examples/CharLM", exclude: ["README.md"]),
        .executableTarget(name: "GPT", dependencies: ["EmberTrain"], path: "Examples/GPT", exclude: ["README.md"]),
        .executableTarget(name: "Recommender", dependencies: ["EmberTrain"], path: "Examples/Recommender", exclude: ["README.md"]),
        .executableTarget(name: "Regression", dependencies: ["EmberTrain"], path: "Examples/Regression", exclude: ["README.md"]),
        .executableTarget(name: "Inference", dependencies: ["Ember", "EmberNN", "EmberData"], path: "Examples/Inference", exclude: ["README.md"]),
    ]
)
