/// Einstein summation (PyTorch: `torch.einsum`): `Tensor.einsum("bij,bjk->bik", a, b)`.
/// Operands are contracted left to right, each pair as one batched matrix product (batch
/// labels, the pair's free labels, and the summed labels reshaped into `bmm`'s three dims), so
/// memory stays that of the operands and the result, and gradients come from `bmm`, `sum`
/// and the views. Labels are letters; without `->` the output is the labels that appear
/// once, sorted, as in PyTorch. Not yet supported (they trap, saying so): `...` and a label
/// repeated within one operand (a diagonal such as `"ii->i"`; use `diag`).
extension Tensor {
    /// `torch.einsum(equation, *operands)`.
    public static func einsum(_ equation: String, _ operands: Tensor..., file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        einsum(equation, operands, file: file, line: line)
    }

    /// `torch.einsum(equation, operands)` with the operands in an array.
    public static func einsum(_ equation: String, _ operands: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let spec = equation.filter { !$0.isWhitespace }
        check(!spec.contains("."), "einsum", "ellipsis ('...') is not supported yet in \"\(equation)\"", file: file, line: line)
        let sides = spec.split(separator: "->", omittingEmptySubsequences: false).map(String.init)
        check(sides.count <= 2, "einsum", "more than one '->' in \"\(equation)\"", file: file, line: line)
        let inputs = sides[0].split(separator: ",", omittingEmptySubsequences: false).map { Array($0) }
        check(inputs.count == operands.count, "einsum", "\"\(equation)\" names \(inputs.count) operands but \(operands.count) were given", file: file, line: line)
        var sizes: [Character: Int] = [:]
        for (labels, t) in zip(inputs, operands) {
            check(labels.allSatisfy { $0.isLetter }, "einsum", "operand subscripts must be letters, got \"\(String(labels))\" in \"\(equation)\"", file: file, line: line)
            check(labels.count == t.dim, "einsum", "the number of subscripts in \"\(String(labels))\" (\(labels.count)) does not match the operand's dimensions (shape \(t.shape))", file: file, line: line)
            check(Set(labels).count == labels.count, "einsum", "a label repeated within one operand (\"\(String(labels))\", a diagonal) is not supported yet; use diag()", file: file, line: line)
            for (label, size) in zip(labels, t.shape) {
                if let known = sizes[label] {
                    check(known == size, "einsum", "subscript \(label) has size \(size) for an operand of shape \(t.shape), which does not match the previously seen size \(known)", file: file, line: line)
                }
                sizes[label] = size
            }
        }
        let output: [Character]
        if sides.count == 2 {
            output = Array(sides[1])
            check(output.allSatisfy { sizes[$0] != nil } && Set(output).count == output.count, "einsum", "output subscripts \"\(sides[1])\" must be distinct labels that appear in the inputs", file: file, line: line)
        } else {
            let all = inputs.flatMap { $0 }
            output = Set(all).filter { l in all.count(where: { $0 == l }) == 1 }.sorted()
        }
        var result: Tensor = operands[0]
        var labels: [Character] = inputs[0]
        for i in 1..<Swift.max(operands.count, 1) {
            let needed = Set(output).union(inputs[(i + 1)...].flatMap { $0 })
            (result, labels) = contract(result, labels, operands[i], inputs[i], keeping: needed, sizes)
        }
        (result, labels) = sumOut(result, labels, keeping: Set(output))
        let order: [Int] = output.map { label in labels.firstIndex(of: label)! }
        return result.permute(order)
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
