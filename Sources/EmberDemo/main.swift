import Ember

let a = Tensor([[1, 2, 3], [4, 5, 6]] as [[Float]])
let b = Tensor([10, 20, 30] as [Float])
let c = (a * b + 1).sum(dim: 0)
let t = a.transpose(0, 1)
let m = a.matmul(t)
print(c)
print(m)
print(t.isContiguous, t.shape)
