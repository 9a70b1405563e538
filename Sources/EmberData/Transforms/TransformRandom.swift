/// Where random transforms draw their randomness when they were given no generator of
/// their own (PyTorch: the per-worker seeding a `DataLoader` does, `base_seed + worker_id`).
///
/// A `DataLoader` gives each batch its own generator, seeded from the loader's generator
/// and the batch's position in the epoch, and makes it current while that batch loads.
/// Random transforms therefore give the same result for the same seed whatever
/// `numWorkers` is and whichever thread loads the batch, which PyTorch does not promise.
/// Outside a loader, `current` is `Generator.default`.
///
/// ```swift
/// struct RandomInvert: Transform {
///     func callAsFunction(_ x: Tensor) -> Tensor {
///         Tensor.rand([1], generator: TransformRandom.current).item() < 0.5 ? 1 - x : x
///     }
/// }
/// ```
public enum TransformRandom {
    @TaskLocal static var bound: Generator?

    /// The generator of the batch being loaded, or `Generator.default` outside a loader.
    public static var current: Generator { bound ?? .default }

    /// Runs `body` with `generator` as `current` on this thread (what a `DataLoader` does
    /// around each batch).
    public static func with<R>(_ generator: Generator, _ body: () throws -> R) rethrows -> R {
        try $bound.withValue(generator, operation: body)
    }

    /// A uniform double in [0, 1) from `generator`.
    static func uniform(_ generator: Generator) -> Double {
        Tensor.rand([1], dtype: .float64, generator: generator).item()
    }

    /// A uniform integer in `0..<bound` from `generator`.
    static func integer(below bound: Int, _ generator: Generator) -> Int {
        Int(Tensor.randint(0, bound, [1], generator: generator).item(as: Int64.self))
    }
}
