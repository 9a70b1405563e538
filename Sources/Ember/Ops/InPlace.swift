/// In-place ops (PyTorch's trailing underscore). Each writes into this tensor's storage and
/// bumps its version counter, so a tensor saved for backward that is later modified is caught.
/// With autograd recording, the op is recorded as if out of place (its node's input 0 is this
/// tensor's old value) and this tensor takes the new node as its history; through a view, the
/// base's history is rewritten (`rebaseHistory`, PyTorch's CopySlices), so the base and every
/// other view of it see the write. In-place on a leaf that requires grad, or on a view of one,
/// is an error, as in PyTorch.
extension Tensor {
    private func checkInPlace(_ op: StaticString, file: StaticString, line: UInt) {
        check(!(isLeaf && requiresGradFlag && GradMode.isEnabled), op, "a leaf tensor that requires grad is being used in an in-place operation; wrap the update in withNoGrad { } or use an out-of-place op", file: file, line: line)
        check(!isExpandedStorage, op, "unsupported operation: more than one element of the written-to tensor refers to a single memory location (shape \(shape), strides \(strides)); call clone() first", file: file, line: line)
        if let base = viewBase, base.requiresGradFlag, GradMode.isEnabled { checkInPlaceOnView(base, op, file: file, line: line) }
    }

    /// The node of an in-place op that overwrites this tensor (fill, copy, random fills): the
    /// gradient of the old value is zero (as PyTorch, zeros rather than none); `other` is the
    /// op's other input, if any, and `backward` gives its gradient. Made before the write, as
    /// `other` may view the same storage.
    private func overwriteNode(_ name: String, other: Tensor? = nil, file: StaticString, line: UInt,
                               backward: @escaping (Tensor) -> Tensor? = { _ in nil }) -> Node {
        let selfEdge = gradEdge, selfTracked = selfEdge != nil
        return Node(name: name, count: other == nil ? 1 : 2, selfEdge, other?.gradEdge, file: file, line: line) { g in
            [selfTracked ? Tensor.zerosLike(g) : nil, backward(g)]
        }
    }

    private var isExpandedStorage: Bool { zip(shape, strides).contains { $0 > 1 && $1 == 0 } }

    /// Replaces this tensor's values with `result`'s (same shape) and adopts its graph node,
    /// whose input 0 is this tensor's old value.
    private func adopt(_ result: Tensor, file: StaticString, line: UInt) {
        copyRaw(from: result)
        storage.bumpVersion()
        if let node = result.gradFn { rebaseHistory(node, file: file, line: line) }
    }

    /// Applies a binary op in place, with broadcasting of `other` only.
    func inPlaceBinary(_ op: BinaryOp, _ other: Tensor, file: StaticString, line: UInt) -> Tensor {
        checkInPlace(op.name, file: file, line: line)
        let shape = broadcastShapes(self.shape, other.shape, op: op.name, file: file, line: line)
        check(shape == self.shape, op.name, "output with shape \(self.shape) doesn't match the broadcast shape \(shape)", file: file, line: line)
        if needsGrad(self, other) {
            // Keep the old value for backward in its own buffer; this tensor is overwritten.
            let old = clone()
            adopt(binary(op, old, other, file: file, line: line), file: file, line: line)
            return self
        }
        let compute = dtype.computeType
        if compute == dtype && (op != .div || dtype.isFloatingPoint) {
            compute.visitArithmetic(BinaryKernel(op: op, a: self, b: other.convertedRaw(compute).broadcastRaw(shape), out: self))
        } else {
            copyRaw(from: binaryForward(op, self, other, file: file, line: line))
        }
        storage.bumpVersion()
        return self
    }

    /// Applies `op(self, scalar)` in place without allocating a scalar tensor.
    func inPlaceScalar(_ op: BinaryOp, _ scalar: Double, file: StaticString, line: UInt) -> Tensor {
        checkInPlace(op.name, file: file, line: line)
        if needsGrad(self) {
            adopt(scalarOp(op, clone(), scalar, file: file, line: line), file: file, line: line)
            return self
        }
        let compute = dtype.computeType
        let staysInteger = dtype.isFloatingPoint || (scalar.rounded() == scalar && op != .div)
        if compute == dtype && staysInteger {
            compute.visitArithmetic(ScalarKernel(op: op, x: self, out: self, scalar: scalar, scalarOnLeft: false))
        } else {
            copyRaw(from: scalarOp(op, self, scalar, file: file, line: line))
        }
        storage.bumpVersion()
        return self
    }

    /// Applies a unary op in place.
    func inPlaceUnary(_ op: UnaryOp, _ name: StaticString, file: StaticString, line: UInt) -> Tensor {
        checkInPlace(name, file: file, line: line)
        if needsGrad(self) {
            adopt(unary(op, clone(), file: file, line: line), file: file, line: line)
            return self
        }
        let compute = dtype.computeType
        if compute == dtype && dtype.isFloatingPoint {
            compute.visitFloat(FloatUnaryKernel(op: op, x: self, out: self))
        } else {
            copyRaw(from: unaryForward(op, self))
        }
        storage.bumpVersion()
        return self
    }

    /// `self += other * alpha` (PyTorch: `tensor.add_`).
    @discardableResult public func add_(_ other: Tensor, alpha: Double = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        inPlaceBinary(.add, alpha == 1 ? other : other.mul(alpha), file: file, line: line)
    }
    /// `self -= other * alpha` (PyTorch: `tensor.sub_`).
    @discardableResult public func sub_(_ other: Tensor, alpha: Double = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        inPlaceBinary(.sub, alpha == 1 ? other : other.mul(alpha), file: file, line: line)
    }
    /// `self *= other` (PyTorch: `tensor.mul_`).
    @discardableResult public func mul_(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { inPlaceBinary(.mul, other, file: file, line: line) }
    /// `self /= other` (PyTorch: `tensor.div_`).
    @discardableResult public func div_(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { inPlaceBinary(.div, other, file: file, line: line) }
    /// `self += scalar` (PyTorch: `tensor.add_(2)`).
    @discardableResult public func add_(_ scalar: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor { inPlaceScalar(.add, scalar, file: file, line: line) }
    /// `self -= scalar`.
    @discardableResult public func sub_(_ scalar: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor { inPlaceScalar(.sub, scalar, file: file, line: line) }
    /// `self *= scalar` (PyTorch: `tensor.mul_(0.9)`).
    @discardableResult public func mul_(_ scalar: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor { inPlaceScalar(.mul, scalar, file: file, line: line) }
    /// `self /= scalar`.
    @discardableResult public func div_(_ scalar: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor { inPlaceScalar(.div, scalar, file: file, line: line) }
    /// `self = self ** exponent` (PyTorch: `tensor.pow_`).
    @discardableResult public func pow_(_ exponent: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor { inPlaceScalar(.pow, exponent, file: file, line: line) }

    /// `self += value * t1 * t2` (PyTorch: `tensor.addcmul_`).
    @discardableResult public func addcmul_(_ t1: Tensor, _ t2: Tensor, value: Double = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        add_(value == 1 ? t1 * t2 : t1 * t2 * value, file: file, line: line)
    }
    /// `self += value * t1 / t2` (PyTorch: `tensor.addcdiv_`).
    @discardableResult public func addcdiv_(_ t1: Tensor, _ t2: Tensor, value: Double = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        add_(value == 1 ? t1 / t2 : t1 / t2 * value, file: file, line: line)
    }
    /// `self += weight * (end - self)` (PyTorch: `tensor.lerp_`).
    @discardableResult public func lerp_(_ end: Tensor, weight: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        add_((end - self) * weight, file: file, line: line)
    }

    /// `max(self, 0)` in place (PyTorch: `tensor.relu_`).
    @discardableResult public func relu_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { inPlaceUnary(.relu, "relu_", file: file, line: line) }
    /// Limits values to `[min, max]` in place (PyTorch: `tensor.clamp_`).
    @discardableResult public func clamp_(min: Double? = nil, max: Double? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        inPlaceUnary(.clamp(min: min, max: max), "clamp_", file: file, line: line)
    }
    /// `e^x` in place (PyTorch: `tensor.exp_`).
    @discardableResult public func exp_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { inPlaceUnary(.exp, "exp_", file: file, line: line) }
    /// Square root in place (PyTorch: `tensor.sqrt_`).
    @discardableResult public func sqrt_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { inPlaceUnary(.sqrt, "sqrt_", file: file, line: line) }
    /// Negation in place (PyTorch: `tensor.neg_`).
    @discardableResult public func neg_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { inPlaceUnary(.neg, "neg_", file: file, line: line) }
    /// Sigmoid in place (PyTorch: `tensor.sigmoid_`).
    @discardableResult public func sigmoid_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { inPlaceUnary(.sigmoid, "sigmoid_", file: file, line: line) }
    /// Tanh in place (PyTorch: `tensor.tanh_`).
    @discardableResult public func tanh_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { inPlaceUnary(.tanh, "tanh_", file: file, line: line) }

    /// Writes `value` everywhere (PyTorch: `tensor.fill_`). No gradient flows through the old values.
    @discardableResult public func fill_(_ value: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkInPlace("fill_", file: file, line: line)
        let node = needsGrad(self) && dtype.isFloatingPoint ? overwriteNode("FillBackward0", file: file, line: line) : nil
        fillRaw(value)
        storage.bumpVersion()
        if let node { rebaseHistory(node, file: file, line: line) }
        return self
    }

    /// Writes zeros everywhere (PyTorch: `tensor.zero_`).
    @discardableResult public func zero_(file: StaticString = #fileID, line: UInt = #line) -> Tensor { fill_(0, file: file, line: line) }

    /// Copies `src` (broadcast, converted) into this tensor (PyTorch: `tensor.copy_`);
    /// gradients flow to `src`.
    @discardableResult public func copy_(_ src: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkInPlace("copy_", file: file, line: line)
        let shape = broadcastShapes(self.shape, src.shape, op: "copy_", file: file, line: line)
        check(shape == self.shape, "copy_", "source of shape \(src.shape) cannot be broadcast to destination shape \(self.shape)", file: file, line: line)
        var node: Node?
        if needsGrad(self, src) && dtype.isFloatingPoint {
            let srcShape = src.shape, srcType = src.dtype, srcTracked = src.gradEdge != nil && srcType.isFloatingPoint
            node = overwriteNode("CopyBackwards", other: src, file: file, line: line) { g in
                srcTracked ? sumToShape(g, srcShape).to(srcType) : nil
            }
        }
        copyRaw(from: src)
        storage.bumpVersion()
        if let node { rebaseHistory(node, file: file, line: line) }
        return self
    }

    /// Fills with uniform values in [low, high) (PyTorch: `tensor.uniform_`).
    @discardableResult public func uniform_(_ low: Double = 0, _ high: Double = 1, generator: Generator = .default, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkInPlace("uniform_", file: file, line: line)
        let node = needsGrad(self) ? overwriteNode("UniformBackward0", file: file, line: line) : nil
        fillUniform(low, high, generator)
        storage.bumpVersion()
        if let node { rebaseHistory(node, file: file, line: line) }
        return self
    }

    /// Fills with normal values (PyTorch: `tensor.normal_`).
    @discardableResult public func normal_(mean: Double = 0, std: Double = 1, generator: Generator = .default, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkInPlace("normal_", file: file, line: line)
        let node = needsGrad(self) ? overwriteNode("NormalBackward0", file: file, line: line) : nil
        fillNormal(mean, std, generator)
        storage.bumpVersion()
        if let node { rebaseHistory(node, file: file, line: line) }
        return self
    }

    /// Writes `value` where `mask` is true (PyTorch: `tensor.masked_fill_`).
    @discardableResult public func maskedFill_(_ mask: Tensor, _ value: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkInPlace("maskedFill_", file: file, line: line)
        if needsGrad(self) { adopt(clone().maskedFill(mask, value, file: file, line: line), file: file, line: line); return self }
        copyRaw(from: maskedFill(mask, value, file: file, line: line))
        storage.bumpVersion()
        return self
    }

    public static func += (a: Tensor, b: Tensor) { a.add_(b) }
    public static func -= (a: Tensor, b: Tensor) { a.sub_(b) }
    public static func *= (a: Tensor, b: Tensor) { a.mul_(b) }
    public static func /= (a: Tensor, b: Tensor) { a.div_(b) }
    public static func += (a: Tensor, s: Double) { a.add_(s) }
    public static func -= (a: Tensor, s: Double) { a.sub_(s) }
    public static func *= (a: Tensor, s: Double) { a.mul_(s) }
    public static func /= (a: Tensor, s: Double) { a.div_(s) }
}
