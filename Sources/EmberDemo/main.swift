// `make run`: a tour of Ember's tensor API and autograd, ending with a small model trained
// from scratch. (When the training issue lands, this becomes the Fashion-MNIST run.)
import Ember

func section(_ title: String) { print("\n== \(title)") }

section("Tensors, broadcasting, views and matmul")
let a = Tensor([[1, 2, 3], [4, 5, 6]] as [[Float]])
let b = Tensor([10, 20, 30] as [Float])
let c = (a * b + 1).sum(dim: 0)
let t = a.transpose(0, 1)
let m = a.matmul(t)
print("a =", a)
print("(a * b + 1).sum(dim: 0) =", c)
print("a.matmul(a.transpose(0, 1)) =", m)
print("the transpose is a view: contiguous =", t.isContiguous, "shape =", t.shape)
t[0, 1] = Tensor(scalar: Float(40))
print("writing 40 through the view changes a:", a)

section("Reductions and softmax")
let logits = Tensor([[1000, 1001, 1002], [-1, 0, 1]] as [[Float]])
print("softmax of large logits stays finite:", logits.softmax(dim: 1))
print("max over dim 1:", logits.max(dim: 1).values, "argmax:", logits.argmax(dim: 1))

section("Autograd: gradient descent on (x - y)^2")
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
print("x after 1000 steps:", x)

section("Training a 2-layer network from scratch: is the sign of x0 the sign of x1?")
manualSeed(0)
let n = 512
let inputs = Tensor.randn([n, 2])
let signs = inputs.sign()
let labels = ((signs.select(1, 0) * signs.select(1, 1)) .> 0).long()   // class 1 when signs agree
let w1 = (Tensor.randn([2, 32]) * 0.5).detach().requiresGrad_()
let b1 = Tensor.zeros([32], requiresGrad: true)
let w2 = (Tensor.randn([32, 2]) * 0.5).detach().requiresGrad_()
let b2 = Tensor.zeros([2], requiresGrad: true)
let params = [w1, b1, w2, b2]
for epoch in 1...200 {
    let hidden = (inputs.matmul(w1) + b1).relu()
    let logProbs = (hidden.matmul(w2) + b2).logSoftmax(dim: 1)
    let loss = -logProbs.gather(1, labels.unsqueeze(1)).mean()
    loss.backward()
    withNoGrad {
        for p in params { p.sub_(p.grad! * 0.5); p.grad = nil }
    }
    if epoch % 50 == 0 {
        let accuracy = withNoGrad { (logProbs.argmax(dim: 1) .== labels).float().mean().item() }
        print("epoch \(epoch): loss \(String(format: loss.item())), train accuracy \(String(format: accuracy * 100))%")
    }
}

section("Memory")
let stats = CachingAllocator.shared.stats
print("allocated \(stats.allocatedBytes) bytes, cached \(stats.cachedBytes) bytes, peak \(stats.peakAllocatedBytes) bytes")

extension String {
    /// Two decimals, without Foundation.
    init(format value: Double) {
        let scaled = (value * 100).rounded()
        let whole = Int(scaled) / 100, frac = Swift.abs(Int(scaled)) % 100
        self = "\(whole).\(frac < 10 ? "0" : "")\(frac)"
    }
}
