/// Sets each group's learning rate to its initial value times a function of the epoch
/// (PyTorch: `torch.optim.lr_scheduler.LambdaLR`).
///
/// ```swift
/// let scheduler = LambdaLR(optimizer) { epoch in pow(0.95, Double(epoch)) }
/// ```
///
/// The functions are not part of the state dictionary (PyTorch saves them only when they
/// are callable objects).
public final class LambdaLR: EpochLRScheduler {
    private let lambdas: [(Int) -> Double]

    /// One factor function for every group.
    public convenience init(_ optimizer: any Optimizer, lrLambda: @escaping (Int) -> Double) {
        self.init(optimizer, lrLambdas: Array(repeating: lrLambda, count: optimizer.paramGroups.count))
    }

    /// One factor function per group.
    public init(_ optimizer: any Optimizer, lrLambdas: [(Int) -> Double], file: StaticString = #fileID, line: UInt = #line) {
        check(lrLambdas.count == optimizer.paramGroups.count, "LambdaLR", "expected \(optimizer.paramGroups.count) lrLambdas (one per parameter group), got \(lrLambdas.count)", file: file, line: line)
        lambdas = lrLambdas
        super.init(optimizer)
        step()
    }

    override func closedFormLRs(_ epoch: Int) -> [Double] {
        zip(core.baseLRs, lambdas).map { base, f in base * f(epoch) }
    }
}
