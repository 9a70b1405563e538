import Ember
import Foundation
import Testing

/// A minimal safetensors reader for the PyTorch fixtures in `Tests/Fixtures` (test-only: the
/// library's own reader lives in Ember's IO). Made by `scripts/make_fixtures.py`.

/// One reference case's layout, from the file's `__metadata__["cases"]`.
public struct FixtureCaseInfo: Sendable, Equatable {
    /// Input names, in the order the op takes them (`add.bcast.a`, `add.bcast.b`, ...).
    public var inputs: [String]
    /// The inputs PyTorch differentiated `(out * w).sum()` with respect to.
    public var grads: [String]
    /// How many outputs were stored (`out`, `out1`, ...).
    public var outputs: Int

    public init(inputs: [String], grads: [String], outputs: Int) {
        self.inputs = inputs
        self.grads = grads
        self.outputs = outputs
    }
}

/// A fixture file: every tensor by key, and the cases it describes.
public struct Fixture {
    public var tensors: [String: Tensor]
    public var cases: [String: FixtureCaseInfo]
    public var metadata: [String: String]
}

/// A problem reading a fixture file.
public struct FixtureError: Error, CustomStringConvertible {
    public var description: String
}

private let dtypeCodes: [String: DType] = [
    "F64": .float64, "F32": .float32, "F16": .float16, "BF16": .bfloat16,
    "I64": .int64, "I32": .int32, "U8": .uint8, "BOOL": .bool,
]

/// Reads `Tests/Fixtures/<name>.safetensors`, throwing a `FixtureError` that names the file
/// and the problem.
public func readFixture(_ name: String) throws -> Fixture {
    let path = fixturesDirectory() + "/\(name).safetensors"
    guard let data = FileManager.default.contents(atPath: path) else {
        throw FixtureError(description: "\(path): cannot read the file (run /usr/bin/python3 scripts/make_fixtures.py)")
    }
    func fail(_ why: String) -> FixtureError { FixtureError(description: "\(path): \(why)") }
    guard data.count >= 8 else { throw fail("too short for a safetensors header") }
    let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    guard headerLength <= UInt64(data.count - 8) else { throw fail("header length \(headerLength) exceeds the file size") }
    let bodyStart = 8 + Int(headerLength)
    guard let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<bodyStart)) as? [String: Any] else {
        throw fail("header is not a JSON object")
    }
    var fixture = Fixture(tensors: [:], cases: [:], metadata: [:])
    for (key, value) in header {
        if key == "__metadata__" {
            fixture.metadata = value as? [String: String] ?? [:]
            continue
        }
        guard let entry = value as? [String: Any], let code = entry["dtype"] as? String,
              let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
        else { throw fail("malformed entry for \(key)") }
        guard let dtype = dtypeCodes[code] else { throw fail("unsupported dtype \(code) for \(key)") }
        let t = Tensor(empty: shape, dtype: dtype)
        let byteCount = t.numel * dtype.itemSize
        guard offsets[0] >= 0, offsets[1] - offsets[0] == byteCount, bodyStart + offsets[1] <= data.count else {
            throw fail("\(key): data_offsets \(offsets) do not match \(byteCount) bytes of \(code) \(shape)")
        }
        if byteCount > 0 {
            data.withUnsafeBytes { raw in
                t.storage.data.copyMemory(from: raw.baseAddress! + bodyStart + offsets[0], byteCount: byteCount)
            }
        }
        fixture.tensors[key] = t
    }
    if let text = fixture.metadata["cases"] {
        guard let cases = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: [String: Any]] else {
            throw fail("__metadata__.cases is not a JSON object of objects")
        }
        for (name, c) in cases {
            guard let inputs = c["inputs"] as? [String], let grads = c["grads"] as? [String], let outputs = c["outputs"] as? Int else {
                throw fail("case \(name) lacks inputs, grads or outputs")
            }
            fixture.cases[name] = FixtureCaseInfo(inputs: inputs, grads: grads, outputs: outputs)
        }
    }
    return fixture
}

/// Every tensor in `Tests/Fixtures/<name>.safetensors` by key, freshly loaded (tests may set
/// `requiresGrad` and run backward on them). Records an issue and returns an empty dictionary
/// when the file cannot be read.
public func loadFixture(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String: Tensor] {
    do {
        return try readFixture(name).tensors
    } catch {
        Issue.record("\(error)", sourceLocation: sourceLocation)
        return [:]
    }
}
