/// A note that a tensor is a lookup of whole rows of a 2-D table, as `embedding` makes:
/// read row-major as rows of the table's width, its row `r` is row `index[r]` of `table`.
///
/// An op that multiplies such a tensor by a matrix can instead multiply each distinct table
/// row once (the LSTM's input projection does, see `recurrentLayer`): a character-level
/// model's 2048 input rows per batch are rows of a 96-row table. The note holds only while
/// neither the tensor nor the table has been written in place since it was made, and while
/// the tensor is still the lookup's output (not detached in place); `Tensor.gatheredRows`
/// checks that. PyTorch has no such note (its LSTM multiplies every row).
package final class GatheredRows {
    /// The table `[rows, width]` the rows were read from.
    package let table: Tensor
    /// For every row of the tensor (its leading dimensions flattened, row-major), the table
    /// row: the lookup's own int64 ids, kept as they are (no copy per lookup).
    package let index: [Int64]
    /// The node that made the tensor (nil for a tensor made without grad): where hooks,
    /// `retainGrad` and `grad(outputs:inputs:)` look for the tensor's own gradient.
    package let sourceNode: Node?
    /// The storage versions of the table and of the tensor when the note was made.
    private let tableVersion: Int
    private let ownVersion: Int?

    /// A note for a tensor with storage version `ownVersion` (nil: a rearranged copy of a
    /// note, not attached to a tensor).
    private init(table: Tensor, index: [Int64], sourceNode: Node?, tableVersion: Int, ownVersion: Int?) {
        self.table = table
        self.index = index
        self.sourceNode = sourceNode
        self.tableVersion = tableVersion
        self.ownVersion = ownVersion
    }

    /// Whether the note still holds for `tensor`: neither it nor the table has been written in
    /// place, and it is still the output of the lookup (`detach_()` has not cut it from it).
    fileprivate func isCurrent(for tensor: Tensor) -> Bool {
        table.storage.version == tableVersion && tensor.storage.version == ownVersion && tensor.gradFn === sourceNode
    }

    /// The same rows reordered for a time-major `[T, B]` layout: `batchFirst` when the
    /// tensor's leading dimensions are `[B, T]`.
    package func timeMajor(steps: Int, batch: Int, batchFirst: Bool) -> GatheredRows {
        guard batchFirst else {
            return GatheredRows(table: table, index: index, sourceNode: sourceNode, tableVersion: tableVersion, ownVersion: nil)
        }
        var reordered = [Int64](repeating: 0, count: steps * batch)
        for b in 0..<batch {
            for t in 0..<steps { reordered[t * batch + b] = index[b * steps + t] }
        }
        return GatheredRows(table: table, index: reordered, sourceNode: sourceNode, tableVersion: tableVersion, ownVersion: nil)
    }

    /// Notes on `tensor` that its rows are rows `index` of the 2-D `table`.
    package static func mark(_ tensor: Tensor, table: Tensor, index: [Int64]) {
        guard table.dim == 2, tensor.numel == index.count * table.shape[1] else { return }
        tensor.gatheredRowsRecord = GatheredRows(table: table, index: index, sourceNode: tensor.gradFn,
                                                 tableVersion: table.storage.version, ownVersion: tensor.storage.version)
    }
}

extension Tensor {
    /// The note that this tensor is a row lookup into a table, if it was made so and neither
    /// it nor the table has been written in place since.
    package var gatheredRows: GatheredRows? {
        guard let record = gatheredRowsRecord, record.isCurrent(for: self) else { return nil }
        return record
    }
}
