import CEmberKernels

/// Per-thread autograd switches: whether ops record graph nodes, and anomaly detection.
enum GradMode {
    static var isEnabled: Bool { ember_grad_disabled_depth() == 0 }
    static var anomalyDetection: Bool { ember_anomaly_depth() > 0 || globalAnomaly }
    nonisolated(unsafe) static var globalAnomaly = false

    static func withDisabled<R>(_ disabled: Bool, _ body: () throws -> R) rethrows -> R {
        let saved = ember_grad_disabled_depth()
        ember_set_grad_disabled_depth(disabled ? saved + 1 : 0)
        defer { ember_set_grad_disabled_depth(saved) }
        return try body()
    }

    /// Turns recording on (depth 0) or off (depth at least 1) for this thread.
    static func setEnabled(_ enabled: Bool) {
        ember_set_grad_disabled_depth(enabled ? 0 : Swift.max(1, ember_grad_disabled_depth()))
    }

    static func withAnomaly<R>(_ body: () throws -> R) rethrows -> R {
        let saved = ember_anomaly_depth()
        ember_set_anomaly_depth(saved + 1)
        defer { ember_set_anomaly_depth(saved) }
        return try body()
    }
}

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
