"""A BERT encoder layer (post-norm): self-attention written out as linear
projections, batched matmuls and a softmax, then the GELU (erf) feed-forward,
each followed by a residual add and layer norm."""

import math

import numpy as np

from kiln import relax
from kiln.relax import op

from .common import Weights, Workload, const, module, to_torch


def bert_layer(seq: int = 128, hidden: int = 768, heads: int = 12, ffn: int = 3072, batch: int = 1,
               seed: int = 2) -> Workload:
    import torch

    w = Weights(seed)
    hd = hidden // heads
    lin = lambda n, k: (w.normal((n, k), k**-0.5), w.normal((n,), 0.02))  # noqa: E731
    q, k, v, o = (lin(hidden, hidden) for _ in range(4))
    ff1, ff2 = lin(ffn, hidden), lin(hidden, ffn)
    ln1 = (w.uniform((hidden,), 0.8, 1.2), w.normal((hidden,), 0.05))
    ln2 = (w.uniform((hidden,), 0.8, 1.2), w.normal((hidden,), 0.05))
    x = w.normal((batch, seq, hidden))
    scale = np.array(1 / math.sqrt(hd), dtype="float32")
    scale_f = float(scale)  # a Python float for torch (dynamo guards on captured arrays)

    def body(bb, x):
        def linear(t, wb):
            return bb.emit(op.linear(t, const(wb[0]), const(wb[1])))

        def heads_of(t, axes):  # [b, s, h*d] -> [b, h, s, d] (or [b, h, d, s])
            t = bb.emit(op.reshape(t, relax.ShapeExpr([batch, seq, heads, hd])))
            return bb.emit(op.permute_dims(t, axes=axes))

        qh = heads_of(linear(x, q), [0, 2, 1, 3])
        kt = heads_of(linear(x, k), [0, 2, 3, 1])
        vh = heads_of(linear(x, v), [0, 2, 1, 3])
        scores = bb.emit(op.multiply(op.matmul(qh, kt), relax.Constant(scale)))
        probs = bb.emit(op.softmax(scores, axis=-1))
        ctx = bb.emit(op.permute_dims(op.matmul(probs, vh), axes=[0, 2, 1, 3]))
        ctx = bb.emit(op.reshape(ctx, relax.ShapeExpr([batch, seq, hidden])))
        h = bb.emit(op.layer_norm(op.add(x, linear(ctx, o)), const(ln1[0]), const(ln1[1]), axes=[-1], epsilon=1e-12))
        f = bb.emit(op.gelu(linear(h, ff1)))
        return op.layer_norm(op.add(h, linear(f, ff2)), const(ln2[0]), const(ln2[1]), axes=[-1], epsilon=1e-12)

    class BertLayer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.q, self.k, self.v, self.o = (torch.nn.Linear(hidden, hidden) for _ in range(4))
            self.ff1, self.ff2 = torch.nn.Linear(hidden, ffn), torch.nn.Linear(ffn, hidden)
            self.ln1, self.ln2 = torch.nn.LayerNorm(hidden, eps=1e-12), torch.nn.LayerNorm(hidden, eps=1e-12)

        def forward(self, x):
            def heads_of(t):
                return t.view(batch, seq, heads, hd).transpose(1, 2)

            qh, kh, vh = heads_of(self.q(x)), heads_of(self.k(x)), heads_of(self.v(x))
            probs = torch.softmax(qh @ kh.transpose(-1, -2) * scale_f, dim=-1)
            ctx = (probs @ vh).transpose(1, 2).reshape(batch, seq, hidden)
            h = self.ln1(x + self.o(ctx))
            return self.ln2(h + self.ff2(torch.nn.functional.gelu(self.ff1(h))))

    arrays = {}
    for name, (weight, bias) in {"q": q, "k": k, "v": v, "o": o, "ff1": ff1, "ff2": ff2}.items():
        arrays[f"{name}.weight"], arrays[f"{name}.bias"] = weight, bias
    for name, (gamma, beta) in {"ln1": ln1, "ln2": ln2}.items():
        arrays[f"{name}.weight"], arrays[f"{name}.bias"] = gamma, beta
    tm = to_torch(BertLayer(), **arrays)
    name = f"bert layer s{seq} h{hidden} x{heads} ffn{ffn} b{batch}"
    return Workload(name, "block", tm, module([x], body), [x])
