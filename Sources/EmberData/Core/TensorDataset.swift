/// A dataset of the rows of two tensors with the same first dimension: sample `i` is
/// `(inputs[i], targets[i])` (PyTorch: `torch.utils.data.TensorDataset(inputs, targets)`).
///
/// Samples are views (no copy). A `DataLoader` over it gathers each batch with one
/// `indexSelect` per tensor instead of stacking rows.
///
/// ```swift
/// let data = TensorDataset(Tensor.randn([100, 3]), Tensor.randint(0, 2, [100]))
/// let (x, y) = data[0]    // shapes [3] and []
/// ```
public struct TensorDataset: BatchedDataset {
    /// The first tensor, indexed along dimension 0.
    public let inputs: Tensor
    /// The second tensor, indexed along dimension 0.
    public let targets: Tensor

    /// Pairs the rows of `inputs` and `targets`; their first dimensions must be equal.
    public init(_ inputs: Tensor, _ targets: Tensor, file: StaticString = #fileID, line: UInt = #line) {
        check(inputs.dim >= 1 && targets.dim >= 1, "TensorDataset",
                  "tensors must have at least one dimension, got shapes \(inputs.shape) and \(targets.shape)", file: file, line: line)
        check(inputs.shape[0] == targets.shape[0], "TensorDataset",
                  "size mismatch between tensors: inputs have \(inputs.shape[0]) rows (shape \(inputs.shape)), targets \(targets.shape[0]) (shape \(targets.shape))",
                  file: file, line: line)
        self.inputs = inputs
        self.targets = targets
    }

    /// The number of rows (PyTorch: `len(dataset)`).
    public var count: Int { inputs.shape[0] }

    /// `(inputs[index], targets[index])`, views into the two tensors.
    public subscript(index: Int) -> (Tensor, Tensor) {
        check(index >= 0 && index < count, "TensorDataset", "index \(index) is out of range for a dataset of \(count) samples", file: #fileID, line: #line)
        return (inputs.select(0, index), targets.select(0, index))
    }

    /// The rows at `indices` of both tensors, gathered with `indexSelect`.
    public func batch(at indices: [Int]) -> (Tensor, Tensor) {
        for i in indices {
            check(i >= 0 && i < count, "TensorDataset", "index \(i) is out of range for a dataset of \(count) samples", file: #fileID, line: #line)
        }
        let index = Tensor(indices, dtype: .int64)
        return (inputs.indexSelect(0, index), targets.indexSelect(0, index))
    }
}
