import Testing
import EmberNN

@Test func emberNNReexportsEmber() { #expect(Tensor([1.0, 2.0]).numel == 2) }
