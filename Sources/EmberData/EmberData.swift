/// EmberData: `torch.utils.data` and torchvision's datasets for Swift.
@_exported import Ember
