#if canImport(Glibc)
import Glibc
#endif

/// Multiplies the learning rate by `gamma` every `stepSize` epochs
/// (PyTorch: `torch.optim.lr_scheduler.StepLR`).
///
/// ```swift
/// let scheduler = StepLR(optimizer, stepSize: 30, gamma: 0.1)   // lr 0.05 → 0.005 at 30 → ...
/// ```
public final class StepLR: EpochLRScheduler {
    /// Epochs between decays (PyTorch: `step_size`).
    public let stepSize: Int
    /// The decay factor (PyTorch: `gamma`).
    public let gamma: Double

    /// Decays each group's learning rate by `gamma` every `stepSize` epochs.
    public init(_ optimizer: any Optimizer, stepSize: Int, gamma: Double = 0.1, file: StaticString = #fileID, line: UInt = #line) {
        check(stepSize > 0, "StepLR", "stepSize must be positive, got \(stepSize)", file: file, line: line)
        self.stepSize = stepSize
        self.gamma = gamma
        super.init(optimizer)
        step()
    }

    override func chainedLRs() -> [Double] {
        let e = core.lastEpoch
        return e == 0 || e % stepSize != 0 ? core.groupLRs : core.groupLRs.map { $0 * gamma }
    }

    override func closedFormLRs(_ epoch: Int) -> [Double] {
        core.baseLRs.map { $0 * pow(gamma, Double(floorDiv(epoch, stepSize))) }
    }
}

/// Multiplies the learning rate by `gamma` at each milestone epoch (a milestone listed twice
/// multiplies twice) (PyTorch: `torch.optim.lr_scheduler.MultiStepLR`).
///
/// ```swift
/// let scheduler = MultiStepLR(optimizer, milestones: [30, 80], gamma: 0.1)
/// ```
public final class MultiStepLR: EpochLRScheduler {
    /// The epochs at which to decay, sorted (PyTorch: `milestones`).
    public let milestones: [Int]
    /// The decay factor (PyTorch: `gamma`).
    public let gamma: Double
    private let counts: [Int: Int]

    /// Decays each group's learning rate by `gamma` at every milestone.
    public init(_ optimizer: any Optimizer, milestones: [Int], gamma: Double = 0.1) {
        self.milestones = milestones.sorted()
        self.gamma = gamma
        counts = Dictionary(milestones.map { ($0, 1) }, uniquingKeysWith: +)
        super.init(optimizer)
        step()
    }

    override func chainedLRs() -> [Double] {
        guard let n = counts[core.lastEpoch] else { return core.groupLRs }
        return core.groupLRs.map { $0 * pow(gamma, Double(n)) }
    }

    override func closedFormLRs(_ epoch: Int) -> [Double] {
        let passed = milestones.filter { $0 <= epoch }.count   // bisect_right
        return core.baseLRs.map { $0 * pow(gamma, Double(passed)) }
    }
}

/// Multiplies the learning rate by `gamma` every epoch
/// (PyTorch: `torch.optim.lr_scheduler.ExponentialLR`).
///
/// ```swift
/// let scheduler = ExponentialLR(optimizer, gamma: 0.95)
/// ```
public final class ExponentialLR: EpochLRScheduler {
    /// The decay factor (PyTorch: `gamma`).
    public let gamma: Double

    /// Decays each group's learning rate by `gamma` per epoch.
    public init(_ optimizer: any Optimizer, gamma: Double) {
        self.gamma = gamma
        super.init(optimizer)
        step()
    }

    override func chainedLRs() -> [Double] {
        core.lastEpoch == 0 ? core.groupLRs : core.groupLRs.map { $0 * gamma }
    }

    override func closedFormLRs(_ epoch: Int) -> [Double] {
        core.baseLRs.map { $0 * pow(gamma, Double(epoch)) }
    }
}

/// Python's `a // b` for integers (rounds toward negative infinity).
func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
