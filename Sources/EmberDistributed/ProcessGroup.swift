import CMPI
import Ember
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The processes of one training job and the collectives between them, over MPI (PyTorch:
/// `torch.distributed.init_process_group("mpi")` and the default group's `all_reduce`,
/// `broadcast`, `all_gather`, `reduce_scatter`, `barrier`).
///
/// Started under `mpirun` (`mpirun -np 4 my-program`), it reads its rank and the world size
/// from the environment mpirun provides; started alone it is a group of one. Every collective
/// runs on the group's communication thread in the order it was issued, so the `…Async`
/// forms return at once and `Work.wait()` joins them; a blocking collective issued while nothing
/// is queued runs on the caller's thread, at MPI's own speed. An async collective that does not
/// finish within `timeout` (a rank died or never reached it) makes `wait()` throw
/// `DistributedError.timeout` rather than hang; a blocking one that runs past it ends every rank
/// with that error on stderr (the calling thread is stuck inside MPI). MPI errors throw
/// `DistributedError.mpi` naming the call and the rank.
///
/// ```swift
/// let group = try ProcessGroup.mpi()
/// let t = Tensor.ones([4]) * Double(group.rank)
/// try group.allReduce(t, op: .sum)        // every rank now holds 0 + 1 + ... + (N - 1)
/// ```
public final class ProcessGroup: @unchecked Sendable {
    /// This process's index in `0..<worldSize` (PyTorch: `dist.get_rank()`).
    public let rank: Int
    /// The number of processes (PyTorch: `dist.get_world_size()`).
    public let worldSize: Int
    /// Seconds a collective may take before `wait()` throws `DistributedError.timeout`, or a
    /// blocking collective running on the caller's thread ends the job (PyTorch:
    /// `init_process_group(timeout=)`).
    public let timeout: Double
    let comm: MPI_Comm
    private let worker: CommunicationThread
    /// The fixed-order reduction's receive buffer (used by one collective at a time: on the
    /// communication thread, or inline on a caller's while nothing is queued).
    let scratch = ScratchBuffer()

    private static let started = Mutex<ProcessGroup?>(nil)

    private init(rank: Int, worldSize: Int, timeout: Double, comm: MPI_Comm) {
        self.rank = rank
        self.worldSize = worldSize
        self.timeout = timeout
        self.comm = comm
        worker = CommunicationThread { call in Self.stopAfterTimeout(call: call, rank: rank, seconds: timeout) }
    }

    /// What the watchdog does when a blocking collective running on a caller's thread outlives
    /// the timeout: the caller is stuck inside MPI and cannot be given the error, so the error is
    /// written to stderr and every rank is ended (MPI_Abort), as PyTorch's watchdog takes the
    /// process down when a NCCL collective times out.
    private static func stopAfterTimeout(call: String, rank: Int, seconds: Double) -> Never {
        let program = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? Substring($0)) } ?? "ember"
        let error = DistributedError.timeout(call: call, rank: rank, seconds: seconds)
        let text = "\(program): error: \(error); stopping every rank\n"
        _ = text.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        MPI_Abort(ember_mpi_comm_world(), 1)
        exit(1)
    }

    /// Starts MPI (once per process) and returns the group of all its processes; later calls
    /// return the same group. Throws `DistributedError.unavailable` when MPI cannot start or
    /// lacks thread support.
    ///
    /// `yieldWhenIdle` makes a process waiting in a collective give its core away (Open MPI's
    /// `mpi_yield_when_idle`) instead of spinning: ranks sharing cores with each other or
    /// with their own compute threads, as DDP's overlap does, then do not slow each other down
    /// (measured in bench/RESULTS.md). An `OMPI_MCA_mpi_yield_when_idle` already in the
    /// environment, or `--mca` given to mpirun, wins.
    public static func mpi(timeout: Double = 1800, yieldWhenIdle: Bool = true) throws(DistributedError) -> ProcessGroup {
        let result: Result<ProcessGroup, DistributedError> = started.withLock { current in
            if let current { return .success(current) }
            var provided: Int32 = 0
            var initialized: Int32 = 0
            MPI_Initialized(&initialized)
            if initialized == 0 {
                if yieldWhenIdle { setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0) }
                let rc = MPI_Init_thread(nil, nil, ember_mpi_thread_multiple(), &provided)
                if rc != MPI_SUCCESS { return .failure(.unavailable(detail: "MPI_Init_thread returned \(rc)")) }
            } else {
                MPI_Query_thread(&provided)
            }
            if provided < ember_mpi_thread_multiple() {
                return .failure(.unavailable(detail: "this MPI provides thread level \(provided); Ember needs MPI_THREAD_MULTIPLE"))
            }
            let world = ember_mpi_comm_world()!
            MPI_Comm_set_errhandler(world, ember_mpi_errors_return())
            var r: Int32 = 0, n: Int32 = 0
            MPI_Comm_rank(world, &r)
            MPI_Comm_size(world, &n)
            let group = ProcessGroup(rank: Int(r), worldSize: Int(n), timeout: timeout, comm: world)
            atexit { ProcessGroup.finalizeAtExit() }
            current = group
            return .success(group)
        }
        return try result.get()
    }

    /// Whether MPI has been started in this process (PyTorch: `dist.is_initialized()`).
    public static var isInitialized: Bool { started.withLock { $0 != nil } }

    private static func finalizeAtExit() {
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { MPI_Finalize() }
    }

    /// Ends every process of the job at once with `code` (MPI_Abort): what a rank does after a
    /// `DistributedError`, so that no other rank waits for it.
    public func abort(code: Int32 = 1) -> Never {
        MPI_Abort(comm, code)
        exit(code)
    }

    // MARK: Running collectives

    /// Runs `body` on the communication thread; the returned work finishes with its error.
    /// With `blocking` (the caller waits at once) and nothing queued, `body` runs on the caller's
    /// thread instead and the work is returned finished: MPI's own speed, without two thread
    /// wake-ups; the communication thread watches its timeout (`CommunicationThread`).
    func submit(_ call: String, blocking: Bool = false, _ body: @escaping @Sendable () -> DistributedError?) -> Work {
        let work = Work(call: call, rank: rank, timeout: timeout)
        if blocking && worker.beginInline(call, seconds: timeout) {
            let error = body()
            worker.endInline()
            work.finish(error)
        } else {
            worker.submit { work.finish(body()) }
        }
        return work
    }

    /// The error for an MPI return code, or nil for success.
    func failure(_ call: String, _ code: Int32) -> DistributedError? {
        if code == MPI_SUCCESS { return nil }
        var text = [CChar](repeating: 0, count: Int(ember_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        let message = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return .mpi(call: call, rank: rank, code: code, message: message)
    }

    static func checkedCount(_ t: Tensor, _ call: StaticString, file: StaticString, line: UInt) -> Int32 {
        check(t.isContiguous, call, "tensors must be contiguous (call contiguous() first), got strides \(t.strides) for shape \(t.shape)", file: file, line: line)
        check(t.numel <= Int(Int32.max), call, "a tensor of \(t.numel) elements is past MPI's count limit of \(Int32.max)", file: file, line: line)
        return Int32(t.numel)
    }
}

/// A pointer that crosses to the communication thread; the tensor it points into is kept alive
/// by the closure that carries it.
struct SendablePointer: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}

/// A tensor handed to the communication thread; the caller must not touch it until the work ends.
struct SendableTensor: @unchecked Sendable {
    let tensor: Tensor
}
