/// The input of a float32 LSTM layer when it is a lookup of table rows, as an embedding's
/// output is (see `GatheredRows`): the input part of the gates, `W_ih·x + b_ih + b_hh`, is
/// computed once per distinct table row instead of once per step and batch row, and the C
/// recurrence adds each step's row of it (`x_gates` of `ember_lstm_forward_f32`). Backward,
/// the recurrence sums the gate gradients per distinct row, and W_ih's and the table's
/// gradients are products with those sums.
///
/// For a character model (96 symbols, 2048 input rows per batch) this removes the input's
/// share of the layer's arithmetic (I/(H + I) of the forward product, the input gradient and
/// W_ih's gradient): the values are the same products summed in another order.
struct LSTMTableInput {
    /// The distinct table rows the sequence reads, `[U, I]`, in order of first use.
    let rows: Tensor
    /// Their row numbers in the table, and the table's row count.
    let tableRows: [Int]
    let tableRowCount: Int
    /// For every (t, b), time-major, the row of `rows` (and of `gates`) it reads.
    let rowOf: [Int]
    /// `W_ih·row + b_ih + b_hh` of every distinct row, `[U, 4H]`.
    let gates: Tensor

    /// `table` `[V, I]` contiguous float32; `index` the table row of every (t, b);
    /// `wih` `[4H, I]` contiguous; `bias` b_ih + b_hh or nil.
    init(table: Tensor, index: [Int64], wih: Tensor, bias: [Float]?) {
        let count = table.shape[0], width = table.shape[1], gw = wih.shape[0]
        var slot = [Int](repeating: -1, count: count)
        var tableRows: [Int] = [], rowOf = [Int](repeating: 0, count: index.count)
        for (r, value) in index.enumerated() {
            let id = Int(value)
            if slot[id] < 0 { slot[id] = tableRows.count; tableRows.append(id) }
            rowOf[r] = slot[id]
        }
        let distinct = tableRows.count
        let rows = Tensor(empty: [distinct, width], dtype: .float32)
        let src = table.pointer(Float.self), dst = rows.pointer(Float.self)
        for (u, id) in tableRows.enumerated() { (dst + u * width).update(from: src + id * width, count: width) }
        let gates = Tensor(empty: [distinct, gw], dtype: .float32)
        // These products are small (96 × 1024 × 64 for a character model): one thread, so that
        // OpenBLAS's threads are not woken to spin beside the recurrence's workers.
        BLASThreads.withSingleThread {
            gemmContiguous(rows, wih, transB: true, gates, m: distinct, n: gw, k: width, beta: 0)
        }
        if let bias {
            let g = gates.pointer(Float.self)
            for u in 0..<distinct {
                for j in 0..<gw { g[u * gw + j] += bias[j] }
            }
        }
        self.rows = rows
        self.tableRows = tableRows
        self.tableRowCount = count
        self.rowOf = rowOf
        self.gates = gates
    }

    /// Adds to `grads`, from `dGates` `[U, 4H]` (the gradient of `gates`): W_ih's gradient
    /// `dGatesᵀ·rows` when `needs.wih`; the table's gradient when `needs.table` (a zero
    /// `[V, I]` but for each distinct row's `dGates·W_ih`); and when `needs.x` the input's own
    /// gradient, every step's gate gradients `stepGates` `[T, B, 4H]` times W_ih.
    func gradients(dGates: Tensor, stepGates: Tensor, wih: Tensor, needs: RecurrentNeeds, into grads: inout RecurrentGrads) {
        BLASThreads.withSingleThread { formGradients(dGates: dGates, stepGates: stepGates, wih: wih, needs: needs, into: &grads) }
    }

    private func formGradients(dGates: Tensor, stepGates: Tensor, wih: Tensor, needs: RecurrentNeeds, into grads: inout RecurrentGrads) {
        let distinct = rows.shape[0], width = rows.shape[1], gw = wih.shape[0]
        if needs.wih {
            let dWih = Tensor(empty: [gw, width], dtype: .float32)
            gemmContiguous(dGates, transA: true, rows, dWih, m: gw, n: width, k: distinct, beta: 0)
            grads.wih = dWih
        }
        if needs.table {
            let dRows = Tensor(empty: [distinct, width], dtype: .float32)
            gemmContiguous(dGates, wih, dRows, m: distinct, n: width, k: gw, beta: 0)
            let dTable = Tensor.zeros([tableRowCount, width], dtype: .float32)
            let src = dRows.pointer(Float.self), dst = dTable.pointer(Float.self)
            for (u, id) in tableRows.enumerated() { (dst + id * width).update(from: src + u * width, count: width) }
            grads.table = dTable
        }
        if needs.x {
            let stepRows = rowOf.count
            let dx = Tensor(empty: [stepRows, width], dtype: .float32)
            gemmContiguous(stepGates, wih, dx, m: stepRows, n: width, k: gw, beta: 0)
            grads.x = dx
        }
    }
}
