import Ember
import EmberData
import Foundation

/// A classification dataset of image files laid out one folder per class (torchvision:
/// `torchvision.datasets.ImageFolder(root, transform, loader)`):
///
/// ```
/// root/cat/001.png, root/cat/more/002.jpg, root/dog/xyz.jpeg, ...
/// ```
///
/// Classes are the sub-folders of `root`, sorted; samples are every PNG and JPEG file below
/// each (sub-folders included), sorted by path, as torchvision lists them. Files are decoded
/// when a sample is read — in a `DataLoader`'s worker threads — with `loader` (default
/// `readImage(path, mode:)`), then passed through `transform`.
///
/// The initializer reads every file's header (`readImageInfo`), so a file that is not an image,
/// is cut short inside its header or declares a huge size throws `DataError` naming it before
/// training starts. A file that fails later, while a worker decodes its pixels, cannot throw
/// from a subscript: the sample becomes a black image of the first image's size and the error
/// goes to `errors`, which the training loop checks (`ember train` stops with it).
///
/// ```swift
/// let data = try ImageFolder(root: "flowers", mode: .rgb, transform: Compose([Resize(height: 64, width: 64), ConvertImageDtype(.float32)]))
/// print(data.classes, data.classToIndex)
/// let loader = DataLoader(data, batchSize: 32, shuffle: true, numWorkers: 2)
/// ```
public struct ImageFolder: Dataset {
    /// The folder holding one sub-folder per class.
    public let root: String
    /// The class names, sorted (torchvision: `dataset.classes`).
    public let classes: [String]
    /// Each class name's index (torchvision: `dataset.class_to_idx`).
    public let classToIndex: [String: Int]
    /// Every file and its class index, in order (torchvision: `dataset.samples`).
    public let samples: [(path: String, classIndex: Int)]
    /// Each file's header, in the order of `samples`.
    public let infos: [ImageInfo]
    /// The channels images are decoded to.
    public let mode: ImageReadMode
    /// Applied to each decoded uint8 `[C, H, W]` image, or nil.
    public let transform: (any Transform)?
    /// Errors met while decoding in the loader's workers.
    public let errors: DecodeErrorLog

    /// Lists `root`. Throws `DataError` naming the folder when it has no class folders or a
    /// class folder holds no PNG or JPEG file, and naming the file when one's header is bad.
    public init(root: String, mode: ImageReadMode = .rgb, transform: (any Transform)? = nil,
                maxPixels: Int = defaultMaxImagePixels) throws(DataError) {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: root, isDirectory: &isDir) else {
            throw .fileNotFound(path: root, hint: "ImageFolder needs a folder holding one sub-folder of images per class")
        }
        guard isDir.boolValue else { throw .ioError(path: root, detail: "is a file, not a folder of class folders") }
        let entries: [String]
        do { entries = try fm.contentsOfDirectory(atPath: root) } catch {
            throw .ioError(path: root, detail: "cannot list the folder: \(error.localizedDescription)")
        }
        let classes = entries.filter { !$0.hasPrefix(".") && Self.isDirectory(root + "/" + $0) }.sorted(by: Self.pythonOrder)
        if classes.isEmpty { throw .badFormat(path: root, detail: "no class folders: put each class's images in a sub-folder named after it") }
        var samples: [(path: String, classIndex: Int)] = []
        var infos: [ImageInfo] = []
        for (index, name) in classes.enumerated() {
            let files = Self.imageFiles(under: root + "/" + name)
            if files.isEmpty {
                throw .badFormat(path: root + "/" + name, detail: "class folder holds no PNG or JPEG file (.png, .jpg, .jpeg, .jpe)")
            }
            for path in files {
                let info = try readImageInfo(path)
                if info.width.multipliedReportingOverflow(by: info.height).overflow || info.width * info.height > maxPixels {
                    throw .badFormat(path: path, detail: "declares \(info.width)×\(info.height) pixels, more than the limit of \(maxPixels)")
                }
                samples.append((path, index))
                infos.append(info)
            }
        }
        self.root = root
        self.classes = classes
        classToIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        self.samples = samples
        self.infos = infos
        self.mode = mode
        self.transform = transform
        errors = DecodeErrorLog()
    }

    /// The number of images.
    public var count: Int { samples.count }

    /// Every sample's class index (torchvision: `dataset.targets`).
    public var targets: [Int] { samples.map(\.classIndex) }

    /// Whether any image has colour (3 or 4 channels in the file).
    public var hasColor: Bool { infos.contains(where: \.isColor) }

    /// Sample `index` decoded and transformed, or the `DataError` naming its file.
    public func load(_ index: Int) throws(DataError) -> (Tensor, Int) {
        check(index >= 0 && index < count, "ImageFolder", "index \(index) is out of range for a dataset of \(count) images", file: #fileID, line: #line)
        let image = try readImage(samples[index].path, mode: mode)
        return (transform.map { $0(image) } ?? image, samples[index].classIndex)
    }

    /// Sample `index`: the decoded, transformed image and its class index. A decoding error is
    /// recorded in `errors` and gives a black image of the first image's size.
    public subscript(index: Int) -> (Tensor, Int) {
        do {
            return try load(index)
        } catch {
            errors.record(error)
            let first = infos[0]
            let black = Tensor.zeros([mode.channels ?? first.channels, first.height, first.width], dtype: .uint8)
            return (transform.map { $0(black) } ?? black, samples[index].classIndex)
        }
    }

    /// Python's string order (by Unicode scalar), which torchvision sorts with.
    static func pythonOrder(_ a: String, _ b: String) -> Bool { a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) }

    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// The PNG and JPEG files below `folder`, as torchvision's sorted `os.walk` finds them:
    /// each folder's files sorted, then its sub-folders in sorted order.
    static func imageFiles(under folder: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var files: [String] = [], dirs: [String] = []
        for name in names.sorted(by: pythonOrder) where !name.hasPrefix(".") {
            let path = folder + "/" + name
            if isDirectory(path) { dirs.append(path) } else if ImageFormat.fromExtension(name) != nil { files.append(path) }
        }
        return files + dirs.flatMap { imageFiles(under: $0) }
    }
}
