/// How long each measurement runs, and how it is split. `torch_bench.py` uses the same
/// scheme, so the two sides are timed alike.
struct TimingPlan {
    /// Seconds spent warming up (at least two calls).
    var warmup: Double
    /// Seconds spent measuring, split into `batches` batches of the same call count.
    var target: Double
    var batches = 5

    static let full = TimingPlan(warmup: 0.05, target: 0.25)
    static let quick = TimingPlan(warmup: 0.01, target: 0.05)
}

/// Seconds per call of `body`: warm up, size a batch from the warm-up's pace, time
/// `plan.batches` batches and return the median batch's time per call.
func secondsPerCall(_ plan: TimingPlan, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    var warmCalls = 0
    let warmStart = clock.now
    var warmElapsed = 0.0
    while warmCalls < 2 || warmElapsed < plan.warmup {
        body()
        warmCalls += 1
        warmElapsed = seconds(clock.now - warmStart)
    }
    let perCall = warmElapsed / Double(warmCalls)
    let callsPerBatch = max(1, Int(plan.target / Double(plan.batches) / max(perCall, 1e-9)))
    var batchTimes: [Double] = []
    for _ in 0..<plan.batches {
        let start = clock.now
        for _ in 0..<callsPerBatch { body() }
        batchTimes.append(seconds(clock.now - start) / Double(callsPerBatch))
    }
    batchTimes.sort()
    return batchTimes[batchTimes.count / 2]
}

private func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// Keeps a result alive so the optimizer cannot drop the work that made it.
@inline(never) func blackHole<T>(_ x: T) { withExtendedLifetime(x) {} }

/// Who produced a figure: Ember itself, or the physical-limit reference run beside it.
enum Impl: String {
    case ember
    case limit
}

/// Prints one measurement as a JSON line, the format `bench/run.py` reads:
/// `{"workload":"gemm","case":"1024^3 A.B","impl":"ember","metric":"GFLOP/s","value":123.4}`.
func report(_ workload: String, _ caseName: String, _ impl: Impl, _ metric: String, _ value: Double, source: String? = nil) {
    var line = "{\"workload\":\(jsonString(workload)),\"case\":\(jsonString(caseName)),\"impl\":\"\(impl.rawValue)\","
    if let source { line += "\"source\":\(jsonString(source)),"}
    line += "\"metric\":\(jsonString(metric)),\"value\":\(value.isFinite ? "\(value)" : "null")}"
    print(line)
}

private func jsonString(_ s: String) -> String {
    var out = "\""
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where ch.value < 0x20: out += "\\u" + String(ch.value, radix: 16).leftPadded(to: 4)
        default: out.unicodeScalars.append(ch)
        }
    }
    return out + "\""
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
