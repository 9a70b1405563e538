import Foundation
import Testing
import EmberOptim
import EmberTestSupport

/// `Tests/Fixtures/optim_schedulers.safetensors`.
let schedulerFile = FixtureFile("optim_schedulers")

/// What a scheduler case drives: one epoch-based scheduler or a plateau detector.
enum AnyScheduler {
    case epoch(any LRScheduler)
    case plateau(ReduceLROnPlateau)
}

/// Two groups (lr 0.1 and 0.05) over tiny parameters, as the fixture script makes them.
func schedulerOptimizer(adam: Bool = false) -> any Optimizer {
    let groups = [ParamGroup(params: [Tensor.zeros([2], requiresGrad: true)]),
                  ParamGroup(params: [Tensor.zeros([3], requiresGrad: true)], lr: 0.05)]
    return adam ? Adam(groups, lr: 0.1) : SGD(groups, lr: 0.1, momentum: 0.9)
}

/// The schedulers of `scripts/make_optim_fixtures.py`'s SCHEDULERS, by name.
let schedulerCases: [String: @Sendable (any Optimizer) -> AnyScheduler] = [
    "step": { .epoch(StepLR($0, stepSize: 4, gamma: 0.5)) },
    "multistep": { .epoch(MultiStepLR($0, milestones: [3, 8, 8, 15], gamma: 0.3)) },
    "exponential": { .epoch(ExponentialLR($0, gamma: 0.9)) },
    "cosine": { .epoch(CosineAnnealingLR($0, tMax: 10, etaMin: 0.001)) },
    "cosine_warm": { .epoch(CosineAnnealingWarmRestarts($0, t0: 5, tMult: 2, etaMin: 0.001)) },
    "cosine_warm_1": { .epoch(CosineAnnealingWarmRestarts($0, t0: 7)) },
    "linear": { .epoch(LinearLR($0, startFactor: 0.25, endFactor: 1.0, totalIters: 8)) },
    "linear_decay": { .epoch(LinearLR($0, startFactor: 1.0, endFactor: 0.1, totalIters: 20)) },
    "lambda": { .epoch(LambdaLR($0) { pow(0.95, Double($0)) }) },
    "lambda_groups": { .epoch(LambdaLR($0, lrLambdas: [{ 1 / (1 + Double($0)) }, { pow(0.9, Double($0 / 3)) }])) },
    "onecycle": { .epoch(OneCycleLR($0, maxLR: [1.0, 0.5], totalSteps: 40)) },
    "onecycle_linear3": {
        .epoch(OneCycleLR($0, maxLR: 0.8, totalSteps: 40, pctStart: 0.25, annealStrategy: .linear,
                          divFactor: 10, finalDivFactor: 100, threePhase: true))
    },
    "onecycle_adam": { .epoch(OneCycleLR($0, maxLR: 0.01, epochs: 4, stepsPerEpoch: 10, baseMomentum: 0.8, maxMomentum: 0.9)) },
    "sequential": { o in
        .epoch(SequentialLR(o, schedulers: [LinearLR(o, startFactor: 0.1, totalIters: 5), ExponentialLR(o, gamma: 0.9)], milestones: [5]))
    },
    "sequential_cosine": { o in
        .epoch(SequentialLR(o, schedulers: [LinearLR(o, startFactor: 0.2, totalIters: 4), CosineAnnealingLR(o, tMax: 20)], milestones: [4]))
    },
    "sequential_three": { o in
        .epoch(SequentialLR(o, schedulers: [LinearLR(o, startFactor: 0.5, totalIters: 3), StepLR(o, stepSize: 3, gamma: 0.5),
                                            ExponentialLR(o, gamma: 0.95)], milestones: [3, 12]))
    },
    "plateau_min": { .plateau(ReduceLROnPlateau($0, mode: .min, factor: 0.5, patience: 2, threshold: 0.01, cooldown: 1, minLR: [0.01, 0.001])) },
    "plateau_max_abs": { .plateau(ReduceLROnPlateau($0, mode: .max, factor: 0.3, patience: 1, threshold: 0.005, thresholdMode: .abs, eps: 1e-4)) },
]

@Suite struct SchedulerTests {
    @Test func fixtureNamesTheSameCases() {
        #expect(schedulerFile.error == nil, "\(schedulerFile.error ?? "")")
        #expect(schedulerFile.caseNames() == schedulerCases.keys.sorted())
    }

    /// Every step's learning rates (and OneCycleLR's momentum or beta1) equal PyTorch's bit
    /// for bit: the same double formulas, evaluated in the same order.
    @Test(arguments: schedulerCases.keys.sorted())
    func matchesPyTorch(_ name: String) throws {
        let fx = schedulerFile.tensors
        let expected = try #require(fx["\(name).lr"])
        let steps = expected.shape[0] - 1
        let optimizer = schedulerOptimizer(adam: name == "onecycle_adam")
        let scheduler = schedulerCases[name]!(optimizer)
        let metrics = fx["\(name).metrics"]?.toArray(as: Double.self)
        var lrs: [[Double]] = [], moms: [[Double]] = []
        func record() {
            lrs.append(optimizer.paramGroups.map(\.lr))
            moms.append(optimizer.paramGroups.map { $0.has(.betas) ? $0.betas.0 : $0.momentum })
        }
        record()
        for i in 0..<steps {
            optimizer.step()
            switch scheduler {
            case .epoch(let s):
                s.step()
                #expect(s.lastLR == optimizer.paramGroups.map(\.lr))
            case .plateau(let p): p.step(metric: metrics![i])
            }
            record()
        }
        let got = Tensor(lrs.flatMap { $0 }, shape: [steps + 1, 2], dtype: .float64)
        assertClose(got, expected, rtol: 0, atol: 0, "\(name) learning rates")
        if let m = fx["\(name).momentum"] {
            assertClose(Tensor(moms.flatMap { $0 }, shape: [steps + 1, 2], dtype: .float64), m, rtol: 0, atol: 0, "\(name) momentum")
        }
    }

    /// A scheduler's state saved mid-run and loaded into a fresh scheduler (over an optimizer
    /// with the same learning rates) continues identically.
    @Test(arguments: schedulerCases.keys.sorted())
    func resumes(_ name: String) throws {
        let metrics = (0..<40).map { 1 / (1 + Double($0 % 13)) }
        let oa = schedulerOptimizer(adam: name == "onecycle_adam"), a = schedulerCases[name]!(oa)
        func advance(_ s: AnyScheduler, _ i: Int) {
            switch s {
            case .epoch(let e): e.step()
            case .plateau(let p): p.step(metric: metrics[i])
            }
        }
        func state(_ s: AnyScheduler) -> TensorDict {
            switch s {
            case .epoch(let e): return e.stateDict()
            case .plateau(let p): return p.stateDict()
            }
        }
        for i in 0..<17 { advance(a, i) }
        let path = temporaryPath("sched-\(name)")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try save(state(a), to: path)
        try save(oa.stateDict(), to: path + ".opt")
        defer { try? FileManager.default.removeItem(atPath: path + ".opt") }

        let ob = schedulerOptimizer(adam: name == "onecycle_adam"), b = schedulerCases[name]!(ob)
        try ob.loadStateDict(load(path + ".opt"))
        switch b {
        case .epoch(let e): try e.loadStateDict(load(path))
        case .plateau(let p): try p.loadStateDict(load(path))
        }
        for i in 17..<40 {
            advance(a, i)
            advance(b, i)
            #expect(oa.paramGroups.map(\.lr) == ob.paramGroups.map(\.lr), "\(name) step \(i)")
        }
    }

    @Test func unknownKeysAreRejected() {
        let s = StepLR(schedulerOptimizer(), stepSize: 3)
        var d = s.stateDict()
        d["gamma_typo"] = Tensor(scalar: 0.5, dtype: .float64)
        #expect(throws: OptimizerStateError.unexpectedKey("gamma_typo")) { try s.loadStateDict(d) }
        var short = s.stateDict()
        short["base_lrs"] = Tensor([0.1], dtype: .float64)
        #expect(throws: OptimizerStateError.self) { try s.loadStateDict(short) }
        #expect(s.baseLRs == [0.1, 0.05])
    }

    /// A SequentialLR loads all its schedulers or none.
    @Test func sequentialLoadsAllOrNothing() {
        let o = schedulerOptimizer()
        let s = SequentialLR(o, schedulers: [LinearLR(o, totalIters: 3), CosineAnnealingWarmRestarts(o, t0: 4)], milestones: [3])
        for _ in 0..<5 { s.step() }
        var d = s.stateDict()
        #expect(d["_schedulers.1.T_cur"] != nil)
        d["_schedulers.1.T_i"] = nil
        let before = s.schedulers[0].lastEpoch
        s.schedulers[0].lastEpoch = 99
        #expect(throws: OptimizerStateError.missingKey("_schedulers.1.T_i")) { try s.loadStateDict(d) }
        #expect(s.schedulers[0].lastEpoch == 99)
        s.schedulers[0].lastEpoch = before
    }
}
