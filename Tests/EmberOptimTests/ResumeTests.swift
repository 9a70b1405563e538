import Foundation
import Testing
import EmberOptim
import EmberTestSupport

/// An optimizer's state saved mid-run (stateDict, saved to a safetensors file, loaded, and
/// loaded into a fresh optimizer over fresh parameters holding the mid-run values) continues
/// on exactly the same trajectory as the uninterrupted run: bit for bit.
@Suite struct ResumeTests {
    @Test(arguments: optimizerCases.keys.sorted())
    func resumedRunIsBitwiseIdentical(_ name: String) throws {
        for dt in ["f32", "f64"] {
            let make = optimizerCases[name]!
            let a = MLPProblem(dt)
            let optimizerA = make(a.params)
            for _ in 0..<12 { a.trainStep(optimizerA) }

            let path = temporaryPath("\(name)-\(dt)")
            defer { try? FileManager.default.removeItem(atPath: path) }
            try save(optimizerA.stateDict(), to: path)
            let loaded = try load(path)

            let b = MLPProblem(dt)
            withNoGrad { for (pb, pa) in zip(b.params, a.params) { pb.copy_(pa) } }
            let optimizerB = make(b.params)
            try optimizerB.loadStateDict(loaded)

            for _ in 0..<18 {
                a.trainStep(optimizerA)
                b.trainStep(optimizerB)
            }
            for (pname, (pa, pb)) in zip(MLPProblem.names, zip(a.params, b.params)) {
                #expect(bits(pa) == bits(pb), "\(name) \(dt) \(pname) differs after resuming")
            }
        }
    }

    /// Group options travel with the state: a learning rate changed mid-run (as a scheduler
    /// does) is restored into an optimizer constructed with another one.
    @Test func groupOptionsAreRestored() throws {
        let p = MLPProblem("f32")
        let adam = Adam(p.params, lr: 0.01, betas: (0.8, 0.9), amsgrad: true)
        p.trainStep(adam)
        adam.paramGroups[0].lr = 0.0025
        adam.paramGroups[0].initialLR = 0.01
        let fresh = Adam(MLPProblem("f32").params)
        try fresh.loadStateDict(adam.stateDict())
        #expect(fresh.paramGroups[0].lr == 0.0025)
        #expect(fresh.paramGroups[0].initialLR == 0.01)
        #expect(fresh.paramGroups[0].betas == (0.8, 0.9))
        #expect(fresh.paramGroups[0].amsgrad)
        #expect(fresh.state[fresh.paramGroups[0].params[0]]?.step == 1)
    }

    /// The state dict uses PyTorch's names, flattened.
    @Test func stateDictKeys() {
        let p = MLPProblem("f32")
        let sgd = SGD(twoGroups(p.params) { ParamGroup(params: $0, lr: 0.5) }, lr: 0.1, momentum: 0.9)
        p.trainStep(sgd)
        let d = sgd.stateDict()
        #expect(d["param_groups.1.params"]!.toArray(as: Int64.self) == [2, 3])
        #expect(d["param_groups.1.lr"]!.item() == 0.5)
        #expect(d["param_groups.0.lr"]!.item() == 0.1)
        #expect(d["param_groups.0.nesterov"]!.dtype == .bool)
        #expect(d["state.3.momentum_buffer"]!.shape == [3])
        #expect(d["state.3.step"]!.dtype == .int64)
        // A copy: stepping again does not change a dictionary already taken.
        let before = d["state.0.momentum_buffer"]!.toArray()
        p.trainStep(sgd)
        #expect(d["state.0.momentum_buffer"]!.toArray() == before)
    }

    @Test func badStateDictsThrowAndChangeNothing() throws {
        let p = MLPProblem("f32")
        let adam = Adam(p.params, lr: 0.01)
        p.trainStep(adam)
        let good = adam.stateDict()
        let expAvg = adam.state[p.params[0]]!["exp_avg"]!.toArray()

        var wrongGroups = good
        wrongGroups["param_groups.1.params"] = Tensor([Int64(9)], dtype: .int64)
        #expect(throws: OptimizerStateError.self) { try adam.loadStateDict(wrongGroups) }

        var sgdKey = good
        sgdKey["param_groups.0.momentum"] = Tensor(scalar: 0.9, dtype: .float64)
        #expect(throws: OptimizerStateError.unexpectedKey("param_groups.0.momentum")) { try adam.loadStateDict(sgdKey) }

        var badShape = good
        badShape["state.0.exp_avg"] = Tensor.zeros([3])
        badShape["param_groups.0.lr"] = Tensor(scalar: 123.0, dtype: .float64)
        #expect(throws: OptimizerStateError.self) { try adam.loadStateDict(badShape) }

        var badBuffer = good
        badBuffer["state.0.momentum_buffer"] = Tensor.zeros([4, 8])
        #expect(throws: OptimizerStateError.unexpectedKey("state.0.momentum_buffer")) { try adam.loadStateDict(badBuffer) }

        var badIndex = good
        badIndex["state.7.exp_avg"] = Tensor.zeros([4, 8])
        #expect(throws: OptimizerStateError.self) { try adam.loadStateDict(badIndex) }

        #expect(adam.paramGroups[0].lr == 0.01)
        #expect(adam.state[p.params[0]]!["exp_avg"]!.toArray() == expAvg)
        #expect(adam.state[p.params[0]]!.step == 1)
    }

    /// A float64 state dict loads into a float32 optimizer, converted (PyTorch casts too).
    @Test func buffersConvertToTheParameterDtype() throws {
        let p64 = MLPProblem("f64")
        let a = RMSprop(p64.params, momentum: 0.5)
        p64.trainStep(a)
        let p32 = MLPProblem("f32")
        let b = RMSprop(p32.params, momentum: 0.5)
        try b.loadStateDict(a.stateDict())
        #expect(b.state[p32.params[1]]!["square_avg"]!.dtype == .float32)
        #expect(b.state[p32.params[1]]!["momentum_buffer"]!.dtype == .float32)
    }
}

/// The bit patterns of a tensor's elements.
func bits(_ t: Tensor) -> [UInt64] {
    t.dtype == .float64 ? t.toArray(as: Double.self).map(\.bitPattern) : t.toArray(as: Float.self).map { UInt64($0.bitPattern) }
}

/// A path in the temporary directory unique to this process.
func temporaryPath(_ name: String) -> String {
    NSTemporaryDirectory() + "/ember-optim-\(ProcessInfo.processInfo.processIdentifier)-\(name).safetensors"
}
