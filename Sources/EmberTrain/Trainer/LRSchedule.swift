import Ember
import EmberOptim

/// When a trainer steps its learning-rate scheduler (PyTorch: where `scheduler.step()` sits
/// in the training loop).
///
/// ```swift
/// trainer.schedule = .perEpoch(CosineAnnealingLR(optimizer, tMax: 10))
/// trainer.schedule = .perBatch(OneCycleLR(optimizer, maxLR: 0.01, epochs: 10, stepsPerEpoch: loader.count))
/// trainer.schedule = .onPlateau(ReduceLROnPlateau(optimizer, patience: 2), monitor: .valLoss)
/// ```
public enum LRSchedule {
    /// A constant learning rate.
    case none
    /// `step()` after each epoch (StepLR, CosineAnnealingLR, ...).
    case perEpoch(any LRScheduler)
    /// `step()` after each optimizer step (OneCycleLR, warm-up schedules).
    case perBatch(any LRScheduler)
    /// `step(metric:)` after each epoch with the monitored metric (validation metrics fall
    /// back to training ones without a validation set).
    case onPlateau(ReduceLROnPlateau, monitor: Monitor)

    /// The scheduler's state dict, or nil for `.none`.
    public func stateDict() -> TensorDict? {
        switch self {
        case .none: return nil
        case .perEpoch(let s), .perBatch(let s): return s.stateDict()
        case .onPlateau(let s, _): return s.stateDict()
        }
    }

    /// Restores a state dict taken by `stateDict()`.
    public func loadStateDict(_ dict: TensorDict) throws {
        switch self {
        case .none: break
        case .perEpoch(let s), .perBatch(let s): try s.loadStateDict(dict)
        case .onPlateau(let s, _): try s.loadStateDict(dict)
        }
    }
}
