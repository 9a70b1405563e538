import Ember
import EmberData
import EmberVision

/// The image readers: the header alone, then the pixels (in every read mode when the image is
/// small). At most 1 Mi pixels are decoded, so a valid but large image stays inside libFuzzer's
/// memory and time limits (a 272-byte progressive JPEG may declare 40×65048 pixels and take a
/// second to decode under ASan); a larger one must be refused with the limit's `DataError`.
/// A decoded image must have the header's size, and survive a PNG encode and decode unchanged.
func fuzzImage(_ path: String, _ check: inout Check) {
    let info: ImageInfo
    do {
        info = try readImageInfo(path)
    } catch {
        check.rejected(error, "readImageInfo")
        return
    }
    let modes: [ImageReadMode] = info.width * info.height <= 1 << 16 ? ImageReadMode.allCases : [.unchanged]
    for mode in modes {
        let image: Tensor
        do {
            image = try readImage(path, mode: mode, maxPixels: 1 << 20)
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
