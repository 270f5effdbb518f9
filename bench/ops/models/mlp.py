"""A 3-layer MLP, linear-relu-linear-relu-linear, weights stored [out, in]
as torch.nn.Linear keeps them (at batch 1 each layer is a GEMV)."""

import numpy as np

from kiln.relax import op

from .common import Weights, Workload, const, module, to_torch


def mlp(batch: int, sizes=(784, 1024, 1024, 10), seed: int = 0) -> Workload:
    import torch

    w = Weights(seed)
    layers = [(w.normal((n, k), k**-0.5), w.normal((n,), 0.1)) for k, n in zip(sizes[:-1], sizes[1:])]
    x = w.normal((batch, sizes[0]))

    def body(bb, x):
        h = x
        for i, (weight, bias) in enumerate(layers):
            h = bb.emit(op.linear(h, const(weight), const(bias)))
            if i + 1 < len(layers):
                h = bb.emit(op.relu(h))
        return h

    net = []
    for i, (weight, _) in enumerate(layers):
        net.append(torch.nn.Linear(weight.shape[1], weight.shape[0]))
        if i + 1 < len(layers):
            net.append(torch.nn.ReLU())
    arrays = {}
    for i, (weight, bias) in enumerate(layers):
        arrays[f"{2 * i}.weight"], arrays[f"{2 * i}.bias"] = weight, bias
    tm = to_torch(torch.nn.Sequential(*net), **arrays)
    name = f"mlp {'-'.join(map(str, sizes))} b{batch}"
    return Workload(name, "block", tm, module([x], body), [x])
