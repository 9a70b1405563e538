import Testing
import EmberData

@Test func emberDataReexportsEmber() { #expect(Tensor([1.0, 2.0]).numel == 2) }
