/// A transform that changes each value on its own, the same way at every position and in
/// every channel (`Normalize` with one mean and std, a `Compose` of such transforms).
/// Datasets stored as bytes (`MNIST`, `FashionMNIST`) then apply it to a table of the 256
/// converted byte values once per batch and look pixels up, which gives the same floats as
/// transforming each image (the table is made by the transform's own `callAsFunction`).
protocol PointwiseTransform: Transform {
    /// Whether this instance is pointwise (a `Normalize` with per-channel values is not).
    var isPointwise: Bool { get }
}

extension PointwiseTransform {
    /// What this transform makes of `b / 255` for each byte value `b`, or nil when it is not
    /// pointwise or does not keep float32 values.
    func byteTable() -> [Float]? {
        guard isPointwise else { return nil }
        let out = self(Tensor(ByteImages.table, shape: [1, 1, 256], dtype: .float32))
        guard out.dtype == .float32, out.shape == [1, 1, 256] else { return nil }
        return out.contiguous().toArray(as: Float.self)
    }
}

extension Normalize: PointwiseTransform {
    /// True with one mean and one std, applied to every channel alike.
    var isPointwise: Bool { mean.count == 1 }
}

extension Compose: PointwiseTransform {
    /// True when every transform in it is.
    var isPointwise: Bool { transforms.allSatisfy { ($0 as? any PointwiseTransform)?.isPointwise ?? false } }
}
