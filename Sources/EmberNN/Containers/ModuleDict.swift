/// Child modules by name, in insertion order (PyTorch: `nn.ModuleDict`). It has no forward
/// of its own.
///
/// ```swift
/// let heads = ModuleDict(["cls": Linear(64, 10), "box": Linear(64, 4)])
/// let logits = heads["cls"]!(features)
/// ```
open class ModuleDict: Module, @unchecked Sendable {
    /// The names, in insertion order (PyTorch: `dict.keys()`).
    public private(set) var keys: [String] = []
    private var items: [String: Module] = [:]

    /// A dictionary holding `modules` in the given order (PyTorch: `nn.ModuleDict(...)`).
    public init(_ modules: KeyValuePairs<String, Module> = [:]) {
        super.init()
        for (k, m) in modules {
            check(items[k] == nil, "ModuleDict", "duplicate key '\(k)'")
            self[k] = m
        }
    }

    /// The module named `key`; assigning a new key appends it, assigning nil removes it
    /// (PyTorch: `d[key]`, `d[key] = m`, `del d[key]`).
    public subscript(key: String) -> Module? {
        get { items[key] }
        set {
            check(!key.isEmpty && !key.contains("."), "ModuleDict", "module name can't be empty or contain \".\", got '\(key)'")
            if let newValue {
                if items.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if items.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
            ModuleStructure.changed()
        }
    }

    /// The modules, in key order (PyTorch: `dict.values()`).
    public var values: [Module] { keys.map { items[$0]! } }

    /// The number of modules (PyTorch: `len(d)`).
    public var count: Int { keys.count }

    override func reflectEntries() -> ModuleEntries {
        var e = ModuleEntries()
        e.children = keys.map { ($0, items[$0]!) }
        return e
    }
}
