/// Constant padding (PyTorch: `torch.nn.functional.pad` with `mode="constant"`).
///
/// `pad` lists `(before, after)` amounts from the last dimension backwards, as in PyTorch:
/// `[left, right]` pads the last dim, `[left, right, top, bottom]` the last two, and so on.
/// Negative amounts crop. Works for every dtype; differentiable (the gradient of padding by
/// `p` is padding the gradient by `-p`, so it is differentiable again).
///
/// ```swift
/// let x = Tensor.ones([1, 2, 3])
/// let y = pad(x, [1, 1, 0, 2])                  // [1, 5, 5]: one column each side, two rows below
/// let z = pad(x, [-1, 0], value: 7)             // [1, 2, 2]: first column cropped
/// ```
public func pad(_ input: Tensor, _ pad: [Int], value: Double = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(pad.count % 2 == 0, "pad", "padding length must be divisible by 2, got \(pad.count) values \(pad)", file: file, line: line)
    check(pad.count / 2 <= input.dim, "pad", "padding length \(pad.count) is too large for a \(input.dim)-d input of shape \(input.shape): at most 2 values per dimension", file: file, line: line)
    var outShape = input.shape
    for k in 0..<(pad.count / 2) {
        let d = input.dim - 1 - k
        outShape[d] = input.shape[d] + pad[2 * k] + pad[2 * k + 1]
        check(outShape[d] >= 0, "pad", "the input size \(input.shape[d]) plus negative padding \(pad[2 * k]) and \(pad[2 * k + 1]) gives a negative output size in dimension \(d) of input shape \(input.shape)", file: file, line: line)
    }
    let out = Tensor(empty: outShape, dtype: input.dtype)
    // The region both share: where the input lands in the output, and which part of it does.
    var src = input.detach(), dst = out.detach()
    for k in 0..<(pad.count / 2) {
        let d = input.dim - 1 - k, before = pad[2 * k], after = pad[2 * k + 1]
        let cropBefore = Swift.max(-before, 0), cropAfter = Swift.max(-after, 0)
        let length = Swift.max(input.shape[d] - cropBefore - cropAfter, 0)
        src = src.narrowRaw(d, start: Swift.min(cropBefore, input.shape[d]), length: length)
        dst = dst.narrowRaw(d, start: Swift.min(Swift.max(before, 0), outShape[d]), length: length)
    }
    if dst.numel < out.numel { out.fillRaw(value) }
    if dst.numel > 0 { dst.copyRaw(from: src) }
    if needsGrad(input) {
        let back = pad.map { -$0 }
        record("ConstantPadNdBackward0", out, input, file: file, line: line) { g in [Ember.pad(g, back)] }
    }
    return out
}

extension Tensor {
    /// `narrow` without autograd or checks.
    func narrowRaw(_ d: Int, start: Int, length: Int) -> Tensor {
        var s = shape
        s[d] = length
        return makeView(s, strides, offset: offset + start * strides[d])
    }
}
