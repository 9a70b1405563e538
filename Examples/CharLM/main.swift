// A character-level LSTM language model trained on the GNU GPL (Debian's
// /usr/share/common-licenses/GPL-3), then sampled: PyTorch's char-rnn, line by line (README.md).
// After 20 epochs (93 s on 2 busy cores, training loss 1.008) the sample reads: "The work information ind it
// os ated for a sext the patent claims or can mean under this License and a network free parts of the Free Software ..."
// `--quick` trains on 5 batches and samples 40 characters (what `make test` runs).
import Ember
import EmberData
import EmberNN
import EmberOptim

let quick = CommandLine.arguments.contains("--quick")
manualSeed(0)
let data = try TextDataset(files: ["/usr/share/common-licenses/GPL-3"], level: .character, sequenceLength: 64)
let loader = DataLoader(data, batchSize: 32, shuffle: true)
let vocab = data.vocabulary

final class CharRNN: Module, @unchecked Sendable {                     // class CharRNN(nn.Module):
    let embedding: Embedding
    let lstm: LSTM
    let head: Linear
    init(vocab: Int) {
        embedding = Embedding(vocab, 64)                               //     self.embedding = nn.Embedding(vocab, 64)
        lstm = LSTM(64, 256, numLayers: 2, batchFirst: true)           //     self.lstm = nn.LSTM(64, 256, num_layers=2, batch_first=True)
        head = Linear(256, vocab)                                      //     self.head = nn.Linear(256, vocab)
        super.init()
    }
    override func forward(_ x: Tensor) -> Tensor {                     //     def forward(self, x):
        head(lstm(embedding(x)).output)                                //         return self.head(self.lstm(self.embedding(x))[0])
    }
}

let model = CharRNN(vocab: vocab.count)
let optimizer = Adam(model.parameters(), lr: 3e-3)
for epoch in 1...(quick ? 1 : 20) {
    var total = 0.0, batches = 0
    for (i, (x, y)) in loader.enumerated() {
        if quick && i == 5 { break }
        optimizer.zeroGrad()
        let loss = crossEntropy(model(x).reshape(-1, vocab.count), y.reshape(-1))   // F.cross_entropy(logits.view(-1, V), y.view(-1))
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
    }
    print("epoch \(epoch): loss \(total / Double(batches))")
}

// Sampling, one character at a time, carrying the LSTM's (h, c): each step costs one position.
model.eval()
let generator = Generator(seed: 1)                                    // g = torch.Generator().manual_seed(1)
var text = "The "
withNoGrad {
    var state: (h: Tensor, c: Tensor)? = nil
    var input = Tensor(vocab.encode(text).map { Int64($0) }, shape: [1, text.unicodeScalars.count])
    for _ in 0..<(quick ? 40 : 300) {
        let (out, next) = model.lstm(model.embedding(input), state)    // out, state = model.lstm(model.embedding(x), state)
        state = next
        let logits = model.head(out[0, out.shape[1] - 1]) / 0.8       // temperature 0.8
        let id = Int(logits.softmax(dim: -1).multinomial(1, generator: generator).item() as Int64)   // torch.multinomial(probs, 1, generator=g)
        text += vocab.decode([id])
        input = Tensor([Int64(id)], shape: [1, 1])
    }
}
print(text)
