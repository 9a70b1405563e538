import Ember
import EmberTrain

/// The JSON a run folder's files hold, as text: the run's `config.json` (`RunConfig.parse`,
/// then `validate`) and the trainer state stored in `checkpoint.safetensors`'s metadata
/// (`TrainingCheckpoint.read`; the `checkpoint.json` sidecar repeats it for people and is
/// never read). A state that reads must survive `write(to:)` and `read(from:)` unchanged.
func fuzzCheckpoint(_ bytes: UnsafeRawBufferPointer, _ configPath: String, _ scratch: ScratchFiles, _ check: inout Check) {
    let text = String(decoding: bytes, as: UTF8.self)

    do {
        let config = try RunConfig.parse(text, path: configPath)
        check.accepted()
        let again = try RunConfig.parse(try config.json(), path: configPath)
        if "\(again)" != "\(config)" { check.fail("RunConfig changed on json() and parse: \(config) became \(again)") }
        try config.validate()
    } catch {
        check.rejected(error, "RunConfig")
    }
    if check.failed { return }

    // A real checkpoint's tensors (a model weight and a generator state) with the text as its
    // trainer state and configuration.
    let path = scratch.path("checkpoint.safetensors")
    let tensors: TensorDict = ["model.weight": Tensor([1, 2] as [Float]), "rng.default": Tensor([7, 9] as [Int64])]
    do {
        try save(tensors, to: path, metadata: ["format": "pt", "ember.trainer_state": text, "ember.config": text])
    } catch {
        check.fail("cannot write the checkpoint: \(error)")
        return
    }
    let checkpoint: TrainingCheckpoint
    do {
        checkpoint = try TrainingCheckpoint.read(from: path)
    } catch {
        check.rejected(error, "TrainingCheckpoint.read", allowing: [path])
        return
    }
    check.accepted()
    let copy = scratch.path("copy.safetensors")
    do {
        try checkpoint.write(to: copy)
        let again = try TrainingCheckpoint.read(from: copy)
        // Compared as text, where a NaN equals itself.
        if "\(again.state)" != "\(checkpoint.state)" {
            check.fail("the trainer state changed on write and read: \(checkpoint.state) became \(again.state)")
        }
    } catch {
        check.fail("a checkpoint that was read cannot be written and read again: \(error)")
    }
}
