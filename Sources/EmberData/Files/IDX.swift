/// The IDX file format of MNIST and its relatives: a big-endian header (two zero bytes, a
/// type code, the number of dimensions, then each dimension as a 32-bit count) followed by
/// the values (torchvision: `read_sn3_pascalvincent_tensor`).
///
/// ```swift
/// let labels = try IDX.read("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")
/// labels.shape   // [10000], dtype uint8
/// ```
public enum IDX {
    /// The element types IDX files declare, by type code.
    public enum ElementType: UInt8, Sendable {
        /// 0x08: unsigned byte, read as uint8.
        case uint8 = 0x08
        /// 0x09: signed byte, read as int32 (Ember has no int8).
        case int8 = 0x09
        /// 0x0B: big-endian 16-bit integer, read as int32 (Ember has no int16).
        case int16 = 0x0B
        /// 0x0C: big-endian 32-bit integer, read as int32.
        case int32 = 0x0C
        /// 0x0D: big-endian float, read as float32.
        case float32 = 0x0D
        /// 0x0E: big-endian double, read as float64.
        case float64 = 0x0E

        /// Bytes per value in the file.
        var size: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16: return 2
            case .int32, .float32: return 4
            case .float64: return 8
            }
        }
    }

    /// A parsed header: the element type, the dimensions, and where the values start.
    struct Header: Equatable {
        var type: ElementType
        var shape: [Int]
        var dataOffset: Int { 4 + 4 * shape.count }
        var magic: UInt32 { UInt32(type.rawValue) << 8 | UInt32(shape.count) }
    }

    /// Reads an IDX file, gzip-compressed or not, as a tensor of the file's shape. uint8
    /// files stay uint8; other types are widened as `ElementType` says.
    public static func read(_ path: String) throws(DataError) -> Tensor {
        let bytes = try readBytes(path)
        let header = try parseHeader(bytes, path: path)
        return try tensor(bytes, header: header, path: path)
    }

    /// The file's bytes, decompressed when gzip, never inflated past the size its header declares.
    static func readBytes(_ path: String, hint: String = "") throws(DataError) -> [UInt8] {
        try FileBytes.readMaybeGzip(path, hint: hint, expectedSize: { (p) throws(DataError) -> Int? in try declaredFileSize(p, path: path) })
    }

    /// Parses and checks the header, and that the file holds exactly the values it declares.
    static func parseHeader(_ bytes: [UInt8], path: String) throws(DataError) -> Header {
        guard bytes.count >= 4 else {
            throw .truncated(path: path, detail: "\(bytes.count) bytes is shorter than the 4-byte IDX magic number")
        }
        let magic = UInt32(bigEndian: bytes, at: 0)
        guard bytes[0] == 0, bytes[1] == 0, let type = ElementType(rawValue: bytes[2]), bytes[3] >= 1 else {
            throw .badFormat(path: path, detail: "bad magic number 0x\(hex32(magic)): not an IDX file (expected 0x0000TTDD with type TT in 08, 09, 0B, 0C, 0D, 0E and DD >= 1 dimensions)")
        }
        let rank = Int(bytes[3])
        guard bytes.count >= 4 + 4 * rank else {
            throw .truncated(path: path, detail: "\(bytes.count) bytes is shorter than the \(4 + 4 * rank)-byte header of a \(rank)-dimensional IDX file")
        }
        let shape = (0..<rank).map { Int(UInt32(bigEndian: bytes, at: 4 + 4 * $0)) }
        let header = Header(type: type, shape: shape)
        let expected = try dataSize(header, path: path)
        let actual = bytes.count - header.dataOffset
        let dims = shape.map(String.init).joined(separator: "×")
        if actual < expected {
            throw .truncated(path: path, detail: "the header declares \(dims) values (\(expected) bytes of data) but the file holds only \(actual) bytes after the header")
        }
        if actual > expected {
            throw .badFormat(path: path, detail: "the header declares \(dims) values (\(expected) bytes of data) but \(actual - expected) unexpected bytes follow them")
        }
        return header
    }

    /// The bytes of values `header` declares, checked with overflow-checked arithmetic (the
    /// element count, the byte count and the strides, even when a dimension is 0).
    static func dataSize(_ header: Header, path: String) throws(DataError) -> Int {
        guard let size = CheckedSize(shape: header.shape, itemSize: header.type.size) else {
            throw .badFormat(path: path, detail: "dimensions \(header.shape) are too large: their size does not fit in 64 bits")
        }
        return size.bytes
    }

    /// The whole file's size (header and values) that the header at the start of
    /// `prefix` declares, or nil while `prefix` is too short to hold the header. Decompression
    /// stops there (`Gzip.decompress`), so a gzip bomb is never inflated past it.
    static func declaredFileSize(_ prefix: UnsafeBufferPointer<UInt8>, path: String) throws(DataError) -> Int? {
        guard prefix.count >= 4 else { return nil }
        guard prefix[0] == 0, prefix[1] == 0, let type = ElementType(rawValue: prefix[2]), prefix[3] >= 1 else {
            _ = try parseHeader(Array(prefix.prefix(4)), path: path)   // throws: not an IDX magic number
            return nil
        }
        let rank = Int(prefix[3])
        guard prefix.count >= 4 + 4 * rank else { return nil }
        var shape: [Int] = []
        for k in 0..<rank {
            var d = 0
            for j in 0..<4 { d = d << 8 | Int(prefix[4 + 4 * k + j]) }
            shape.append(d)
        }
        let header = Header(type: type, shape: shape)
        let (total, overflow) = try dataSize(header, path: path).addingReportingOverflow(header.dataOffset)
        if overflow { throw .badFormat(path: path, detail: "dimensions \(shape) are too large") }
        return total
    }

    /// The values after a checked header, as a tensor.
    static func tensor(_ bytes: [UInt8], header: Header, path: String) throws(DataError) -> Tensor {
        let count = header.shape.reduce(1, *)
        let start = header.dataOffset
        switch header.type {
        case .uint8:
            let t = Tensor(empty: header.shape, dtype: .uint8)
            bytes.withUnsafeBytes { src in
                t.storage.data.copyMemory(from: src.baseAddress! + start, byteCount: count)
            }
            return t
        case .int8:
            return Tensor((0..<count).map { Int32(Int8(bitPattern: bytes[start + $0])) }, shape: header.shape, dtype: .int32)
        case .int16:
            return Tensor((0..<count).map { Int32(Int16(bitPattern: UInt16(bytes[start + 2 * $0]) << 8 | UInt16(bytes[start + 2 * $0 + 1]))) },
                          shape: header.shape, dtype: .int32)
        case .int32:
            return Tensor((0..<count).map { Int32(bitPattern: UInt32(bigEndian: bytes, at: start + 4 * $0)) }, shape: header.shape, dtype: .int32)
        case .float32:
            return Tensor((0..<count).map { Float(bitPattern: UInt32(bigEndian: bytes, at: start + 4 * $0)) }, shape: header.shape, dtype: .float32)
        case .float64:
            return Tensor((0..<count).map { i -> Double in
                let hi = UInt64(UInt32(bigEndian: bytes, at: start + 8 * i)), lo = UInt64(UInt32(bigEndian: bytes, at: start + 8 * i + 4))
                return Double(bitPattern: hi << 32 | lo)
            }, shape: header.shape, dtype: .float64)
        }
    }

    static func hex32(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 8 - s.count)) + s
    }
}

extension UInt32 {
    /// The big-endian 32-bit value at `offset` of `bytes`.
    @inline(__always)
    init(bigEndian bytes: [UInt8], at offset: Int) {
        self = UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
}
