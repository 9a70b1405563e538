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
public final class CosineAnnealingLR: EpochLRScheduler {
    /// Epochs of a half period (PyTorch: `T_max`).
    public let tMax: Int
    /// The lowest learning rate (PyTorch: `eta_min`).
    public let etaMin: Double

    /// Cosine annealing from each group's learning rate to `etaMin` over `tMax` epochs.
    public init(_ optimizer: any Optimizer, tMax: Int, etaMin: Double = 0, file: StaticString = #fileID, line: UInt = #line) {
        check(tMax > 0, "CosineAnnealingLR", "tMax must be positive, got \(tMax)", file: file, line: line)
        self.tMax = tMax
        self.etaMin = etaMin
        super.init(optimizer)
        step()
    }

    override func closedFormLRs(_ epoch: Int) -> [Double] {
        core.baseLRs.map { etaMin + ($0 - etaMin) * (1 + cos(Double.pi * Double(epoch) / Double(tMax))) / 2 }
    }

    /// PyTorch's `get_lr`, branch for branch.
    override func chainedLRs() -> [Double] {
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
}

/// Cosine annealing with warm restarts: anneal over `t0` epochs, restart at the initial
/// learning rate, anneal over `t0 * tMult` epochs, ... (SGDR) (PyTorch:
/// `torch.optim.lr_scheduler.CosineAnnealingWarmRestarts`).
///
/// ```swift
/// let scheduler = CosineAnnealingWarmRestarts(optimizer, t0: 10, tMult: 2)
/// ```
public final class CosineAnnealingWarmRestarts: EpochLRScheduler {
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
        self.t0 = t0
        self.tMult = tMult
        self.etaMin = etaMin
        tI = Double(t0)
        tCur = -1
        super.init(optimizer)
        step()
    }

    /// Advances one epoch and sets the groups' learning rates (PyTorch: `scheduler.step()`).
    override public func step() {
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
    override public func step(epoch: Int) {
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

    override func encodeExtraState(into d: inout TensorDict) {
        d["T_cur"] = Tensor(scalar: tCur, dtype: .float64)
        d["T_i"] = Tensor(scalar: tI, dtype: .float64)
    }

    override func decodeState(_ r: StateReader) throws -> () -> Void {
        let c = try core.decode(r), cur = try r.double("T_cur"), i = try r.double("T_i")
        return { self.core = c; self.tCur = cur; self.tI = i }
    }
}
