import Foundation
import Testing
@testable import Ember

// MARK: - Helpers

/// A fresh empty directory under the system temp dir.
private func makeTempDir() throws -> String {
    let dir = NSTemporaryDirectory() + "ember-safetensors-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

private func removeDir(_ dir: String) { try? FileManager.default.removeItem(atPath: dir) }

private func writeBytes(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

private func readBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// A safetensors file built by hand: size field (or `size` to lie), header, data.
private func rawFile(_ header: String, data: [UInt8] = [], size: UInt64? = nil) -> [UInt8] {
    let h = Array(header.utf8)
    let n = size ?? UInt64(h.count)
    return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) } + h + data
}

private func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
    (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
}

private func f32Bytes(_ values: [Float]) -> [UInt8] { values.flatMap { le($0.bitPattern) } }

/// The error case's name, so tests can match a case without its detail text.
private func caseName(_ e: SafetensorsError) -> String {
    switch e {
    case .fileNotFound: return "fileNotFound"
    case .truncated: return "truncated"
    case .invalidHeader: return "invalidHeader"
    case .unsupportedDType: return "unsupportedDType"
    case .badOffsets: return "badOffsets"
    case .ioError: return "ioError"
    }
}

/// Runs `body`, expecting a `SafetensorsError`; returns it (or nil after recording a failure).
@discardableResult
private func expectSafetensorsError(
    _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) -> SafetensorsError? {
    do {
        try body()
        Issue.record("expected a SafetensorsError, got success", sourceLocation: sourceLocation)
    } catch let e as SafetensorsError {
        return e
    } catch {
        Issue.record("expected a SafetensorsError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Sample values exactly representable in every dtype (bool gets 0/1).
private func sampleTensor(_ dtype: DType, shape: [Int]) -> Tensor {
    let n = shape.reduce(1, *)
    let values: [Double] = (0..<n).map { (i: Int) -> Double in
        switch dtype {
        case .bool: return i % 3 == 0 ? 1 : 0
        case .uint8: return Double(i * 7 % 256)
        default: return Double(i) * 0.5 - 3
        }
    }
    return Tensor(values, shape: shape, dtype: dtype)
}

private func expectSame(_ a: Tensor?, _ b: Tensor, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let a else { Issue.record("missing tensor", sourceLocation: sourceLocation); return }
    #expect(a.dtype == b.dtype, sourceLocation: sourceLocation)
    #expect(a.shape == b.shape, sourceLocation: sourceLocation)
    #expect(a.isContiguous, sourceLocation: sourceLocation)
    #expect(a.toArray(as: Double.self) == b.toArray(as: Double.self), sourceLocation: sourceLocation)
}

// MARK: - TensorDict

@Suite("Safetensors")
struct SafetensorsTests {

    @Test func tensorDictKeepsOrderAndSemantics() {
        var d: TensorDict = ["b": Tensor([1.0]), "a": Tensor([2.0]), "c": Tensor([3.0])]
        #expect(d.keys == ["b", "a", "c"])
        #expect(d.count == 3)
        d["a"] = Tensor([20.0])            // replace keeps position
        #expect(d.keys == ["b", "a", "c"])
        #expect(d["a"]?.item() == 20)
        d["z"] = Tensor([4.0])             // new key appends
        d["b"] = nil                       // nil removes
        d["missing"] = nil                 // removing a missing key is a no-op
        #expect(d.keys == ["a", "c", "z"])
        #expect(d.map(\.key) == ["a", "c", "z"])
        #expect(d.map { $0.value.item() } == [20, 3, 4])
        #expect(d.values.count == 3)
        #expect(d["b"] == nil)
        #expect(TensorDict().isEmpty)
        #expect(d.description.hasPrefix("TensorDict(3 tensors)"))
    }

    // MARK: - Round trips

    @Test(arguments: DType.allCases)
    func roundTripEveryDType(_ dtype: DType) throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let path = dir + "/t.safetensors"
        let shapes: [[Int]] = [[2, 3], [], [0], [2, 0, 3], [5]]
        var d = TensorDict()
        for (i, s) in shapes.enumerated() { d["t\(i)"] = sampleTensor(dtype, shape: s) }
        try save(d, to: path)
        let loaded = try load(path)
        #expect(loaded.keys == d.keys)
        for (k, t) in d { expectSame(loaded[k], t) }
    }

    @Test func halfPrecisionBitsSurvive() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let path = dir + "/h.safetensors"
        // Values that need all the bits: rounding in a float round trip would change them.
        let f = Tensor([Float(1) / 3, -65504, 6.1e-5, .infinity, 0.1], dtype: .float16)
        let b = Tensor([Float(1) / 3, -3e38, 1e-30, -.infinity, 0.1], dtype: .bfloat16)
        try save(["f": f, "b": b], to: path)
        let l = try load(path)
        #expect(l["f"]!.toArray(as: Float16.self).map(\.bitPattern) == f.toArray(as: Float16.self).map(\.bitPattern))
        #expect(l["b"]!.toArray(as: BFloat16.self).map(\.bitPattern) == b.toArray(as: BFloat16.self).map(\.bitPattern))
    }

    @Test func nonContiguousTensorIsWrittenRowMajor() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let path = dir + "/nc.safetensors"
        let base = Tensor((0..<12).map(Float.init), shape: [3, 4])
        let t = base.transpose(0, 1)
        #expect(!t.isContiguous)
        let sliced = base.narrow(1, start: 1, length: 2)      // a view with an offset and gaps
        try save(["t": t, "s": sliced], to: path)
        let l = try load(path)
        #expect(l["t"]!.shape == [4, 3])
        #expect(l["t"]!.toArray() == t.toArray())
        #expect(l["t"]!.toArray() == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
        #expect(l["s"]!.toArray() == [1, 2, 5, 6, 9, 10])
    }

    @Test func viewWithOffsetIsWrittenFromItsFirstElement() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let path = dir + "/v.safetensors"
        let base = Tensor((0..<12).map(Int64.init), dtype: .int64)
        let row = base.view([3, 4]).select(0, 2)   // contiguous, offset 8
        #expect(row.isContiguous && row.offset == 8)
        try save(["row": row], to: path)
        #expect(try load(path)["row"]!.toArray(as: Int64.self) == [8, 9, 10, 11])
    }

    @Test func keyOrderIsPreserved() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let path = dir + "/o.safetensors"
        var d = TensorDict()
        let names = ["zeta", "alpha", "empty1", "mid.weight", "empty2", "b", "a.0.bias", "empty3"]
        for n in names {
            d[n] = n.hasPrefix("empty") ? Tensor(empty: [0], dtype: .float32) : Tensor([Float(n.count)], dtype: n == "b" ? .int32 : .float64)
        }
        try save(d, to: path)
        #expect(try load(path).keys == names)
    }

    @Test func metadataRoundTrip() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let path = dir + "/m.safetensors"
        let meta = ["format": "pt", "quote\"back\\slash": "line\nbreak\ttab\u{1}", "unicode": "héllo 🔥", "empty": ""]
        try save(["x": Tensor([1.0, 2.0])], to: path, metadata: meta)
        let (tensors, metadata) = try loadWithMetadata(path)
        #expect(metadata == meta)
        #expect(tensors["x"]!.toArray() == [1, 2])

        try save(["x": Tensor([1.0])], to: path)
        #expect(try loadWithMetadata(path).metadata == [:])
    }

    @Test func unicodeAndEscapedTensorNames() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let path = dir + "/u.safetensors"
        let d: TensorDict = ["poids.é": Tensor([1.0]), "a\"b": Tensor([2.0]), "tab\there": Tensor([3.0])]
        try save(d, to: path)
        let l = try load(path)
        #expect(l.keys == d.keys)
        #expect(l["a\"b"]!.item() == 2)
    }

    @Test func largeTensorRoundTrip() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let path = dir + "/big.safetensors"
        let big = Tensor((0..<400_000).map { Float($0) }, shape: [400, 1000])   // 1.6 MB, past the write buffer
        try save(["small": Tensor([1.0]), "big": big, "after": Tensor([2.0])], to: path)
        let l = try load(path)
        #expect(l["big"]!.toArray() == big.toArray())
        #expect(l["after"]!.item() == 2)
    }

    // MARK: - Format

    @Test func writesTheReferenceLayoutByteForByte() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let path = dir + "/f.safetensors"
        let w = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        let b = Tensor([7, 8] as [Int64], dtype: .int64)
        try save(["w": w, "b": b], to: path, metadata: ["format": "pt"])
        let bytes = try readBytes(path)
        let n = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        #expect(n % 8 == 0)
        let header = String(decoding: bytes[8..<8 + n], as: UTF8.self)
        let json = #"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"I64","shape":[2],"data_offsets":[24,40]}}"#
        #expect(header == json + String(repeating: " ", count: n - json.utf8.count))
        #expect(n - json.utf8.count < 8)
        #expect(Array(bytes[(8 + n)...]) == f32Bytes([1, 2, 3, 4, 5, 6]) + le(Int64(7)) + le(Int64(8)))
    }

    /// A file laid out as `safetensors.torch.save_file` writes it: pretty JSON, metadata,
    /// header keys in a different order from the data (sorted by dtype, then name).
    @Test func readsAFileWrittenByPyTorch() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let path = dir + "/torch.safetensors"
        let header = """
        {"__metadata__": {"format": "pt"},
         "fc.bias": {"dtype": "BF16", "shape": [2], "data_offsets": [40, 44]},
         "fc.weight": {"dtype": "F32", "shape": [2, 2], "data_offsets": [16, 32]},
         "labels": {"dtype": "I64", "shape": [2], "data_offsets": [0, 16]},
         "mask": {"dtype": "BOOL", "shape": [3], "data_offsets": [44, 47]},
         "scale": {"dtype": "F16", "shape": [], "data_offsets": [38, 40]},
         "steps": {"dtype": "I32", "shape": [1], "data_offsets": [32, 36]},
         "tok": {"dtype": "U8", "shape": [2], "data_offsets": [36, 38]}}
        """
        var padded = header
        while (padded.utf8.count) % 8 != 0 { padded += " " }
        var data = le(Int64(3)) + le(Int64(-1))                       // labels   0..<16
        data += f32Bytes([0.5, -1, 2, 4])                              // weight  16..<32
        data += le(Int32(1000))                                        // steps   32..<36
        data += [9, 250]                                               // tok     36..<38
        data += le(UInt16(0x3C00))                                     // scale   38..<40 (f16 1.0)
        data += le(UInt16(0x3F80)) + le(UInt16(0xC040))                // bias    40..<44 (bf16 1, -3)
        data += [1, 0, 2]                                              // mask    44..<47 (2 reads as true)
        try writeBytes(rawFile(padded, data: data), to: path)

        let (t, meta) = try loadWithMetadata(path)
        #expect(meta == ["format": "pt"])
        #expect(t.keys == ["labels", "fc.weight", "steps", "tok", "scale", "fc.bias", "mask"])
        #expect(t["labels"]!.toArray(as: Int64.self) == [3, -1])
        #expect(t["fc.weight"]!.shape == [2, 2])
        #expect(t["fc.weight"]!.toArray() == [0.5, -1, 2, 4])
        #expect(t["steps"]!.toArray(as: Int32.self) == [1000])
        #expect(t["tok"]!.toArray(as: UInt8.self) == [9, 250])
        #expect(t["scale"]!.shape == [] && t["scale"]!.dtype == .float16 && t["scale"]!.item() == 1)
        #expect(t["fc.bias"]!.dtype == .bfloat16 && t["fc.bias"]!.toArray() == [1, -3])
        #expect(t["mask"]!.toArray(as: Bool.self) == [true, false, true])
        #expect(t["mask"]!.toArray(as: UInt8.self) == [1, 0, 1])
    }

    @Test func emptyFileWithNoTensors() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let path = dir + "/e.safetensors"
        try save(TensorDict(), to: path)
        #expect(try load(path).isEmpty)
        try writeBytes(rawFile("{}      "), to: path)
        #expect(try load(path).isEmpty)
    }

    // MARK: - Corrupt files

    struct Corrupt: Sendable, CustomTestStringConvertible {
        let label: String
        let bytes: [UInt8]
        let expected: String
        let tensor: String?
        var testDescription: String { label }
    }

    static let corruptCases: [Corrupt] = {
        let ok = #"{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#
        let eight = [UInt8](repeating: 0, count: 8)
        func c(_ label: String, _ bytes: [UInt8], _ expected: String, _ tensor: String? = nil) -> Corrupt {
            Corrupt(label: label, bytes: bytes, expected: expected, tensor: tensor)
        }
        return [
            c("empty file", [], "truncated"),
            c("shorter than 8 bytes", [1, 0, 0], "truncated"),
            c("header size absurd", rawFile("{}", size: 200_000_000), "invalidHeader"),
            c("header size 2^64-1", rawFile("{}", size: .max), "invalidHeader"),
            c("header size past end of file", rawFile("{}", size: 64), "truncated"),
            c("header not JSON", rawFile("{not json}"), "invalidHeader"),
            c("header not UTF-8", [4, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0xFF, 0xFE, 0x7D], "invalidHeader"),
            c("header is an array", rawFile("[1,2]"), "invalidHeader"),
            c("header is a string", rawFile("\"x\""), "invalidHeader"),
            c("trailing garbage after JSON", rawFile("{} x"), "invalidHeader"),
            c("duplicate tensor names", rawFile(#"{"a":\#(ok),"a":\#(ok)}"#, data: eight), "invalidHeader"),
            c("deeply nested", rawFile(String(repeating: "[", count: 200_000)), "invalidHeader"),
            c("entry not an object", rawFile(#"{"a":[1]}"#), "invalidHeader"),
            c("missing dtype", rawFile(#"{"a":{"shape":[2],"data_offsets":[0,8]}}"#, data: eight), "invalidHeader"),
            c("missing shape", rawFile(#"{"a":{"dtype":"F32","data_offsets":[0,8]}}"#, data: eight), "invalidHeader"),
            c("missing data_offsets", rawFile(#"{"a":{"dtype":"F32","shape":[2]}}"#, data: eight), "invalidHeader"),
            c("dtype not a string", rawFile(#"{"a":{"dtype":7,"shape":[2],"data_offsets":[0,8]}}"#, data: eight), "invalidHeader"),
            c("shape not an array", rawFile(#"{"a":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}"#, data: eight), "invalidHeader"),
            c("shape with a fraction", rawFile(#"{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#, data: eight), "invalidHeader"),
            c("shape with a string", rawFile(#"{"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}"#, data: eight), "invalidHeader"),
            c("negative dimension", rawFile(#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: eight), "invalidHeader"),
            c("shape overflows", rawFile(#"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, data: eight), "invalidHeader"),
            // Empty, so no bytes of data, but the strides of the other dims overflow (issue 17).
            c("empty tensor with huge dims", rawFile(#"{"a":{"dtype":"F32","shape":[0,4294967296,4294967296],"data_offsets":[0,0]}}"#), "invalidHeader"),
            c("empty tensor with huge last dims", rawFile(#"{"a":{"dtype":"U8","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}}"#), "invalidHeader"),
            c("bytes overflow but elements fit", rawFile(#"{"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}}"#, data: eight), "invalidHeader"),
            c("offsets wrong length", rawFile(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#, data: eight), "invalidHeader"),
            c("negative offset", rawFile(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}"#, data: eight), "invalidHeader"),
            c("offset past Int", rawFile(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,99999999999999999999]}}"#, data: eight), "invalidHeader"),
            c("end before begin", rawFile(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, data: eight), "badOffsets", "a"),
            c("length does not match shape", rawFile(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: eight), "badOffsets", "a"),
            c("offsets beyond the data", rawFile(#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: eight), "truncated"),
            c("overlapping tensors", rawFile(#"{"a":\#(ok),"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: eight + [0, 0, 0, 0]), "badOffsets", "b"),
            c("same range twice", rawFile(#"{"a":\#(ok),"b":\#(ok)}"#, data: eight), "badOffsets", "b"),
            c("gap between tensors", rawFile(#"{"a":\#(ok),"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}"#, data: eight + eight), "badOffsets", "b"),
            c("gap at the start", rawFile(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: eight + [0, 0, 0, 0]), "badOffsets", "a"),
            c("trailing data bytes", rawFile(#"{"a":\#(ok)}"#, data: eight + eight), "badOffsets", "a"),
            c("data but no tensors", rawFile("{}", data: eight), "invalidHeader"),
            c("metadata not an object", rawFile(#"{"__metadata__":"x"}"#), "invalidHeader"),
            c("metadata value not a string", rawFile(#"{"__metadata__":{"epoch":3}}"#), "invalidHeader"),
            c("metadata value null", rawFile(#"{"__metadata__":{"k":null}}"#), "invalidHeader"),
            c("dtype I16", rawFile(#"{"w":{"dtype":"I16","shape":[4],"data_offsets":[0,8]}}"#, data: eight), "unsupportedDType", "w"),
            c("dtype U32", rawFile(#"{"w":{"dtype":"U32","shape":[2],"data_offsets":[0,8]}}"#, data: eight), "unsupportedDType", "w"),
            c("dtype F8_E4M3", rawFile(#"{"w":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}}"#, data: eight), "unsupportedDType", "w"),
            c("dtype unknown", rawFile(#"{"w":{"dtype":"float32","shape":[2],"data_offsets":[0,8]}}"#, data: eight), "unsupportedDType", "w"),
        ]
    }()

    @Test(arguments: corruptCases)
    func corruptFileThrows(_ c: Corrupt) throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let path = dir + "/bad.safetensors"
        try writeBytes(c.bytes, to: path)
        let e = expectSafetensorsError { _ = try load(path) }
        guard let e else { return }
        #expect(caseName(e) == c.expected, "\(e)")
        #expect(e.path == path)
        #expect(e.description.hasPrefix(path))
        if let name = c.tensor {
            switch e {
            case .badOffsets(_, let n, _), .unsupportedDType(_, let n, _): #expect(n == name)
            default: Issue.record("expected an error naming tensor \(name), got \(e)")
            }
        }
    }

    /// The 88-byte file of issue 17 that killed `ember inspect`: exactly as reported.
    @Test func zeroSizeTensorWithHugeDimsIsRejected() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let path = dir + "/huge.safetensors"
        let header = #"{"a":{"dtype":"F32","shape":[0,4294967296,4294967296],"data_offsets":[0,0]}}"#
        let bytes = rawFile(header + String(repeating: " ", count: 80 - header.utf8.count))
        #expect(bytes.count == 88)
        try writeBytes(bytes, to: path)
        let e = expectSafetensorsError { _ = try load(path) }
        #expect(e.map(caseName) == "invalidHeader")
        #expect(e?.description.contains("too large") == true && e?.path == path, "\(String(describing: e))")
        #expect(CheckedSize(shape: [0, 1 << 32, 1 << 32], itemSize: 4) == nil)
        #expect(CheckedSize(shape: [0, 1 << 20, 1 << 20], itemSize: 4)?.bytes == 0)
        #expect(CheckedSize(shape: [3, 5], itemSize: 8) == CheckedSize(shape: [5, 3], itemSize: 8))
        #expect(CheckedSize(shape: [3, 5], itemSize: 8)?.elements == 15)
        #expect(CheckedSize(shape: [-1], itemSize: 4) == nil)
    }

    /// A writer killed between creating its temporary file and renaming it leaves
    /// `<name>.tmp-<pid>-<hex>`; the next atomic write into the folder removes it when that
    /// process is gone, and leaves a live process's temporary alone.
    @Test func staleTemporariesOfDeadWritersAreRemoved() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let live = Process()
        live.executableURL = URL(fileURLWithPath: "/bin/sleep")
        live.arguments = ["30"]
        try live.run()
        defer { live.terminate(); live.waitUntilExit() }
        let stale = "checkpoint.safetensors.tmp-\(dead.processIdentifier)-1f2e3d4c5b6a7988"
        let busy = "checkpoint.safetensors.tmp-\(live.processIdentifier)-abcdef0123456789"
        let other = "notes.tmp-x-1"
        for name in [stale, busy, other] { try writeBytes([1, 2, 3], to: dir + "/" + name) }
        #expect(StaleTemporaries.writerPID(of: stale) == dead.processIdentifier)
        #expect(StaleTemporaries.writerPID(of: other) == nil)
        try save(["a": Tensor([1, 2] as [Float])], to: dir + "/checkpoint.safetensors")
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(left == [busy, other, "checkpoint.safetensors"], "\(left)")
    }

    @Test func missingFileAndDirectory() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let missing = dir + "/nope.safetensors"
        #expect(expectSafetensorsError { _ = try load(missing) } == .fileNotFound(path: missing))
        let e = expectSafetensorsError { _ = try load(dir) }
        #expect(e.map(caseName) == "ioError")
    }

    @Test func everyTruncationThrows() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let good = dir + "/good.safetensors", cut = dir + "/cut.safetensors"
        let d: TensorDict = ["a": Tensor([1, 2, 3] as [Float]), "e": Tensor(empty: [0]), "b": Tensor([4, 5] as [Int64], dtype: .int64),
                             "c": Tensor([true, false], dtype: .bool)]
        try save(d, to: good, metadata: ["format": "pt"])
        let bytes = try readBytes(good)
        for length in 0..<bytes.count {
            try writeBytes(Array(bytes[..<length]), to: cut)
            let e = expectSafetensorsError { _ = try load(cut) }
            #expect(e != nil, "cut at \(length) of \(bytes.count) bytes loaded")
        }
        #expect(try load(good).keys == d.keys)
    }

    /// Overwriting any header byte with any of a few values either loads or throws; never crashes.
    @Test func corruptedHeaderBytesNeverCrash() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let good = dir + "/good.safetensors", bad = dir + "/bad.safetensors"
        try save(["a": Tensor([1, 2] as [Float]), "b": Tensor([3] as [Int64], dtype: .int64)], to: good, metadata: ["k": "v"])
        let bytes = try readBytes(good)
        let n = Int(bytes[0])
        for i in 0..<(8 + n) {
            for v: UInt8 in [0, 0x22, 0x2C, 0x31, 0x5B, 0x7D, 0xFF] where bytes[i] != v {
                var b = bytes
                b[i] = v
                try writeBytes(b, to: bad)
                do { _ = try load(bad) } catch is SafetensorsError {} catch { Issue.record("unexpected error \(error)") }
            }
        }
    }

    // MARK: - Atomic writes

    private func directoryEntries(_ dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    }

    @Test func saveOverwritesAtomicallyAndLeavesNoTempFiles() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        let path = dir + "/model.safetensors"
        try save(["a": Tensor([1.0, 2.0])], to: path)
        try save(["b": Tensor([3.0])], to: path, metadata: ["v": "2"])
        let (t, m) = try loadWithMetadata(path)
        #expect(t.keys == ["b"] && t["b"]!.item() == 3 && m == ["v": "2"])
        #expect(try directoryEntries(dir) == ["model.safetensors"])
    }

    @Test func failedSaveRemovesTempFileAndKeepsOldFile() throws {
        let dir = try makeTempDir()
        defer { removeDir(dir) }
        // The destination is a directory: the rename fails after the data is written.
        let target = dir + "/target"
        try FileManager.default.createDirectory(atPath: target + "/inner", withIntermediateDirectories: true)
        let e = expectSafetensorsError { try save(["a": Tensor([1.0])], to: target) }
        #expect(e.map(caseName) == "ioError")
        #expect(e?.path == target)
        #expect(try directoryEntries(dir) == ["target"])

        // A reserved name fails before anything is written; the old file stays intact.
        let path = dir + "/keep.safetensors"
        try save(["a": Tensor([1.0])], to: path)
        let e2 = expectSafetensorsError { try save(["__metadata__": Tensor([2.0])], to: path) }
        #expect(e2.map(caseName) == "invalidHeader")
        #expect(try load(path)["a"]!.item() == 1)
        #expect(try directoryEntries(dir) == ["keep.safetensors", "target"])

        // A missing directory is an I/O error naming the path.
        let nowhere = dir + "/no/such/dir/x.safetensors"
        let e3 = expectSafetensorsError { try save(["a": Tensor([1.0])], to: nowhere) }
        #expect(e3.map(caseName) == "ioError" && e3?.path == nowhere)
    }

    @Test func errorMessagesNameFileAndTensor() {
        let e = SafetensorsError.unsupportedDType(path: "m.safetensors", name: "emb", dtype: "I16")
        #expect(e.description.contains("m.safetensors") && e.description.contains("'emb'") && e.description.contains("I16"))
        #expect(SafetensorsError.fileNotFound(path: "x").description == "x: no such file")
    }
}
