import Testing
import EmberOptim

@Test func emberOptimReexportsEmber() { #expect(Tensor([1.0, 2.0]).numel == 2) }
