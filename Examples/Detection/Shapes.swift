import Ember

/// The data of this example, generated: 32×32 gray images of 1 to 4 shapes (square, disc,
/// triangle), 5 to 13 pixels across, of random contrast on a background of noise and blobs
/// as bright as the faintest shapes; shapes may touch but not overlap.
struct ShapesData {
    static let size = 32
    static let classes = ["square", "disc", "triangle"]

    /// `[N, 1, 32, 32]` float32 in [0, 1].
    let images: Tensor
    /// Per image, its objects: class index and xyxy box in pixels.
    let objects: [[(label: Int, box: [Float])]]

    init(count: Int, seed: UInt64) {
        var rng = SplitMix(seed: seed)
        let s = Self.size
        var pixels = [Float](repeating: 0, count: count * s * s)
        var objects: [[(label: Int, box: [Float])]] = []
        for n in 0..<count {
            let base = n * s * s
            // Background: noise around a random level, plus two faint blurry blobs.
            let level = 0.1 + 0.15 * rng.unit()
            for k in 0..<(s * s) { pixels[base + k] = level + 0.2 * (rng.unit() - 0.5) }
            for _ in 0..<2 {
                let bx = rng.unit() * Float(s), by = rng.unit() * Float(s), r = 3 + 5 * rng.unit()
                for y in 0..<s { for x in 0..<s {
                    let d2 = (Float(x) - bx) * (Float(x) - bx) + (Float(y) - by) * (Float(y) - by)
                    pixels[base + y * s + x] += 0.3 * max(0, 1 - d2 / (r * r))
                } }
            }
            var placed: [(label: Int, box: [Float])] = []
            let wanted = 1 + rng.below(4)
            var tries = 0
            while placed.count < wanted && tries < 20 {
                tries += 1
                let label = rng.below(3), size = 5 + rng.below(9)
                let left = rng.below(s - size + 1), top = rng.below(s - size + 1)
                let box: [Float] = [Float(left), Float(top), Float(left + size), Float(top + size)]
                // Keep shapes apart, so every box is visible.
                if placed.contains(where: { overlap($0.box, box) }) { continue }
                let brightness = 0.45 + 0.55 * rng.unit()
                for y in top..<(top + size) { for x in left..<(left + size) where Self.inside(label, x - left, y - top, size) {
                    pixels[base + y * s + x] = brightness + 0.15 * (rng.unit() - 0.5)
                } }
                placed.append((label, box))
            }
            objects.append(placed)
        }
        images = Tensor(pixels.map { min(max($0, 0), 1) }, shape: [count, 1, s, s], dtype: .float32)
        self.objects = objects
    }

    /// Whether pixel `(x, y)` of a `size`-pixel tile belongs to shape `label`.
    static func inside(_ label: Int, _ x: Int, _ y: Int, _ size: Int) -> Bool {
        let c = Float(size - 1) / 2, fx = Float(x), fy = Float(y)
        switch label {
        case 0: return true
        case 1: return (fx - c) * (fx - c) + (fy - c) * (fy - c) <= (c + 0.5) * (c + 0.5)
        default: return abs(fx - c) <= fy / 2 + 0.5   // apex at the top, base at the bottom
        }
    }
}

/// Boxes that overlap.
private func overlap(_ a: [Float], _ b: [Float]) -> Bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// A small seeded generator (SplitMix64), so the data are the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
