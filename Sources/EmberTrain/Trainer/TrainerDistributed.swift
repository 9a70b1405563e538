import Ember
import EmberDistributed

extension Trainer {
    /// The mean of the ranks' losses and whether any rank asked to stop (one small all-reduce
    /// per step); this rank's own values when training alone.
    func agreeOnStep(_ loss: Double, stop: Bool) throws -> (loss: Double, stop: Bool) {
        guard let group = distributed?.processGroup, group.worldSize > 1 else { return (loss, stop) }
        let t = Tensor([loss, stop ? 1 : 0], dtype: .float64)
        try group.allReduce(t, op: .sum)
        let v = t.toArray(as: Double.self)
        return (v[0] / Double(group.worldSize), v[1] > 0)
    }

    /// `meter` summed over the ranks (loss sums, counts); `meter` itself when training alone.
    func aggregated(_ meter: ClassificationMeter) throws -> ClassificationMeter {
        guard let group = distributed?.processGroup, group.worldSize > 1 else { return meter }
        let t = Tensor([meter.lossSum, Double(meter.count), Double(meter.correct), Double(meter.topKCorrect)], dtype: .float64)
        try group.allReduce(t, op: .sum)
        let v = t.toArray(as: Double.self)
        var total = meter
        total.setTotals(lossSum: v[0], count: Int(v[1]), correct: Int(v[2]), topKCorrect: Int(v[3]))
        return total
    }
}
