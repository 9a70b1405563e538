/// The base class of every layer and model (PyTorch: `torch.nn.Module`).
///
/// Subclass it, store layers, parameters and buffers as properties, and override `forward`.
/// The module finds its state by reflection over stored properties, so names come out as
/// PyTorch's: a stored `Module` is a child (`fc1`), a `@Parameter` property a parameter
/// (`fc1.weight`), a `@Buffer` property a buffer (`bn.running_mean`), and an array of
/// modules a list of children (`blocks.0.weight`). Plain `Tensor` properties are not state.
/// The walk is cached, so `parameters()` is cheap on every step.
///
/// ```swift
/// final class Net: Module {
///     let fc1 = Linear(784, 128)
///     let fc2 = Linear(128, 10)
///     override func forward(_ x: Tensor) -> Tensor {
///         fc2(relu(fc1(x.flatten(startDim: 1))))
///     }
/// }
/// let model = Net()
/// model.namedParameters().map(\.name)   // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
/// ```
///
/// Modules whose forward takes something other than one tensor (such as `Bilinear`) define
/// their own `callAsFunction`; the one-tensor `forward` then stops with a message saying so.
/// Create modules in `init`, not inside `forward`: creating a module marks every module's
/// cached reflection stale (that is how replacing a child is noticed), which costs a walk.
///
/// ## Sharing a module between threads and tasks
/// A module is `Sendable`, as a PyTorch module is shared by the threads of a server: many
/// threads or tasks may at once run its forward in eval mode (inference), read its
/// parameters, `parameters()`, `stateDict()`, and run backward into its parameters (the
/// backward engine serializes gradient accumulation). What must not overlap anything else on
/// the same module is what writes its state: forward in training mode of a layer with running
/// statistics (BatchNorm), `train()`/`eval()`, `loadStateDict`, replacing children or
/// parameters, and an optimizer's step. Optimizers are not `Sendable`: one task owns each.
/// A subclass that is not `final`, or one declared inside another type or a function, restates
/// the conformance (`class Block: Module, @unchecked Sendable`) where the compiler asks for it.
///
/// ```swift
/// model.eval()
/// async let a = withNoGrad { model(batch1) }
/// async let b = withNoGrad { model(batch2) }
/// let (ya, yb) = await (a, b)
/// ```
open class Module: CustomStringConvertible, @unchecked Sendable {
    /// Whether the module is in training mode (PyTorch: `module.training`). Set it for the
    /// whole tree with `train()` / `eval()`; Dropout and BatchNorm read it.
    public var training = true

    /// The reflection and parameter-list caches; read and written under `ModuleStructure.cacheLock`.
    var caches = ModuleCaches()

    /// A module with no state; subclasses add it as stored properties.
    public init() {
        ModuleStructure.changed()
    }

    /// The module's computation on one input tensor (PyTorch: `forward`). Override it;
    /// call the module (`model(x)`) rather than `forward` directly.
    open func forward(_ x: Tensor) -> Tensor {
        emberFailure("\(typeName).forward", "\(typeName) does not define forward(_ x: Tensor) -> Tensor; override it, or call this module with the arguments its own callAsFunction takes")
    }

    /// Runs `forward` (PyTorch: `module(x)`). A check that fails inside names this module
    /// and its path in the model (`in classifier.1 (Linear(...))`) and the caller's line
    /// (`called from main.swift:12`), the innermost one in the user's code.
    public final func callAsFunction(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        FailureScopes.enter(self, file: file, line: line)
        defer { FailureScopes.leave() }
        return forward(x)
    }

    /// Runs `body` as this module's forward for failure messages: a module whose
    /// `callAsFunction` takes other arguments (an LSTM's state, attention's key and value)
    /// wraps its work in this, so a failed check inside names the module and the caller's line
    /// as `module(x)` does.
    @inline(__always)
    public final func runningForward<Result>(file: StaticString, line: UInt, _ body: () throws -> Result) rethrows -> Result {
        FailureScopes.enter(self, file: file, line: line)
        defer { FailureScopes.leave() }
        return try body()
    }

    /// Extra text shown inside this module's parentheses when printed, such as
    /// `in_features=784, out_features=128, bias=True` (PyTorch: `extra_repr`).
    open var extraDescription: String { "" }

    /// The module's direct entries found by reflection. Containers override it to name
    /// their children "0", "1", ... or by key.
    func reflectEntries() -> ModuleEntries {
        reflectStoredProperties()
    }

    /// The class name, as PyTorch's `_get_name()`.
    var typeName: String { String(describing: type(of: self)) }
}
