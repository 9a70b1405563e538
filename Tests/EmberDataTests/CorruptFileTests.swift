import Foundation
import Testing
@testable import EmberData

/// Truncated and corrupt MNIST-format files always throw a `DataError` naming the file;
/// they never crash and never half-load.
@Suite struct CorruptFileTests {
    /// A small valid split: 6 images of 28×28 and their labels.
    static let images = idxBytes(dims: [6, 28, 28], payload: (0..<(6 * 784)).map { UInt8($0 % 251) })
    static let labels = idxBytes(dims: [6], payload: [3, 1, 4, 1, 5, 9])

    /// A directory holding the test split; `name` replaced by `bytes` when given.
    static func split(_ imageBytes: [UInt8] = images, _ labelBytes: [UInt8] = labels, gzip: Bool = false) -> TempDir {
        let dir = TempDir()
        dir.write("t10k-images-idx3-ubyte" + (gzip ? ".gz" : ""), gzip ? gzipped(imageBytes) : imageBytes)
        dir.write("t10k-labels-idx1-ubyte" + (gzip ? ".gz" : ""), gzip ? gzipped(labelBytes) : labelBytes)
        return dir
    }

    static func load(_ dir: TempDir) throws(DataError) -> MNIST { try MNIST(root: dir.path, train: false) }

    @Test func validSmallSplitLoads() throws {
        for gz in [false, true] {
            let m = try Self.load(Self.split(gzip: gz))
            #expect(m.count == 6 && (0..<6).map { m[$0].1 } == [3, 1, 4, 1, 5, 9])
            #expect(m[1].0.toArray()[0] == Float(784 % 251) / 255)
        }
    }

    /// Every class of truncation point of a raw IDX file: empty, inside the magic number,
    /// inside the dimensions, right after the header, mid-data, one byte short.
    @Test(arguments: [0, 1, 3, 4, 5, 8, 15, 16, 17, 1000, 6 * 784 + 15])
    func truncatedImages(at length: Int) throws {
        let dir = Self.split(Array(Self.images.prefix(length)))
        let e = try #require(dataError { try Self.load(dir) })
        #expect(e.path == dir.path + "/t10k-images-idx3-ubyte")
        if case .truncated = e {} else { Issue.record("expected .truncated, got \(e)") }
        #expect(e.description.contains("truncated"))
    }

    @Test(arguments: [0, 2, 4, 7, 8, 9, 13])
    func truncatedLabels(at length: Int) throws {
        let dir = Self.split(Self.images, Array(Self.labels.prefix(length)))
        let e = try #require(dataError { try Self.load(dir) })
        #expect(e.path == dir.path + "/t10k-labels-idx1-ubyte")
        if case .truncated = e {} else { Issue.record("expected .truncated, got \(e)") }
    }

    /// Every prefix of every file, raw and gzip'd, throws a DataError naming that file:
    /// none loads, none crashes.
    @Test func everyTruncationPointThrows() throws {
        let gzImages = gzipped(Self.images), gzLabels = gzipped(Self.labels)
        let cases: [(name: String, bytes: [UInt8], lengths: [Int])] = [
            ("t10k-labels-idx1-ubyte", Self.labels, Array(0..<Self.labels.count)),
            ("t10k-images-idx3-ubyte", Self.images, Array(0..<40) + Array(stride(from: 40, to: Self.images.count, by: 37))),
            ("t10k-labels-idx1-ubyte.gz", gzLabels, Array(0..<gzLabels.count)),
            // The gzip header, every 11th byte of the stream, and the whole 8-byte trailer.
            ("t10k-images-idx3-ubyte.gz", gzImages, Array(0..<32) + Array(stride(from: 32, to: gzImages.count - 16, by: 11)) + Array(gzImages.count - 16..<gzImages.count)),
        ]
        for (name, bytes, lengths) in cases {
            for length in lengths {
                let dir = TempDir()
                let images = name.hasPrefix("t10k-images") ? Array(bytes.prefix(length)) : Self.images
                let labels = name.hasPrefix("t10k-labels") ? Array(bytes.prefix(length)) : Self.labels
                let gz = name.hasSuffix(".gz")
                dir.write("t10k-images-idx3-ubyte" + (gz ? ".gz" : ""), gz && !name.hasPrefix("t10k-images") ? gzImages : images)
                dir.write("t10k-labels-idx1-ubyte" + (gz ? ".gz" : ""), gz && !name.hasPrefix("t10k-labels") ? gzLabels : labels)
                do {
                    _ = try Self.load(dir)
                    Issue.record("\(name) cut to \(length) of \(bytes.count) bytes loaded")
                } catch {
                    #expect(error.path == dir.path + "/" + name, "\(name) at \(length): \(error)")
                }
            }
        }
    }

    @Test func truncationMessageSaysHowMuchIsMissing() throws {
        let e = try #require(dataError { try Self.load(Self.split(Array(Self.images.dropLast(10)))) })
        #expect(e.description.contains("6×28×28 values (4704 bytes of data) but the file holds only 4694 bytes"))
    }

    @Test func extraBytesAfterTheData() throws {
        let e = try #require(dataError { try Self.load(Self.split(Self.images + [0, 0])) })
        #expect(e.description.contains("2 unexpected bytes"))
    }

    @Test func badMagicNumbers() throws {
        // Not IDX at all, and the wrong kind of IDX file in each place.
        var notIDX = Self.images
        notIDX[0] = 0x50
        let a = try #require(dataError { try Self.load(Self.split(notIDX)) })
        #expect(a.description.contains("bad magic number 0x50000803"))
        let b = try #require(dataError { try Self.load(Self.split(Self.labels, Self.labels)) })
        #expect(b.path.hasSuffix("t10k-images-idx3-ubyte") && b.description.contains("expected 0x00000803"))
        let c = try #require(dataError { try Self.load(Self.split(Self.images, Self.images)) })
        #expect(c.path.hasSuffix("t10k-labels-idx1-ubyte") && c.description.contains("expected 0x00000801"))
        let floats = idxBytes(type: 0x0D, dims: [6, 28, 28], payload: [UInt8](repeating: 0, count: 6 * 784 * 4))
        let d = try #require(dataError { try Self.load(Self.split(floats)) })
        #expect(d.description.contains("0x00000D03"))
    }

    @Test func imageAndLabelCountsMustMatch() throws {
        let e = try #require(dataError { try Self.load(Self.split(Self.images, idxBytes(dims: [5], payload: [1, 2, 3, 4, 5]))) })
        guard case .countMismatch(let p, let q, let detail) = e else { Issue.record("expected .countMismatch, got \(e)"); return }
        #expect(p.hasSuffix("t10k-images-idx3-ubyte") && q.hasSuffix("t10k-labels-idx1-ubyte") && detail == "6 images but 5 labels")
    }

    @Test func labelsOutOfRange() throws {
        let e = try #require(dataError { try Self.load(Self.split(Self.images, idxBytes(dims: [6], payload: [3, 1, 4, 10, 5, 9]))) })
        #expect(e.description.contains("label 10 at index 3 is outside the 10 classes"))
    }

    /// Every class of truncation point of a gzip file: empty, inside the 10-byte header,
    /// mid-stream, inside the 8-byte trailer (CRC, length), one byte short.
    @Test func truncatedGzip() throws {
        let gz = gzipped(Self.images)
        for length in [0, 1, 2, 5, 10, 11, gz.count / 2, gz.count - 8, gz.count - 5, gz.count - 1] {
            let dir = TempDir()
            dir.write("t10k-images-idx3-ubyte.gz", Array(gz.prefix(length)))
            dir.write("t10k-labels-idx1-ubyte.gz", gzipped(Self.labels))
            let e = try #require(dataError { try Self.load(dir) }, "length \(length)")
            #expect(e.path == dir.path + "/t10k-images-idx3-ubyte.gz")
            if case .badGzip = e {} else { Issue.record("length \(length): expected .badGzip, got \(e)") }
        }
    }

    @Test(.enabled(if: FashionFiles.available)) func realGzipTruncatedAndCorrupted() throws {
        let real = FashionFiles.root + "/t10k-labels-idx1-ubyte.gz"
        let gz = fileBytes(real)
        for length in [gz.count / 3, gz.count - 4] {
            let e = try #require(dataError { try withFile("l.gz", Array(gz.prefix(length))) { try IDX.read($0) } })
            #expect(e.description.contains("corrupt gzip file"))
        }
        // A flipped byte in the compressed data (or in the CRC) is caught.
        for position in [100, gz.count - 6] {
            var bad = gz
            bad[position] ^= 0x5A
            let e = try #require(dataError { try withFile("l.gz", bad) { try IDX.read($0) } }, "position \(position)")
            if case .badGzip = e {} else { Issue.record("position \(position): expected .badGzip, got \(e)") }
        }
    }

    @Test func gzipOddities() throws {
        let gz = gzipped(Self.labels)
        // Concatenated members decompress to the concatenation (as gunzip does).
        let halves = gzipped(Array(Self.labels.prefix(7))) + gzipped(Array(Self.labels.dropFirst(7)))
        #expect(ints(try withFile("l.gz", halves) { try IDX.read($0) }.long()) == [3, 1, 4, 1, 5, 9])
        // Zero padding after the stream is ignored; other trailing bytes are an error.
        #expect(try withFile("l.gz", gz + [0, 0, 0]) { try IDX.read($0) }.shape == [6])
        let e = try #require(dataError { try withFile("l.gz", gz + [1, 2, 3]) { try IDX.read($0) } })
        #expect(e.description.contains("trailing garbage"))
        // A .gz name without gzip content.
        let f = try #require(dataError { try withFile("l.gz", Self.labels) { try IDX.read($0) } })
        #expect(f.description.contains("does not start with the gzip magic bytes 1f 8b (found 00 00)"))
        // Gzip content without a .gz name is still decompressed.
        #expect(try withFile("labels", gz) { try IDX.read($0) }.shape == [6])
    }

    @Test func idxReaderTypes() throws {
        let ints = idxBytes(type: 0x0C, dims: [2, 2], payload: [0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe, 0, 1, 0, 0, 0x7f, 0xff, 0xff, 0xff])
        let t = try withFile("i", ints) { try IDX.read($0) }
        #expect(t.dtype == .int32 && t.shape == [2, 2] && t.toArray(as: Int64.self) == [1, -2, 65536, 2_147_483_647])
        let floats = idxBytes(type: 0x0D, dims: [2], payload: [0x3f, 0x80, 0, 0, 0xc0, 0x20, 0, 0])
        #expect(try withFile("f", floats) { try IDX.read($0) }.toArray() == [1, -2.5])
        let shorts = idxBytes(type: 0x0B, dims: [1], payload: [0xff, 0xfe])
        #expect(try withFile("s", shorts) { try IDX.read($0) }.toArray(as: Int64.self) == [-2])
        let sbytes = idxBytes(type: 0x09, dims: [2], payload: [0x80, 0x7f])
        #expect(try withFile("b", sbytes) { try IDX.read($0) }.toArray(as: Int64.self) == [-128, 127])
        let doubles = idxBytes(type: 0x0E, dims: [1], payload: [0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18])
        #expect(try withFile("d", doubles) { try IDX.read($0) }.toArray(as: Double.self) == [Double.pi])
    }

    /// The 16-byte file of issue 17: no values, but dimensions whose strides overflow.
    @Test func emptyShapeWithHugeDimsThrows() throws {
        let bytes: [UInt8] = [0x00, 0x00, 0x08, 0x03, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        let e = try #require(dataError { try withFile("huge", bytes) { try IDX.read($0) } })
        guard case .badFormat(let path, let detail) = e else { Issue.record("expected .badFormat, got \(e)"); return }
        #expect(path.hasSuffix("/huge") && detail.contains("too large"), "\(e)")
        // The same through MNIST, raw and gzip'd, with an empty label file to match.
        for gz in [false, true] {
            let dir = Self.split(bytes, idxBytes(dims: [0], payload: []), gzip: gz)
            let m = try #require(dataError { try Self.load(dir) })
            #expect(m.path == dir.path + "/t10k-images-idx3-ubyte" + (gz ? ".gz" : "") && m.description.contains("too large"), "\(m)")
        }
        // Every rank with one zero dimension and the others at the 32-bit maximum: with one
        // such dimension the (empty) tensor is fine, with two its strides overflow.
        for rank in 2...5 {
            for zero in 0..<rank {
                let dims = (0..<rank).map { $0 == zero ? 0 : 0xFFFF_FFFF }
                if rank == 2 {
                    #expect(try withFile("z", idxBytes(dims: dims, payload: [])) { try IDX.read($0) }.shape == dims)
                } else {
                    #expect(dataError { try withFile("z", idxBytes(dims: dims, payload: [])) { try IDX.read($0) } } != nil, "\(dims)")
                }
            }
        }
    }

    /// A gzip bomb: a label file whose header declares 6 labels, followed by 16 MiB of zeros
    /// that compress to a few kilobytes. Inflation stops one byte past the declared size.
    @Test func gzipBombStopsAtTheDeclaredSize() throws {
        let bomb = gzipped(Self.labels + [UInt8](repeating: 0, count: 16 << 20))
        #expect(bomb.count < 100_000)
        let e = try #require(dataError { try withFile("l.gz", bomb) { try IDX.read($0) } })
        guard case .badFormat(let path, let detail) = e else { Issue.record("expected .badFormat, got \(e)"); return }
        #expect(path.hasSuffix("/l.gz") && detail.contains("the header declares 14 bytes"), "\(e)")
        // Without a header to go by, the overall limit stops it.
        let g = try #require(dataError { try Gzip.decompress(bomb, path: "bomb.gz", limit: 1 << 20) })
        #expect(g.description.contains("decompresses to more than 1048576 bytes") && g.path == "bomb.gz", "\(g)")
        // Exactly the declared size, gzip'd, still loads; a bad magic number in a gzip file is found early.
        #expect(try withFile("l.gz", gzipped(Self.labels)) { try IDX.read($0) }.shape == [6])
        var notIDX = Self.labels + [UInt8](repeating: 0, count: 1 << 20)
        notIDX[0] = 0x50
        let m = try #require(dataError { try withFile("x.gz", gzipped(notIDX)) { try IDX.read($0) } })
        #expect(m.description.contains("bad magic number 0x50000801"), "\(m)")
    }

    @Test func unreadablePaths() throws {
        let dir = TempDir()
        let e = try #require(dataError { try IDX.read(dir.path) })
        #expect(e.description.contains("is a directory"))
        let missing = try #require(dataError { try IDX.read(dir.path + "/nope") })
        #expect(missing == .fileNotFound(path: dir.path + "/nope", hint: ""))
    }
}
