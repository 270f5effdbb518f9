"""Single ops over rows, along the last axis: softmax and layer_norm."""

import numpy as np

from kiln.relax import op

from .common import Weights, Workload, const, module, to_torch


def softmax_rows(rows: int, cols: int, seed: int = 3) -> Workload:
    import torch

    x = Weights(seed).normal((rows, cols), 2.0)
    tm = torch.nn.Softmax(dim=-1).eval()
    return Workload(f"softmax {rows}x{cols}", "op", tm, module([x], lambda bb, x: op.softmax(x, axis=-1)), [x])


def layer_norm_rows(rows: int, cols: int, seed: int = 4) -> Workload:
    import torch

    w = Weights(seed)
    gamma, beta = w.uniform((cols,), 0.5, 1.5), w.normal((cols,), 0.1)
    x = w.normal((rows, cols), 2.0) + 0.5
    body = lambda bb, x: op.layer_norm(x, const(gamma), const(beta), axes=[-1], epsilon=1e-5)  # noqa: E731
    tm = to_torch(torch.nn.LayerNorm(cols, eps=1e-5), weight=gamma, bias=beta)
    return Workload(f"layer_norm {rows}x{cols}", "op", tm, module([x], body), [x])
