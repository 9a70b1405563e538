import Ember
import EmberData
import EmberVision

/// The data of `ember train --dataset folder:PATH`: an `ImageFolder` whose images are decoded
/// in the loader's workers to the folder's channels (RGB when any image has colour, else gray),
/// resized to one size (`--image-size N` for N×N, else the first image's size) and scaled to
/// float32 in [0, 1].
struct FolderData {
    /// The images and their classes.
    let images: ImageFolder
    /// `[C, H, W]` of every sample.
    let imageShape: [Int]
    /// Mean and standard deviation of the pixels of up to 256 images spread over the folder.
    let statistics: (mean: Double, std: Double)

    init(root: String, imageSize: Int?) throws {
        let probe = try ImageFolder(root: root)
        let channels = probe.hasColor ? 3 : 1
        let first = probe.infos[0]
        let (h, w) = imageSize.map { ($0, $0) } ?? (first.height, first.width)
        let transform = Compose([Resize(height: h, width: w), ConvertImageDtype(.float32)])
        images = try ImageFolder(root: root, mode: channels == 3 ? .rgb : .gray, transform: transform)
        imageShape = [channels, h, w]
        // Statistics over a spread of images, decoded here so that a broken file stops the run
        // before training.
        let n = images.count, picks = min(n, 256)
        var sum = 0.0, sumSquares = 0.0, count = 0.0
        for k in 0..<picks {
            let x = try images.load(k * n / picks).0.to(.float64)
            sum += x.sum().item()
            sumSquares += (x * x).sum().item()
            count += Double(x.numel)
        }
        let mean = sum / count
        let std = max((sumSquares / count - mean * mean).squareRoot(), 1e-3)
        statistics = (mean, std)
    }
}
