/// A sample type the default collate can batch (PyTorch: the types
/// `torch.utils.data.default_collate` handles).
///
/// Tensors are stacked along a new first dimension; `Int` becomes an int64 tensor `[B]`,
/// `Double` float64, `Float` float32, `Bool` bool (as PyTorch turns Python ints and floats
/// into int64 and float64 tensors); arrays and dictionaries are collated element by
/// element. A `DataLoader` also collates 2- and 3-tuples of these, element by element, so
/// `(Tensor, Int)` samples give `(Tensor, Tensor)` batches.
public protocol Collatable: SendableMetatype {
    /// What a batch of these becomes.
    associatedtype Batch
    /// The batch of `samples` (there is at least one).
    static func collate(_ samples: [Self]) -> Batch
}

extension Tensor: Collatable {
    /// The samples stacked along a new first dimension (PyTorch: `torch.stack(batch, 0)`).
    public static func collate(_ samples: [Tensor]) -> Tensor { Collate.stack(samples) }
}

extension Int: Collatable {
    /// An int64 tensor `[B]` (PyTorch: `torch.tensor(batch)` of Python ints).
    public static func collate(_ samples: [Int]) -> Tensor { Tensor(samples, dtype: .int64) }
}

extension Int64: Collatable {
    /// An int64 tensor `[B]`.
    public static func collate(_ samples: [Int64]) -> Tensor { Tensor(samples, dtype: .int64) }
}

extension Int32: Collatable {
    /// An int32 tensor `[B]`.
    public static func collate(_ samples: [Int32]) -> Tensor { Tensor(samples, dtype: .int32) }
}

extension Double: Collatable {
    /// A float64 tensor `[B]` (PyTorch: `torch.tensor(batch, dtype=torch.float64)` of Python floats).
    public static func collate(_ samples: [Double]) -> Tensor { Tensor(samples, dtype: .float64) }
}

extension Float: Collatable {
    /// A float32 tensor `[B]`.
    public static func collate(_ samples: [Float]) -> Tensor { Tensor(samples, dtype: .float32) }
}

extension Bool: Collatable {
    /// A bool tensor `[B]`.
    public static func collate(_ samples: [Bool]) -> Tensor { Tensor(samples, dtype: .bool) }
}

extension Array: Collatable where Element: Collatable {
    /// Element `k` of the batch is the collate of element `k` of every sample; all samples
    /// must have the same length (PyTorch: `default_collate` of sequences).
    public static func collate(_ samples: [[Element]]) -> [Element.Batch] {
        let n = samples[0].count
        for (i, s) in samples.enumerated() {
            check(s.count == n, "collate", "each element in list of batch should be of equal size: sample 0 has \(n) elements, sample \(i) has \(s.count)",
                      file: #fileID, line: #line)
        }
        return (0..<n).map { k in Element.collate(samples.map { $0[k] }) }
    }
}

extension Dictionary: Collatable where Value: Collatable {
    /// Each key's batch is the collate of that key's values; all samples must have the same
    /// keys (PyTorch: `default_collate` of mappings).
    public static func collate(_ samples: [[Key: Value]]) -> [Key: Value.Batch] {
        var out: [Key: Value.Batch] = [:]
        for key in samples[0].keys {
            out[key] = Value.collate(samples.enumerated().map { i, s in
                guard let v = s[key] else { emberFailure("collate", "sample \(i) has no key \(key) that sample 0 has", file: #fileID, line: #line) }
                return v
            })
        }
        return out
    }
}

/// Collate functions (PyTorch: `torch.utils.data.default_collate` and friends), for use
/// in custom `collate:` closures.
public enum Collate {
    /// Stacks same-shaped tensors along a new first dimension (PyTorch: `torch.stack(batch, 0)`),
    /// with one copy per sample when they are contiguous and need no gradient.
    ///
    /// ```swift
    /// let loader = DataLoader(texts, batchSize: 32, collate: { samples in Collate.stack(samples.map(\.tokens)) })
    /// ```
    public static func stack(_ samples: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(!samples.isEmpty, "collate", "cannot collate an empty batch", file: file, line: line)
        let first = samples[0]
        let fast = samples.allSatisfy { $0.isContiguous && $0.dtype == first.dtype && $0.shape == first.shape && !$0.requiresGrad }
        guard fast else { return Tensor.stack(samples, dim: 0, file: file, line: line) }
        let out = Tensor(empty: [samples.count] + first.shape, dtype: first.dtype)
        let bytes = first.numel * first.dtype.itemSize
        for (k, s) in samples.enumerated() where bytes > 0 {
            (out.storage.data + k * bytes).copyMemory(from: s.storage.data + s.offset * s.dtype.itemSize, byteCount: bytes)
        }
        return out
    }

    /// The default collate of 2-tuples: each position collated separately.
    public static func pairs<A: Collatable, B: Collatable>(_ samples: [(A, B)]) -> (A.Batch, B.Batch) {
        (A.collate(samples.map(\.0)), B.collate(samples.map(\.1)))
    }

    /// The default collate of 3-tuples: each position collated separately.
    public static func triples<A: Collatable, B: Collatable, C: Collatable>(_ samples: [(A, B, C)]) -> (A.Batch, B.Batch, C.Batch) {
        (A.collate(samples.map(\.0)), B.collate(samples.map(\.1)), C.collate(samples.map(\.2)))
    }
}
