import ArgumentParser
import Ember
import EmberTrain

/// `ember inspect`: what a safetensors file holds.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List the tensors of a safetensors file: names, dtypes, shapes, counts and value statistics."
    )

    @Argument(help: ArgumentHelp("A .safetensors file (model weights or a checkpoint).", valueName: "file"))
    var file: String

    func run() throws {
        let (tensors, metadata) = try loadWithMetadata(file)
        let rows = tensors.map { InspectRow(name: $0.key, tensor: $0.value) }
        let nameWidth = min(48, max(4, rows.map(\.name.count).max() ?? 4))
        let shapeWidth = max(5, rows.map(\.shape.count).max() ?? 5)
        let dtypeWidth = max(5, rows.map(\.dtype.count).max() ?? 5)
        func cells(_ c: [String]) -> String {
            Format.padRight(c[0], nameWidth) + "  " + Format.padRight(c[1], dtypeWidth) + "  " + Format.padRight(c[2], shapeWidth)
                + Format.padLeft(c[3], 11) + Format.padLeft(c[4], 12) + Format.padLeft(c[5], 12) + Format.padLeft(c[6], 12) + Format.padLeft(c[7], 12)
        }
        print("\(file): \(rows.count) tensors")
        print(cells(["name", "dtype", "shape", "count", "mean", "std", "min", "max"]))
        for r in rows { print(cells([r.name, r.dtype, r.shape, Format.grouped(r.count), r.mean, r.std, r.min, r.max])) }
        let total = rows.reduce(0) { $0 + $1.count }
        let bytes = tensors.values.reduce(0) { $0 + $1.numel * $1.dtype.itemSize }
        let floats = rows.filter(\.isFloat).reduce(0) { $0 + $1.count }
        print("")
        print("parameters (floating-point values): \(Format.grouped(floats))")
        print("values: \(Format.grouped(total)) in \(Format.grouped(bytes)) bytes of tensor data")
        if !metadata.isEmpty {
            print("metadata:")
            for key in metadata.keys.sorted() {
                let v = metadata[key]!.split(separator: "\n").joined(separator: " ")
                print("  \(key): " + (v.count > 100 ? String(v.prefix(97)) + "..." : v))
            }
        }
    }
}

/// One tensor's line in `ember inspect`.
struct InspectRow {
    let name: String
    let dtype: String
    let shape: String
    let count: Int
    let isFloat: Bool
    let mean: String, std: String, min: String, max: String

    init(name: String, tensor t: Tensor) {
        self.name = name
        dtype = t.dtype.rawValue
        shape = "[" + t.shape.map(String.init).joined(separator: ", ") + "]"
        count = t.numel
        isFloat = t.dtype.isFloatingPoint
        if t.numel == 0 || t.dtype == .bool {
            (mean, std, min, max) = ("", "", "", "")
            return
        }
        let values = t.to(.float64).contiguous().toArray(as: Double.self)
        let n = Double(values.count)
        let m = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n
        func f(_ x: Double) -> String {
            let a = abs(x)
            return a != 0 && (a < 1e-3 || a >= 1e5) ? Format.scientific(x, 3) : Format.fixed(x, 5)
        }
        mean = f(m)
        std = f(variance.squareRoot())
        min = f(values.min()!)
        max = f(values.max()!)
    }
}
