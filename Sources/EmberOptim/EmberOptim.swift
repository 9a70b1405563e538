/// EmberOptim: `torch.optim` for Swift — optimizers, learning-rate schedulers, gradient clipping.
@_exported import Ember
