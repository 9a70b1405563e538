@testable import Ember
import Testing

/// The fused attention op applies a mask that is exactly the causal mask by index (and skips
/// the key blocks it hides); `isCausalMask` decides which masks those are.
@Suite struct CausalMaskTests {
    /// The `[L, S]` causal mask's values: `-inf` where key `j` > query `i`, else 0.
    private func causal(_ l: Int, _ s: Int) -> [Double] {
        var m = [Double](repeating: 0, count: l * s)
        for i in 0..<l { for j in 0..<s where j > i { m[i * s + j] = -Double.infinity } }
        return m
    }

    /// `values` as an `[L, S]` mask broadcast to `[3, L, S]`, as the attention op sees it.
    private func view(_ values: [Double], _ l: Int, _ s: Int, dtype: DType = .float32) -> Tensor {
        Tensor(values, shape: [l, s]).to(dtype).unsqueeze(0).expand([3, l, s])
    }

    @Test func recognisesTheCausalMask() {
        for (l, s) in [(5, 5), (70, 70), (4, 9), (9, 4)] {
            #expect(isCausalMask(view(causal(l, s), l, s)), "\(l)x\(s)")
            #expect(isCausalMask(view(causal(l, s), l, s, dtype: .float64)), "\(l)x\(s) float64")
        }
    }

    @Test func rejectsOtherMasks() {
        var oneMore = causal(6, 6); oneMore[4 * 6 + 1] = -Double.infinity
        var oneLess = causal(6, 6); oneLess[1 * 6 + 5] = 0
        var finite = causal(6, 6); finite[0 * 6 + 1] = -1e9
        var upper = [Double](repeating: 0, count: 36)
        for i in 0..<6 { for j in 0..<i { upper[i * 6 + j] = -Double.infinity } }
        for (name, m) in [("one more blocked", oneMore), ("one less blocked", oneLess), ("finite", finite), ("anti-causal", upper)] {
            #expect(!isCausalMask(view(m, 6, 6)), "\(name)")
        }
        #expect(!isCausalMask(Tensor.zeros([1, 3, 3])), "all zeros")
    }
}
