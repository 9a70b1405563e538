import CZlib

/// gzip decompression through zlib (the system library, not a hand-written inflater).
enum Gzip {
    /// The most bytes a file is inflated to: 4 GiB.
    static let defaultLimit = 4 << 30

    /// Whether `bytes` start with the gzip magic number `1f 8b`.
    static func hasMagic(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// The decompressed content of a whole gzip file. zlib checks each member's CRC-32 and
    /// length; concatenated members are joined (as `gunzip` does) and trailing zero padding
    /// is ignored. Anything else that is wrong throws `badGzip` naming `path`.
    ///
    /// A gzip bomb (a small file that inflates to gigabytes) stops early: output past `limit`
    /// bytes throws `badGzip`, and when `expectedSize` is given it is asked, as output
    /// arrives, for the size the content's own header declares (nil while the header is not
    /// all there); a single byte past that throws `badFormat`.
    static func decompress(_ input: [UInt8], path: String, limit: Int = Gzip.defaultLimit,
                           expectedSize: ((UnsafeBufferPointer<UInt8>) throws(DataError) -> Int?)? = nil) throws(DataError) -> [UInt8] {
        // The trailer's ISIZE (length mod 2^32) sizes the output in one go for single-member
        // files under 4 GiB; a corrupt value is only a hint, capped by deflate's best ratio,
        // by the limit and, with a header to wait for, at 64 KiB until the header is read.
        var capacity = 1 << 16
        if input.count >= 18 && expectedSize == nil {
            let n = input.count
            let isize = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
            capacity = max(capacity, min(isize, input.count * 1032 + 1024, limit + 1, 1 << 28))
        }
        var out = [UInt8](repeating: 0, count: capacity)
        var produced = 0
        var allowed = limit
        var declared: Int?
        var stream = z_stream()
        let result: Result<Int, DataError> = input.withUnsafeBufferPointer { inBuf in
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.avail_in = 0
            // 15 + 16: a 32 KiB window and a gzip (not zlib) wrapper.
            guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                return .failure(.badGzip(path: path, detail: "zlib could not start (out of memory?)"))
            }
            defer { inflateEnd(&stream) }
            var consumed = 0
            while true {
                // zlib counts in UInt32: feed and drain at most 1 GiB per call.
                if stream.avail_in == 0 && consumed < inBuf.count {
                    let n = min(inBuf.count - consumed, 1 << 30)
                    stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress! + consumed)
                    stream.avail_in = UInt32(n)
                    consumed += n
                }
                if produced == out.count {
                    // One byte past what is allowed is room enough to tell that there is more.
                    out.append(contentsOf: repeatElement(0, count: min(out.count, allowed + 1 - out.count)))
                }
                let room = min(out.count - produced, 1 << 30)
                let code: Int32 = out.withUnsafeMutableBufferPointer { o in
                    stream.next_out = o.baseAddress! + produced
                    stream.avail_out = UInt32(room)
                    let c = inflate(&stream, Z_NO_FLUSH)
                    produced += room - Int(stream.avail_out)
                    return c
                }
                if declared == nil, let expectedSize {
                    let size: Result<Int?, DataError> = out.withUnsafeBufferPointer { o in
                        Result { () throws(DataError) -> Int? in try expectedSize(UnsafeBufferPointer(rebasing: o[..<produced])) }
                    }
                    switch size {
                    case .success(let d): declared = d
                    case .failure(let e): return .failure(e)
                    }
                    if let declared {
                        allowed = min(limit, declared)
                        // Room for all of it at once, unless the header claims more than deflate
                        // could make of this input (then room grows as output arrives).
                        let room = min(allowed + 1, inBuf.count * 1032 + 1024)
                        if out.count < room && produced <= allowed {
                            out.append(contentsOf: repeatElement(0, count: room - out.count))
                        }
                    }
                }
                if produced > allowed {
                    if let declared, declared <= limit {
                        return .failure(.badFormat(path: path, detail: "the header declares \(declared) bytes in all, but the file decompresses to more (stopped after \(produced) bytes)"))
                    }
                    return .failure(.badGzip(path: path, detail: "decompresses to more than \(limit) bytes, the most Ember inflates (a gzip bomb?)"))
                }
                switch code {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    // Another member, zero padding, or garbage may follow.
                    let rest = Int(stream.avail_in) + (inBuf.count - consumed)
                    if rest == 0 { return .success(produced) }
                    let at = inBuf.count - rest
                    if inBuf[at...].allSatisfy({ $0 == 0 }) { return .success(produced) }
                    if rest >= 2 && inBuf[at] == 0x1f && inBuf[at + 1] == 0x8b {
                        inflateReset(&stream)
                        continue
                    }
                    return .failure(.badGzip(path: path, detail: "\(rest) bytes of trailing garbage after the compressed data (at byte \(at))"))
                case Z_BUF_ERROR:
                    // No progress was possible. With all input used, the stream was cut off.
                    if stream.avail_in == 0 && consumed == inBuf.count {
                        return .failure(.badGzip(path: path, detail: "unexpected end of file: the compressed stream is cut off after \(inBuf.count) bytes (\(produced) bytes decompressed)"))
                    }
                    if stream.avail_in == 0 { continue }   // feed the next slice
                    return .failure(.badGzip(path: path, detail: "zlib made no progress (after \(produced) bytes decompressed)"))
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(code)"
                    let at = inBuf.count - Int(stream.avail_in) - (inBuf.count - consumed)
                    return .failure(.badGzip(path: path, detail: "\(message) (near compressed byte \(at), after \(produced) bytes decompressed)"))
                }
            }
        }
        let n = try result.get()
        out.removeLast(out.count - n)
        return out
    }
}
