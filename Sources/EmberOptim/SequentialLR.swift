/// Runs schedulers one after another, switching at milestone epochs; the usual warm-up then
/// decay (PyTorch: `torch.optim.lr_scheduler.SequentialLR`).
///
/// ```swift
/// let warmup = LinearLR(optimizer, startFactor: 0.1, totalIters: 5)
/// let decay = CosineAnnealingLR(optimizer, tMax: 95)
/// let scheduler = SequentialLR(optimizer, schedulers: [warmup, decay], milestones: [5])
/// ```
///
/// As in PyTorch, making it resets the groups to their initial learning rates, undoes the
/// first step of every scheduler and redoes the first scheduler's; at a milestone the next
/// scheduler restarts with `step(epoch: 0)`.
public final class SequentialLR: LRScheduler, TwoPhaseLoadable {
    /// The optimizer all the schedulers drive.
    public let optimizer: any Optimizer
    /// The schedulers, in order (PyTorch: `_schedulers`).
    public let schedulers: [any LRScheduler]
    /// The epochs at which the next scheduler takes over (PyTorch: `_milestones`).
    public let milestones: [Int]
    /// Epochs stepped so far.
    public var lastEpoch: Int
    /// The learning rates the last step set.
    public private(set) var lastLR: [Double]

    /// Chains `schedulers` (all of `optimizer`), switching at `milestones` (one fewer).
    public init(_ optimizer: any Optimizer, schedulers: [any LRScheduler], milestones: [Int], file: StaticString = #fileID, line: UInt = #line) {
        check(!schedulers.isEmpty, "SequentialLR", "expected at least one scheduler", file: file, line: line)
        for (i, s) in schedulers.enumerated() {
            check(s.optimizer === optimizer, "SequentialLR", "expects all schedulers to belong to the same optimizer, but scheduler \(i) has another", file: file, line: line)
        }
        check(milestones.count == schedulers.count - 1, "SequentialLR", "expects one more scheduler than milestones, got \(schedulers.count) schedulers and \(milestones.count) milestones", file: file, line: line)
        self.optimizer = optimizer
        self.schedulers = schedulers
        self.milestones = milestones
        lastEpoch = 0
        for i in optimizer.paramGroups.indices {
            optimizer.paramGroups[i].lr = optimizer.paramGroups[i].initialLR ?? optimizer.paramGroups[i].lr
        }
        for s in schedulers { s.lastEpoch -= 1 }
        schedulers[0].step()
        lastLR = schedulers[0].lastLR
    }

    /// The first scheduler's base learning rates.
    public var baseLRs: [Double] { schedulers[0].baseLRs }

    /// Advances one epoch with the scheduler whose turn it is.
    public func step() {
        lastEpoch += 1
        let idx = milestones.filter { $0 <= lastEpoch }.count   // bisect_right
        let s = schedulers[idx]
        if idx > 0 && milestones[idx - 1] == lastEpoch { s.step(epoch: 0) } else { s.step() }
        lastLR = s.lastLR
    }

    /// Jumps to `epoch`: the scheduler whose turn it is jumps to the epochs since its milestone
    /// (an Ember extension; PyTorch's SequentialLR has no `step(epoch)`).
    public func step(epoch: Int) {
        lastEpoch = epoch
        let idx = milestones.filter { $0 <= epoch }.count
        let s = schedulers[idx]
        s.step(epoch: epoch - (idx > 0 ? milestones[idx - 1] : 0))
        lastLR = s.lastLR
    }

    /// Its own state plus each scheduler's under `_schedulers.<k>.`.
    public func stateDict() -> TensorDict {
        var d = TensorDict()
        d["last_epoch"] = Tensor(scalar: Int64(lastEpoch), dtype: .int64)
        d["_last_lr"] = Tensor(lastLR, dtype: .float64)
        for (k, s) in schedulers.enumerated() {
            for (key, t) in s.stateDict() { d["_schedulers.\(k).\(key)"] = t }
        }
        return d
    }

    /// Restores its state and every scheduler's, all or nothing.
    public func loadStateDict(_ dict: TensorDict) throws { try loadTwoPhase(dict) }

    func decodeState(_ r: StateReader) throws -> () -> Void {
        let epoch = try r.int("last_epoch")
        let last = try r.doubles("_last_lr", count: optimizer.paramGroups.count)
        var commits: [() -> Void] = []
        for (k, s) in schedulers.enumerated() {
            let sub = r.nested("_schedulers.\(k).")
            if let s = s as? TwoPhaseLoadable {
                commits.append(try s.decodeState(sub))
            } else {
                var own = TensorDict()
                for key in r.dict.keys where key.hasPrefix(sub.prefix) {
                    own[String(key.dropFirst(sub.prefix.count))] = try sub.tensor(String(key.dropFirst(sub.prefix.count)))
                }
                commits.append { try? s.loadStateDict(own) }
            }
        }
        return {
            self.lastEpoch = epoch
            self.lastLR = last
            for c in commits { c() }
        }
    }
}
