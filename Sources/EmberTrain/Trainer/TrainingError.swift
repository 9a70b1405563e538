/// Why training stopped before its last epoch, other than early stopping.
///
/// ```swift
/// do { try trainer.fit(train, validation: val, epochs: 10) }
/// catch let e as TrainingError { print(e) }
/// // "loss is nan at epoch 3, batch 17 (step 955); training stopped without taking that step.
/// //  The last good checkpoint is runs/a/checkpoint.safetensors (epoch 3, batch 0)"
/// ```
public enum TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The loss of a batch was NaN or infinite; the step was not taken. Epoch and batch
    /// count from 1.
    case nonFiniteLoss(value: Double, epoch: Int, batch: Int, step: Int, lastCheckpoint: String?)
    /// The gradient norm was NaN or infinite (with gradient clipping on); the step was not taken.
    case nonFiniteGradient(norm: Double, epoch: Int, batch: Int, step: Int, lastCheckpoint: String?)
    /// A stop was requested (Ctrl-C); the checkpoint, if any, holds the state at the stop.
    /// Epoch and batch count from 1 and name the last finished batch.
    case interrupted(epoch: Int, batch: Int, checkpoint: String?)

    /// The message to show the user, naming where it happened and what was kept.
    public var description: String {
        func kept(_ path: String?) -> String {
            path.map { "The last good checkpoint is \($0)" } ?? "No checkpoint was written"
        }
        switch self {
        case .nonFiniteLoss(let v, let e, let b, let s, let c):
            return "loss is \(v) at epoch \(e), batch \(b) (step \(s)); training stopped without taking that step. " + kept(c)
        case .nonFiniteGradient(let n, let e, let b, let s, let c):
            return "gradient norm is \(n) at epoch \(e), batch \(b) (step \(s)); training stopped without taking that step. " + kept(c)
        case .interrupted(let e, let b, let c):
            return "interrupted at epoch \(e), batch \(b). " + (c.map { "Checkpoint saved to \($0)" } ?? "No checkpoint was written")
        }
    }
}
