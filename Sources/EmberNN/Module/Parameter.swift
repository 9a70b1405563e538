/// What a `Parameter` or `Buffer` slot can hold: a `Tensor`, or `Tensor?` for a slot that
/// may be empty (PyTorch's `self.bias = None`, `register_buffer("running_mean", None)`).
public protocol TensorSlotValue {
    /// The tensor held, or nil for an empty slot.
    var slotTensor: Tensor? { get }
    /// The slot value holding `tensor`.
    static func slotValue(_ tensor: Tensor) -> Self
}

extension Tensor: TensorSlotValue {
    /// The tensor itself.
    public var slotTensor: Tensor? { self }
    /// The tensor itself.
    public static func slotValue(_ tensor: Tensor) -> Tensor { tensor }
}

extension Optional: TensorSlotValue where Wrapped == Tensor {
    /// The tensor, or nil.
    public var slotTensor: Tensor? { self }
    /// `.some(tensor)`.
    public static func slotValue(_ tensor: Tensor) -> Tensor? { tensor }
}

/// A slot the module walk finds: a parameter or a buffer box.
protocol TensorSlot: AnyObject {
    /// The tensor held now (nil for an empty slot).
    var tensor: Tensor? { get }
    /// The state-dict name, when it differs from the Swift property name.
    var name: String? { get }
    /// Puts `tensor` in the slot in place of the one it holds (`Module.to`).
    func replace(with tensor: Tensor)
}

/// A buffer box, as opposed to a parameter box.
protocol BufferSlot: TensorSlot {
    var persistent: Bool { get }
}

/// Marks a stored property of a `Module` as a learnable parameter (PyTorch: `nn.Parameter`).
/// The module finds it by reflection and lists it in `parameters()` and `stateDict()` under
/// the property's name (or `name:` when the PyTorch name differs). The tensor always
/// requires grad (unless frozen with `requiresGrad_(false)`); assigning a new tensor keeps
/// that setting, and a tensor that is the output of an op is detached first, so a parameter
/// is always a leaf.
///
/// ```swift
/// final class Scale: Module {
///     @Parameter var gain = Tensor.ones([16])          // "gain"
///     @Parameter var shift: Tensor? = nil              // empty: not in parameters()
///     override func forward(_ x: Tensor) -> Tensor { x * gain }
/// }
/// ```
@propertyWrapper
public final class Parameter<Value: TensorSlotValue>: TensorSlot {
    private var value: Value
    /// The state-dict name, when it differs from the Swift property name.
    public let name: String?

    /// A parameter slot holding `wrappedValue`; `name` overrides the property name in
    /// `namedParameters()` and `stateDict()` (e.g. `"weight_ih_l0"`).
    public init(wrappedValue: Value, name: String? = nil) {
        value = Parameter.prepare(wrappedValue, requiresGrad: true)
        self.name = name
        ModuleStructure.changed()
    }

    /// The parameter's tensor (PyTorch: reading or assigning `module.weight`).
    public var wrappedValue: Value {
        get { value }
        set {
            value = Parameter.prepare(newValue, requiresGrad: value.slotTensor?.requiresGrad ?? true)
            ModuleStructure.changed()   // cached parameter lists hold the old tensor
        }
    }

    /// The box itself (`$weight`), for code that wants to hold the slot rather than the tensor.
    public var projectedValue: Parameter<Value> { self }

    var tensor: Tensor? { value.slotTensor }

    func replace(with tensor: Tensor) { wrappedValue = Value.slotValue(tensor) }

    /// Makes `v`'s tensor a leaf that requires grad (floating-point tensors only).
    private static func prepare(_ v: Value, requiresGrad: Bool) -> Value {
        guard let t = v.slotTensor else { return v }
        let leaf = t.isLeaf ? t : t.detach()
        if leaf.dtype.isFloatingPoint { leaf.requiresGrad_(requiresGrad) }
        return leaf === t ? v : Value.slotValue(leaf)
    }
}

/// Marks a stored property of a `Module` as a buffer: state that is saved in `stateDict()`
/// but not learned, such as BatchNorm's running statistics (PyTorch: `register_buffer`).
/// A non-persistent buffer is listed by `buffers()` but left out of the state dict
/// (PyTorch: `persistent=False`).
///
/// ```swift
/// @Buffer(name: "running_mean") public var runningMean: Tensor? = Tensor.zeros([c])
/// ```
@propertyWrapper
public final class Buffer<Value: TensorSlotValue>: BufferSlot {
    /// The buffer's tensor (PyTorch: reading or assigning `module.running_mean`).
    public var wrappedValue: Value
    /// The state-dict name, when it differs from the Swift property name.
    public let name: String?
    /// Whether the buffer is part of `stateDict()`.
    public let persistent: Bool

    /// A buffer slot holding `wrappedValue`; `name` overrides the property name in
    /// `namedBuffers()` and `stateDict()`.
    public init(wrappedValue: Value, name: String? = nil, persistent: Bool = true) {
        self.wrappedValue = wrappedValue
        self.name = name
        self.persistent = persistent
        ModuleStructure.changed()
    }

    /// The box itself (`$runningMean`).
    public var projectedValue: Buffer<Value> { self }

    var tensor: Tensor? { wrappedValue.slotTensor }

    func replace(with tensor: Tensor) { wrappedValue = Value.slotValue(tensor) }
}
