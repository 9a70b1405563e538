import Testing
import Ember
@testable import EmberTrain

@Suite struct MetricsTests {
    @Test func confusionMatrixScores() {
        var cm = ConfusionMatrix(numClasses: 3)
        cm.add(actual: [0, 1, 2, 2], predicted: [0, 2, 2, 2])
        #expect(cm[2, 2] == 2)
        #expect(cm.accuracy == 0.75)
        #expect(cm.recall(1) == 0)
        #expect(cm.precision(2) == 2.0 / 3.0)
    }
}
