// swift-tools-version:5.4
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM renames an executable's `main` on Linux and
// links `main` to the new name, which clashes with the `main` that libFuzzer brings.
//
// The fuzz targets of Ember's readers, built only by `make fuzz` (with
// `-sanitize=fuzzer,address -parse-as-library`). One executable per reader, each a
// `LLVMFuzzerTestOneInput` that calls `EmberFuzzHarness`; the harness is the root package's
// `Sources/EmberFuzzHarness` (linked here as `Sources/EmberFuzzHarness`), which the root
// package also builds and tests normally (`FuzzCorpusTests` replays corpus/ and regressions/).
import PackageDescription

let fuzzTargets = ["safetensors", "idx", "idx-gzip", "csv", "checkpoint", "text", "png", "jpeg", "ratings"]

let package = Package(
    name: "EmberFuzz",
    dependencies: [
        .package(name: "Ember", path: ".."),
    ],
    targets: [
        .target(name: "EmberFuzzHarness", dependencies: [
            .product(name: "Ember", package: "Ember"),
            .product(name: "EmberData", package: "Ember"),
            .product(name: "EmberVision", package: "Ember"),
            .product(name: "EmberTrain", package: "Ember"),
        ]),
    ] + fuzzTargets.map { name in
        .executableTarget(name: "fuzz-\(name)", dependencies: ["EmberFuzzHarness"])
    }
)
