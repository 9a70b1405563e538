import Ember
import EmberData
import EmberVision
import Foundation
import Testing

// Files from outside: every broken or hostile image throws a DataError naming the file,
// never traps, and is refused before the pixels are allocated when its header lies.

/// A PNG chunk with its CRC.
private func chunk(_ kind: String, _ data: [UInt8]) -> [UInt8] {
    let typed = Array(kind.utf8) + data
    var crc: UInt32 = 0xFFFF_FFFF
    for b in typed {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    crc ^= 0xFFFF_FFFF
    func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    return be(UInt32(data.count)) + typed + be(crc)
}

/// A PNG whose header declares `width × height` 8-bit gray pixels, with a tiny IDAT.
func hostilePNG(width: UInt32, height: UInt32) -> [UInt8] {
    func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    let ihdr = be(width) + be(height) + [8, 0, 0, 0, 0]
    return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr)
        + chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]) + chunk("IEND", [])
}

@Suite struct CorruptImages {
    /// The error of reading `bytes` from a file, which must name that file.
    private func failure(_ bytes: [UInt8], _ name: String, _ folder: TempFolder,
                         sourceLocation: SourceLocation = #_sourceLocation) -> DataError? {
        let path = folder.write(bytes, name)
        do {
            _ = try readImage(path)
            Issue.record("\(name) was read", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(error.path == path, "\(error)", sourceLocation: sourceLocation)
            return error
        }
    }

    @Test func missingEmptyAndForeignFiles() {
        let folder = TempFolder()
        defer { folder.remove() }
        #expect(throws: DataError.fileNotFound(path: folder.file("none.png"), hint: "")) { try readImage(folder.file("none.png")) }
        if case .truncated = failure([], "empty.png", folder) {} else { Issue.record("an empty file is not truncated") }
        let text = failure(Array("hello, world".utf8), "text.png", folder)
        #expect("\(text!)".contains("not a PNG or JPEG image"))
        do {
            _ = try readImage(folder.path)
            Issue.record("a folder was read as an image")
        } catch {
            if case .ioError(let p, _) = error { #expect(p == folder.path) } else { Issue.record("\(error)") }
        }
    }

    @Test(arguments: ["rgb8.png", "interlaced.png", "palette.png", "gray16.png"]) func truncatedPNG(_ name: String) {
        let folder = TempFolder()
        defer { folder.remove() }
        let whole = bytes(of: visionFixture(name))
        for cut in [9, 20, 33, 40, whole.count / 2, whole.count - 13, whole.count - 1] {
            guard let error = failure(Array(whole.prefix(cut)), "cut\(cut)-" + name, folder) else { continue }
            switch error {
            case .truncated, .badFormat: break
            default: Issue.record("cut at \(cut): \(error)")
            }
        }
    }

    @Test(arguments: ["baseline.jpg", "progressive.jpg", "gray.jpg"]) func truncatedJPEG(_ name: String) {
        let folder = TempFolder()
        defer { folder.remove() }
        let whole = bytes(of: visionFixture(name))
        for cut in [3, 10, 100, whole.count / 2, whole.count - 2] {
            guard let error = failure(Array(whole.prefix(cut)), "cut\(cut)-" + name, folder) else { continue }
            switch error {
            case .truncated, .badFormat: break
            default: Issue.record("cut at \(cut): \(error)")
            }
        }
        // Cut inside the entropy-coded data: the image is truncated, not silently grey.
        if case .truncated = failure(Array(whole.prefix(whole.count * 3 / 4)), "late-" + name, folder) {} else {
            Issue.record("\(name) cut at 3/4 is not reported as truncated")
        }
    }

    @Test func flippedBytesNeverTrap() {
        let folder = TempFolder()
        defer { folder.remove() }
        for name in ["rgb8.png", "baseline.jpg", "progressive.jpg"] {
            let whole = bytes(of: visionFixture(name))
            var g = SystemRandomNumberGenerator()
            for k in 0..<40 {
                var b = whole
                let at = Int.random(in: 2..<b.count, using: &g)
                b[at] ^= UInt8.random(in: 1...255, using: &g)
                let path = folder.write(b, "\(k)-" + name)
                do { _ = try readImage(path) } catch { #expect(error.path == path) }
            }
        }
    }

    @Test func badCRCIsCorrupt() {
        let folder = TempFolder()
        defer { folder.remove() }
        var b = bytes(of: visionFixture("gray8.png"))
        b[29] ^= 0xFF   // inside IHDR's CRC
        let error = failure(b, "crc.png", folder)
        if case .badFormat = error {} else { Issue.record("\(String(describing: error))") }
    }

    @Test func hugeDeclaredSizesAreRefusedBeforeAllocating() {
        let folder = TempFolder()
        defer { folder.remove() }
        // Past the pixel limit.
        let big = failure(hostilePNG(width: 100_000, height: 100_000), "big.png", folder)
        #expect("\(big!)".contains("limit"))
        // Under the limit, but far more rows than 60 bytes can inflate to.
        if case .truncated = failure(hostilePNG(width: 10_000, height: 10_000), "bomb.png", folder) {} else {
            Issue.record("a 10000×10000 PNG of 60 bytes is not reported as truncated")
        }
        // A JPEG whose frame header claims 65000×65000.
        var jpeg = bytes(of: visionFixture("baseline.jpg"))
        if let sof = (0..<jpeg.count - 9).first(where: { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 }) {
            jpeg[sof + 5] = 0xFD; jpeg[sof + 6] = 0xE8; jpeg[sof + 7] = 0xFD; jpeg[sof + 8] = 0xE8
            #expect("\(failure(jpeg, "big.jpg", folder)!)".contains("limit"))
        } else {
            Issue.record("baseline.jpg has no SOF0 marker")
        }
        // A caller's lower limit.
        #expect(throws: DataError.self) { try readImage(visionFixture("rgb8.png"), maxPixels: 100) }
    }
}
