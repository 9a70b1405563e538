/// Reduces the learning rate when a metric stops improving for `patience` epochs
/// (PyTorch: `torch.optim.lr_scheduler.ReduceLROnPlateau`).
///
/// ```swift
/// let scheduler = ReduceLROnPlateau(optimizer, mode: .min, factor: 0.5, patience: 3)
/// for epoch in 0..<100 {
///     train(optimizer)
///     scheduler.step(metric: validationLoss())
/// }
/// ```
public final class ReduceLROnPlateau {
    /// Whether lower or higher metric values are better (PyTorch: `mode`).
    public enum Mode: String, Sendable {
        /// Lower is better, e.g. a loss (PyTorch: `'min'`).
        case min
        /// Higher is better, e.g. an accuracy (PyTorch: `'max'`).
        case max
    }
    /// How `threshold` defines a significant improvement (PyTorch: `threshold_mode`).
    public enum ThresholdMode: String, Sendable {
        /// Better than `best * (1 ∓ threshold)` (PyTorch: `'rel'`).
        case rel
        /// Better than `best ∓ threshold` (PyTorch: `'abs'`).
        case abs
    }

    /// The optimizer whose learning rates this scheduler reduces.
    public let optimizer: any Optimizer
    /// Lower or higher is better.
    public let mode: Mode
    /// The factor applied to the learning rate on a reduction (PyTorch: `factor`).
    public let factor: Double
    /// Epochs without improvement tolerated before reducing (PyTorch: `patience`).
    public let patience: Int
    /// The least change that counts as an improvement (PyTorch: `threshold`).
    public let threshold: Double
    /// Relative or absolute threshold.
    public let thresholdMode: ThresholdMode
    /// Epochs to wait after a reduction before counting again (PyTorch: `cooldown`).
    public let cooldown: Int
    /// Each group's lower bound on the learning rate (PyTorch: `min_lrs`).
    public let minLRs: [Double]
    /// Reductions smaller than this are skipped (PyTorch: `eps`).
    public let eps: Double
    /// The best metric so far (PyTorch: `best`).
    public private(set) var best: Double
    /// Epochs since the last improvement (PyTorch: `num_bad_epochs`).
    public private(set) var numBadEpochs = 0
    /// Epochs of cooldown left (PyTorch: `cooldown_counter`).
    public private(set) var cooldownCounter = 0
    /// Epochs stepped so far (PyTorch: `last_epoch`).
    public private(set) var lastEpoch = 0
    /// The groups' learning rates after the last step (PyTorch: `scheduler._last_lr`).
    public private(set) var lastLR: [Double]

    /// A plateau detector over `optimizer`; `minLR` has one value for all groups or one per
    /// group. Defaults are PyTorch's.
    public init(
        _ optimizer: any Optimizer, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
        threshold: Double = 1e-4, thresholdMode: ThresholdMode = .rel, cooldown: Int = 0,
        minLR: [Double] = [0], eps: Double = 1e-8, file: StaticString = #fileID, line: UInt = #line
    ) {
        check(factor < 1, "ReduceLROnPlateau", "factor should be < 1.0, got \(factor)", file: file, line: line)
        let n = optimizer.paramGroups.count
        check(minLR.count == 1 || minLR.count == n, "ReduceLROnPlateau", "expected \(n) minLR values (one per parameter group), got \(minLR.count)", file: file, line: line)
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        minLRs = minLR.count == 1 ? Array(repeating: minLR[0], count: n) : minLR
        self.eps = eps
        best = mode == .min ? .infinity : -.infinity
        lastLR = optimizer.paramGroups.map(\.lr)
    }

    /// A plateau detector with one learning-rate floor for every group.
    public convenience init(
        _ optimizer: any Optimizer, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
        threshold: Double = 1e-4, thresholdMode: ThresholdMode = .rel, cooldown: Int = 0,
        minLR: Double, eps: Double = 1e-8, file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init(optimizer, mode: mode, factor: factor, patience: patience, threshold: threshold,
                  thresholdMode: thresholdMode, cooldown: cooldown, minLR: [minLR], eps: eps, file: file, line: line)
    }

    /// Records this epoch's metric and reduces the learning rates if it has not improved for
    /// more than `patience` epochs (PyTorch: `scheduler.step(metrics)`).
    public func step(metric: Double) {
        lastEpoch += 1
        if isBetter(metric, than: best) {
            best = metric
            numBadEpochs = 0
        } else {
            numBadEpochs += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            numBadEpochs = 0
        }
        if numBadEpochs > patience {
            reduceLR()
            cooldownCounter = cooldown
            numBadEpochs = 0
        }
        lastLR = optimizer.paramGroups.map(\.lr)
    }

    /// Same as `step(metric:)` with a one-element tensor, e.g. a loss.
    public func step(metric: Tensor) { step(metric: metric.item()) }

    private func reduceLR() {
        for i in optimizer.paramGroups.indices {
            let old = optimizer.paramGroups[i].lr
            let new = Swift.max(old * factor, minLRs[i])
            if old - new > eps { optimizer.paramGroups[i].lr = new }
        }
    }

    private func isBetter(_ a: Double, than best: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .rel): return a < best * (1 - threshold)
        case (.min, .abs): return a < best - threshold
        case (.max, .rel): return a > best * (threshold + 1)
        case (.max, .abs): return a > best + threshold
        }
    }

    /// The mutable state under PyTorch's names: `best`, `num_bad_epochs`, `cooldown_counter`,
    /// `last_epoch`, `_last_lr` (PyTorch: `scheduler.state_dict()`).
    public func stateDict() -> TensorDict {
        var d = TensorDict()
        d["best"] = Tensor(scalar: best, dtype: .float64)
        d["num_bad_epochs"] = Tensor(scalar: Int64(numBadEpochs), dtype: .int64)
        d["cooldown_counter"] = Tensor(scalar: Int64(cooldownCounter), dtype: .int64)
        d["last_epoch"] = Tensor(scalar: Int64(lastEpoch), dtype: .int64)
        d["_last_lr"] = Tensor(lastLR, dtype: .float64)
        return d
    }

    /// Restores `stateDict()`'s state; on error nothing changes (PyTorch: `scheduler.load_state_dict`).
    public func loadStateDict(_ dict: TensorDict) throws {
        let r = StateReader(dict)
        let b = try r.double("best"), bad = try r.int("num_bad_epochs"), cool = try r.int("cooldown_counter")
        let epoch = try r.int("last_epoch"), last = try r.doubles("_last_lr", count: optimizer.paramGroups.count)
        try r.checkAllKeysUsed()
        (best, numBadEpochs, cooldownCounter, lastEpoch, lastLR) = (b, bad, cool, epoch, last)
    }
}
