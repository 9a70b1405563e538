/// Sets each group's learning rate to its initial value times a function of the epoch
/// (PyTorch: `torch.optim.lr_scheduler.LambdaLR`).
///
/// ```swift
/// let scheduler = LambdaLR(optimizer) { epoch in pow(0.95, Double(epoch)) }
/// ```
///
/// The functions are not part of the state dictionary (PyTorch saves them only when they
/// are callable objects).
public final class LambdaLR: LRScheduler, TwoPhaseLoadable {
    var core: ScheduleCore
    private let lambdas: [(Int) -> Double]

    /// One factor function for every group.
    public convenience init(_ optimizer: any Optimizer, lrLambda: @escaping (Int) -> Double) {
        self.init(optimizer, lrLambdas: Array(repeating: lrLambda, count: optimizer.paramGroups.count))
    }

    /// One factor function per group.
    public init(_ optimizer: any Optimizer, lrLambdas: [(Int) -> Double], file: StaticString = #fileID, line: UInt = #line) {
        check(lrLambdas.count == optimizer.paramGroups.count, "LambdaLR", "expected \(optimizer.paramGroups.count) lrLambdas (one per parameter group), got \(lrLambdas.count)", file: file, line: line)
        core = ScheduleCore(optimizer)
        lambdas = lrLambdas
        step()
    }

    public var optimizer: any Optimizer { core.optimizer }
    public var baseLRs: [Double] { core.baseLRs }
    public var lastEpoch: Int { get { core.lastEpoch } set { core.lastEpoch = newValue } }
    public var lastLR: [Double] { core.lastLR }

    public func step() { step(epoch: core.lastEpoch + 1) }

    public func step(epoch: Int) {
        core.stepCount += 1
        core.lastEpoch = epoch
        core.apply(zip(core.baseLRs, lambdas).map { base, f in base * f(epoch) })
    }

    public func stateDict() -> TensorDict { var d = TensorDict(); core.encode(into: &d); return d }
    public func loadStateDict(_ dict: TensorDict) throws { try loadTwoPhase(dict) }
    func decodeState(_ r: StateReader) throws -> () -> Void {
        let c = try core.decode(r)
        return { self.core = c }
    }
}
