/// Scales the learning rate by a factor moving linearly from `startFactor` to `endFactor`
/// over `totalIters` epochs, then keeps it (PyTorch: `torch.optim.lr_scheduler.LinearLR`).
/// The usual warm-up:
///
/// ```swift
/// let warmup = LinearLR(optimizer, startFactor: 0.1, totalIters: 5)
/// ```
public final class LinearLR: LRScheduler, TwoPhaseLoadable {
    var core: ScheduleCore
    /// The factor at epoch 0 (PyTorch: `start_factor`).
    public let startFactor: Double
    /// The factor from `totalIters` on (PyTorch: `end_factor`).
    public let endFactor: Double
    /// Epochs of the ramp (PyTorch: `total_iters`).
    public let totalIters: Int

    /// A linear ramp of the learning-rate factor (defaults as PyTorch: 1/3 to 1 over 5 epochs).
    public init(
        _ optimizer: any Optimizer, startFactor: Double = 1.0 / 3, endFactor: Double = 1.0, totalIters: Int = 5,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        check(startFactor > 0 && startFactor <= 1, "LinearLR", "startFactor must be in (0, 1], got \(startFactor)", file: file, line: line)
        check(endFactor >= 0 && endFactor <= 1, "LinearLR", "endFactor must be in [0, 1], got \(endFactor)", file: file, line: line)
        check(totalIters > 0, "LinearLR", "totalIters must be positive, got \(totalIters)", file: file, line: line)
        core = ScheduleCore(optimizer)
        self.startFactor = startFactor
        self.endFactor = endFactor
        self.totalIters = totalIters
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
    public func step() {
        core.stepCount += 1
        core.lastEpoch += 1
        let e = core.lastEpoch
        if e == 0 { core.apply(core.groupLRs.map { $0 * startFactor }); return }
        if e > totalIters { core.apply(core.groupLRs); return }
        let factor = 1.0 + (endFactor - startFactor)
            / (Double(totalIters) * startFactor + Double(e - 1) * (endFactor - startFactor))
        core.apply(core.groupLRs.map { $0 * factor })
    }

    /// Jumps to `epoch` (PyTorch's deprecated `scheduler.step(epoch)`; closed form where PyTorch has one).
    public func step(epoch: Int) {
        core.stepCount += 1
        core.lastEpoch = epoch
        let f = startFactor + (endFactor - startFactor) * Double(Swift.min(totalIters, epoch)) / Double(totalIters)
        core.apply(core.baseLRs.map { $0 * f })
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
