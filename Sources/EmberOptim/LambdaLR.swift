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

    /// The optimizer whose learning rates this scheduler sets (PyTorch: `scheduler.optimizer`).
    public var optimizer: any Optimizer { core.optimizer }
    /// Each group's starting learning rate (PyTorch: `scheduler.base_lrs`).
    public var baseLRs: [Double] { core.baseLRs }
    /// The index of the last step, 0 after construction (PyTorch: `scheduler.last_epoch`).
    public var lastEpoch: Int { get { core.lastEpoch } set { core.lastEpoch = newValue } }
    /// The learning rates the last step set (PyTorch: `scheduler.get_last_lr()`).
    public var lastLR: [Double] { core.lastLR }

    /// Advances one epoch and sets the groups' learning rates (PyTorch: `scheduler.step()`).
    public func step() { step(epoch: core.lastEpoch + 1) }

    /// Jumps to `epoch` (PyTorch's deprecated `scheduler.step(epoch)`; closed form where PyTorch has one).
    public func step(epoch: Int) {
        core.stepCount += 1
        core.lastEpoch = epoch
        core.apply(zip(core.baseLRs, lambdas).map { base, f in base * f(epoch) })
    }

    /// The scheduler's state under PyTorch's keys (PyTorch: `scheduler.state_dict()`).
    public func stateDict() -> TensorDict { var d = TensorDict(); core.encode(into: &d); return d }
    /// Restores `stateDict()`'s state; on error nothing changes (PyTorch: `scheduler.load_state_dict`).
    public func loadStateDict(_ dict: TensorDict) throws { try loadTwoPhase(dict) }
    func decodeState(_ r: StateReader) throws -> () -> Void {
        let c = try core.decode(r)
        return { self.core = c }
    }
}
