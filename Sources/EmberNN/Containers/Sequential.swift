/// Modules applied one after another, each taking the previous one's output
/// (PyTorch: `nn.Sequential`). Children are named "0", "1", ... unless given names.
///
/// ```swift
/// let mlp = Sequential(Linear(784, 128), ReLU(), Linear(128, 10))
/// let same = Sequential {
///     Linear(784, 128)
///     ReLU()
///     Linear(128, 10)
/// }
/// mlp.stateDict().keys   // ["0.weight", "0.bias", "2.weight", "2.bias"]
/// ```
open class Sequential: Module, @unchecked Sendable {
    /// The modules in order.
    public private(set) var layers: [Module]
    private var names: [String]

    /// A chain of `modules`, named "0", "1", ... (PyTorch: `nn.Sequential(*modules)`).
    public init(_ modules: [Module]) {
        layers = modules
        names = modules.indices.map(String.init)
        super.init()
    }

    /// A chain of the listed modules (PyTorch: `nn.Sequential(a, b, c)`).
    public convenience init(_ modules: Module...) {
        self.init(modules)
    }

    /// A chain built with a result builder, one module per line.
    public convenience init(@SequentialBuilder _ build: () -> [Module]) {
        self.init(build())
    }

    /// A chain with named children (PyTorch: `nn.Sequential(OrderedDict(...))`).
    public init(named modules: KeyValuePairs<String, Module>) {
        layers = modules.map(\.value)
        names = modules.map(\.key)
        super.init()
        check(Set(names).count == names.count, "Sequential", "duplicate child names in \(names)")
    }

    /// Applies each module in turn (PyTorch: `Sequential.forward`).
    open override func forward(_ x: Tensor) -> Tensor {
        var x = x
        for layer in layers { x = layer(x) }
        return x
    }

    /// The number of modules (PyTorch: `len(seq)`).
    public var count: Int { layers.count }

    /// The module at `index`, negative counting from the end (PyTorch: `seq[i]`).
    public subscript(index: Int) -> Module {
        let i = index < 0 ? index + layers.count : index
        check(i >= 0 && i < layers.count, "Sequential", "index \(index) is out of range for a Sequential of \(layers.count) modules")
        return layers[i]
    }

    /// Adds `module` at the end, named by its position (PyTorch: `seq.append(m)`).
    public func append(_ module: Module) {
        names.append(String(layers.count))
        layers.append(module)
        ModuleStructure.changed()
    }

    override func reflectEntries() -> ModuleEntries {
        var e = ModuleEntries()
        e.children = Array(zip(names, layers))
        return e
    }
}

/// Builds the module list of a `Sequential` from one module per line, with `if` and `for`.
@resultBuilder
public enum SequentialBuilder {
    /// One module.
    public static func buildExpression(_ module: Module) -> [Module] { [module] }
    /// Several modules from a nested builder, a loop or an array.
    public static func buildExpression(_ modules: [Module]) -> [Module] { modules }
    /// Joins the lines of a block.
    public static func buildBlock(_ parts: [Module]...) -> [Module] { parts.flatMap { $0 } }
    /// An `if` without `else`.
    public static func buildOptional(_ part: [Module]?) -> [Module] { part ?? [] }
    /// The first branch of an `if`/`else`.
    public static func buildEither(first part: [Module]) -> [Module] { part }
    /// The second branch of an `if`/`else`.
    public static func buildEither(second part: [Module]) -> [Module] { part }
    /// A `for` loop.
    public static func buildArray(_ parts: [[Module]]) -> [Module] { parts.flatMap { $0 } }
}
