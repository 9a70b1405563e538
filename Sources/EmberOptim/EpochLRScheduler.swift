/// The common base of the epoch-based schedulers (PyTorch: `torch.optim.lr_scheduler._LRScheduler`):
/// it keeps PyTorch's bookkeeping (`last_epoch`, `_step_count`, `base_lrs`, `_last_lr`),
/// steps, and saves and restores that state. A schedule supplies its rates through
/// `chainedLRs()` (PyTorch's `get_lr`, computed from the groups' current rates) and
/// `closedFormLRs(_:)` (PyTorch's `_get_closed_form_lr`, from the epoch alone).
public class EpochLRScheduler: LRScheduler, TwoPhaseLoadable {
    var core: ScheduleCore

    /// Takes the base rates from `optimizer`'s groups (setting their `initialLR`); the
    /// subclass then performs the first step.
    init(_ optimizer: any Optimizer) {
        core = ScheduleCore(optimizer)
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
        core.apply(chainedLRs())
    }

    /// Jumps to `epoch` (PyTorch's deprecated `scheduler.step(epoch)`; closed form where PyTorch has one).
    public func step(epoch: Int) {
        core.stepCount += 1
        core.lastEpoch = epoch
        core.apply(closedFormLRs(epoch))
    }

    /// The rates for the epoch `step()` just reached (PyTorch: `get_lr()`); by default the
    /// closed form at that epoch.
    func chainedLRs() -> [Double] { closedFormLRs(core.lastEpoch) }

    /// The rates at `epoch` from the base rates alone (PyTorch: `_get_closed_form_lr()`); by
    /// default the groups' current rates, unchanged.
    func closedFormLRs(_ epoch: Int) -> [Double] { core.groupLRs }

    /// The scheduler's state under PyTorch's keys (PyTorch: `scheduler.state_dict()`).
    public func stateDict() -> TensorDict {
        var d = TensorDict()
        core.encode(into: &d)
        encodeExtraState(into: &d)
        return d
    }

    /// Adds a schedule's own state keys (e.g. `T_cur`) to `stateDict()`; none by default.
    func encodeExtraState(into d: inout TensorDict) {}

    /// Restores `stateDict()`'s state; on error nothing changes (PyTorch: `scheduler.load_state_dict`).
    public func loadStateDict(_ dict: TensorDict) throws { try loadTwoPhase(dict) }

    /// Reads the common keys; a schedule with its own keys reads them too.
    func decodeState(_ r: StateReader) throws -> () -> Void {
        let c = try core.decode(r)
        return { self.core = c }
    }
}
