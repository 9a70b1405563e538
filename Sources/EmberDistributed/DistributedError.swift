/// What went wrong in a collective or in setting up the process group: the MPI call, the rank
/// it failed on and why (PyTorch: the `RuntimeError`s of `torch.distributed`, such as
/// "[Rank 1]: Watchdog caught collective operation timeout").
///
/// ```swift
/// do { try group.allReduce(t) } catch let e as DistributedError { print(e) }
/// ```
public enum DistributedError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An MPI function returned an error code.
    case mpi(call: String, rank: Int, code: Int32, message: String)
    /// A collective did not finish within the group's timeout: another rank died, hangs, or
    /// never reached the same call.
    case timeout(call: String, rank: Int, seconds: Double)
    /// MPI could not be started, or not with the thread support Ember needs.
    case unavailable(detail: String)
    /// The ranks disagree about something that must be the same everywhere (a dataset, a model).
    case mismatch(rank: Int, detail: String)

    /// A message naming the call and the rank.
    public var description: String {
        switch self {
        case .mpi(let call, let rank, let code, let message):
            return "[rank \(rank)] \(call) failed with MPI error \(code): \(message)"
        case .timeout(let call, let rank, let seconds):
            return "[rank \(rank)] \(call) did not complete within \(formatSeconds(seconds)): another rank has died, hangs, or has not reached the same collective (the timeout is ProcessGroup's `timeout`)"
        case .unavailable(let detail):
            return "MPI is unavailable: \(detail)"
        case .mismatch(let rank, let detail):
            return "[rank \(rank)] \(detail)"
        }
    }
}

private func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
}
