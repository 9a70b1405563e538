#if canImport(Glibc)
import Glibc
#endif

/// Per-thread autograd switches: whether ops record graph nodes, and anomaly detection.
enum GradMode {
    /// Thread-local state lives behind one pthread key; the default (no value set) means
    /// grad mode on, anomaly mode off.
    private final class State {
        var disabledDepth = 0
        var anomalyDepth = 0
    }
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { p in Unmanaged<AnyObject>.fromOpaque(p!).release() }
        return k
    }()

    private static var state: State {
        if let p = pthread_getspecific(key) { return Unmanaged<State>.fromOpaque(p).takeUnretainedValue() }
        let s = State()
        pthread_setspecific(key, Unmanaged.passRetained(s).toOpaque())
        return s
    }

    /// Whether ops on this thread record autograd graph nodes.
    static var isEnabled: Bool { state.disabledDepth == 0 }
    /// Whether anomaly detection is on for this thread.
    static var anomalyDetection: Bool { state.anomalyDepth > 0 || globalAnomaly }
    nonisolated(unsafe) static var globalAnomaly = false

    static func withDisabled<R>(_ disabled: Bool, _ body: () throws -> R) rethrows -> R {
        let s = state
        let saved = s.disabledDepth
        s.disabledDepth = disabled ? saved + 1 : 0
        defer { s.disabledDepth = saved }
        return try body()
    }

    static func withAnomaly<R>(_ body: () throws -> R) rethrows -> R {
        let s = state
        s.anomalyDepth += 1
        defer { s.anomalyDepth -= 1 }
        return try body()
    }
}

/// Runs `body` with gradient recording off on this thread: ops record no graph
/// (PyTorch: `with torch.no_grad():`).
@discardableResult
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.withDisabled(true, body)
}

/// Runs `body` with gradient recording on, even inside `withNoGrad` (PyTorch: `torch.enable_grad()`).
@discardableResult
public func withGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.withDisabled(false, body)
}

/// Runs `body` in inference mode: like `withNoGrad`, no graph is recorded
/// (PyTorch: `torch.inference_mode()`).
@discardableResult
public func withInferenceMode<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.withDisabled(true, body)
}

/// Whether ops on this thread currently record gradients (PyTorch: `torch.is_grad_enabled()`).
public var isGradEnabled: Bool { GradMode.isEnabled }

/// Runs `body` with anomaly detection: the first backward op that produces a NaN or infinity
/// stops with its name and where its forward op was called (PyTorch: `torch.autograd.detect_anomaly()`).
@discardableResult
public func withAnomalyDetection<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.withAnomaly(body)
}

/// Turns anomaly detection on or off for all threads (PyTorch: `torch.autograd.set_detect_anomaly`).
public func setDetectAnomaly(_ on: Bool) { GradMode.globalAnomaly = on }
