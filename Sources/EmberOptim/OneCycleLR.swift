#if canImport(Glibc)
import Glibc
#endif

/// The 1cycle policy: the learning rate rises from `maxLR / divFactor` to `maxLR`, then
/// anneals to far below the start, while momentum (or Adam's beta1) cycles the opposite
/// way; stepped once per batch (PyTorch: `torch.optim.lr_scheduler.OneCycleLR`).
///
/// ```swift
/// let scheduler = OneCycleLR(optimizer, maxLR: 0.1, totalSteps: epochs * batchesPerEpoch)
/// for batch in batches { train(batch); optimizer.step(); scheduler.step() }
/// ```
public final class OneCycleLR: EpochLRScheduler {
    /// How to move between two values over a phase (PyTorch: `anneal_strategy`).
    public enum AnnealStrategy: Sendable {
        /// Half a cosine (PyTorch: `'cos'`).
        case cos
        /// A straight line (PyTorch: `'linear'`).
        case linear
    }

    private struct Phase {
        let endStep: Double
        let startLR, endLR, startMomentum, endMomentum: KeyPath<OneCycleLR, [Double]>
    }

    /// Steps in the whole cycle (PyTorch: `total_steps`).
    public let totalSteps: Int
    /// Each group's peak learning rate.
    public let maxLRs: [Double]
    /// Each group's starting learning rate, `maxLR / divFactor` (PyTorch: `group['initial_lr']`).
    public let initialLRs: [Double]
    /// Each group's final learning rate, `initialLR / finalDivFactor` (PyTorch: `group['min_lr']`).
    public let minLRs: [Double]
    /// Each group's momentum at the peak learning rate (PyTorch: `base_momentum`).
    public let baseMomentums: [Double]
    /// Each group's momentum at the start and end (PyTorch: `max_momentum`).
    public let maxMomentums: [Double]
    /// The annealing shape.
    public let annealStrategy: AnnealStrategy
    /// Whether momentum (or beta1) is cycled (PyTorch: `cycle_momentum`).
    public let cycleMomentum: Bool
    private let useBeta1: Bool
    private var phases: [Phase] = []

    /// A 1cycle schedule over `totalSteps` steps (or `epochs * stepsPerEpoch`); `maxLR` has
    /// one value for all groups or one per group. Defaults are PyTorch's.
    public init(
        _ optimizer: any Optimizer, maxLR: [Double], totalSteps: Int? = nil, epochs: Int? = nil, stepsPerEpoch: Int? = nil,
        pctStart: Double = 0.3, annealStrategy: AnnealStrategy = .cos, cycleMomentum: Bool = true,
        baseMomentum: [Double] = [0.85], maxMomentum: [Double] = [0.95], divFactor: Double = 25,
        finalDivFactor: Double = 1e4, threePhase: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        let n = optimizer.paramGroups.count
        func perGroup(_ v: [Double], _ name: String) -> [Double] {
            if v.count == 1 { return Array(repeating: v[0], count: n) }
            check(v.count == n, "OneCycleLR", "expected \(n) values for \(name) (one per parameter group), got \(v.count)", file: file, line: line)
            return v
        }
        if let totalSteps {
            check(totalSteps > 0, "OneCycleLR", "expected a positive totalSteps, got \(totalSteps)", file: file, line: line)
            self.totalSteps = totalSteps
        } else {
            guard let epochs, let stepsPerEpoch else {
                emberFailure("OneCycleLR", "define either totalSteps or (epochs and stepsPerEpoch)", file: file, line: line)
            }
            check(epochs > 0 && stepsPerEpoch > 0, "OneCycleLR", "expected positive epochs and stepsPerEpoch, got \(epochs) and \(stepsPerEpoch)", file: file, line: line)
            self.totalSteps = epochs * stepsPerEpoch
        }
        check(pctStart >= 0 && pctStart <= 1, "OneCycleLR", "expected pctStart in [0, 1], got \(pctStart)", file: file, line: line)
        maxLRs = perGroup(maxLR, "maxLR")
        initialLRs = maxLRs.map { $0 / divFactor }
        minLRs = initialLRs.map { $0 / finalDivFactor }
        self.annealStrategy = annealStrategy
        self.cycleMomentum = cycleMomentum
        useBeta1 = optimizer.defaults.has(.betas)
        maxMomentums = perGroup(maxMomentum, "maxMomentum")
        baseMomentums = perGroup(baseMomentum, "baseMomentum")
        for i in 0..<n { optimizer.paramGroups[i].initialLR = initialLRs[i] }
        if cycleMomentum {
            check(optimizer.defaults.has(.momentum) || useBeta1, "OneCycleLR", "optimizer must support momentum (momentum or betas) with cycleMomentum", file: file, line: line)
            for i in 0..<n { Self.setMomentum(optimizer, i, maxMomentums[i], beta1: useBeta1) }
        }
        super.init(optimizer)
        let total = Double(self.totalSteps)
        phases = threePhase ? [
            Phase(endStep: pctStart * total - 1, startLR: \.initialLRs, endLR: \.maxLRs, startMomentum: \.maxMomentums, endMomentum: \.baseMomentums),
            Phase(endStep: 2 * pctStart * total - 2, startLR: \.maxLRs, endLR: \.initialLRs, startMomentum: \.baseMomentums, endMomentum: \.maxMomentums),
            Phase(endStep: total - 1, startLR: \.initialLRs, endLR: \.minLRs, startMomentum: \.maxMomentums, endMomentum: \.maxMomentums),
        ] : [
            Phase(endStep: pctStart * total - 1, startLR: \.initialLRs, endLR: \.maxLRs, startMomentum: \.maxMomentums, endMomentum: \.baseMomentums),
            Phase(endStep: total - 1, startLR: \.maxLRs, endLR: \.minLRs, startMomentum: \.baseMomentums, endMomentum: \.maxMomentums),
        ]
        step()
    }

    /// A 1cycle schedule with one peak learning rate for every group.
    public convenience init(
        _ optimizer: any Optimizer, maxLR: Double, totalSteps: Int? = nil, epochs: Int? = nil, stepsPerEpoch: Int? = nil,
        pctStart: Double = 0.3, annealStrategy: AnnealStrategy = .cos, cycleMomentum: Bool = true,
        baseMomentum: Double = 0.85, maxMomentum: Double = 0.95, divFactor: Double = 25,
        finalDivFactor: Double = 1e4, threePhase: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init(optimizer, maxLR: [maxLR], totalSteps: totalSteps, epochs: epochs, stepsPerEpoch: stepsPerEpoch,
                  pctStart: pctStart, annealStrategy: annealStrategy, cycleMomentum: cycleMomentum,
                  baseMomentum: [baseMomentum], maxMomentum: [maxMomentum], divFactor: divFactor,
                  finalDivFactor: finalDivFactor, threePhase: threePhase, file: file, line: line)
    }

    /// The rates at step `epoch`; also sets the groups' momentum (or beta1) when it cycles.
    override func closedFormLRs(_ epoch: Int) -> [Double] {
        check(epoch <= totalSteps, "OneCycleLR", "tried to step \(epoch + 1) times; the specified number of total steps is \(totalSteps)", file: #fileID, line: #line)
        let stepNum = Double(epoch)
        var lrs: [Double] = []
        for i in core.optimizer.paramGroups.indices {
            var start = 0.0
            for (k, phase) in phases.enumerated() {
                if stepNum <= phase.endStep || k == phases.count - 1 {
                    let pct = (stepNum - start) / (phase.endStep - start)
                    lrs.append(anneal(self[keyPath: phase.startLR][i], self[keyPath: phase.endLR][i], pct))
                    if cycleMomentum {
                        let m = anneal(self[keyPath: phase.startMomentum][i], self[keyPath: phase.endMomentum][i], pct)
                        Self.setMomentum(core.optimizer, i, m, beta1: useBeta1)
                    }
                    break
                }
                start = phase.endStep
            }
        }
        return lrs
    }

    private func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        switch annealStrategy {
        case .cos: return end + (start - end) / 2.0 * (cos(Double.pi * pct) + 1)
        case .linear: return (end - start) * pct + start
        }
    }

    private static func setMomentum(_ optimizer: any Optimizer, _ i: Int, _ m: Double, beta1: Bool) {
        if beta1 {
            optimizer.paramGroups[i].betas = (m, optimizer.paramGroups[i].betas.1)
        } else {
            optimizer.paramGroups[i].momentum = m
        }
    }
}
