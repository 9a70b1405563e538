import Testing
import Foundation
@testable import Ember

@Suite struct AutogradTests {
    @Test func gradientDescentExampleConverges() {
        let x = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        let y = Tensor([2.0, 4.0, 6.0])
        for _ in 0..<1000 {
            let loss = ((x - y) * (x - y)).mean()
            loss.backward()
            withNoGrad {
                x.sub_(x.grad! * 0.5)
                x.grad!.zero_()
            }
        }
        // PyTorch 1.13 ends at exactly these float32 values and prints the same line.
        #expect(x.toArray() == [1.9999998807907104, 3.999999761581421, 5.999999523162842])
        #expect(zip(x.toArray(), [2, 4, 6] as [Float]).allSatisfy { Swift.abs($0 - $1) < 1e-4 })
        #expect(x.description == "tensor([2.0000, 4.0000, 6.0000], requires_grad=True)")
    }

    @Test func gradientsAccumulateAcrossBackwardCalls() {
        let w = Tensor([1.0, 2.0], requiresGrad: true)
        (w * 3).sum().backward()
        (w * w).sum().backward()
        #expect(w.grad!.toArray() == [5, 7])  // 3 + 2w
    }

    @Test func broadcastGradientIsReducedToInputShape() {
        let a = Tensor([[1.0, 2.0, 3.0]], requiresGrad: true)  // [1, 3]
        let b = Tensor([[1.0], [2.0]], requiresGrad: true)     // [2, 1]
        (a * b).sum().backward()
        #expect(a.grad!.shape == [1, 3])
        #expect(a.grad!.toArray() == [3, 3, 3])
        #expect(b.grad!.shape == [2, 1])
        #expect(b.grad!.toArray() == [6, 6])
    }

    @Test func gradFnNamesAndLeaves() {
        let a = Tensor([1.0, 2.0], requiresGrad: true)
        let b = a * 2
        #expect(a.isLeaf && a.gradFn == nil)
        #expect(!b.isLeaf && b.requiresGrad)
        #expect(b.gradFn?.name == "MulBackward0")
        #expect((b + 1).gradFn?.name == "AddBackward0")
        #expect(b.sum().gradFn?.name == "SumBackward1")
        #expect(a.detach().requiresGrad == false)
        #expect(withNoGrad { (a * 2).requiresGrad } == false)
    }

    @Test func nextFunctionsListOneEdgePerInput() {
        let a = Tensor([1.0, 2.0], requiresGrad: true), b = Tensor([3.0, 4.0], requiresGrad: true)
        let c = Tensor([5.0, 6.0]), d = Tensor([7.0, 8.0], requiresGrad: true)
        let product = a * c
        #expect(product.gradFn!.nextFunctions.map { $0?.name } == ["AccumulateGrad", nil])
        #expect(product.exp().gradFn!.nextFunctions.map { $0?.name } == ["MulBackward0"])
        // More inputs than the two stored inline.
        let joined = Tensor.cat([a, c, b, d])
        #expect(joined.gradFn!.nextFunctions.map { $0?.name } == ["AccumulateGrad", nil, "AccumulateGrad", "AccumulateGrad"])
        (joined * Tensor([1.0, 2, 3, 4, 5, 6, 7, 8])).sum().backward()
        #expect(a.grad!.toArray(as: Double.self) == [1, 2])
        #expect(b.grad!.toArray(as: Double.self) == [5, 6])
        #expect(d.grad!.toArray(as: Double.self) == [7, 8])
    }

    @Test func noGradIsPerThread() {
        let a = Tensor([1.0, 2.0], requiresGrad: true)
        nonisolated(unsafe) var otherThreadRecorded = false
        withNoGrad {
            #expect(!isGradEnabled)
            // Another thread still records while this one is in no-grad mode.
            let done = DispatchSemaphore(value: 0)
            Thread {
                otherThreadRecorded = (a * 2).requiresGrad && isGradEnabled
                done.signal()
            }.start()
            done.wait()
            #expect(!(a * 2).requiresGrad)
        }
        #expect(otherThreadRecorded)
        #expect(isGradEnabled)
    }

    @Test func noGradRecordsNothing() {
        let a = Tensor([1.0, 2.0], requiresGrad: true)
        let b = withNoGrad { a.exp() * 3 }
        #expect(b.gradFn == nil && !b.requiresGrad)
        let c = withNoGrad { withGrad { a * 2 } }
        #expect(c.requiresGrad)
        #expect(withInferenceMode { isGradEnabled } == false)
    }

    @Test func backwardWithExplicitGradient() {
        let a = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        let y = a * a
        y.backward(gradient: Tensor([1.0, 0.5, 0.0]))
        #expect(a.grad!.toArray() == [2, 2, 0])
    }

    @Test func retainGraphAllowsSecondBackward() {
        let a = Tensor([3.0], requiresGrad: true)
        let y = (a * a).sum()
        y.backward(retainGraph: true)
        y.backward()
        #expect(a.grad!.toArray() == [12])
    }

    @Test func secondBackwardWithoutRetainGraphTraps() async {
        await #expect(processExitsWith: .failure) {
            let a = Tensor([3.0], requiresGrad: true)
            let y = (a * a).sum()
            y.backward()
            y.backward()
        }
    }

    @Test func createGraphGivesHessianVectorProducts() {
        // f(x) = sum(x^3): gradient 3x^2, Hessian diag(6x).
        let x = Tensor([1.0, 2.0, 3.0], dtype: .float64, requiresGrad: true)
        let y = (x * x * x).sum()
        let g = grad(outputs: [y], inputs: [x], createGraph: true)[0]!
        #expect(g.toArray(as: Double.self) == [3, 12, 27])
        let v = Tensor([1.0, 1.0, 1.0], dtype: .float64)
        let hv = grad(outputs: [(g * v).sum()], inputs: [x])[0]!
        #expect(hv.toArray(as: Double.self) == [6, 12, 18])
        #expect(x.grad == nil)  // the functional form leaves .grad alone
    }

    @Test func gradientPenaltyBackpropagatesThroughGradient() {
        let x = Tensor([0.5, -1.0], dtype: .float64, requiresGrad: true)
        let y = (x.tanh() * 2).sum()
        let g = grad(outputs: [y], inputs: [x], createGraph: true)[0]!
        let penalty = g.square().sum()
        penalty.backward()
        // d/dx (2 sech^2 x)^2 = 4 * 2 sech^2 x * (-2 sech^2 x tanh x) * ... compare with finite differences.
        let result = gradcheck({ xs in withGrad {
            let y = (xs[0].tanh() * 2).sum()
            return grad(outputs: [y], inputs: [xs[0]], createGraph: true)[0]!.square().sum()
        } }, inputs: [Tensor([0.5, -1.0], dtype: .float64, requiresGrad: true)])
        #expect(result.passed, "\(result)")
        #expect(x.grad != nil)
    }

    @Test func unusedInputsNeedAllowUnused() {
        let a = Tensor([1.0], requiresGrad: true), b = Tensor([2.0], requiresGrad: true)
        let grads = grad(outputs: [(a * 2).sum()], inputs: [a, b], allowUnused: true)
        #expect(grads[0]!.toArray() == [2])
        #expect(grads[1] == nil)
    }

    @Test func hooksReadAndReplaceGradients() {
        let a = Tensor([1.0, 2.0], requiresGrad: true)
        var seen: [Float] = []
        a.registerHook { g in seen = g.toArray(); return g * 10 }
        (a * 3).sum().backward()
        #expect(seen == [3, 3])
        #expect(a.grad!.toArray() == [30, 30])

        let b = Tensor([1.0, 2.0], requiresGrad: true)
        let mid = b * 2
        mid.registerHook { _ in Tensor([1.0, 1.0]) }
        (mid * mid).sum().backward()
        #expect(b.grad!.toArray() == [2, 2])
    }

    @Test func retainGradKeepsNonLeafGradient() {
        let a = Tensor([1.0, 2.0], requiresGrad: true)
        let mid = a * 2
        mid.retainGrad()
        (mid * 3).sum().backward()
        #expect(mid.grad!.toArray() == [3, 3])
        #expect(mid.retainsGrad)
    }

    @Test func inPlaceOnNonLeafIsRecorded() {
        let a = Tensor([1.0, 2.0], requiresGrad: true)
        let b = a * 1
        b.mul_(Tensor([3.0, 4.0]))
        b.add_(1)
        b.sum().backward()
        #expect(a.grad!.toArray() == [3, 4])
        #expect(b.toArray() == [4, 9])
    }

    @Test func inPlaceOnLeafRequiringGradTraps() async {
        await #expect(processExitsWith: .failure) {
            let a = Tensor([1.0], requiresGrad: true)
            a.add_(1)
        }
    }

    @Test func modifyingSavedTensorTrapsInBackward() async {
        await #expect(processExitsWith: .failure) {
            let a = Tensor([1.0, 2.0], requiresGrad: true)
            let b = a.exp()
            let c = b * b       // saves b
            b.add_(1)           // modifies b after it was saved
            c.sum().backward()
        }
    }

    @Test func versionCounterCountsInPlaceWrites() {
        let a = Tensor([1.0, 2.0])
        let v0 = a.storage.version
        a.add_(1)
        a[0].fill_(5)   // a view shares the counter
        #expect(a.storage.version == v0 + 2)
        #expect(a.toArray() == [5, 3])
    }

    @Test func anomalyDetectionNamesTheOp() async {
        await #expect(processExitsWith: .failure) {
            withAnomalyDetection {
                let a = Tensor([0.0], requiresGrad: true)
                a.sqrt().sum().backward()   // d sqrt at 0 is inf
            }
        }
    }

    /// Runs in a child process (an exit test) so other tests' allocations do not disturb the count.
    @Test func graphIsFreedAndMemoryStaysFlat() async {
        await #expect(processExitsWith: .success) {
        let w = Tensor.randn([32, 32], requiresGrad: true)
        let x = Tensor.randn([8, 32])
        func step() {
            let loss = x.matmul(w).relu().softmax(dim: 1).sum()
            loss.backward()
            withNoGrad { w.sub_(w.grad! * 0.001) }
            w.grad = nil
        }
        for _ in 0..<100 { step() }
        let before = CachingAllocator.shared.stats.allocatedBytes
        for _ in 0..<10_000 { step() }
        let after = CachingAllocator.shared.stats.allocatedBytes
        if after != before {
            print("allocated bytes grew from \(before) to \(after) over 10,000 steps")
            exit(1)
        }
        }
    }

    @Test func nodesDoNotOutliveTheirTensors() {
        weak var node: Node?
        do {
            let a = Tensor([1.0, 2.0], requiresGrad: true)
            let b = a.exp()   // saves its own output: must not form a cycle
            node = b.gradFn
            #expect(node != nil)
        }
        #expect(node == nil)
    }

    @Test func integerTensorsCannotRequireGrad() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor([1, 2, 3]).requiresGrad_()
        }
    }
}
