#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What MNIST and Fashion-MNIST share (torchvision: `FashionMNIST` subclasses `MNIST`):
/// 28×28 grayscale images with integer labels, read from the four IDX files
/// `{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]`, kept in memory as one uint8 tensor
/// and converted per sample.
///
/// A sample is `(image, label)`: the image a float32 `[1, 28, 28]` tensor scaled to [0, 1]
/// (torchvision's `ToTensor`: `byte / 255`), then passed through `transform` if one is
/// set; the label an `Int`. A `DataLoader` with the default collate gets batches
/// `([B, 1, 28, 28] float32, [B] int64)` built straight from the bytes, without per-sample
/// tensors.
public protocol MNISTFormatDataset: BatchedDataset where Sample == (Tensor, Int), Batch == (Tensor, Tensor) {
    /// Every image as one uint8 tensor `[N, H, W]` (torchvision: `dataset.data`).
    var data: Tensor { get }
    /// Every label as an int64 tensor `[N]` (torchvision: `dataset.targets`).
    var targets: Tensor { get }
    /// Applied to each image after conversion to float, or nil.
    var transform: (any Transform)? { get }
}

extension MNISTFormatDataset {
    /// The number of images (60000 for the training split, 10000 for the test split).
    public var count: Int { data.shape[0] }

    /// Image `index` as float32 `[1, H, W]` in [0, 1] (transformed if a transform is set),
    /// and its label.
    public subscript(index: Int) -> (Tensor, Int) {
        dataCheck(index >= 0 && index < count, "MNIST", "index \(index) is out of range for a dataset of \(count) images", file: #fileID, line: #line)
        let image = floatImage(index)
        let label = Int((targets.storage.data.assumingMemoryBound(to: Int64.self) + targets.offset)[index])
        return (transform.map { $0(image) } ?? image, label)
    }

    /// Image `index` as float32 `[1, H, W]` in [0, 1], before any transform.
    func floatImage(_ index: Int) -> Tensor {
        let image = Tensor(empty: [1, data.shape[1], data.shape[2]], dtype: .float32)
        ByteImages.convert(data, range: index..<index + 1, into: image.storage.data.assumingMemoryBound(to: Float.self))
        return image
    }

    /// The images at `indices` as one float32 `[B, 1, H, W]` tensor and their labels as an
    /// int64 `[B]` tensor: the default collate of those samples, built directly.
    public func batch(at indices: [Int]) -> (Tensor, Tensor) {
        let n = count, h = data.shape[1], w = data.shape[2]
        for i in indices {
            dataCheck(i >= 0 && i < n, "MNIST", "index \(i) is out of range for a dataset of \(n) images", file: #fileID, line: #line)
        }
        let labels = Tensor(empty: [indices.count], dtype: .int64)
        let src = targets.storage.data.assumingMemoryBound(to: Int64.self) + targets.offset
        let dst = labels.storage.data.assumingMemoryBound(to: Int64.self)
        for (k, i) in indices.enumerated() { dst[k] = src[i] }
        // A pointwise transform (such as Normalize) becomes a table of what it makes of each
        // byte value: the same floats as transforming each image, without per-image tensors.
        var table = ByteImages.table
        if let transform {
            guard let pointwise = transform as? any PointwiseTransform, let t = pointwise.byteTable() else {
                return (Collate.stack(indices.map { transform(floatImage($0)) }), labels)
            }
            table = t
        }
        let images = Tensor(empty: [indices.count, 1, h, w], dtype: .float32)
        let out = images.storage.data.assumingMemoryBound(to: Float.self)
        for (k, i) in indices.enumerated() {
            ByteImages.convert(data, range: i..<i + 1, table: table, into: out + k * h * w)
        }
        return (images, labels)
    }
}

/// The MNIST handwritten digits: 60000 training and 10000 test images of 28×28 pixels,
/// labels 0-9 (torchvision: `torchvision.datasets.MNIST(root, train, transform)`).
///
/// MNIST has no Debian package: put the four files (`train-images-idx3-ubyte.gz`,
/// `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`,
/// compressed or not) in `root`.
///
/// ```swift
/// let train = try MNIST(root: "data/mnist", train: true)
/// let (image, label) = train[0]   // [1, 28, 28] float32, 5
/// ```
public struct MNIST: MNISTFormatDataset {
    /// The class names, index = label (torchvision: `MNIST.classes`).
    public static let classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
                                 "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    /// The directory `MNIST` reads when no `root:` is given: `$EMBER_DATA/mnist` when the
    /// `EMBER_DATA` environment variable is set, else `/usr/share/datasets/mnist` (where a
    /// Debian package would put it). This documented default is the one place EmberData
    /// reads the environment.
    public static var defaultRoot: String { environmentRoot("mnist") ?? "/usr/share/datasets/mnist" }

    /// Every image, uint8 `[N, 28, 28]` (torchvision: `dataset.data`).
    public let data: Tensor
    /// Every label, int64 `[N]` (torchvision: `dataset.targets`).
    public let targets: Tensor
    /// Applied to each float image, or nil.
    public let transform: (any Transform)?
    /// The directory the files were read from.
    public let root: String
    /// Whether this is the training split (else the test split).
    public let train: Bool

    /// Loads the training (`train: true`) or test split from `root`. Throws `DataError`
    /// naming the file when one is missing, truncated or corrupt.
    public init(root: String = MNIST.defaultRoot, train: Bool = true, transform: (any Transform)? = nil) throws(DataError) {
        let hint = "MNIST has no Debian package: download the four MNIST files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) into \(root), or pass root: (or set EMBER_DATA to a directory holding mnist/)"
        (data, targets) = try loadMNISTFormat(root: root, train: train, classes: Self.classes.count, hint: hint)
        self.transform = transform
        self.root = root
        self.train = train
    }
}

/// Fashion-MNIST: 60000 training and 10000 test 28×28 grayscale images of clothing in 10
/// classes, a harder drop-in for MNIST (torchvision:
/// `torchvision.datasets.FashionMNIST(root, train, transform)`).
///
/// By default it reads Debian's `dataset-fashion-mnist` package
/// (`sudo apt-get install dataset-fashion-mnist`).
///
/// ```swift
/// let train = try FashionMNIST(train: true)
/// let loader = DataLoader(train, batchSize: 128, shuffle: true)
/// ```
public struct FashionMNIST: MNISTFormatDataset {
    /// The class names, index = label (torchvision: `FashionMNIST.classes`).
    public static let classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// The directory `FashionMNIST` reads when no `root:` is given: `$EMBER_DATA/fashion-mnist`
    /// when the `EMBER_DATA` environment variable is set, else Debian's
    /// `/usr/share/datasets/fashion-mnist`. This documented default is the one place
    /// EmberData reads the environment.
    public static var defaultRoot: String { environmentRoot("fashion-mnist") ?? "/usr/share/datasets/fashion-mnist" }

    /// Every image, uint8 `[N, 28, 28]` (torchvision: `dataset.data`).
    public let data: Tensor
    /// Every label, int64 `[N]` (torchvision: `dataset.targets`).
    public let targets: Tensor
    /// Applied to each float image, or nil.
    public let transform: (any Transform)?
    /// The directory the files were read from.
    public let root: String
    /// Whether this is the training split (else the test split).
    public let train: Bool

    /// Loads the training (`train: true`) or test split from `root`. Throws `DataError`
    /// naming the file when one is missing (with the install command), truncated or corrupt.
    public init(root: String = FashionMNIST.defaultRoot, train: Bool = true, transform: (any Transform)? = nil) throws(DataError) {
        let hint = "Install it with: sudo apt-get install dataset-fashion-mnist (or pass root: a directory holding the four Fashion-MNIST files, or set EMBER_DATA to a directory holding fashion-mnist/)"
        (data, targets) = try loadMNISTFormat(root: root, train: train, classes: Self.classes.count, hint: hint)
        self.transform = transform
        self.root = root
        self.train = train
    }
}

/// `$EMBER_DATA/<name>` when `EMBER_DATA` is set and not empty.
func environmentRoot(_ name: String) -> String? {
    guard let p = getenv("EMBER_DATA") else { return nil }
    let base = String(cString: p)
    if base.isEmpty { return nil }
    return base.hasSuffix("/") ? base + name : base + "/" + name
}

/// Finds, reads and checks one split's image and label files: images a uint8 `[N, H, W]`
/// IDX file (magic 0x00000803), labels a uint8 `[N]` IDX file (magic 0x00000801), each
/// label below `classes`, and the same N in both.
func loadMNISTFormat(root: String, train: Bool, classes: Int, hint: String) throws(DataError) -> (Tensor, Tensor) {
    let prefix = train ? "train" : "t10k"
    let imagePath = try locate(root: root, name: "\(prefix)-images-idx3-ubyte", hint: hint)
    let labelPath = try locate(root: root, name: "\(prefix)-labels-idx1-ubyte", hint: hint)

    let labelBytes = try IDX.readBytes(labelPath)
    let labelHeader = try IDX.parseHeader(labelBytes, path: labelPath)
    guard labelHeader.type == .uint8 && labelHeader.shape.count == 1 else {
        throw .badFormat(path: labelPath, detail: "bad magic number 0x\(IDX.hex32(labelHeader.magic)) for a label file (expected 0x00000801: unsigned bytes, 1 dimension)")
    }
    let n = labelHeader.shape[0]
    let start = labelHeader.dataOffset
    let labels = Tensor(empty: [n], dtype: .int64)
    let dst = labels.storage.data.assumingMemoryBound(to: Int64.self)
    for i in 0..<n {
        let v = labelBytes[start + i]
        guard Int(v) < classes else {
            throw .badFormat(path: labelPath, detail: "label \(v) at index \(i) is outside the \(classes) classes 0..<\(classes)")
        }
        dst[i] = Int64(v)
    }

    let imageBytes = try IDX.readBytes(imagePath)
    let imageHeader = try IDX.parseHeader(imageBytes, path: imagePath)
    guard imageHeader.type == .uint8 && imageHeader.shape.count == 3 else {
        throw .badFormat(path: imagePath, detail: "bad magic number 0x\(IDX.hex32(imageHeader.magic)) for an image file (expected 0x00000803: unsigned bytes, 3 dimensions)")
    }
    guard imageHeader.shape[0] == n else {
        throw .countMismatch(path: imagePath, otherPath: labelPath, detail: "\(imageHeader.shape[0]) images but \(n) labels")
    }
    let images = try IDX.tensor(imageBytes, header: imageHeader, path: imagePath)
    return (images, labels)
}

/// `root/name.gz` if it exists, else `root/name`; throws naming the `.gz` path when neither does.
func locate(root: String, name: String, hint: String) throws(DataError) -> String {
    let dir = root.hasSuffix("/") ? root : root + "/"
    let gz = dir + name + ".gz", plain = dir + name
    if FileBytes.exists(gz) { return gz }
    if FileBytes.exists(plain) { return plain }
    throw .fileNotFound(path: gz, hint: "(also looked for \(plain)). " + hint)
}

/// Conversion of uint8 pixels to float32 in [0, 1], exactly as `ToTensor` (`byte / 255`).
enum ByteImages {
    /// `Float(b) / 255` for every byte value, so conversion is a table lookup.
    static let table: [Float] = (0..<256).map { Float($0) / 255 }

    /// Converts images `range` of a contiguous uint8 `[N, H, W]` tensor into `out`.
    /// With `table`, byte `b` becomes `table[b]` instead of `b / 255`.
    static func convert(_ images: Tensor, range: Range<Int>, table: [Float] = ByteImages.table, into out: UnsafeMutablePointer<Float>) {
        dataCheck(images.dtype == .uint8 && images.dim == 3 && images.isContiguous, "MNIST",
                  "images must be a contiguous uint8 [N, H, W] tensor, got \(images.dtype) \(images.shape)", file: #fileID, line: #line)
        let per = images.shape[1] * images.shape[2]
        let src = images.storage.data.assumingMemoryBound(to: UInt8.self) + images.offset + range.lowerBound * per
        let n = range.count * per
        table.withUnsafeBufferPointer { t in
            for k in 0..<n { out[k] = t[Int(src[k])] }
        }
    }
}
