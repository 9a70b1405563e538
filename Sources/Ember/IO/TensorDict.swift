/// Tensors by name, in insertion order (PyTorch: the `dict[str, Tensor]` that
/// `safetensors.torch.load_file` returns and `module.state_dict()` builds — an ordered dict).
///
/// Assigning to a new key appends it at the end; assigning to an existing key replaces the
/// tensor in place; assigning `nil` removes the key.
///
/// ```swift
/// var d: TensorDict = ["fc.weight": w, "fc.bias": b]
/// d["extra"] = Tensor([1.0])
/// for (name, t) in d { print(name, t.shape) }   // fc.weight, fc.bias, extra
/// ```
public struct TensorDict: Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible, Sendable {
    /// The names, in order (PyTorch: `list(d.keys())`).
    public private(set) var keys: [String]
    private var storage: [String: Tensor]

    /// An empty dictionary (PyTorch: `{}` / `OrderedDict()`).
    public init() {
        keys = []
        storage = [:]
    }

    /// A dictionary from a literal, keeping the literal's order. Duplicate keys stop the
    /// program, as they do for a Swift `Dictionary` literal.
    public init(dictionaryLiteral elements: (String, Tensor)...) {
        self.init()
        for (k, v) in elements {
            check(storage[k] == nil, "TensorDict", "dictionary literal contains duplicate key '\(k)'",
                  file: #fileID, line: #line)
            self[k] = v
        }
    }

    /// The tensor named `key`, or nil (PyTorch: `d.get(key)`). Setting a new key appends
    /// it; setting an existing key keeps its position; setting nil removes it (`del d[key]`).
    public subscript(key: String) -> Tensor? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The tensors, in key order (PyTorch: `list(d.values())`).
    public var values: [Tensor] { keys.map { storage[$0]! } }

    /// Number of tensors (PyTorch: `len(d)`).
    public var count: Int { keys.count }

    /// True when there are no tensors.
    public var isEmpty: Bool { keys.isEmpty }

    /// Iterates `(key, value)` pairs in order (PyTorch: `d.items()`).
    public func makeIterator() -> Iterator { Iterator(dict: self) }

    /// Walks a `TensorDict` in key order.
    public struct Iterator: IteratorProtocol {
        let dict: TensorDict
        var index = 0

        /// The next `(key, value)` pair, or nil after the last.
        public mutating func next() -> (key: String, value: Tensor)? {
            guard index < dict.keys.count else { return nil }
            let key = dict.keys[index]
            index += 1
            return (key: key, value: dict.storage[key]!)
        }
    }

    /// One line per tensor: name, dtype and shape.
    public var description: String {
        let lines = keys.map { k -> String in
            let t = storage[k]!
            return "  \(k): \(t.dtype.rawValue) \(t.shape)"
        }
        return "TensorDict(\(count) tensors)" + (lines.isEmpty ? "" : "\n" + lines.joined(separator: "\n"))
    }
}
