"""Normalization layers with torch.nn's parameters and defaults: LayerNorm
and RMSNorm over the trailing ``normalized_shape`` axes, GroupNorm over
groups of channels of an (N, C, ...) tensor."""

from typing import Optional, Sequence, Union

import numpy as np

from .core import Module, Parameter
from . import op

__all__ = ["GroupNorm", "LayerNorm", "RMSNorm"]

Shape = Union[int, Sequence[int]]


def _shape(s: Shape) -> tuple:
    return (s,) if isinstance(s, int) else tuple(s)


class LayerNorm(Module):
    def __init__(self, normalized_shape: Shape, eps: float = 1e-5, dtype: str = "float32"):
        self.normalized_shape, self.eps = _shape(normalized_shape), eps
        self.weight = Parameter(self.normalized_shape, dtype, init="ones")
        self.bias = Parameter(self.normalized_shape, dtype, init="zeros")

    def forward(self, x):
        axes = list(range(-len(self.normalized_shape), 0))
        return op.layer_norm(x, self.weight, self.bias, axes, self.eps)


class RMSNorm(Module):
    """``x / sqrt(mean(x^2) + eps) * weight``; ``eps=None`` is the dtype's
    machine epsilon, as in torch.nn.RMSNorm."""

    def __init__(self, normalized_shape: Shape, eps: Optional[float] = None, dtype: str = "float32"):
        self.normalized_shape = _shape(normalized_shape)
        self.eps = float(np.finfo(dtype).eps) if eps is None else eps
        self.weight = Parameter(self.normalized_shape, dtype, init="ones")

    def forward(self, x):
        return op.rms_norm(x, self.weight, list(range(-len(self.normalized_shape), 0)), self.eps)


class GroupNorm(Module):
    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, dtype: str = "float32"):
        self.num_groups, self.eps = num_groups, eps
        self.weight = Parameter((num_channels,), dtype, init="ones")
        self.bias = Parameter((num_channels,), dtype, init="zeros")

    def forward(self, x):
        return op.group_norm(x, self.weight, self.bias, self.num_groups, self.eps)
