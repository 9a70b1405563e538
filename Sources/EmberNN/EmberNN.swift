/// EmberNN: `torch.nn` for Swift — modules, layers, losses, initialization and state dicts.
@_exported import Ember
