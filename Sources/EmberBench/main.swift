import Ember
#if canImport(Glibc)
import Glibc
#endif

// EmberBench: runs one repeat of a benchmark workload and prints one JSON line per figure.
// `bench/run.py` runs it alternately with `bench/torch_bench.py` and aggregates.
//
//   EmberBench --workload gemm|elementwise|overhead|optim|mlp|cnn|nnops|conv|lstm|gpt|data [--quick]

let workloads: [String: (Bool) -> Void] = [
    "gemm": GEMMBench.run,
    "elementwise": ElementwiseBench.run,
    "overhead": OverheadBench.run,
    "mlp": MLPBench.run,
    "cnn": CNNBench.run,
    "nnops": NNOpsBench.run,
    "optim": OptimBench.run,
    "conv": ConvBench.run,
    "convparts": ConvPartsBench.run,
    "lstm": LSTMBench.run,
    "lstmparts": LSTMPartsBench.run,
    "lstmphases": { LSTMBench.run(quick: $0, phases: true) },
    "gpt": GPTBench.run,
    "data": DataBench.run,
]

@MainActor func usage(_ message: String) -> Never {
    let text = "EmberBench: \(message)\nusage: EmberBench --workload \(workloads.keys.sorted().joined(separator: "|")) [--quick]\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
    exit(2)
}

var selected: String?
var quick = false
var args = CommandLine.arguments.dropFirst()
while let arg = args.popFirst() {
    switch arg {
    case "--workload":
        guard let name = args.popFirst() else { usage("--workload needs a name") }
        selected = name
    case "--quick": quick = true
    case "-h", "--help": usage("help")
    default: usage("unknown argument '\(arg)'")
    }
}
guard let selected else { usage("no --workload given") }
guard let run = workloads[selected] else { usage("unknown workload '\(selected)'") }
manualSeed(0)
run(quick)
