/// Printing a module tree as PyTorch's `print(model)` does.
extension Module {
    /// The module tree, one child per line, as PyTorch prints it:
    ///
    /// ```
    /// Net(
    ///   (fc1): Linear(in_features=784, out_features=128, bias=True)
    ///   (fc2): Linear(in_features=128, out_features=10, bias=True)
    /// )
    /// ```
    public var description: String {
        let extraLines = extraDescription.isEmpty ? [] : extraDescription.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let childLines = entries.children.map { name, child in
            "(\(name)): " + child.description.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n  ")
        }
        let lines = extraLines + childLines
        var text = typeName + "("
        if !lines.isEmpty {
            if extraLines.count == 1 && childLines.isEmpty {
                text += extraLines[0]
            } else {
                text += "\n  " + lines.joined(separator: "\n  ") + "\n"
            }
        }
        return text + ")"
    }
}

/// PyTorch's spelling of a Bool in a module description (`True` / `False`).
func pyBool(_ b: Bool) -> String { b ? "True" : "False" }

/// PyTorch's spelling of a float in a module description (`0.1`, `1e-05`, `1.0`): Swift's
/// shortest round-trip form matches Python's `repr`.
func pyFloat(_ x: Double) -> String { "\(x)" }

/// PyTorch's spelling of a shape tuple: `(10,)`, `(2, 3)`.
func pyTuple(_ values: [Int]) -> String {
    values.count == 1 ? "(\(values[0]),)" : "(" + values.map(String.init).joined(separator: ", ") + ")"
}
