/// Einstein summation (PyTorch: `torch.einsum`): `Tensor.einsum("bij,bjk->bik", a, b)`.
/// Operands are contracted left to right, each pair as one batched matrix product (batch
/// labels, the pair's free labels, and the summed labels reshaped into `bmm`'s three dims), so
/// memory stays that of the operands and the result, and gradients come from `bmm`, `sum`
/// and the views. Labels are letters; `...` stands for the dims not labelled (right-aligned
/// and broadcast across operands, as PyTorch); a label repeated within one operand takes its
/// diagonal (`"ii->i"`, `"ii"` is the trace); a dim of size 1 broadcasts against the same
/// label's size elsewhere. Without `->` the output is the `...` dims followed by the labels
/// that appear once, sorted, as in PyTorch; with `->` and no `...` in it, the `...` dims are
/// summed.
extension Tensor {
    /// `torch.einsum(equation, *operands)`.
    public static func einsum(_ equation: String, _ operands: Tensor..., file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        einsum(equation, operands, file: file, line: line)
    }

    /// `torch.einsum(equation, operands)` with the operands in an array.
    public static func einsum(_ equation: String, _ operands: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let spec = equation.filter { !$0.isWhitespace }
        let sides = spec.split(separator: "->", omittingEmptySubsequences: false).map(String.init)
        check(sides.count <= 2, "einsum", "more than one '->' in \"\(equation)\"", file: file, line: line)
        let inputSpecs = sides[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        check(inputSpecs.count == operands.count, "einsum", "\"\(equation)\" names \(inputSpecs.count) operands but \(operands.count) were given", file: file, line: line)

        // Each operand's labels, with its `...` dims as placeholder labels shared right-aligned.
        let parsed = zip(inputSpecs, operands).map { spec, t in parseSubscripts(spec, t, equation, file: file, line: line) }
        let ellipsisRank = parsed.map(\.ellipsisDims).max() ?? 0
        let ellipsisLabels = (0..<ellipsisRank).map(placeholderLabel)
        var inputs: [[Character]] = parsed.map { p in
            p.before + ellipsisLabels.suffix(p.ellipsisDims) + p.after
        }
        var sizes: [Character: Int] = [:]
        for (labels, t) in zip(inputs, operands) {
            for (label, size) in zip(labels, t.shape) {
                if let known = sizes[label], known != size {
                    check(known == 1 || size == 1, "einsum", "\(describe(label)) has size \(size) for an operand of shape \(t.shape), which does not match the previously seen size \(known)", file: file, line: line)
                    sizes[label] = Swift.max(known, size)
                } else {
                    sizes[label] = size
                }
            }
        }
        let output: [Character]
        if sides.count == 2 {
            let outputSpec = sides[1]
            let pieces = outputSpec.split(separator: "...", omittingEmptySubsequences: false).map(String.init)
            check(pieces.count <= 2 && pieces.allSatisfy { $0.allSatisfy(\.isLetter) }, "einsum", "output subscripts \"\(outputSpec)\" must be letters and at most one '...'", file: file, line: line)
            output = pieces.count == 2 ? Array(pieces[0]) + ellipsisLabels + Array(pieces[1]) : Array(pieces[0])
            check(output.allSatisfy { sizes[$0] != nil } && Set(output).count == output.count, "einsum", "output subscripts \"\(outputSpec)\" must be distinct labels that appear in the inputs", file: file, line: line)
        } else {
            // A label repeated within one operand counts twice, so `"ii"` is the trace.
            let all = inputs.flatMap { $0 }.filter { !ellipsisLabels.contains($0) }
            output = ellipsisLabels + Set(all).filter { l in all.count(where: { $0 == l }) == 1 }.sorted()
        }

        // Diagonals of repeated labels, then size-1 dims broadcast to their label's size.
        var prepared: [Tensor] = []
        for i in operands.indices {
            var (t, labels) = takeDiagonals(operands[i], inputs[i])
            let target = labels.map { sizes[$0]! }
            if target != t.shape { t = t.expand(target) }
            prepared.append(t)
            inputs[i] = labels
        }
        var result: Tensor = prepared[0]
        var labels: [Character] = inputs[0]
        for i in 1..<Swift.max(prepared.count, 1) {
            let needed = Set(output).union(inputs[(i + 1)...].flatMap { $0 })
            (result, labels) = contract(result, labels, prepared[i], inputs[i], keeping: needed, sizes)
        }
        (result, labels) = sumOut(result, labels, keeping: Set(output))
        let order: [Int] = output.map { label in labels.firstIndex(of: label)! }
        return result.permute(order)
    }

    /// An operand's subscripts: the letters before and after its `...` and how many dims the
    /// `...` stands for.
    private static func parseSubscripts(_ spec: String, _ t: Tensor, _ equation: String,
                                        file: StaticString, line: UInt) -> (before: [Character], after: [Character], ellipsisDims: Int) {
        let pieces = spec.split(separator: "...", omittingEmptySubsequences: false).map(String.init)
        check(pieces.count <= 2, "einsum", "more than one '...' in the operand subscripts \"\(spec)\" of \"\(equation)\"", file: file, line: line)
        check(pieces.allSatisfy { $0.allSatisfy(\.isLetter) }, "einsum", "operand subscripts must be letters (and one optional '...'), got \"\(spec)\" in \"\(equation)\"", file: file, line: line)
        let before = Array(pieces[0]), after = pieces.count == 2 ? Array(pieces[1]) : []
        let named = before.count + after.count
        if pieces.count == 2 {
            check(named <= t.dim, "einsum", "the subscripts \"\(spec)\" name \(named) dimensions, more than the operand's \(t.dim) (shape \(t.shape))", file: file, line: line)
            return (before, after, t.dim - named)
        }
        check(named == t.dim, "einsum", "the number of subscripts in \"\(spec)\" (\(named)) does not match the operand's dimensions (shape \(t.shape))", file: file, line: line)
        return (before, after, 0)
    }

    /// The label standing for the `k`-th dim of `...`: a private-use character, never a letter.
    private static func placeholderLabel(_ k: Int) -> Character {
        Character(Unicode.Scalar(0xE000 + UInt32(k))!)
    }

    /// A label as an error message names it.
    private static func describe(_ label: Character) -> String {
        label.isLetter ? "subscript \(label)" : "a dimension of '...'"
    }

    /// For each label that appears twice in `labels`, the diagonal over its two dims (kept in
    /// the first one's place), by masking with the identity and summing the second dim away.
    private static func takeDiagonals(_ t: Tensor, _ labels: [Character]) -> (Tensor, [Character]) {
        var t = t, labels = labels
        while let second = labels.indices.first(where: { i in labels[..<i].contains(labels[i]) }) {
            let first = labels.firstIndex(of: labels[second])!
            let n = t.shape[first]
            var maskShape = [Int](repeating: 1, count: t.dim)
            maskShape[first] = n
            maskShape[second] = n
            t = (t * Tensor.eye(n, dtype: t.dtype).reshape(maskShape)).sum(dim: second)
            labels.remove(at: second)
        }
        return (t, labels)
    }

    /// Sums the dims whose labels are not in `keeping`.
    private static func sumOut(_ t: Tensor, _ labels: [Character], keeping: Set<Character>) -> (Tensor, [Character]) {
        let dropped = labels.indices.filter { !keeping.contains(labels[$0]) }
        if dropped.isEmpty { return (t, labels) }
        return (t.sum(dims: dropped), labels.filter { keeping.contains($0) })
    }

    /// One pair as a batched matrix product: [batch, a's free, summed] × [batch, summed, b's free].
    private static func contract(_ a: Tensor, _ la: [Character], _ b: Tensor, _ lb: [Character],
                                 keeping needed: Set<Character>, _ sizes: [Character: Int]) -> (Tensor, [Character]) {
        let (a, la) = sumOut(a, la, keeping: needed.union(lb))
        let (b, lb) = sumOut(b, lb, keeping: needed.union(la))
        let batch = la.filter { lb.contains($0) && needed.contains($0) }
        let summed = la.filter { lb.contains($0) && !needed.contains($0) }
        let leftFree = la.filter { !lb.contains($0) }, rightFree = lb.filter { !la.contains($0) }
        func size(_ labels: [Character]) -> Int { labels.reduce(1) { $0 * sizes[$1]! } }
        let aMatrix = a.permute((batch + leftFree + summed).map { la.firstIndex(of: $0)! })
            .reshape([size(batch), size(leftFree), size(summed)])
        let bMatrix = b.permute((batch + summed + rightFree).map { lb.firstIndex(of: $0)! })
            .reshape([size(batch), size(summed), size(rightFree)])
        let labels = batch + leftFree + rightFree
        return (aMatrix.bmm(bMatrix).reshape(labels.map { sizes[$0]! }), labels)
    }
}
