/// Scales the learning rate by a factor moving linearly from `startFactor` to `endFactor`
/// over `totalIters` epochs, then keeps it (PyTorch: `torch.optim.lr_scheduler.LinearLR`).
/// The usual warm-up:
///
/// ```swift
/// let warmup = LinearLR(optimizer, startFactor: 0.1, totalIters: 5)
/// ```
public final class LinearLR: EpochLRScheduler {
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
        self.startFactor = startFactor
        self.endFactor = endFactor
        self.totalIters = totalIters
        super.init(optimizer)
        step()
    }

    override func chainedLRs() -> [Double] {
        let e = core.lastEpoch
        if e == 0 { return core.groupLRs.map { $0 * startFactor } }
        if e > totalIters { return core.groupLRs }
        let factor = 1.0 + (endFactor - startFactor)
            / (Double(totalIters) * startFactor + Double(e - 1) * (endFactor - startFactor))
        return core.groupLRs.map { $0 * factor }
    }

    override func closedFormLRs(_ epoch: Int) -> [Double] {
        let f = startFactor + (endFactor - startFactor) * Double(Swift.min(totalIters, epoch)) / Double(totalIters)
        return core.baseLRs.map { $0 * f }
    }
}
