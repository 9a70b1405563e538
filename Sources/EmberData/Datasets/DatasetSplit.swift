/// Which part of a dataset to load: the training or the test split (torchvision's
/// `train=True` / `train=False`).
public enum DatasetSplit: Sendable, Equatable {
    /// The training split (60,000 images for MNIST and Fashion-MNIST).
    case train
    /// The test split (10,000 images).
    case test
}

extension FashionMNIST {
    /// Loads a split of Fashion-MNIST (PyTorch: `torchvision.datasets.FashionMNIST(root, train=)`).
    ///
    /// ```swift
    /// let train = try FashionMNIST(split: .train)
    /// ```
    public init(split: DatasetSplit, root: String = FashionMNIST.defaultRoot, transform: (any Transform)? = nil) throws(DataError) {
        try self.init(root: root, train: split == .train, transform: transform)
    }
}

extension MNIST {
    /// Loads a split of MNIST (PyTorch: `torchvision.datasets.MNIST(root, train=)`).
    public init(split: DatasetSplit, root: String = MNIST.defaultRoot, transform: (any Transform)? = nil) throws(DataError) {
        try self.init(root: root, train: split == .train, transform: transform)
    }
}
