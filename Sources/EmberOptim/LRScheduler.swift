/// Adjusts the learning rates of an optimizer's parameter groups once per `step()`
/// (PyTorch: `torch.optim.lr_scheduler._LRScheduler`).
///
/// Making a scheduler sets each group's `initialLR` (if not set yet) and performs the first
/// step, which sets the learning rate of epoch 0, exactly as in PyTorch. Call `step()` after
/// `optimizer.step()`:
///
/// ```swift
/// let optimizer = SGD(parameters, lr: 0.1, momentum: 0.9)
/// let scheduler = StepLR(optimizer, stepSize: 30, gamma: 0.1)
/// for epoch in 0..<100 {
///     train(optimizer)
///     scheduler.step()
/// }
/// ```
///
/// `ReduceLROnPlateau`, which steps on a metric, is separate, as in PyTorch 1.13.
public protocol LRScheduler: AnyObject {
    /// The optimizer whose learning rates this scheduler sets (PyTorch: `scheduler.optimizer`).
    var optimizer: any Optimizer { get }
    /// Each group's starting learning rate (PyTorch: `scheduler.base_lrs`).
    var baseLRs: [Double] { get }
    /// The index of the last step, 0 after construction (PyTorch: `scheduler.last_epoch`).
    var lastEpoch: Int { get set }
    /// The learning rates the last step set (PyTorch: `scheduler.get_last_lr()`).
    var lastLR: [Double] { get }
    /// Advances one epoch and sets the groups' learning rates (PyTorch: `scheduler.step()`).
    func step()
    /// Jumps to `epoch`, using the closed form where PyTorch has one (PyTorch's deprecated
    /// `scheduler.step(epoch)`; `SequentialLR` uses it to restart a scheduler at a milestone).
    func step(epoch: Int)
    /// The scheduler's state as named tensors, PyTorch's keys (`last_epoch`, `base_lrs`,
    /// `_last_lr`, `_step_count`, ...); its options come from the constructor
    /// (PyTorch: `scheduler.state_dict()`).
    func stateDict() -> TensorDict
    /// Restores `stateDict()`'s state; on error nothing changes (PyTorch: `scheduler.load_state_dict`).
    func loadStateDict(_ dict: TensorDict) throws
}

/// The bookkeeping PyTorch's `_LRScheduler` keeps for every epoch-based scheduler.
struct ScheduleCore {
    let optimizer: any Optimizer
    var baseLRs: [Double]
    var lastEpoch = -1
    var stepCount = 0
    var lastLR: [Double] = []

    /// Sets each group's `initialLR` to its `lr` unless set, and takes the base rates from it.
    init(_ optimizer: any Optimizer) {
        self.optimizer = optimizer
        for i in optimizer.paramGroups.indices where optimizer.paramGroups[i].initialLR == nil {
            optimizer.paramGroups[i].initialLR = optimizer.paramGroups[i].lr
        }
        baseLRs = optimizer.paramGroups.map { $0.initialLR! }
    }

    /// The groups' current learning rates (PyTorch: `[group['lr'] for group in param_groups]`).
    var groupLRs: [Double] { optimizer.paramGroups.map(\.lr) }

    /// Writes `values` into the groups and records them as `lastLR`.
    mutating func apply(_ values: [Double]) {
        for (i, v) in values.enumerated() { optimizer.paramGroups[i].lr = v }
        lastLR = groupLRs
    }

    /// Writes the common keys.
    func encode(into d: inout TensorDict) {
        d["last_epoch"] = Tensor(scalar: Int64(lastEpoch), dtype: .int64)
        d["_step_count"] = Tensor(scalar: Int64(stepCount), dtype: .int64)
        d["base_lrs"] = Tensor(baseLRs, dtype: .float64)
        d["_last_lr"] = Tensor(lastLR, dtype: .float64)
    }

    /// Reads the common keys; returns the state to assign once everything is valid.
    func decode(_ r: StateReader) throws -> ScheduleCore {
        var c = self
        let n = optimizer.paramGroups.count
        c.lastEpoch = try r.int("last_epoch")
        c.stepCount = try r.int("_step_count")
        c.baseLRs = try r.doubles("base_lrs", count: n)
        c.lastLR = try r.doubles("_last_lr", count: n)
        return c
    }
}

/// Reads a scheduler state dictionary, recording which keys were used so that unknown keys
/// can be reported. Nested readers (SequentialLR's schedulers) share the record.
final class StateReader {
    let dict: TensorDict
    let prefix: String
    private let used: UsedKeys

    private final class UsedKeys { var keys = Set<String>() }

    init(_ dict: TensorDict) {
        self.dict = dict
        prefix = ""
        used = UsedKeys()
    }

    private init(_ dict: TensorDict, prefix: String, used: UsedKeys) {
        self.dict = dict
        self.prefix = prefix
        self.used = used
    }

    /// A reader of the keys under `prefix` (e.g. `_schedulers.0.`).
    func nested(_ prefix: String) -> StateReader { StateReader(dict, prefix: self.prefix + prefix, used: used) }

    func tensor(_ key: String) throws -> Tensor {
        let full = prefix + key
        guard let t = dict[full] else { throw OptimizerStateError.missingKey(full) }
        used.keys.insert(full)
        return t
    }

    func double(_ key: String) throws -> Double {
        let t = try tensor(key)
        guard t.numel == 1 else { throw OptimizerStateError.invalidValue(key: prefix + key, reason: "must hold one number, has shape \(t.shape)") }
        return t.item()
    }

    func int(_ key: String) throws -> Int {
        let x = try double(key)
        guard x == x.rounded(), abs(x) < 1e15 else { throw OptimizerStateError.invalidValue(key: prefix + key, reason: "must be a whole number, is \(x)") }
        return Int(x)
    }

    func doubles(_ key: String, count: Int) throws -> [Double] {
        let t = try tensor(key)
        guard t.numel == count else { throw OptimizerStateError.invalidValue(key: prefix + key, reason: "must hold \(count) values (one per parameter group), has shape \(t.shape)") }
        return t.toArray(as: Double.self)
    }

    /// Throws for the first key nobody read.
    func checkAllKeysUsed() throws {
        if let extra = dict.keys.first(where: { !used.keys.contains($0) }) { throw OptimizerStateError.unexpectedKey(extra) }
    }
}

/// A scheduler whose state loads in two phases: decode (may throw, changes nothing), then
/// commit. Every Ember scheduler is one, so SequentialLR can load its schedulers all or none.
protocol TwoPhaseLoadable: AnyObject {
    /// Reads this scheduler's keys and returns the assignment to perform once all is valid.
    func decodeState(_ r: StateReader) throws -> () -> Void
}

extension TwoPhaseLoadable {
    /// Decodes, checks for unknown keys, then commits.
    func loadTwoPhase(_ dict: TensorDict) throws {
        let r = StateReader(dict)
        let commit = try decodeState(r)
        try r.checkAllKeysUsed()
        commit()
    }
}
