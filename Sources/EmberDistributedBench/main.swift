// Distributed benchmarks, run under mpirun (commands and results in bench/RESULTS.md):
//   allreduce     ProcessGroup.allReduce (MPI_Allreduce on the communication thread) and
//                 allReduceInFixedOrder (DDP's reduction), 1 KB ... 64 MB of float32, bus bandwidth
//   interleaved   MPI_Allreduce called directly (as C calls it) and ProcessGroup.allReduce on the
//                 same buffer, in alternating blocks, so machine load hits both alike
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

func interleaved() throws {
    var bytes = 1024
    while bytes <= 64 << 20 {
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
        for _ in 0..<7 {
            direct.append(try block { MPI_Allreduce(ember_mpi_in_place(), p, Int32(count), ember_mpi_float(), ember_mpi_sum(), ember_mpi_comm_world()) })
            ember.append(try block { try group.allReduce(t, op: .sum) })
        }
        let d = direct.sorted()[3], e = ember.sorted()[3]
        if rank == 0 {
            print("interleaved allreduce bytes=\(bytes) direct_us=\(String(format: "%.2f", d * 1e6)) ember_us=\(String(format: "%.2f", e * 1e6)) overhead_pct=\(String(format: "%.1f", (e / d - 1) * 100))")
        }
        bytes *= 4
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
case "interleaved": try interleaved()
case "ddp": try ddpStep(args.count > 1 ? args[1] : "mlp")
default:
    print("usage: mpirun -np 2 EmberDistributedBench allreduce | interleaved | ddp mlp|cnn")
    exit(2)
}
