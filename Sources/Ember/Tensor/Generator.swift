import Synchronization

/// A seedable random number generator (PyTorch: `torch.Generator`): PCG32 (O'Neill's
/// permuted congruential generator, XSH-RR output). The same seed gives the same numbers,
/// bit for bit, on every run and machine.
public final class Generator: Sendable {
    private struct PCG {
        var state: UInt64
        var increment: UInt64

        init(seed: UInt64, stream: UInt64 = 0xda3e39cb94b95bdb) {
            increment = (stream << 1) | 1
            state = 0
            _ = next()
            state &+= seed
            _ = next()
        }

        @inline(__always)
        mutating func next() -> UInt32 {
            let old = state
            state = old &* 6364136223846793005 &+ increment
            let xorshifted = UInt32(truncatingIfNeeded: ((old >> 18) ^ old) >> 27)
            let rot = UInt32(truncatingIfNeeded: old >> 59)
            return (xorshifted >> rot) | (xorshifted << ((~rot &+ 1) & 31))
        }
    }

    private let pcg: Locked<PCG>
    private let seedValue: Locked<UInt64>

    /// The generator random ops use when none is given (PyTorch: `torch.default_generator`).
    public static let `default` = Generator(seed: 0x5EED)

    /// A generator started from `seed` (PyTorch: `torch.Generator().manual_seed(seed)`).
    public init(seed: UInt64 = 0x5EED) {
        pcg = Locked(PCG(seed: seed))
        seedValue = Locked(seed)
    }

    /// Restarts the sequence from `seed` (PyTorch: `generator.manual_seed`).
    public func manualSeed(_ seed: UInt64) {
        pcg.withLock { $0 = PCG(seed: seed) }
        seedValue.withLock { $0 = seed }
    }

    /// The seed last set (PyTorch: `generator.initial_seed()`).
    public var initialSeed: UInt64 { seedValue.withLock { $0 } }

    /// The full generator state, to save in a checkpoint and restore with `setState`
    /// (PyTorch: `generator.get_state()`).
    public var state: [UInt64] { pcg.withLock { [$0.state, $0.increment] } }

    /// Restores a state captured by `state` (PyTorch: `generator.set_state`).
    public func setState(_ s: [UInt64]) {
        precondition(s.count == 2, "[Generator.setState] expected 2 words of state, got \(s.count)")
        pcg.withLock { $0.state = s[0]; $0.increment = s[1] }
    }

    /// Runs `body` with exclusive access to a source of random 32-bit words.
    func withWords<R>(_ body: (() -> UInt32) -> R) -> R {
        pcg.withLock { p in
            body { p.next() }
        }
    }

    /// `count` uniform doubles in [0, 1) with 53 random bits each.
    func uniformDoubles(_ count: Int) -> [Double] {
        withWords { next in
            (0..<count).map { _ in
                let bits = (UInt64(next()) << 21) ^ UInt64(next() >> 11)
                return Double(bits & ((1 << 53) - 1)) * 0x1p-53
            }
        }
    }

    /// `count` uniform floats in [0, 1) with 24 random bits each.
    func uniformFloats(_ count: Int) -> [Float] {
        withWords { next in (0..<count).map { _ in Float(next() >> 8) * 0x1p-24 } }
    }

    /// `count` standard normal doubles (Box-Muller).
    func normals(_ count: Int) -> [Double] {
        let u = uniformDoubles(count + count % 2)
        var out = [Double](repeating: 0, count: count)
        var i = 0
        while i < count {
            let r = (-2 * _log(1 - u[i])).squareRoot()
            let theta = 2 * Double.pi * u[i + 1]
            out[i] = r * _cos(theta)
            if i + 1 < count { out[i + 1] = r * _sin(theta) }
            i += 2
        }
        return out
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's method on 64 bits).
    func integer(below bound: UInt64, _ next: () -> UInt32) -> UInt64 {
        precondition(bound > 0)
        let x = (UInt64(next()) << 32) | UInt64(next())
        return x.multipliedFullWidth(by: bound).high
    }
}

/// Seeds the default generator, making every later random op, initialization and shuffle
/// that uses it reproducible (PyTorch: `torch.manual_seed`).
public func manualSeed(_ seed: UInt64) {
    Generator.default.manualSeed(seed)
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Glibc.sin(x) }
#endif
