import Ember
import EmberData
import EmberTestSupport
import EmberVision
import Foundation
import Testing

// Decoding checked against PIL 9.4 (Tests/Fixtures/vision_io.safetensors): PNG exactly, every
// colour type and bit depth (16-bit rounded to 8 as round(v·255/65535)), JPEG within 1 step
// (PIL and Ember both run libjpeg-turbo with its default islow DCT and fancy upsampling).

private let pngFiles = ["gray8.png", "rgb8.png", "rgba8.png", "graya8.png", "gray1.png", "palette.png",
                        "palette_trns.png", "gray16.png", "rgb16.png", "interlaced.png"]
private let jpegFiles = ["baseline.jpg", "progressive.jpg", "subsampled.jpg", "gray.jpg", "gray_progressive.jpg"]

@Suite struct ImageDecodeAgainstPIL {
    static let expected = loadFixture("vision_io")

    @Test(arguments: pngFiles) func png(_ name: String) throws {
        let image = try readImage(visionFixture(name))
        #expect(image.dtype == .uint8)
        assertClose(image.to(.int64), Self.expected["\(name).out"]!.to(.int64), rtol: 0, atol: 0, name)
    }

    @Test(arguments: jpegFiles) func jpeg(_ name: String) throws {
        let image = try readImage(visionFixture(name))
        assertClose(image.to(.int64), Self.expected["\(name).out"]!.to(.int64), rtol: 0, atol: 1, name)
    }

    @Test func readModesConvertAsPIL() throws {
        let cases: [(String, ImageReadMode, Int64)] = [("rgb8.png", .gray, 0), ("rgba8.png", .rgb, 0), ("gray8.png", .rgb, 0), ("baseline.jpg", .gray, 1)]
        for (name, mode, tol) in cases {
            let image = try readImage(visionFixture(name), mode: mode)
            let key = "\(name).\(mode == .gray ? "gray" : "rgb")"
            assertClose(image.to(.int64), Self.expected[key]!.to(.int64), rtol: 0, atol: Double(tol), key)
        }
        let ga = try readImage(visionFixture("rgb8.png"), mode: .grayAlpha)
        #expect(ga.shape == [2, 13, 17])
        #expect(ga[1].equal(Tensor.full([13, 17], 255, dtype: .uint8)))
        #expect(try readImage(visionFixture("gray.jpg"), mode: .rgbAlpha).shape == [4, 24, 40])
    }

    @Test func headersWithoutDecoding() throws {
        let png = try readImageInfo(visionFixture("interlaced.png"))
        #expect(png.format == .png && png.width == 17 && png.height == 13 && png.channels == 3 && png.bitDepth == 8 && png.progressive)
        let jpeg = try readImageInfo(visionFixture("progressive.jpg"))
        #expect(jpeg.format == .jpeg && jpeg.width == 40 && jpeg.height == 24 && jpeg.channels == 3 && jpeg.bitDepth == 8 && jpeg.progressive)
        #expect(try readImageInfo(visionFixture("gray16.png")).bitDepth == 16)
        #expect(try readImageInfo(visionFixture("palette_trns.png")).channels == 4)
    }
}

@Suite struct PNGEncoding {
    @Test(arguments: [1, 2, 3, 4]) func roundTrip(_ channels: Int) throws {
        let image = randomImage(channels, 9, 14, seed: UInt64(channels))
        let back = try decodePNG(encodePNG(image, compressionLevel: channels * 2), path: "memory")
        #expect(back.equal(image))
    }

    @Test func writeThenReadAFile() throws {
        let folder = TempFolder()
        defer { folder.remove() }
        let image = randomImage(3, 5, 7, seed: 9)
        try writePNG(image, to: folder.file("a.png"))
        #expect(try readImage(folder.file("a.png")).equal(image))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["a.png"])
        #expect(throws: DataError.self) { try writePNG(image, to: folder.file("missing/b.png")) }
    }
}
