import Ember
import EmberData
import Testing

/// The contract program, as written: every training sample arrives once, in batches
/// of 64 images of [1, 28, 28] with int64 labels.
@Test(.enabled(if: FashionMNISTAvailable.value)) func fashionMNISTLoaderContractProgram() throws {
    let train = try FashionMNIST(split: .train)
    let loader = DataLoader(train, batchSize: 64, shuffle: true)
    var seen = 0
    for (inputs, labels) in loader {
        precondition(inputs.shape == [64, 1, 28, 28] || inputs.shape[0] < 64)
        precondition(labels.dtype == .int64)
        seen += labels.shape[0]
    }
    #expect(seen == 60000)
    #expect(try FashionMNIST(split: .test).count == 10000)
}

enum FashionMNISTAvailable {
    static let value = (try? FashionMNIST(split: .test)) != nil
}
