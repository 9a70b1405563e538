// A small GPT on the GNU GPL with EmberTrain's Trainer, then generation with and without the
// key/value cache (README.md). Prints the validation perplexity per epoch, a sample, and the
// generation speed both ways. `--quick` trains 3 batches and generates 30 tokens (make test).
import Ember
import EmberData
import EmberNN
import EmberOptim
import EmberTrain

let quick = CommandLine.arguments.contains("--quick")
manualSeed(0)
let context = 64
let whole = try TextDataset(files: ["/usr/share/common-licenses/GPL-3"], level: .character, sequenceLength: context)
let vocab = whole.vocabulary
let ids = whole.tokens.toArray(as: Int64.self).map { Int($0) }
let cut = ids.count * 9 / 10                                           // the last 10% validates
let trainSet = try TextDataset(ids: Array(ids[..<(quick ? 3 * 16 * context + 1 : cut)]), vocabulary: vocab, sequenceLength: context, source: "train")
let valSet = try TextDataset(ids: Array(ids[cut...]), vocabulary: vocab, sequenceLength: context, source: "validation")
let train = DataLoader(trainSet, batchSize: 16, shuffle: true, generator: Generator(seed: 1))
let val = DataLoader(valSet, batchSize: 64, generator: Generator(seed: 2))

let model = GPT(vocabularySize: vocab.count, contextLength: context, embedDim: 128, layers: 4, heads: 4)
let optimizer = AdamW(model.parameters(), lr: 1e-3, weightDecay: 0.01)   // optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
let trainer = Trainer(model: model, optimizer: optimizer,
                      lossFunction: { crossEntropy($0.reshape(-1, vocab.count), $1.reshape(-1)) })
trainer.metrics = [Perplexity()]
trainer.itemCount = { $0.numel }                                       // the loss is per token
for record in try trainer.fit(train, validation: val, epochs: quick ? 1 : 5) {
    print("epoch \(record.epoch): validation perplexity \(record.metrics!["val_ppl"]!)")
}

let prompt = vocab.encode("The ")
let length = quick ? 30 : 300
var seconds: [Bool: Double] = [:]
for cache in [true, false] {
    let start = monotonicSeconds()
    let out = generate(model, prompt: prompt, length: length, temperature: 0.8, topK: 40, generator: Generator(seed: 1), useCache: cache)
    seconds[cache] = monotonicSeconds() - start
    if cache { print("The " + vocab.decode(out)) }
}
print("generation: \(Double(length) / seconds[true]!) tokens/s with the key/value cache, \(Double(length) / seconds[false]!) without")
