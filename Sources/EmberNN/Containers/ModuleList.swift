/// A list of child modules, named "0", "1", ..., that the module walk finds, for layers
/// applied in a loop (PyTorch: `nn.ModuleList`). It has no forward of its own.
///
/// ```swift
/// final class Deep: Module {
///     let blocks = ModuleList((0..<4).map { _ in Linear(64, 64) })
///     override func forward(_ x: Tensor) -> Tensor {
///         blocks.reduce(x) { relu($1($0)) }
///     }
/// }
/// ```
///
/// A stored `[Module]` array works the same for a fixed list; use `ModuleList` when the list
/// changes after the model is built, since its changes are seen by the cached module walk.
open class ModuleList: Module, RandomAccessCollection, @unchecked Sendable {
    private var items: [Module]

    /// A list holding `modules` (PyTorch: `nn.ModuleList(modules)`).
    public init(_ modules: [Module] = []) {
        items = modules
        super.init()
    }

    /// The first index, 0.
    public var startIndex: Int { 0 }
    /// One past the last index.
    public var endIndex: Int { items.count }

    /// The module at `index`; assigning replaces it (PyTorch: `list[i] = m`).
    public subscript(index: Int) -> Module {
        get { items[index] }
        set {
            items[index] = newValue
            ModuleStructure.changed()
        }
    }

    /// Adds a module at the end (PyTorch: `list.append(m)`).
    public func append(_ module: Module) {
        items.append(module)
        ModuleStructure.changed()
    }

    /// Adds modules at the end (PyTorch: `list.extend(ms)`).
    public func append(contentsOf modules: [Module]) {
        items.append(contentsOf: modules)
        ModuleStructure.changed()
    }

    /// Inserts a module before `index` (PyTorch: `list.insert(i, m)`).
    public func insert(_ module: Module, at index: Int) {
        items.insert(module, at: index)
        ModuleStructure.changed()
    }

    /// Removes and returns the module at `index` (PyTorch: `del list[i]`); later modules
    /// are renamed, as in PyTorch.
    @discardableResult
    public func remove(at index: Int) -> Module {
        defer { ModuleStructure.changed() }
        return items.remove(at: index)
    }

    override func reflectEntries() -> ModuleEntries {
        var e = ModuleEntries()
        e.children = items.enumerated().map { (String($0.offset), $0.element) }
        return e
    }
}
