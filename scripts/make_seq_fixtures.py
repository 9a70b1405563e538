#!/usr/bin/python3
"""Regenerates the PyTorch reference fixtures of EmberNN's sequence models in
Tests/Fixtures/seq_*.safetensors.

How to run (from the repository root, with Debian's PyTorch 1.13):

    /usr/bin/python3 scripts/make_seq_fixtures.py

Files (float32 unless noted; read by Tests/EmberNNTests/*AgainstPyTorchTests.swift):

    seq_rnn     RNN / LSTM / GRU modules and the RNN / LSTM / GRU cells
    seq_attn    MultiheadAttention, scaled dot-product attention, the Transformer layers,
                RMSNorm and the positional helpers

Every case `<case>` stores, with keys prefixed `<case>.`:

    state.<name>      the module's state_dict, exactly as PyTorch names it
    <input>           the inputs (`x`, `h0`, `c0`, `lengths`, masks, ...)
    <output>          the outputs (`out`, `hN`, `cN`, `attn`, ...)
    w.<output>        a fixed random weight per output
    grad.<name>       the gradient of sum over outputs of (output * w.output).sum() for every
                      parameter (`grad.<param>`) and floating input (`grad.<input>`)

and the metadata holds `<case>.keys` (the state_dict keys in order, JSON) and `<case>.repr`
(`print(module)`). Modules run in training mode with dropout 0, so no fast path is taken.
Variable-length batches go through pack_padded_sequence(enforce_sorted=False) and
pad_packed_sequence(total_length=T), which is what Ember's `lengths:` argument matches.
Every case seeds torch from a CRC32 of its own name, so the files are reproducible byte for
byte and adding a case changes no other.
"""

import json
import math
import os
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import OUT_DIR, ROOT, write_safetensors  # noqa: E402

torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)


class FixtureFile:
    """Collects the cases of one file."""

    def __init__(self, name):
        self.name = name
        self.tensors = {}
        self.metadata = {"generator": "scripts/make_seq_fixtures.py", "torch": torch.__version__}

    def case(self, name, module, inputs, run, grads=None):
        """Adds a case. `module` is built by a callable after seeding (may be None), `inputs`
        a callable returning an ordered dict of inputs, `run(module, **inputs)` a dict of
        named outputs. Gradients flow to every parameter and to the floating inputs listed in
        `grads` (default: all floating inputs)."""
        torch.manual_seed(zlib.crc32(f"{self.name}.{name}".encode()))
        m = module() if module is not None else None
        ins = inputs()
        if m is not None:
            m.train()
            state = m.state_dict()
            self.metadata[f"{name}.keys"] = json.dumps(list(state))
            self.metadata[f"{name}.repr"] = repr(m)
            for k, v in state.items():
                self.tensors[f"{name}.state.{k}"] = v.detach().clone()
        differentiable = [k for k, v in ins.items() if torch.is_tensor(v) and v.is_floating_point()]
        if grads is not None:
            differentiable = grads
        leaves = {}
        for k, v in ins.items():
            if torch.is_tensor(v):
                self.tensors[f"{name}.{k}"] = v.detach().clone()
                v = v.detach().clone()
                if k in differentiable:
                    v.requires_grad_()
            leaves[k] = v
        outs = run(m, **leaves) if m is not None else run(**leaves)
        total = 0
        for k, v in outs.items():
            self.tensors[f"{name}.{k}"] = v.detach().clone()
            if v.is_floating_point() and v.requires_grad:
                w = torch.randn(v.shape)
                self.tensors[f"{name}.w.{k}"] = w
                total = total + (v * w).sum()
        if torch.is_tensor(total):
            total.backward()
            if m is not None:
                for k, p in m.named_parameters():
                    self.tensors[f"{name}.grad.{k}"] = p.grad.detach().clone() if p.grad is not None else torch.zeros_like(p)
            for k in differentiable:
                g = leaves[k].grad
                self.tensors[f"{name}.grad.{k}"] = g.detach().clone() if g is not None else torch.zeros_like(leaves[k])

    def write(self):
        path = os.path.join(OUT_DIR, f"{self.name}.safetensors")
        write_safetensors(path, self.tensors, self.metadata)
        return path


# ---------------------------------------------------------------------------------------------
# Recurrent layers and cells

def run_rnn(m, x, h0=None, c0=None, lengths=None):
    """Runs an RNN/LSTM/GRU; with lengths through packing, padded back to the input's length."""
    state = None
    if h0 is not None:
        state = (h0, c0) if isinstance(m, nn.LSTM) else h0
    if lengths is not None:
        packed = pack_padded_sequence(x, lengths, batch_first=m.batch_first, enforce_sorted=False)
        out, hidden = m(packed, state)
        out, _ = pad_packed_sequence(out, batch_first=m.batch_first, total_length=x.shape[1 if m.batch_first else 0])
    else:
        out, hidden = m(x, state)
    if isinstance(m, nn.LSTM):
        return {"out": out, "hN": hidden[0], "cN": hidden[1]}
    return {"out": out, "hN": hidden}


def rnn_inputs(steps, batch, features, states=None, lengths=None, batch_first=False, unbatched=False):
    """x (and h0, c0 of the given shapes, lengths) for a recurrent case."""
    def make():
        shape = [steps, features] if unbatched else ([batch, steps, features] if batch_first else [steps, batch, features])
        ins = {"x": torch.randn(*shape)}
        for name, shape in (states or {}).items():
            ins[name] = torch.randn(*shape) * 0.5
        if lengths is not None:
            ins["lengths"] = torch.tensor(lengths, dtype=torch.int64)
        return ins
    return make


def rnn_file():
    f = FixtureFile("seq_rnn")
    # LSTM
    f.case("lstm", lambda: nn.LSTM(5, 7), rnn_inputs(6, 3, 5), run_rnn)
    f.case("lstm_full", lambda: nn.LSTM(5, 7, num_layers=2, bidirectional=True, batch_first=True),
           rnn_inputs(6, 3, 5, {"h0": [4, 3, 7], "c0": [4, 3, 7]}, batch_first=True), run_rnn)
    f.case("lstm_lengths", lambda: nn.LSTM(4, 6, num_layers=2, bidirectional=True),
           rnn_inputs(7, 4, 4, {"h0": [4, 4, 6], "c0": [4, 4, 6]}, lengths=[7, 3, 5, 1]), run_rnn, grads=["x", "h0", "c0"])
    f.case("lstm_lengths_bf", lambda: nn.LSTM(4, 5, batch_first=True),
           rnn_inputs(5, 3, 4, lengths=[2, 5, 4], batch_first=True), run_rnn)
    f.case("lstm_nobias", lambda: nn.LSTM(3, 4, bias=False, num_layers=2), rnn_inputs(4, 2, 3), run_rnn)
    f.case("lstm_unbatched", lambda: nn.LSTM(3, 4, bidirectional=True),
           rnn_inputs(5, 1, 3, {"h0": [2, 4], "c0": [2, 4]}, unbatched=True), run_rnn)
    f.case("lstm_proj", lambda: nn.LSTM(5, 6, proj_size=3, num_layers=2, bidirectional=True),
           rnn_inputs(5, 3, 5, {"h0": [4, 3, 3], "c0": [4, 3, 6]}, lengths=[5, 2, 4]), run_rnn, grads=["x", "h0", "c0"])
    # GRU
    f.case("gru", lambda: nn.GRU(5, 7), rnn_inputs(6, 3, 5), run_rnn)
    f.case("gru_full", lambda: nn.GRU(5, 6, num_layers=2, bidirectional=True, batch_first=True),
           rnn_inputs(6, 3, 5, {"h0": [4, 3, 6]}, batch_first=True), run_rnn)
    f.case("gru_lengths", lambda: nn.GRU(4, 5, num_layers=2, bidirectional=True),
           rnn_inputs(6, 4, 4, {"h0": [4, 4, 5]}, lengths=[3, 6, 1, 4]), run_rnn, grads=["x", "h0"])
    f.case("gru_nobias", lambda: nn.GRU(3, 4, bias=False), rnn_inputs(4, 2, 3), run_rnn)
    # RNN
    f.case("rnn_tanh", lambda: nn.RNN(5, 6, num_layers=2, bidirectional=True),
           rnn_inputs(5, 3, 5, {"h0": [4, 3, 6]}), run_rnn)
    f.case("rnn_relu", lambda: nn.RNN(4, 5, nonlinearity="relu", batch_first=True),
           rnn_inputs(5, 3, 4, {"h0": [1, 3, 5]}, lengths=[5, 1, 3], batch_first=True), run_rnn, grads=["x", "h0"])
    f.case("rnn_nobias", lambda: nn.RNN(3, 4, bias=False, num_layers=2), rnn_inputs(4, 2, 3), run_rnn)

    # Cells: one step with a state, one from zeros, one unbatched.
    def cell_run(m, x, h0=None, c0=None):
        if isinstance(m, nn.LSTMCell):
            hn, cn = m(x, None if h0 is None else (h0, c0))
            return {"hN": hn, "cN": cn}
        return {"hN": m(x, h0)}

    def cell_inputs(batch, features, hidden, state=True, lstm=False, unbatched=False):
        def make():
            lead = [] if unbatched else [batch]
            ins = {"x": torch.randn(*lead, features)}
            if state:
                ins["h0"] = torch.randn(*lead, hidden) * 0.5
                if lstm:
                    ins["c0"] = torch.randn(*lead, hidden) * 0.5
            return ins
        return make

    f.case("rnncell", lambda: nn.RNNCell(4, 5), cell_inputs(3, 4, 5), cell_run)
    f.case("rnncell_relu", lambda: nn.RNNCell(4, 5, nonlinearity="relu"), cell_inputs(3, 4, 5, state=False), cell_run)
    f.case("lstmcell", lambda: nn.LSTMCell(4, 5), cell_inputs(3, 4, 5, lstm=True), cell_run)
    f.case("lstmcell_zero", lambda: nn.LSTMCell(4, 5, bias=False), cell_inputs(3, 4, 5, state=False), cell_run)
    f.case("grucell", lambda: nn.GRUCell(4, 5), cell_inputs(3, 4, 5), cell_run)
    f.case("grucell_unbatched", lambda: nn.GRUCell(4, 5), cell_inputs(1, 4, 5, unbatched=True), cell_run)
    return f


# ---------------------------------------------------------------------------------------------
# Attention, Transformer layers, RMSNorm, positional helpers

class RMSNorm(nn.Module):
    """The standard RMSNorm (PyTorch 1.13 has none): x / sqrt(mean(x^2) + eps) * weight, eps None
    meaning torch.finfo(x.dtype).eps, printed as PyTorch 2.4 prints nn.RMSNorm."""

    def __init__(self, normalized_shape, eps=None):
        super().__init__()
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(self.normalized_shape))

    def forward(self, x):
        dims = tuple(range(-len(self.normalized_shape), 0))
        eps = self.eps if self.eps is not None else torch.finfo(x.dtype).eps
        return x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + eps) * self.weight

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine=True"


def sdpa_reference(q, k, v, attn_mask=None, is_causal=False, scale=None):
    """PyTorch 2's F.scaled_dot_product_attention (math path), written out: a bool mask is True
    where attention is allowed, a float mask is added."""
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = (q * scale) @ k.transpose(-2, -1)
    if is_causal:
        allowed = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool).tril()
        scores = scores.masked_fill(~allowed, float("-inf"))
    elif attn_mask is not None:
        scores = scores.masked_fill(~attn_mask, float("-inf")) if attn_mask.dtype == torch.bool else scores + attn_mask
    return {"out": torch.softmax(scores, dim=-1) @ v}


def causal_float(n):
    return torch.triu(torch.full((n, n), float("-inf")), diagonal=1)


def padding_mask(lengths, total):
    """[N, S] bool, True at padded keys (each row keeps at least one key)."""
    return torch.arange(total)[None, :] >= torch.tensor(lengths)[:, None]


def attn_file():
    f = FixtureFile("seq_attn")

    def mha_run(m, query, key=None, value=None, key_padding_mask=None, attn_mask=None, need=True, average=True):
        key = query if key is None else key
        value = key if value is None else value
        out, w = m(query, key, value, key_padding_mask=key_padding_mask, attn_mask=attn_mask,
                   need_weights=need, average_attn_weights=average)
        return {"out": out, "attn": w} if w is not None else {"out": out}

    f.case("mha", lambda: nn.MultiheadAttention(8, 2), lambda: {"query": torch.randn(4, 3, 8)}, mha_run)
    f.case("mha_masks", lambda: nn.MultiheadAttention(8, 4, batch_first=True),
           lambda: {"query": torch.randn(3, 4, 8), "key": torch.randn(3, 5, 8),
                    "key_padding_mask": padding_mask([5, 2, 4], 5),
                    "attn_mask": torch.tensor([[0, 0, 1, 0, 1], [0, 1, 0, 0, 0], [0, 0, 0, 1, 1], [1, 0, 0, 0, 0]], dtype=torch.bool)},
           lambda m, **k: mha_run(m, average=False, **k))
    f.case("mha_kvdim", lambda: nn.MultiheadAttention(8, 2, kdim=5, vdim=6),
           lambda: {"query": torch.randn(4, 2, 8), "key": torch.randn(3, 2, 5), "value": torch.randn(3, 2, 6),
                    "attn_mask": torch.randn(4, 4, 3)}, mha_run)
    f.case("mha_biaskv", lambda: nn.MultiheadAttention(8, 2, bias=False, add_bias_kv=True, add_zero_attn=True),
           lambda: {"query": torch.randn(3, 2, 8), "key": torch.randn(4, 2, 8),
                    "key_padding_mask": padding_mask([4, 1], 4)}, mha_run)
    f.case("mha_unbatched", lambda: nn.MultiheadAttention(8, 2),
           lambda: {"query": torch.randn(4, 8), "key": torch.randn(5, 8), "attn_mask": causal_float(5)[:4]},
           mha_run, grads=["query", "key"])

    qkv = lambda l, s, ev=6: {"q": torch.randn(2, 3, l, 8), "k": torch.randn(2, 3, s, 8), "v": torch.randn(2, 3, s, ev)}
    f.case("sdpa", None, lambda: qkv(4, 5), sdpa_reference)
    f.case("sdpa_bool", None,
           lambda: {**qkv(4, 5), "attn_mask": torch.tensor([[1, 1, 0, 1, 0], [0, 1, 0, 0, 0], [1, 1, 1, 0, 1], [0, 0, 0, 0, 1]], dtype=torch.bool)},
           sdpa_reference)
    f.case("sdpa_float", None, lambda: {**qkv(4, 5), "attn_mask": torch.randn(2, 1, 4, 5)},
           lambda **k: sdpa_reference(scale=0.3, **k))
    f.case("sdpa_causal", None, lambda: qkv(5, 5, 8), lambda **k: sdpa_reference(is_causal=True, **k))
    # Ember's fused attention op: causal with more keys than queries (top-left aligned), and
    # batch-first self-attention with a causal float mask and no weights, as in a GPT block.
    f.case("sdpa_causal_rect", None, lambda: qkv(4, 7), lambda **k: sdpa_reference(is_causal=True, **k))
    f.case("mha_causal_noweights", lambda: nn.MultiheadAttention(16, 4, batch_first=True),
           lambda: {"query": torch.randn(2, 12, 16), "attn_mask": causal_float(12)},
           lambda m, **k: mha_run(m, need=False, **k), grads=["query"])

    enc = lambda **kw: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kw)
    dec = lambda **kw: nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **kw)

    def enc_run(m, src, src_mask=None, src_key_padding_mask=None):
        if isinstance(m, nn.TransformerEncoder):
            return {"out": m(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask)}
        return {"out": m(src, src_mask=src_mask, src_key_padding_mask=src_key_padding_mask)}

    def dec_run(m, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None):
        return {"out": m(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                         tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask)}

    f.case("enc_layer", lambda: enc(),
           lambda: {"src": torch.randn(5, 3, 8), "src_mask": causal_float(5), "src_key_padding_mask": padding_mask([5, 3, 4], 5)},
           enc_run, grads=["src"])
    f.case("enc_layer_prenorm", lambda: enc(activation="gelu", batch_first=True, norm_first=True, layer_norm_eps=1e-6),
           lambda: {"src": torch.randn(3, 5, 8), "src_mask": torch.rand(5, 5) < 0.3}, enc_run, grads=["src"])
    f.case("encoder", lambda: nn.TransformerEncoder(enc(), 2, norm=nn.LayerNorm(8)),
           lambda: {"src": torch.randn(5, 3, 8), "src_key_padding_mask": padding_mask([5, 2, 4], 5)}, enc_run)
    f.case("dec_layer", lambda: dec(),
           lambda: {"tgt": torch.randn(4, 3, 8), "memory": torch.randn(5, 3, 8), "tgt_mask": causal_float(4),
                    "memory_key_padding_mask": padding_mask([5, 3, 1], 5)}, dec_run, grads=["tgt", "memory"])
    f.case("decoder", lambda: nn.TransformerDecoder(dec(batch_first=True, norm_first=True, activation="gelu"), 2, norm=nn.LayerNorm(8)),
           lambda: {"tgt": torch.randn(3, 4, 8), "memory": torch.randn(3, 5, 8), "tgt_mask": causal_float(4),
                    "tgt_key_padding_mask": padding_mask([4, 4, 2], 4)}, dec_run)

    def transformer_run(m, src, tgt, tgt_mask=None, src_key_padding_mask=None):
        return {"out": m(src, tgt, tgt_mask=tgt_mask, src_key_padding_mask=src_key_padding_mask,
                         memory_key_padding_mask=src_key_padding_mask)}
    f.case("transformer", lambda: nn.Transformer(8, 2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16,
                                                 dropout=0.0, batch_first=True),
           lambda: {"src": torch.randn(2, 5, 8), "tgt": torch.randn(2, 4, 8), "tgt_mask": causal_float(4),
                    "src_key_padding_mask": padding_mask([5, 3], 5)}, transformer_run, grads=["src", "tgt"])

    def rms_module(shape, eps=None):
        def make():
            m = RMSNorm(shape, eps)
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5)
            return m
        return make
    f.case("rmsnorm", rms_module([8]), lambda: {"x": torch.randn(3, 4, 8) * 2}, lambda m, x: {"out": m(x)})
    f.case("rmsnorm_2d", rms_module([4, 8], eps=1e-3), lambda: {"x": torch.randn(3, 4, 8)}, lambda m, x: {"out": m(x)})

    def sinusoidal(length, dim):
        pe = torch.zeros(length, dim, dtype=torch.float64)
        position = torch.arange(length, dtype=torch.float64).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, dim, 2, dtype=torch.float64) * (-math.log(10000.0) / dim))
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        return pe.float()
    f.case("sinusoidal", None, lambda: {}, lambda: {"out": sinusoidal(10, 8)})

    def rope(x):
        dim, length = x.shape[-1], x.shape[-2]
        inv_freq = 1.0 / (10000 ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim))
        freqs = torch.outer(torch.arange(length, dtype=torch.float64), inv_freq)
        emb = torch.cat([freqs, freqs], dim=-1)
        cos, sin = emb.cos().float(), emb.sin().float()
        x1, x2 = x[..., :dim // 2], x[..., dim // 2:]
        return {"out": x * cos + torch.cat([-x2, x1], dim=-1) * sin, "cos": cos, "sin": sin}
    f.case("rope", None, lambda: {"x": torch.randn(2, 3, 6, 8)}, rope)
    return f


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    total = 0
    for make in (rnn_file, attn_file):
        path = make().write()
        size = os.path.getsize(path)
        total += size
        print(f"{os.path.relpath(path, ROOT)}: {size} bytes")
    print(f"seq fixtures: {total} bytes")
    assert total < 1024 * 1024, "seq fixtures must stay under 1 MB"


if __name__ == "__main__":
    main()
