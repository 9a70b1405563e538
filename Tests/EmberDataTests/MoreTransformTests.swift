import Ember
import EmberData
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
}
