import CZlib

/// gzip decompression through zlib (the system library, not a hand-written inflater).
enum Gzip {
    /// Whether `bytes` start with the gzip magic number `1f 8b`.
    static func hasMagic(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// The decompressed content of a whole gzip file. zlib checks each member's CRC-32 and
    /// length; concatenated members are joined (as `gunzip` does) and trailing zero padding
    /// is ignored. Anything else that is wrong throws `badGzip` naming `path`.
    static func decompress(_ input: [UInt8], path: String) throws(DataError) -> [UInt8] {
        // The trailer's ISIZE (length mod 2^32) sizes the output in one go for single-member
        // files under 4 GiB; a corrupt value is only a hint, capped by deflate's best ratio.
        var capacity = 1 << 16
        if input.count >= 18 {
            let n = input.count
            let isize = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
            capacity = max(capacity, min(isize, input.count * 1032 + 1024))
        }
        var out = [UInt8](repeating: 0, count: capacity)
        var produced = 0
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
                if produced == out.count { out.append(contentsOf: repeatElement(0, count: out.count)) }
                let room = min(out.count - produced, 1 << 30)
                let code: Int32 = out.withUnsafeMutableBufferPointer { o in
                    stream.next_out = o.baseAddress! + produced
                    stream.avail_out = UInt32(room)
                    let c = inflate(&stream, Z_NO_FLUSH)
                    produced += room - Int(stream.avail_out)
                    return c
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
