import Ember
import EmberTestSupport
import Foundation
import Testing

/// The shared helpers themselves: a comparison that passes wrong values would hide bugs.
@Suite struct TestSupport {
    @Test func closeComparison() {
        let a = Tensor([1, .nan, .infinity, -2] as [Double], dtype: .float64)
        #expect(closeMismatch(a, a, rtol: 0, atol: 0) == nil)
        #expect(closeMismatch(a, Tensor([1, .nan, .infinity, -2.0000001] as [Double], dtype: .float64), rtol: 1e-6) == nil)
        #expect(closeMismatch(a, Tensor([1, 0, .infinity, -2] as [Double], dtype: .float64)) != nil)     // NaN vs number
        #expect(closeMismatch(a, Tensor([1, .nan, -.infinity, -2] as [Double], dtype: .float64)) != nil) // inf vs -inf
        #expect(closeMismatch(a, Tensor([1.001, .nan, .infinity, -2] as [Double], dtype: .float64)) != nil)
        #expect(closeMismatch(a, a.reshape([2, 2]))?.contains("shapes differ") == true)
        #expect(closeMismatch(Tensor([1e-9] as [Double], dtype: .float64), Tensor([0] as [Double], dtype: .float64)) == nil) // atol
        let why = closeMismatch(Tensor([[1, 2], [3, 4]] as [[Double]]), Tensor([[1, 2], [3, 5]] as [[Double]]))
        #expect(why?.contains("[1, 1] 4.0 vs 5.0") == true)
    }

    @Test func fixturesAreFound() throws {
        #expect(FileManager.default.fileExists(atPath: fixturesDirectory() + "/binary.safetensors"))
        let binary = loadFixture("binary")
        #expect(binary["add.bcast.a"]?.shape == [3, 1, 4])
        #expect(binary["add.bcast.a"]?.dtype == .float64)
        let cast = try readFixture("cast")
        #expect(cast.tensors["f32_to_bf16.out"]?.dtype == .bfloat16)
        #expect(cast.tensors["f32_to_f16.out"]?.dtype == .float16)
        #expect(cast.tensors["f64_to_bool.out"]?.toArray(as: Bool.self) == [false, false, true, true, true, true, true])
        #expect(cast.metadata["generator"] == "scripts/make_fixtures.py")
        #expect(cast.cases["f64_to_i64"] == FixtureCaseInfo(inputs: ["x"], grads: [], outputs: 1))
    }

    @Test func missingFixtureThrowsNamingTheFile() {
        #expect {
            try readFixture("no-such-family")
        } throws: { error in
            "\(error)".contains("no-such-family.safetensors")
        }
    }
}
