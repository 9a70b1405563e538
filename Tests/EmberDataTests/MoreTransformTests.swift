import Ember
@testable import EmberData
import Testing

@Suite struct MoreTransformTests {
    @Test func verticalFlipFlipsRowsWithProbabilityOne() {
        let x = Tensor([[1, 2], [3, 4]] as [[Float]]).unsqueeze(0)
        #expect(RandomVerticalFlip(p: 1)(x).toArray() == [3, 4, 1, 2])
        #expect(RandomVerticalFlip(p: 0)(x).toArray() == [1, 2, 3, 4])
    }

    @Test func toTensorScalesAndMovesChannelsFirst() {
        let hwc = Tensor([0, 255, 51, 102, 153, 204] as [Int], shape: [1, 2, 3], dtype: .uint8)
        let chw = ToTensor()(hwc)
        #expect(chw.shape == [3, 1, 2] && chw.dtype == .float32)
        #expect(chw.toArray() == [0, 0.4, 1, 0.6, 0.2, 0.8].map { Float($0) })
        #expect(ToTensor()(Tensor([0, 255] as [Int], shape: [1, 2], dtype: .uint8)).shape == [1, 1, 2])
    }

    /// A one-channel Normalize (or a Compose of them) on an MNIST-format dataset is applied
    /// through a table of the 256 byte values when batching: bit for bit what transforming
    /// each image gives. Other transforms take the per-image path.
    @Test func pointwiseTransformsBatchLikePerImage() throws {
        let dir = TempDir()
        dir.write("t10k-images-idx3-ubyte", idxBytes(dims: [4, 16, 16], payload: (0..<(4 * 256)).map { UInt8(($0 * 7) % 256) }))
        dir.write("t10k-labels-idx1-ubyte", idxBytes(dims: [4], payload: [0, 1, 2, 3]))
        let transforms: [any Transform] = [
            Normalize(mean: [0.2860], std: [0.3530]),
            Compose([Normalize(mean: [0.1], std: [0.7]), Normalize(mean: [-0.3], std: [2.5])]),
            Lambda { $0 * 3 },
        ]
        #expect(Normalize(mean: [0.5], std: [0.5]).byteTable() != nil)
        #expect(Normalize(mean: [0.5, 0.5], std: [0.5, 0.5]).byteTable() == nil)
        for t in transforms {
            let data = try MNIST(root: dir.path, train: false, transform: t)
            let (images, labels) = data.batch(at: [2, 0, 3])
            #expect(ints(labels) == [2, 0, 3])
            for (k, i) in [2, 0, 3].enumerated() {
                #expect(identical(images.select(0, k), data[i].0), "\(t): image \(i)")
            }
        }
        // Every byte value appears, and the table holds the transform of b / 255.
        let norm = try MNIST(root: dir.path, train: false, transform: Normalize(mean: [0.2860], std: [0.3530]))
        let values = Set(norm.batch(at: [0, 1, 2, 3]).0.toArray(as: Float.self))
        #expect(values.count == 256)
        #expect(values.contains((Float(255) / 255 - Float(0.2860)) / Float(0.3530)))
    }
}
