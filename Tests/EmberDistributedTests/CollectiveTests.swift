import Foundation
import Testing

/// ProcessGroup and DistributedDataParallel on several processes: each test launches the
/// `EmberDistributedCheck` scenarios under `mpirun` (oversubscribed on small machines), bounded in time.
@Suite(.enabled(if: MPI.available, Comment(rawValue: MPI.missing)), .serialized)
struct CollectiveTests {
    let check = MPI.executable("EmberDistributedCheck")

    @Test func everyCollectiveOnTwoRanks() throws {
        let check = try #require(check, "EmberDistributedCheck was not built beside the tests")
        let r = try MPI.run(ranks: 2, check, ["collectives"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("collectives ok on rank 0 of 2 in") && r.output.contains("collectives ok on rank 1 of 2 in"), "\(r.output)")
    }

    @Test(arguments: [3, 4])
    func everyCollectiveOnMoreRanks(ranks: Int) throws {
        let check = try #require(check, "EmberDistributedCheck was not built beside the tests")
        let r = try MPI.run(ranks: ranks, check, ["collectives"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("collectives ok on rank \(ranks - 1) of \(ranks)"), "\(r.output)")
    }

    @Test func noSyncAccumulatesThenAverages() throws {
        let check = try #require(check, "EmberDistributedCheck was not built beside the tests")
        let r = try MPI.run(ranks: 2, check, ["nosync"])
        #expect(r.status == 0 && r.output.contains("nosync ok on rank 1"), "\(r.output)")
    }

    @Test func bucketsStartWhileBackwardRuns() throws {
        let check = try #require(check, "EmberDistributedCheck was not built beside the tests")
        let r = try MPI.run(ranks: 2, check, ["overlap"])
        #expect(r.status == 0 && r.output.contains("overlap ok on rank 0"), "\(r.output)")
    }

    @Test func anUnusedParameterIsPyTorchsError() throws {
        let check = try #require(check, "EmberDistributedCheck was not built beside the tests")
        let r = try MPI.run(ranks: 2, check, ["unused"])
        #expect(r.status != 0)
        #expect(r.output.contains("Expected to have finished reduction in the prior iteration before starting a new one"), "\(r.output)")
        #expect(r.output.contains("findUnusedParameters: true") && r.output.contains("unused.weight"), "\(r.output)")
        #expect(r.output.contains("step 0 done") && !r.output.contains("step 1 done"), "\(r.output)")
    }

    @Test func findUnusedParametersLetsTrainingGoOn() throws {
        let check = try #require(check, "EmberDistributedCheck was not built beside the tests")
        let r = try MPI.run(ranks: 2, check, ["find-unused"])
        #expect(r.status == 0 && r.output.contains("find-unused ok on rank 0"), "\(r.output)")
    }

    @Test func buffersComeFromRankZeroAtEachForward() throws {
        let check = try #require(check, "EmberDistributedCheck was not built beside the tests")
        let r = try MPI.run(ranks: 2, check, ["buffers"])
        #expect(r.status == 0 && r.output.contains("buffers ok on rank 1"), "\(r.output)")
    }

    @Test(arguments: [2, 4])
    func syncBatchNormMatchesBatchNormOnTheWholeBatch(ranks: Int) throws {
        let check = try #require(check, "EmberDistributedCheck was not built beside the tests")
        let r = try MPI.run(ranks: ranks, check, ["syncbn"])
        #expect(r.status == 0 && r.output.contains("syncbn ok on rank \(ranks - 1)"), "\(r.output)")
    }

    @Test func anMPIErrorIsATypedErrorNamingTheCallAndRank() throws {
        let check = try #require(check, "EmberDistributedCheck was not built beside the tests")
        let r = try MPI.run(ranks: 2, check, ["mpi-error"])
        #expect(r.status != 0)
        #expect(r.output.contains("[rank 1] MPI_Bcast failed with MPI error") && r.output.contains("MPI_ERR_TRUNCATE"), "\(r.output)")
    }

    @Test func aRankThatDiesStopsTheOthers() throws {
        let check = try #require(check, "EmberDistributedCheck was not built beside the tests")
        // Rank 1 kills itself; rank 0 waits in an all-reduce (timeout 120 s) until mpirun ends it.
        let r = try MPI.run(ranks: 2, check, ["die"], seconds: 60)
        #expect(r.status != 0)
        #expect(r.output.contains("rank 1") && r.output.contains("exited on signal 9 (Killed)"), "\(r.output)")
        #expect(r.seconds < 30, "took \(r.seconds) s")
    }

    @Test(arguments: ["hang", "hang-async"])
    func aRankThatNeverJoinsMakesTheOtherFailWithinTheTimeout(scenario: String) throws {
        let check = try #require(check, "EmberDistributedCheck was not built beside the tests")
        // Rank 1 sleeps 30 s instead of joining; rank 0's all-reduce gives up after its 3 s
        // timeout: the blocking call (on rank 0's own thread) through the watchdog, which ends
        // the job; the async one's wait() throws the error, which the scenario prints.
        let r = try MPI.run(ranks: 2, check, [scenario], seconds: 60)
        #expect(r.status != 0)
        #expect(r.output.contains("[rank 0] MPI_Allreduce did not complete within 3 s"), "\(r.output)")
        let stoppedBy = scenario == "hang" ? "; stopping every rank" : "rank 0: [rank 0] MPI_Allreduce"
        #expect(r.output.contains(stoppedBy), "\(r.output)")
        #expect(r.seconds < 25, "took \(r.seconds) s")
    }
}
