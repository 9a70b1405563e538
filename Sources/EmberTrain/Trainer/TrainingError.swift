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
    /// The epoch's mean training loss was not finite, or grew past `factor` times the first
    /// epoch's (`Trainer.divergenceFactor`); the epoch was not recorded or checkpointed.
    /// `epoch` counts from 1; `step` is the last step taken.
    case diverged(loss: Double, firstEpochLoss: Double?, factor: Double, epoch: Int, step: Int, lastCheckpoint: String?)
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
            return "loss is \(Format.fixed(v, 4)) at epoch \(e), batch \(b) (step \(s)); training stopped without taking that step. " + kept(c)
        case .nonFiniteGradient(let n, let e, let b, let s, let c):
            return "gradient norm is \(Format.fixed(n, 4)) at epoch \(e), batch \(b) (step \(s)); training stopped without taking that step. " + kept(c)
        case .diverged(let l, let first, let f, let e, let s, let c):
            let why = l.isFinite && first != nil
                ? "grew past \(Format.scientific(f, 0)) times the first epoch's (\(Format.fixed(first!, 4)))"
                : "is not finite"
            return "training diverged: the mean training loss of epoch \(e) (step \(s)) is \(Format.fixed(l, 4)), which \(why); "
                + "training stopped. " + kept(c) + " (--no-stop-on-divergence or a larger --divergence-factor keeps going)"
        case .interrupted(let e, let b, let c):
            return "interrupted at epoch \(e), batch \(b). " + (c.map { "Checkpoint saved to \($0)" } ?? "No checkpoint was written")
        }
    }
}
