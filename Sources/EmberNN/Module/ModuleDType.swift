import Ember

/// Converting a module's floating-point parameters and buffers to another dtype (PyTorch:
/// `module.to(torch.float64)`, `.double()`, `.float()`, `.half()`, `.bfloat16()`).
extension Module {
    /// Converts every floating-point parameter and buffer of the tree to `dtype` and returns
    /// the module; integer buffers (BatchNorm's `num_batches_tracked`) keep their dtype, and
    /// parameters keep their `requiresGrad`. As in PyTorch, an optimizer made before holds the
    /// old tensors: make it after converting.
    @discardableResult
    public func to(_ dtype: DType, file: StaticString = #fileID, line: UInt = #line) -> Self {
        check(dtype.isFloatingPoint, "Module.to", "nn.Module.to only accepts floating point dtypes, but got desired dtype=\(dtype)", file: file, line: line)
        for module in modules() {
            let entries = module.entries
            let slots: [any TensorSlot] = entries.parameters.map(\.slot) + entries.buffers.map { $0.slot as any TensorSlot }
            for slot in slots {
                guard let t = slot.tensor, t.dtype.isFloatingPoint, t.dtype != dtype else { continue }
                slot.replace(with: withNoGrad { t.detach().to(dtype) })
            }
        }
        return self
    }

    /// `to(.float64)` (PyTorch: `module.double()`).
    @discardableResult public func double() -> Self { to(.float64) }
    /// `to(.float32)` (PyTorch: `module.float()`).
    @discardableResult public func float() -> Self { to(.float32) }
    /// `to(.float16)` (PyTorch: `module.half()`).
    @discardableResult public func half() -> Self { to(.float16) }
    /// `to(.bfloat16)` (PyTorch: `module.bfloat16()`).
    @discardableResult public func bfloat16() -> Self { to(.bfloat16) }
}
