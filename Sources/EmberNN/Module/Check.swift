import Ember

/// A module names itself in a failed check inside its forward (see `FailureScope`): by its
/// path from the model the user called and its printed form, `classifier.1 (Linear(in_features=100,
/// out_features=10, bias=True))`; a container by its type, and the model itself by its type.
extension Module: FailureScope {
    package func failureScopeDescription(root: AnyObject) -> String {
        let printed = description
        let summary = printed.contains("\n") ? typeName : printed
        guard let root = root as? Module, root !== self,
              let path = root.namedModules().first(where: { $0.module === self })?.name, !path.isEmpty else {
            return summary
        }
        return "\(path) (\(summary))"
    }
}
