#if canImport(Glibc)
import Glibc
#endif

/// Multiplies the learning rate by `gamma` every `stepSize` epochs
/// (PyTorch: `torch.optim.lr_scheduler.StepLR`).
///
/// ```swift
/// let scheduler = StepLR(optimizer, stepSize: 30, gamma: 0.1)   // lr 0.05 → 0.005 at 30 → ...
/// ```
public final class StepLR: LRScheduler, TwoPhaseLoadable {
    var core: ScheduleCore
    /// Epochs between decays (PyTorch: `step_size`).
    public let stepSize: Int
    /// The decay factor (PyTorch: `gamma`).
    public let gamma: Double

    /// Decays each group's learning rate by `gamma` every `stepSize` epochs.
    public init(_ optimizer: any Optimizer, stepSize: Int, gamma: Double = 0.1, file: StaticString = #fileID, line: UInt = #line) {
        check(stepSize > 0, "StepLR", "stepSize must be positive, got \(stepSize)", file: file, line: line)
        core = ScheduleCore(optimizer)
        self.stepSize = stepSize
        self.gamma = gamma
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
        core.apply(e == 0 || e % stepSize != 0 ? core.groupLRs : core.groupLRs.map { $0 * gamma })
    }

    /// Jumps to `epoch` (PyTorch's deprecated `scheduler.step(epoch)`; closed form where PyTorch has one).
    public func step(epoch: Int) {
        core.stepCount += 1
        core.lastEpoch = epoch
        core.apply(core.baseLRs.map { $0 * pow(gamma, Double(floorDiv(epoch, stepSize))) })
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

/// Multiplies the learning rate by `gamma` at each milestone epoch (a milestone listed twice
/// multiplies twice) (PyTorch: `torch.optim.lr_scheduler.MultiStepLR`).
///
/// ```swift
/// let scheduler = MultiStepLR(optimizer, milestones: [30, 80], gamma: 0.1)
/// ```
public final class MultiStepLR: LRScheduler, TwoPhaseLoadable {
    var core: ScheduleCore
    /// The epochs at which to decay, sorted (PyTorch: `milestones`).
    public let milestones: [Int]
    /// The decay factor (PyTorch: `gamma`).
    public let gamma: Double
    private let counts: [Int: Int]

    /// Decays each group's learning rate by `gamma` at every milestone.
    public init(_ optimizer: any Optimizer, milestones: [Int], gamma: Double = 0.1) {
        core = ScheduleCore(optimizer)
        self.milestones = milestones.sorted()
        self.gamma = gamma
        counts = Dictionary(milestones.map { ($0, 1) }, uniquingKeysWith: +)
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
        guard let n = counts[core.lastEpoch] else { core.apply(core.groupLRs); return }
        core.apply(core.groupLRs.map { $0 * pow(gamma, Double(n)) })
    }

    /// Jumps to `epoch` (PyTorch's deprecated `scheduler.step(epoch)`; closed form where PyTorch has one).
    public func step(epoch: Int) {
        core.stepCount += 1
        core.lastEpoch = epoch
        let passed = milestones.filter { $0 <= epoch }.count   // bisect_right
        core.apply(core.baseLRs.map { $0 * pow(gamma, Double(passed)) })
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

/// Multiplies the learning rate by `gamma` every epoch
/// (PyTorch: `torch.optim.lr_scheduler.ExponentialLR`).
///
/// ```swift
/// let scheduler = ExponentialLR(optimizer, gamma: 0.95)
/// ```
public final class ExponentialLR: LRScheduler, TwoPhaseLoadable {
    var core: ScheduleCore
    /// The decay factor (PyTorch: `gamma`).
    public let gamma: Double

    /// Decays each group's learning rate by `gamma` per epoch.
    public init(_ optimizer: any Optimizer, gamma: Double) {
        core = ScheduleCore(optimizer)
        self.gamma = gamma
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
        core.apply(core.lastEpoch == 0 ? core.groupLRs : core.groupLRs.map { $0 * gamma })
    }

    /// Jumps to `epoch` (PyTorch's deprecated `scheduler.step(epoch)`; closed form where PyTorch has one).
    public func step(epoch: Int) {
        core.stepCount += 1
        core.lastEpoch = epoch
        core.apply(core.baseLRs.map { $0 * pow(gamma, Double(epoch)) })
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

/// Python's `a // b` for integers (rounds toward negative infinity).
func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
