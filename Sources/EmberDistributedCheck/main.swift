// Scenarios for EmberDistributedTests, run under `mpirun -np N` (or alone as a world of one).
// Each prints what it checked and exits 0, or prints the failure and exits non-zero.
//
//   collectives                 every collective against values computed by hand
//   train mlp|mlp-dropout|cnn|mlp-bn|cnn-bn SHARDS [OUT [BATCH]]  a few Adam steps of data-parallel
//                               training with GradientShards on global batches of BATCH (16) rows;
//                               rank 0 writes the weights to OUT (compared across world sizes)
//   nosync [OUT]                DDP with noSync accumulation; rank 0 writes the gradients
//   unused                      a parameter outside the loss: PyTorch's error at the next forward
//   find-unused                 the same with findUnusedParameters: true: training goes on
//   overlap                     buckets start their all-reduce while backward is still running
//   syncbn                      SyncBatchNorm over the ranks equals BatchNorm over the whole batch
//   buffers                     BatchNorm's statistics broadcast from rank 0 at each forward
//   mpi-error                   an MPI error (mismatched counts) as a DistributedError
//   die                         rank 1 exits during the job: the others are stopped
//   hang                        rank 1 stops taking part: rank 0's blocking all-reduce (run on
//                               its own thread) outlives the timeout and the watchdog ends the job
//   hang-async                  the same with allReduceAsync: rank 0's wait() throws the timeout
import Ember
import EmberDistributed
import EmberNN
import EmberOptim
import EmberTrain
#if canImport(Glibc)
import Glibc
#endif

func printError(_ text: String) {
    _ = (text + "\n").withCString { write(STDERR_FILENO, $0, strlen($0)) }
}

func fail(_ message: String) -> Never {
    printError("FAILED: \(message)")
    exit(1)
}

func expect(_ ok: Bool, _ message: @autoclosure () -> String) {
    if !ok { fail(message()) }
}

let args = CommandLine.arguments.dropFirst()
guard let scenario = args.first else { fail("usage: EmberDistributedCheck SCENARIO [ARGS]") }
let timeout = scenario.hasPrefix("hang") ? 3.0 : 120.0
let group: ProcessGroup
do { group = try ProcessGroup.mpi(timeout: timeout) } catch { fail("\(error)") }
let rank = group.rank, n = group.worldSize

func checkCollectives() throws {
    // allReduce sum and avg, float32 and float64.
    for dtype in [DType.float32, .float64] {
        let t = Tensor([Double(rank + 1), 10 * Double(rank + 1)], dtype: dtype)
        try group.allReduce(t, op: .sum)
        let total = Double(n * (n + 1) / 2)
        expect(t.toArray(as: Double.self) == [total, 10 * total], "allReduce sum \(dtype): \(t.toArray(as: Double.self))")
        let a = Tensor([Double(rank)], dtype: dtype)
        try group.allReduceAsync(a, op: .avg).wait()
        expect(a.toArray(as: Double.self) == [Double(n - 1) / 2], "allReduce avg \(dtype): \(a.toArray(as: Double.self))")
    }
    let m = Tensor([Double(rank)], dtype: .float64)
    try group.allReduce(m, op: .max)
    expect(m.toArray(as: Double.self) == [Double(n - 1)], "allReduce max")
    // broadcast from the last rank, any dtype.
    let b = Tensor([Int(rank), 7], dtype: .int64)
    try group.broadcast(b, from: n - 1)
    expect(b.toArray(as: Int64.self) == [Int64(n - 1), 7], "broadcast: \(b.toArray(as: Int64.self))")
    // allGather in rank order.
    let gathered = try group.allGather(Tensor([Double(rank), -Double(rank)]))
    expect(gathered.count == n, "allGather count")
    for (r, g) in gathered.enumerated() { expect(g.toArray() == [Float(r), -Float(r)], "allGather slot \(r): \(g.toArray())") }
    // reduceScatter: rank r gets the sum of everyone's slice r.
    let input = Tensor((0..<(2 * n)).map { Double($0 + rank) }, shape: [n, 2])
    let part = try group.reduceScatter(input, op: .sum)
    let base = Double(2 * rank) * Double(n) + Double(n * (n - 1) / 2)
    expect(part.toArray() == [Float(base), Float(base + Double(n))], "reduceScatter: \(part.toArray())")
    try group.barrier()
    // The fixed-order sum equals S_n computed here, bit for bit: the tree (r0 + r2) + (r1 + r3)
    // for 4 ranks, (r0 + r1) + r2 for 3.
    let values = (0..<n).map { r in Tensor.randn([1000], generator: Generator(seed: UInt64(r))) }
    let mine = values[rank].clone()
    try group.allReduceInFixedOrder(mine, divisor: n)
    expect(mine.toArray() == (fixedOrderSum(values) / Double(n)).toArray(), "allReduceInFixedOrder differs from the fixed order")
    // The sum of every rank's shards (2 each, of 1001 values: not a multiple of the world
    // size) equals S_2n of all of them, as one process folds them.
    let shards = (0..<(2 * n)).map { k in Tensor.randn([1001], generator: Generator(seed: UInt64(100 + k))) * Double(1 + k % 3) }
    for dtype in [DType.float32, .float64] {
        let rows = Tensor.stack([shards[rank], shards[rank + n]]).to(dtype)
        let sum = try group.allReduceShardsInFixedOrder(rows, divisor: 2 * n)
        let expected = fixedOrderSum(shards.map { $0.to(dtype) }) / Double(2 * n)
        expect(sum.shape == [1001] && sum.toArray(as: Double.self) == expected.toArray(as: Double.self), "allReduceShardsInFixedOrder (\(dtype)) differs from S_\(2 * n)")
    }
    // The network namespace, so a test can tell that the ranks ran on different networks.
    var link = [CChar](repeating: 0, count: 128)
    let length = readlink("/proc/self/ns/net", &link, 127)
    let namespace = length > 0 ? String(decoding: link[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown"
    print("collectives ok on rank \(rank) of \(n) in \(namespace)")
}

/// S_K of `values` as one process adds them: K = P·m (P a power of two, m odd); group g < P adds
/// values g, g + P, ... one after the other; the groups meet in a tree, g with g + width/2.
func fixedOrderSum(_ values: [Tensor]) -> Tensor {
    let groups = 1 << values.count.trailingZeroBitCount
    var level = (0..<groups).map { g in stride(from: g + groups, to: values.count, by: groups).reduce(values[g]) { $0 + values[$1] } }
    while level.count > 1 { let h = level.count / 2; level = (0..<h).map { level[$0] + level[$0 + h] } }
    return level[0]
}

/// The same global batches on every rank: rank r takes rows r, r + n, ... (DistributedSampler's share).
func batches(features: [Int], steps: Int, batch: Int) -> [(Tensor, Tensor)] {
    let g = Generator(seed: 1234)
    return (0..<steps).map { _ in
        let x = Tensor.randn([batch] + features, generator: g)
        let y = Tensor.randint(0, 10, [batch], generator: g)
        let rows = Tensor(Array(stride(from: rank, to: batch, by: n)), dtype: .int64)
        return (x.indexSelect(0, rows), y.indexSelect(0, rows))
    }
}

func train(model kind: String, shards: Int, out: String?, batch: Int) throws {
    manualSeed(7)
    let bn = kind.hasSuffix("-bn"), image = kind.hasPrefix("cnn")
    let model: Module = image ? CNN(classes: 10, batchNorm: bn)
        : MLP(inputs: 64, classes: 10, hidden: (96, 48), batchNorm: bn, dropout: kind == "mlp-dropout" ? 0.3 : 0)
    let data = batches(features: image ? [1, 28, 28] : [64], steps: 4, batch: batch)
    let ddp = try DistributedDataParallel(model, processGroup: group, bucketCapMB: 0.01)
    let optimizer = Adam(model.parameters(), lr: 1e-2)
    let plan = try GradientShards(total: shards, worldSize: n, rank: rank)
    let initial = model.parameters().map { $0.clone() }
    for (x, y) in data {
        optimizer.zeroGrad()
        _ = try plan.backward(inputs: x, targets: y, parameters: model.parameters(), ddp: ddp,
                              forward: { model($0) }, loss: { crossEntropy($0, $1) })
        optimizer.step()
    }
    // The state dict holds BatchNorm's running statistics too: the same on every rank.
    for b in model.buffers() where b.dtype.isFloatingPoint { expect(try sameOnEveryRank(b), "a buffer differs between the ranks") }
    if rank == 0, let out { try save(model.stateDict(), to: out) }
    let change = zip(model.parameters(), initial).map { ($0 - $1).abs().max().item() }.max()!
    print("train \(kind) with \(shards) shards on \(n) ranks: \(ddp.bucketCount) buckets, weights moved by up to \(change)")
}

/// Whether every rank holds the same values in `t` as rank 0.
func sameOnEveryRank(_ t: Tensor) throws -> Bool {
    let all = try group.allGather(t.contiguous())
    return all.allSatisfy { $0.toArray(as: Double.self) == all[0].toArray(as: Double.self) }
}

func noSyncAccumulation(out: String?) throws {
    manualSeed(3 + UInt64(rank))      // different weights on every rank ...
    let model = Linear(8, 4)
    expect(try !sameOnEveryRank(model.weight) || n == 1, "the ranks' initial weights should differ")
    let ddp = try DistributedDataParallel(model, processGroup: group)
    expect(try sameOnEveryRank(model.weight) && sameOnEveryRank(model.bias!), "DDP did not broadcast rank 0's parameters")
    let x = Tensor.randn([4, 8], generator: Generator(seed: UInt64(10 + rank)))
    ddp.noSync { ddp(x).sum().backward() }
    let local = model.weight.grad!.clone()
    ddp(x * 2).sum().backward()      // synchronized: averages (x + 2x) over the ranks
    try ddp.checkReduction()
    let all = try group.allGather(local * 3)
    var mean = all[0]
    for t in all.dropFirst() { mean = mean + t }
    mean = mean / Double(n)
    let diff = (model.weight.grad! - mean).abs().max().item()
    expect(diff < 1e-5, "noSync then sync: gradient differs from the mean of the local sums by \(diff)")
    if rank == 0, let out { try save(["grad": model.weight.grad!], to: out) }
    print("nosync ok on rank \(rank)")
}

/// A four-layer MLP with small buckets: when the first layer's gradient (the last to be ready)
/// arrives, the buckets of the later layers must already be on the wire.
func overlap() throws {
    manualSeed(5)
    let model = Sequential(Linear(32, 256), ReLU(), Linear(256, 256), ReLU(), Linear(256, 256), ReLU(), Linear(256, 10))
    let first = model.parameters()[0]
    var startedEarly = -1
    // Registered before DDP's own hooks, so it runs before the last gradient is handed over.
    first.registerPostAccumulateGradHook { _ in startedEarly = ddpHolder!.bucketsStarted }
    let ddp = try DistributedDataParallel(model, processGroup: group, bucketCapMB: 0.25)
    ddpHolder = ddp
    crossEntropy(ddp(Tensor.randn([8, 32])), Tensor.randint(0, 10, [8])).backward()
    try ddp.checkReduction()
    expect(ddp.bucketCount >= 3, "expected several buckets, got \(ddp.bucketCount)")
    expect(startedEarly >= ddp.bucketCount - 1, "only \(startedEarly) of \(ddp.bucketCount) buckets had started when the first layer's gradient arrived")
    expect(ddp.bucketsStarted == ddp.bucketCount, "not every bucket was reduced")
    print("overlap ok on rank \(rank): \(startedEarly) of \(ddp.bucketCount) buckets started before backward reached the first layer")
}
nonisolated(unsafe) var ddpHolder: DistributedDataParallel?

/// BatchNorm's running statistics drift apart in training (each rank its own batch) and are
/// rank 0's again after the next forward, which broadcasts them first.
func buffers() throws {
    manualSeed(4)
    let model = Sequential(Linear(6, 5), BatchNorm1d(5))
    let ddp = try DistributedDataParallel(model, processGroup: group)
    let bn = model.buffers()[0]
    _ = withNoGrad { ddp(Tensor.randn([8, 6], generator: Generator(seed: UInt64(20 + rank)))) }
    expect(try !sameOnEveryRank(bn), "the ranks' running statistics should differ after a training forward")
    let rank0 = try group.allGather(bn.clone())[0]
    _ = model.eval()
    _ = withNoGrad { ddp(Tensor.randn([8, 6])) }
    expect(bn.toArray() == rank0.toArray(), "the next forward did not broadcast rank 0's buffers")
    print("buffers ok on rank \(rank)")
}

/// SyncBatchNorm on each rank's rows of a global batch matches BatchNorm2d on the whole batch:
/// outputs, input gradients, the parameters' gradients summed over the ranks, running statistics.
func syncBatchNorm() throws {
    let g = Generator(seed: 9)
    let x = Tensor.randn([8, 3, 4, 4], generator: g) * 2 + 1
    let upstream = Tensor.randn([8, 3, 4, 4], generator: g)
    let rows = Tensor(Array(stride(from: rank, to: 8, by: n)), dtype: .int64)
    // One process, the whole batch.
    let reference = BatchNorm2d(3)
    let xr = x.clone().requiresGrad_()
    let yr = reference(xr)
    (yr * upstream).sum().backward()
    // This rank's rows through SyncBatchNorm.
    let sync = SyncBatchNorm(3, processGroup: group)
    let xs = x.indexSelect(0, rows).requiresGrad_()
    let ys = sync(xs)
    (ys * upstream.indexSelect(0, rows)).sum().backward()
    func close(_ a: Tensor, _ b: Tensor, _ what: String) {
        let d = (a - b).abs().max().item()
        expect(d < 1e-4, "SyncBatchNorm \(what) differs from BatchNorm on the whole batch by \(d)")
    }
    close(ys, yr.indexSelect(0, rows), "output")
    close(xs.grad!, xr.grad!.indexSelect(0, rows), "input gradient")
    let wg = sync.weight!.grad!.clone(), bg = sync.bias!.grad!.clone()
    try group.allReduce(wg)
    try group.allReduce(bg)
    close(wg, reference.weight!.grad!, "weight gradient")
    close(bg, reference.bias!.grad!, "bias gradient")
    close(sync.runningMean!, reference.runningMean!, "running mean")
    close(sync.runningVar!, reference.runningVar!, "running variance")
    print("syncbn ok on rank \(rank)")
}

/// Ranks disagree on a broadcast's size: MPI's error comes back as DistributedError.mpi.
func mpiError() throws {
    let t = Tensor.zeros([rank == 0 ? 64 : 4])
    try group.broadcast(t, from: 0)
    fail("the mismatched broadcast succeeded on rank \(rank)")
}

final class TwoHeads: Module, @unchecked Sendable {
    let used = Linear(4, 2)
    let unused = Linear(4, 2)
    override func forward(_ x: Tensor) -> Tensor { used(x) }
}

func unusedParameters(find: Bool) throws {
    manualSeed(1)
    let model = TwoHeads()
    let ddp = try DistributedDataParallel(model, processGroup: group, findUnusedParameters: find)
    let optimizer = SGD(model.parameters(), lr: 0.1)
    for step in 0..<3 {
        optimizer.zeroGrad()
        ddp(Tensor.ones([3, 4])).sum().backward()
        try ddp.checkReduction()
        expect(model.unused.weight.grad == nil, "an unused parameter got a gradient")
        optimizer.step()
        print("step \(step) done")
    }
    print("find-unused ok on rank \(rank)")
}

do {
    switch scenario {
    case "collectives": try checkCollectives()
    case "train": try train(model: args.dropFirst().first ?? "mlp", shards: Int(args.dropFirst(2).first ?? "") ?? 4, out: args.dropFirst(3).first,
                            batch: Int(args.dropFirst(4).first ?? "") ?? 16)
    case "nosync": try noSyncAccumulation(out: args.dropFirst().first)
    case "overlap": try overlap()
    case "buffers": try buffers()
    case "syncbn": try syncBatchNorm()
    case "mpi-error": try mpiError()
    case "die":
        if rank == 1 { kill(getpid(), SIGKILL) }   // a crash: no exit handlers, no MPI_Finalize
        try group.allReduce(Tensor.ones([4]))
        fail("the all-reduce finished although rank 1 died")
    case "unused": try unusedParameters(find: false)
    case "find-unused": try unusedParameters(find: true)
    case "hang":
        if rank == 1 { sleep(30); exit(0) }
        try group.allReduce(Tensor.ones([4]))
        fail("the all-reduce finished although rank 1 never joined it")
    case "hang-async":
        if rank == 1 { sleep(30); exit(0) }
        try group.allReduceAsync(Tensor.ones([4])).wait()
        fail("the all-reduce finished although rank 1 never joined it")
    default: fail("unknown scenario \(scenario)")
    }
} catch {
    printError("rank \(rank): \(error)")
    group.abort(code: 2)
}
