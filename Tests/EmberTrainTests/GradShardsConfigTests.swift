import EmberTrain
import Testing

/// `--grad-shards`: any count in 1...1024 dividing the global batch, a default every world size
/// divides, and a clear error for a world size that does not divide it.
@Suite struct GradShardsConfigTests {
    @Test func anyShardCountDividingTheGlobalBatchIsValid() throws {
        var c = RunConfig()
        c.batchSize = 96
        for k in [1, 2, 3, 4, 6, 12, 32, 96] {
            c.gradShards = k
            try c.validate()
        }
        c.gradShards = 5
        #expect(throws: RunError.badConfig("--grad-shards 5 must divide the global batch of 96 samples (--batch-size × processes)")) { try c.validate() }
        c.worldSize = 5
        try c.validate()
        for k in [0, -3, 1025] {
            c.gradShards = k
            #expect(throws: RunError.badConfig("--grad-shards must be in 1...1024, got \(k)")) { try c.validate() }
        }
    }

    @Test func theDefaultIsAMultipleOfFourAndOfTheWorldSize() {
        // One, two and four processes share 4 shards (as before); 8 get 8; 3 get 12.
        #expect(RunConfig.defaultGradShards(globalBatch: 128) == 4)
        #expect(RunConfig.defaultGradShards(globalBatch: 128, worldSize: 2) == 4)
        #expect(RunConfig.defaultGradShards(globalBatch: 128, worldSize: 4) == 4)
        #expect(RunConfig.defaultGradShards(globalBatch: 128, worldSize: 8) == 8)
        #expect(RunConfig.defaultGradShards(globalBatch: 96, worldSize: 3) == 12)
        #expect(RunConfig.defaultGradShards(globalBatch: 96, worldSize: 6) == 12)
        // Halved while it does not divide the batch, never below a multiple of the world size.
        #expect(RunConfig.defaultGradShards(globalBatch: 30) == 2)
        #expect(RunConfig.defaultGradShards(globalBatch: 31) == 1)
        #expect(RunConfig.defaultGradShards(globalBatch: 30, worldSize: 2) == 2)
        #expect(RunConfig.defaultGradShards(globalBatch: 30, worldSize: 3) == 6)
        #expect(RunConfig.defaultGradShards(globalBatch: 33, worldSize: 3) == 3)
        #expect(RunConfig.defaultGradShards(globalBatch: 40, worldSize: 5) == 20)
    }

    @Test func aWorldSizeThatDoesNotDivideTheShardsNamesTheCountsThatDo() {
        #expect(RunConfig.supportedWorldSizes(shards: 4) == [1, 2, 4])
        #expect(RunConfig.supportedWorldSizes(shards: 12) == [1, 2, 3, 4, 6, 12])
        #expect(RunConfig.supportedWorldSizes(shards: 1) == [1])
        #expect(RunError.unsupportedWorldSize(processes: 3, shards: 4).description
            == "3 processes cannot share 4 gradient shards: the number of processes must divide --grad-shards (use 1, 2 or 4 processes, or start the run with --grad-shards 12)")
        #expect(RunError.unsupportedWorldSize(processes: 4, shards: 6).description
            == "4 processes cannot share 6 gradient shards: the number of processes must divide --grad-shards (use 1, 2, 3 or 6 processes, or start the run with --grad-shards 12)")
        #expect(RunError.unsupportedWorldSize(processes: 2, shards: 1).description
            == "2 processes cannot share 1 gradient shard: the number of processes must divide --grad-shards (use 1 process, or start the run with --grad-shards 2)")
    }
}
