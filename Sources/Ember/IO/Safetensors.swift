/// Reading and writing the safetensors format (https://github.com/huggingface/safetensors),
/// the format PyTorch models are shared in:
///
/// ```
/// [8 bytes: header size N, little-endian UInt64]
/// [N bytes: JSON {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...,
///            "__metadata__": {"key": "value"}}, padded with spaces]
/// [the tensors' raw little-endian row-major bytes; offsets are relative to here]
/// ```
///
/// Ember, like PyTorch, only runs on little-endian hosts, so tensor bytes are copied as they are.

/// Headers larger than this are rejected as corrupt, as the reference implementation does.
let safetensorsMaxHeaderSize = 100_000_000

extension DType {
    /// The safetensors name of this dtype: `F32`, `BF16`, `I64`, `BOOL`, ...
    public var safetensorsName: String {
        switch self {
        case .float64: return "F64"
        case .float32: return "F32"
        case .float16: return "F16"
        case .bfloat16: return "BF16"
        case .int64: return "I64"
        case .int32: return "I32"
        case .uint8: return "U8"
        case .bool: return "BOOL"
        }
    }

    /// The dtype with safetensors name `name`, or nil for names Ember does not support
    /// (`I8`, `I16`, `U16`, `U32`, `U64`, the `F8_*` types, ...).
    public init?(safetensorsName name: String) {
        guard let d = DType.allCases.first(where: { $0.safetensorsName == name }) else { return nil }
        self = d
    }
}

/// Writes tensors (and optional string metadata) to a safetensors file that PyTorch can read
/// (PyTorch: `safetensors.torch.save_file(tensors, path, metadata=metadata)`).
///
/// Tensors are stored in the dictionary's order, each in row-major order (non-contiguous
/// views are copied first), with contiguous offsets. The write is atomic: the bytes go to a
/// temporary file beside `path`, are flushed to disk, and replace `path` in one rename, so
/// a crash never leaves a half-written file. Tensors that share storage are each written in
/// full (the reference refuses them instead).
///
/// ```swift
/// try save(["weight": w, "bias": b], to: "linear.safetensors", metadata: ["format": "pt"])
/// ```
///
/// - Throws: `SafetensorsError.ioError` when the file cannot be created, written or renamed
///   (the temporary file is removed), `.invalidHeader` for a tensor named `__metadata__`.
public func save(_ tensors: TensorDict, to path: String, metadata: [String: String]? = nil) throws {
    try saveSafetensors(tensors, to: path, metadata: metadata)
}

/// Reads every tensor in a safetensors file, in file order
/// (PyTorch: `safetensors.torch.load_file(path)`).
///
/// The whole file is validated before any tensor is returned: a truncated or corrupt file
/// throws a `SafetensorsError` naming the file and the problem, and never crashes.
///
/// ```swift
/// let weights = try load("model.safetensors")
/// let w = weights["fc1.weight"]!
/// ```
public func load(_ path: String) throws -> TensorDict {
    try loadSafetensors(path).tensors
}

/// Reads every tensor in a safetensors file together with its `__metadata__` strings
/// (PyTorch: `safetensors.torch.load_file` plus `safe_open(path, "pt").metadata()`).
///
/// ```swift
/// let (tensors, metadata) = try loadWithMetadata("model.safetensors")
/// print(metadata["format"] ?? "none")   // "pt" for files PyTorch wrote
/// ```
public func loadWithMetadata(_ path: String) throws -> (tensors: TensorDict, metadata: [String: String]) {
    try loadSafetensors(path)
}

// MARK: - Writing

func saveSafetensors(_ tensors: TensorDict, to path: String, metadata: [String: String]?) throws(SafetensorsError) {
    // Same layout as the reference writer: compact JSON, metadata first, padded with spaces.
    var header = "{"
    var first = true
    if let metadata {
        let members = metadata.keys.sorted().map { "\(jsonQuoted($0)):\(jsonQuoted(metadata[$0]!))" }
        header += "\"__metadata__\":{" + members.joined(separator: ",") + "}"
        first = false
    }
    var data: [Tensor] = []
    data.reserveCapacity(tensors.count)
    var offset = 0
    for (name, tensor) in tensors {
        if name == "__metadata__" {
            throw .invalidHeader(path: path, detail: "'__metadata__' is reserved for metadata and cannot name a tensor")
        }
        let t = tensor.isContiguous ? tensor : withNoGrad { tensor.contiguous() }
        let bytes = t.numel * t.dtype.itemSize
        let shape = t.shape.map(String.init).joined(separator: ",")
        if !first { header += "," }
        first = false
        header += "\(jsonQuoted(name)):{\"dtype\":\"\(t.dtype.safetensorsName)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}"
        offset += bytes
        data.append(t)
    }
    header += "}"
    var headerBytes = Array(header.utf8)
    let padding = (8 - headerBytes.count % 8) % 8
    headerBytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))

    var file = try AtomicFileWriter.create(path: path)
    let size = UInt64(headerBytes.count)
    try file.write((0..<8).map { UInt8(truncatingIfNeeded: size >> (8 * $0)) } + headerBytes)
    for t in data where t.numel > 0 {
        let start = UnsafeRawPointer(t.storage.data + t.offset * t.dtype.itemSize)
        try file.write(UnsafeRawBufferPointer(start: start, count: t.numel * t.dtype.itemSize))
    }
    try file.commit()
}

// MARK: - Reading

/// One tensor's header entry, checked against its own shape and dtype.
private struct Entry {
    let name: String
    let dtype: DType
    let shape: [Int]
    let begin: Int
    let end: Int
    /// Position in the header, which breaks ties between empty tensors at the same offset.
    let order: Int
}

func loadSafetensors(_ path: String) throws(SafetensorsError) -> (tensors: TensorDict, metadata: [String: String]) {
    let file = try ReadableFile(path: path)
    guard file.size >= 8 else {
        throw .truncated(path: path, detail: "file is \(file.size) bytes, shorter than the 8-byte header size")
    }
    let sizeBytes = try file.read(count: 8, at: 0, what: "the header size")
    let headerSize = sizeBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    guard headerSize <= UInt64(safetensorsMaxHeaderSize) else {
        throw .invalidHeader(path: path, detail: "header size \(headerSize) bytes is over the \(safetensorsMaxHeaderSize / 1_000_000) MB limit (is this a safetensors file?)")
    }
    let n = Int(headerSize)
    guard 8 + n <= file.size else {
        throw .truncated(path: path, detail: "header is \(n) bytes but only \(file.size - 8) bytes follow the header size")
    }
    let headerBytes = try file.read(count: n, at: 8, what: "the header")
    let (entries, metadata) = try parseHeader(headerBytes, path: path)

    // The tensors, sorted by offset, must tile the data buffer exactly: no overlaps, no gaps.
    let sorted = entries.sorted { ($0.begin, $0.end, $0.order) < ($1.begin, $1.end, $1.order) }
    var covered = 0
    var previous: Entry?
    for e in sorted {
        if e.begin < covered {
            throw .badOffsets(path: path, name: e.name, detail: "bytes \(e.begin)..<\(e.end) overlap tensor '\(previous!.name)' at \(previous!.begin)..<\(previous!.end)")
        }
        if e.begin > covered {
            let after = previous.map { "tensor '\($0.name)' ends at \($0.end)" } ?? "the data starts at 0"
            throw .badOffsets(path: path, name: e.name, detail: "starts at byte \(e.begin) but \(after), leaving a gap")
        }
        covered = e.end
        previous = e
    }
    let dataStart = 8 + n
    let dataSize = file.size - dataStart
    if covered > dataSize {
        throw .truncated(path: path, detail: "tensor '\(previous!.name)' needs data bytes up to \(covered) but the file holds only \(dataSize)")
    }
    if covered < dataSize {
        if let last = previous {
            throw .badOffsets(path: path, name: last.name, detail: "tensors end at data byte \(covered) but the file holds \(dataSize) data bytes (extra bytes at the end)")
        }
        throw .invalidHeader(path: path, detail: "no tensors, but \(dataSize) bytes of data follow the header")
    }

    var tensors = TensorDict()
    for e in sorted {
        let t = Tensor(empty: e.shape, dtype: e.dtype)
        if e.end > e.begin {
            try file.read(into: t.storage.data, count: e.end - e.begin, at: dataStart + e.begin, what: "tensor '\(e.name)'")
        }
        if e.dtype == .bool {
            // Any nonzero byte is true, as in PyTorch; a Swift Bool must hold exactly 0 or 1.
            let p = t.storage.data.assumingMemoryBound(to: UInt8.self)
            for i in 0..<t.numel where p[i] > 1 { p[i] = 1 }
        }
        tensors[e.name] = t
    }
    return (tensors, metadata)
}

/// Parses and checks the JSON header: every entry's fields, types, shape and byte length.
private func parseHeader(_ bytes: [UInt8], path: String) throws(SafetensorsError) -> ([Entry], [String: String]) {
    guard String(validating: bytes, as: UTF8.self) != nil else {
        throw .invalidHeader(path: path, detail: "header is not valid UTF-8")
    }
    let json: JSONValue
    do {
        json = try JSONParser.parse(bytes)
    } catch {
        throw .invalidHeader(path: path, detail: "cannot parse the header JSON: \(error.message) at byte \(error.position)")
    }
    guard case .object(let members) = json else {
        throw .invalidHeader(path: path, detail: "header is \(json.kind), expected a JSON object")
    }
    var entries: [Entry] = []
    var metadata: [String: String] = [:]
    for (order, (name, value)) in members.enumerated() {
        if name == "__metadata__" {
            guard case .object(let pairs) = value else {
                throw .invalidHeader(path: path, detail: "__metadata__ is \(value.kind), expected an object of strings")
            }
            for (k, v) in pairs {
                guard case .string(let s) = v else {
                    throw .invalidHeader(path: path, detail: "__metadata__ value for '\(k)' is \(v.kind), expected a string")
                }
                metadata[k] = s
            }
            continue
        }
        entries.append(try parseEntry(name, value, order: order, path: path))
    }
    return (entries, metadata)
}

private func parseEntry(_ name: String, _ value: JSONValue, order: Int, path: String) throws(SafetensorsError) -> Entry {
    func invalid(_ detail: String) -> SafetensorsError {
        .invalidHeader(path: path, detail: "tensor '\(name)': \(detail)")
    }
    guard case .object(let fields) = value else { throw invalid("entry is \(value.kind), expected an object") }
    func field(_ key: String) throws(SafetensorsError) -> JSONValue {
        guard let v = fields.first(where: { $0.key == key })?.value else { throw invalid("missing \"\(key)\"") }
        return v
    }
    let dtypeValue = try field("dtype"), shapeValue = try field("shape"), offsetsValue = try field("data_offsets")
    guard case .string(let dtypeName) = dtypeValue else { throw invalid("\"dtype\" is \(dtypeValue.kind), expected a string") }
    guard case .array(let dims) = shapeValue else { throw invalid("\"shape\" is \(shapeValue.kind), expected an array") }
    guard case .array(let offsets) = offsetsValue else {
        throw invalid("\"data_offsets\" is \(offsetsValue.kind), expected an array")
    }
    var shape: [Int] = []
    for d in dims {
        guard let v = d.int else {
            let what = if case .number(let text) = d { "\(text)" } else { d.kind }
            throw invalid("\"shape\" holds \(what), expected integers")
        }
        guard v >= 0 else { throw invalid("\"shape\" has negative dimension \(v)") }
        shape.append(v)
    }
    guard offsets.count == 2 else { throw invalid("\"data_offsets\" holds \(offsets.count) numbers, expected two: [begin, end]") }
    guard let begin = offsets[0].int, let end = offsets[1].int, begin >= 0, end >= 0 else {
        throw invalid("\"data_offsets\" must be two non-negative integers")
    }
    guard let dtype = DType(safetensorsName: dtypeName) else {
        throw .unsupportedDType(path: path, name: name, dtype: dtypeName)
    }
    // Checked even when a dimension is 0: the strides of [0, 2^32, 2^32] overflow.
    guard let size = CheckedSize(shape: shape, itemSize: dtype.itemSize) else {
        throw invalid("shape \(shape) is too large: its size or strides do not fit in 64 bits")
    }
    let byteCount = size.bytes
    guard end >= begin else {
        throw .badOffsets(path: path, name: name, detail: "end \(end) is before begin \(begin)")
    }
    guard end - begin == byteCount else {
        throw .badOffsets(path: path, name: name, detail: "\(begin)..<\(end) holds \(end - begin) bytes, but shape \(shape) of \(dtypeName) needs \(byteCount)")
    }
    return Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end, order: order)
}
