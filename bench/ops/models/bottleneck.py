"""A ResNet bottleneck block in NCHW as torch runs it in eval mode:
conv1x1-bn-relu, conv3x3-bn-relu, conv1x1-bn, plus the input, relu. Batch
norm stays a separate op on both sides (running statistics, not folded)."""

import numpy as np

from kiln.relax import op

from .common import Weights, Workload, const, module, to_torch


def bottleneck(channels: int = 256, width: int = 64, size: int = 56, batch: int = 1, seed: int = 1) -> Workload:
    import torch

    w = Weights(seed)
    shapes = [(width, channels, 1, 1), (width, width, 3, 3), (channels, width, 1, 1)]
    convs = [w.normal(s, (s[1] * s[2] * s[3]) ** -0.5) for s in shapes]
    # gamma, beta, running mean, running var per conv
    bns = [(w.uniform((s[0],), 0.5, 1.5), w.normal((s[0],), 0.1), w.normal((s[0],), 0.1), w.uniform((s[0],), 0.5, 2.0))
           for s in shapes]
    x = w.normal((batch, channels, size, size))

    def body(bb, x):
        h = x
        for i, (weight, (gamma, beta, mean, var)) in enumerate(zip(convs, bns)):
            pad = weight.shape[2] // 2
            h = bb.emit(op.conv2d(h, const(weight), padding=[pad, pad]))
            h = bb.emit(op.batch_norm(h, const(gamma), const(beta), const(mean), const(var), epsilon=1e-5))
            if i < 2:
                h = bb.emit(op.relu(h))
        return op.relu(op.add(h, x))

    class Bottleneck(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.convs = torch.nn.ModuleList(
                torch.nn.Conv2d(s[1], s[0], s[2], padding=s[2] // 2, bias=False) for s in shapes)
            self.bns = torch.nn.ModuleList(torch.nn.BatchNorm2d(s[0], eps=1e-5) for s in shapes)

        def forward(self, x):
            h = torch.relu(self.bns[0](self.convs[0](x)))
            h = torch.relu(self.bns[1](self.convs[1](h)))
            return torch.relu(self.bns[2](self.convs[2](h)) + x)

    arrays = {}
    for i, (weight, (gamma, beta, mean, var)) in enumerate(zip(convs, bns)):
        arrays[f"convs.{i}.weight"] = weight
        arrays.update({f"bns.{i}.weight": gamma, f"bns.{i}.bias": beta,
                       f"bns.{i}.running_mean": mean, f"bns.{i}.running_var": var})
    tm = to_torch(Bottleneck(), **arrays)
    name = f"bottleneck {channels}-{width}-{channels} {batch}x{channels}x{size}x{size}"
    return Workload(name, "block", tm, module([x], body), [x])
