#if canImport(Glibc)
import Glibc
#endif

/// Anneals the learning rate from its initial value to `etaMin` along a half cosine over
/// `tMax` epochs, then back up, periodically (PyTorch: `torch.optim.lr_scheduler.CosineAnnealingLR`).
///
/// Like PyTorch, each step is computed recursively from the group's current learning rate
/// (so changes made to it by others carry over); alone, it follows
/// `etaMin + (base - etaMin) * (1 + cos(pi * epoch / tMax)) / 2`.
///
/// ```swift
/// let scheduler = CosineAnnealingLR(optimizer, tMax: 100, etaMin: 1e-5)
/// ```
public final class CosineAnnealingLR: LRScheduler, TwoPhaseLoadable {
    var core: ScheduleCore
    /// Epochs of a half period (PyTorch: `T_max`).
    public let tMax: Int
    /// The lowest learning rate (PyTorch: `eta_min`).
    public let etaMin: Double

    /// Cosine annealing from each group's learning rate to `etaMin` over `tMax` epochs.
    public init(_ optimizer: any Optimizer, tMax: Int, etaMin: Double = 0, file: StaticString = #fileID, line: UInt = #line) {
        check(tMax > 0, "CosineAnnealingLR", "tMax must be positive, got \(tMax)", file: file, line: line)
        core = ScheduleCore(optimizer)
        self.tMax = tMax
        self.etaMin = etaMin
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
        core.apply(chainable())
    }

    /// Jumps to `epoch` (PyTorch's deprecated `scheduler.step(epoch)`; closed form where PyTorch has one).
    public func step(epoch: Int) {
        core.stepCount += 1
        core.lastEpoch = epoch
        core.apply(core.baseLRs.map { etaMin + ($0 - etaMin) * (1 + cos(Double.pi * Double(epoch) / Double(tMax))) / 2 })
    }

    /// PyTorch's `get_lr`, branch for branch.
    private func chainable() -> [Double] {
        let e = core.lastEpoch, T = Double(tMax)
        if e == 0 { return core.groupLRs }
        if core.stepCount == 1 && e > 0 {
            return core.baseLRs.map { etaMin + ($0 - etaMin) * (1 + cos(Double(e) * Double.pi / T)) / 2 }
        }
        if (e - 1 - tMax) % (2 * tMax) == 0 {
            return zip(core.baseLRs, core.groupLRs).map { base, lr in lr + (base - etaMin) * (1 - cos(Double.pi / T)) / 2 }
        }
        let factor = (1 + cos(Double.pi * Double(e) / T)) / (1 + cos(Double.pi * Double(e - 1) / T))
        return core.groupLRs.map { factor * ($0 - etaMin) + etaMin }
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

/// Cosine annealing with warm restarts: anneal over `t0` epochs, restart at the initial
/// learning rate, anneal over `t0 * tMult` epochs, ... (SGDR) (PyTorch:
/// `torch.optim.lr_scheduler.CosineAnnealingWarmRestarts`).
///
/// ```swift
/// let scheduler = CosineAnnealingWarmRestarts(optimizer, t0: 10, tMult: 2)
/// ```
public final class CosineAnnealingWarmRestarts: LRScheduler, TwoPhaseLoadable {
    var core: ScheduleCore
    /// Epochs until the first restart (PyTorch: `T_0`).
    public let t0: Int
    /// Growth factor of the period after each restart (PyTorch: `T_mult`).
    public let tMult: Int
    /// The lowest learning rate (PyTorch: `eta_min`).
    public let etaMin: Double
    /// Epochs since the last restart (PyTorch: `T_cur`).
    public private(set) var tCur: Double
    /// The current period (PyTorch: `T_i`).
    public private(set) var tI: Double

    /// Cosine annealing restarting after `t0`, `t0 * tMult`, ... epochs.
    public init(_ optimizer: any Optimizer, t0: Int, tMult: Int = 1, etaMin: Double = 0, file: StaticString = #fileID, line: UInt = #line) {
        check(t0 > 0, "CosineAnnealingWarmRestarts", "expected a positive integer t0, got \(t0)", file: file, line: line)
        check(tMult >= 1, "CosineAnnealingWarmRestarts", "expected an integer tMult >= 1, got \(tMult)", file: file, line: line)
        core = ScheduleCore(optimizer)
        self.t0 = t0
        self.tMult = tMult
        self.etaMin = etaMin
        tI = Double(t0)
        tCur = -1
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
        if core.lastEpoch < 0 { step(epoch: 0); return }
        core.lastEpoch += 1
        tCur += 1
        if tCur >= tI {
            tCur -= tI
            tI *= Double(tMult)
        }
        core.apply(lrs())
    }

    /// Jumps to `epoch` (PyTorch's deprecated `scheduler.step(epoch)`; closed form where PyTorch has one).
    public func step(epoch: Int) {
        check(epoch >= 0, "CosineAnnealingWarmRestarts", "expected a non-negative epoch, got \(epoch)", file: #fileID, line: #line)
        if epoch >= t0 {
            if tMult == 1 {
                tCur = Double(epoch % t0)
            } else {
                let m = Double(tMult), e = Double(epoch), t = Double(t0)
                let n = Int(log(e / t * (m - 1) + 1) / log(m))
                tCur = e - t * (pow(m, Double(n)) - 1) / (m - 1)
                tI = t * pow(m, Double(n))
            }
        } else {
            tI = Double(t0)
            tCur = Double(epoch)
        }
        core.lastEpoch = epoch
        core.apply(lrs())
    }

    private func lrs() -> [Double] {
        core.baseLRs.map { etaMin + ($0 - etaMin) * (1 + cos(Double.pi * tCur / tI)) / 2 }
    }

    /// The scheduler's state under PyTorch's keys (PyTorch: `scheduler.state_dict()`).
    public func stateDict() -> TensorDict {
        var d = TensorDict()
        core.encode(into: &d)
        d["T_cur"] = Tensor(scalar: tCur, dtype: .float64)
        d["T_i"] = Tensor(scalar: tI, dtype: .float64)
        return d
    }
    /// Restores `stateDict()`'s state; on error nothing changes (PyTorch: `scheduler.load_state_dict`).
    public func loadStateDict(_ dict: TensorDict) throws { try loadTwoPhase(dict) }
    func decodeState(_ r: StateReader) throws -> () -> Void {
        let c = try core.decode(r), cur = try r.double("T_cur"), i = try r.double("T_i")
        return { self.core = c; self.tCur = cur; self.tI = i }
    }
}
