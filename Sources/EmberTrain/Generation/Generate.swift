import Ember
import EmberNN

/// Picks the next token from logits `[V]`: divided by `temperature`, kept to the `topK`
/// highest (when given), softmaxed, and drawn with `multinomial` from `generator`; a
/// temperature of 0 takes the argmax (PyTorch: the sampling loop of nanoGPT's `generate`,
/// `torch.topk` then `torch.multinomial(probs, 1, generator=g)`).
///
/// ```swift
/// let next = sampleToken(logits: logits, temperature: 0.8, topK: 40, generator: Generator(seed: 1))
/// ```
public func sampleToken(logits: Tensor, temperature: Double = 1, topK: Int? = nil, generator: Generator,
                        file: StaticString = #fileID, line: UInt = #line) -> Int {
    check(logits.dim == 1 && logits.shape[0] > 0, "sampleToken", "expected logits of shape [V], got \(logits.shape)", file: file, line: line)
    check(temperature >= 0 && temperature.isFinite, "sampleToken", "temperature must be a finite number >= 0, got \(temperature)", file: file, line: line)
    check(topK.map { $0 >= 1 } ?? true, "sampleToken", "topK must be >= 1, got \(topK ?? 0)", file: file, line: line)
    return withNoGrad {
        let z = logits.detach().to(.float32)
        if temperature == 0 { return Int(z.argmax().item() as Int64) }
        var scaled = z / temperature
        if let k = topK, k < z.shape[0] {
            let kth = scaled.topk(k).values[k - 1]
            scaled = scaled.maskedFill(scaled .< kth, -Double.infinity)
        }
        return Int(scaled.softmax(dim: -1).multinomial(1, generator: generator).item() as Int64)
    }
}

/// Continues `prompt` (token ids, at least one) by `length` sampled tokens and returns the
/// new ones (Hugging Face: `model.generate(..., do_sample=True, temperature=, top_k=)`; nanoGPT:
/// `model.generate`). The same generator state gives the same tokens.
///
/// With `useCache` (the default) the model's incremental decoder carries state between
/// steps (a key/value cache for a transformer, `(h, c)` for an LSTM), so each new token costs
/// one position; when a bounded context fills up, the decoder restarts on the last half of
/// it. Without, every step runs the whole window of the last `contextLength` tokens again.
/// The model is put in eval mode for the call and its mode restored.
///
/// ```swift
/// let ids = generate(model, prompt: vocab.encode("The "), length: 200, temperature: 0.8,
///                    topK: 40, generator: Generator(seed: 1))
/// print(vocab.decode(ids))
/// ```
public func generate(_ model: any LanguageModel, prompt: [Int], length: Int, temperature: Double = 1, topK: Int? = nil,
                     generator: Generator, useCache: Bool = true, file: StaticString = #fileID, line: UInt = #line) -> [Int] {
    check(!prompt.isEmpty, "generate", "the prompt must hold at least one token", file: file, line: line)
    check(length >= 0, "generate", "length must be >= 0, got \(length)", file: file, line: line)
    check(prompt.allSatisfy { $0 >= 0 && $0 < model.vocabularySize }, "generate",
          "prompt ids must be in 0..<\(model.vocabularySize)", file: file, line: line)
    let wasTraining = model.training
    _ = model.eval()
    defer { _ = model.train(wasTraining) }
    return withNoGrad {
        var all = prompt
        var out: [Int] = []
        out.reserveCapacity(length)
        let context = model.contextLength
        func window(_ n: Int) -> [Int] { Array(all.suffix(n)) }
        if useCache {
            var decoder = model.makeDecoder()
            var fed = min(all.count, context ?? all.count)
            var logits = decoder.feed(window(fed))
            for _ in 0..<length {
                let next = sampleToken(logits: logits, temperature: temperature, topK: topK, generator: generator)
                all.append(next)
                out.append(next)
                if let context, fed == context {
                    decoder = model.makeDecoder()
                    fed = max(1, context / 2)
                    logits = decoder.feed(window(fed))
                } else {
                    fed += 1
                    logits = decoder.feed([next])
                }
            }
        } else {
            for _ in 0..<length {
                let ids = window(min(all.count, context ?? all.count))
                let logits = model(Tensor(ids.map { Int64($0) }, shape: [1, ids.count]))[0, ids.count - 1]
                let next = sampleToken(logits: logits, temperature: temperature, topK: topK, generator: generator)
                all.append(next)
                out.append(next)
            }
        }
        return out
    }
}
