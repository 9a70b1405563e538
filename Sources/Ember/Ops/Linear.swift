/// The affine map of a linear layer, `y = x·Wᵀ + b`, as one op (PyTorch:
/// `torch.nn.functional.linear`). Fused because it is the hot path of every MLP: the GEMM adds
/// the bias as it writes the output (no separate add), and the
/// backward produces the weight's gradient directly in the weight's [out, in] layout (no
/// transposed view to copy before it becomes `.grad`).
extension Tensor {
    /// `self·weightᵀ + bias` for `self` of shape `[*, in]`, `weight` `[out, in]`, `bias` `[out]`.
    public func linear(weight: Tensor, bias: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dim >= 1 && weight.dim == 2 && shape[dim - 1] == weight.shape[1], "linear",
              "input of shape \(shape) does not match weight of shape \(weight.shape) (expected [*, \(weight.dim == 2 ? weight.shape[1] : -1)])", file: file, line: line)
        let outFeatures = weight.shape[0], inFeatures = weight.shape[1]
        if let bias {
            check(bias.shape == [outFeatures], "linear", "bias of shape \(bias.shape) does not match weight of shape \(weight.shape)", file: file, line: line)
        }
        let native = (dtype == .float32 || dtype == .float64) && weight.dtype == dtype && (bias?.dtype ?? dtype) == dtype
        if !native || dim == 0 {
            let y = matmul(weight.mT, file: file, line: line)
            return bias.map { y + $0 } ?? y
        }
        let x2 = dim == 2 ? self : withNoGrad { reshape([-1, inFeatures]) }
        let rows = x2.shape[0]
        let out = Tensor(empty: [rows, outFeatures], dtype: dtype)
        let rowBias = bias.map { $0.isContiguous ? $0 : $0.convertedCopy() }
        if inFeatures > 0 {
            gemm(GEMMOperand(x2, rows: rows, cols: inFeatures, rowStride: x2.strides[0], colStride: x2.strides[1]), offA: 0,
                 GEMMOperand(weight, rows: inFeatures, cols: outFeatures, rowStride: weight.strides[1], colStride: weight.strides[0]), offB: 0,
                 out, offC: 0, ldc: outFeatures, m: rows, n: outFeatures, k: inFeatures, rowBias: rowBias)
        } else if let rowBias {
            // No inputs: every row is the bias.
            fillRows(out, offset: 0, rows: rows, cols: outFeatures, ld: outFeatures, from: rowBias, column: 0)
        } else {
            out.fillRaw(0)
        }
        let result = dim == 2 ? out : out.reshapeRaw(Array(shape.dropLast()) + [outFeatures])
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        if needsGrad(inputs) {
            let sx = SavedTensor(x2, op: "AddmmBackward0"), sw = SavedTensor(weight, op: "AddmmBackward0")
            let needX = requiresGradFlag, needW = weight.requiresGradFlag, needB = bias?.requiresGradFlag ?? false
            let inShape = shape
            record("AddmmBackward0", result, inputs: inputs, file: file, line: line) { g in
                let g2 = g.dim == 2 ? g : g.reshape([-1, outFeatures])
                var grads: [Tensor?] = [
                    needX ? g2.mm(sw.value).reshape(inShape) : nil,
                    needW ? g2.mT.mm(sx.value) : nil,
                ]
                if bias != nil { grads.append(needB ? g2.sum(dims: [0]) : nil) }
                return grads
            }
        }
        return result
    }
}
