// Distributed benchmarks, run under mpirun (commands and results in bench/RESULTS.md):
//   allreduce     ProcessGroup.allReduce (MPI_Allreduce on the communication thread) and
//                 allReduceInFixedOrder (DDP's reduction), 1 KB ... 64 MB of float32, bus bandwidth
//   interleaved [BYTES [BLOCKS]]  MPI_Allreduce called directly (as C calls it) and
//                 ProcessGroup.allReduce on the same buffer, in alternating blocks, so machine load
//                 hits both alike; the median of the blocks' paired ratios too
//   ddp mlp|cnn   a DDP training step (Adam, per-rank batch 64, one compute thread per rank):
//                 overlapped (hooks), reduced after backward, and without communication
import CMPI
import Ember
import EmberDistributed
import EmberNN
import EmberOptim
import EmberTrain
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

let args = Array(CommandLine.arguments.dropFirst())
let group = try ProcessGroup.mpi()
let rank = group.rank, n = group.worldSize

func allReduceSweep() throws {
    var bytes = 1024
    while bytes <= 64 << 20 {
        let count = bytes / 4
        let t = Tensor.ones([count])
        let iters = max(5, min(1000, (256 << 20) / bytes))
        func time(_ body: () throws -> Void) throws -> Double {
            for _ in 0..<3 { try body() }
            try group.barrier()
            let start = now()
            for _ in 0..<iters { try body() }
            return (now() - start) / Double(iters)
        }
        let plain = try time { try group.allReduce(t, op: .sum) }
        let fixed = try time { try group.allReduceInFixedOrder(t) }
        let factor = Double(bytes) * 2 * Double(n - 1) / Double(n) / 1e9
        if rank == 0 {
            print("ember allreduce bytes=\(bytes) us=\(String(format: "%.2f", plain * 1e6)) busbw_GBps=\(String(format: "%.3f", factor / plain))"
                  + " fixed_order_us=\(String(format: "%.2f", fixed * 1e6)) fixed_busbw_GBps=\(String(format: "%.3f", factor / fixed))")
        }
        bytes *= 4
    }
}

/// `sizes` (bytes; default 1 KB ... 64 MB by 4x) in `blocks` alternating blocks of each.
func interleaved(sizes: [Int], blocks: Int) throws {
    for bytes in sizes {
        let count = bytes / 4
        let t = Tensor.ones([count])
        let iters = max(5, min(1000, (64 << 20) / bytes))
        let p = t.storage.data
        func block(_ body: () throws -> Void) throws -> Double {
            try group.barrier()
            let start = now()
            for _ in 0..<iters { try body() }
            return (now() - start) / Double(iters)
        }
        var direct: [Double] = [], ember: [Double] = []
        for _ in 0..<3 { MPI_Allreduce(ember_mpi_in_place(), p, Int32(count), ember_mpi_float(), ember_mpi_sum(), ember_mpi_comm_world()); try group.allReduce(t) }
        // The order alternates too (direct first in even blocks), so neither always runs second.
        for b in 0..<blocks {
            let d = { try block { MPI_Allreduce(ember_mpi_in_place(), p, Int32(count), ember_mpi_float(), ember_mpi_sum(), ember_mpi_comm_world()) } }
            let e = { try block { try group.allReduce(t, op: .sum) } }
            if b % 2 == 0 { direct.append(try d()); ember.append(try e()) } else { ember.append(try e()); direct.append(try d()) }
        }
        // Each block's pair: Ember's time over the direct call's, measured back to back.
        let ratios = zip(ember, direct).map { $0 / $1 }.sorted()
        let d = direct.sorted()[blocks / 2], e = ember.sorted()[blocks / 2], r = ratios[blocks / 2]
        if rank == 0 {
            print("interleaved allreduce bytes=\(bytes) blocks=\(blocks) direct_us=\(String(format: "%.2f", d * 1e6)) ember_us=\(String(format: "%.2f", e * 1e6))"
                  + " overhead_pct=\(String(format: "%.1f", (e / d - 1) * 100)) paired_overhead_pct=\(String(format: "%.1f", (r - 1) * 100))"
                  + " paired_q1_q3_pct=\(String(format: "%.1f", (ratios[blocks / 4] - 1) * 100)),\(String(format: "%.1f", (ratios[3 * blocks / 4] - 1) * 100))")
        }
    }
}

func ddpStep(_ kind: String) throws {
    setNumThreads(1)
    manualSeed(0)
    let model: Module = kind == "cnn" ? CNN(classes: 10) : MLP(inputs: 784, classes: 10)
    let ddp = try DistributedDataParallel(model, processGroup: group)
    let optimizer = Adam(model.parameters(), lr: 1e-3)
    let perRank = 64
    let x = kind == "cnn" ? Tensor.randn([perRank, 1, 28, 28]) : Tensor.randn([perRank, 784])
    let y = Tensor.randint(0, 10, [perRank])
    let steps = kind == "cnn" ? 20 : 60
    enum Mode: String, CaseIterable { case overlapped, afterBackward = "reduce-after-backward", noCommunication = "no-communication" }
    func step(_ mode: Mode) throws {
        optimizer.zeroGrad()
        switch mode {
        case .overlapped:
            crossEntropy(ddp(x), y).backward()
            try ddp.checkReduction()
        case .afterBackward:
            ddp.noSync { crossEntropy(ddp(x), y).backward() }
            try ddp.reduceGradients()
        case .noCommunication:
            ddp.noSync { crossEntropy(ddp(x), y).backward() }
        }
        optimizer.step()
    }
    var seconds: [Mode: Double] = [:]
    for mode in Mode.allCases {
        for _ in 0..<5 { try step(mode) }
        try group.barrier()
        let start = now()
        for _ in 0..<steps { try step(mode) }
        try group.barrier()
        seconds[mode] = (now() - start) / Double(steps)
    }
    if rank == 0 {
        for mode in Mode.allCases {
            let s = seconds[mode]!
            print("ember ddp \(kind) \(mode.rawValue) ranks=\(n) global_batch=\(perRank * n) step_ms=\(String(format: "%.2f", s * 1e3)) samples_per_s=\(String(format: "%.0f", Double(perRank * n) / s))")
        }
        let comm = seconds[.afterBackward]! - seconds[.noCommunication]!
        let hidden = seconds[.afterBackward]! - seconds[.overlapped]!
        print("ember ddp \(kind) buckets=\(ddp.bucketCount) communication_ms=\(String(format: "%.2f", comm * 1e3)) hidden_by_overlap_ms=\(String(format: "%.2f", hidden * 1e3))")
    }
}

switch args.first {
case "allreduce": try allReduceSweep()
case "interleaved":
    // interleaved [BYTES [BLOCKS]]: one size (default: the sweep), BLOCKS pairs (default 7).
    let sizes = args.count > 1 ? [Int(args[1]) ?? 1 << 20] : (0..<9).map { 1024 << (2 * $0) }
    try interleaved(sizes: sizes, blocks: max(1, args.count > 2 ? Int(args[2]) ?? 7 : 7))
case "ddp": try ddpStep(args.count > 1 ? args[1] : "mlp")
default:
    print("usage: mpirun -np 2 EmberDistributedBench allreduce | interleaved [BYTES [BLOCKS]] | ddp mlp|cnn")
    exit(2)
}
