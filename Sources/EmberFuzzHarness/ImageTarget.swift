import Ember
import EmberData
import EmberVision

/// The image readers: the header alone, then the pixels in every read mode. At most 4 Mi
/// pixels are decoded, so a valid but large image stays inside libFuzzer's memory limit (a
/// larger one must be refused with the limit's `DataError`). A decoded image must have the
/// header's size, and survive a PNG encode and decode unchanged.
func fuzzImage(_ path: String, _ check: inout Check) {
    let info: ImageInfo
    do {
        info = try readImageInfo(path)
    } catch {
        check.rejected(error, "readImageInfo")
        return
    }
    for mode in ImageReadMode.allCases {
        let image: Tensor
        do {
            image = try readImage(path, mode: mode, maxPixels: 1 << 22)
        } catch {
            check.rejected(error, "readImage(mode: .\(mode))")
            return
        }
        check.accepted()
        let expected = [mode.channels ?? info.channels, info.height, info.width]
        guard image.dtype == .uint8, image.shape == expected else {
            check.fail("readImage(mode: .\(mode)) gave \(image.dtype) \(image.shape); the header says \(expected)")
            return
        }
        if mode == .unchanged {
            do {
                let back = try decodePNG(encodePNG(image, compressionLevel: 1), path: path)
                if !back.equal(image) { check.fail("the decoded image changed through encodePNG and decodePNG") }
            } catch {
                check.fail("decodePNG of encodePNG's bytes failed: \(error)")
            }
        }
    }
}
