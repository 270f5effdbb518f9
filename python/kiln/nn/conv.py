"""Convolutions over NCW and NCHW tensors, weights in torch.nn's OIW / OIHW
layout, bias added per channel."""

from typing import Tuple, Union

from .core import Module, Parameter
from . import op

__all__ = ["Conv1d", "Conv2d"]

Pair = Union[int, Tuple[int, int]]


def _pair(v: Pair) -> Tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


class Conv1d(Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, padding: int = 0,
                 dilation: int = 1, groups: int = 1, bias: bool = True, dtype: str = "float32"):
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        self.weight = Parameter((out_channels, in_channels // groups, kernel_size), dtype)
        self.bias = Parameter((out_channels,), dtype, init="zeros") if bias else None

    def forward(self, x):
        y = op.conv1d(x, self.weight, self.stride, self.padding, self.dilation, self.groups)
        return y if self.bias is None else y + self.bias.reshape(1, -1, 1)


class Conv2d(Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: Pair, stride: Pair = 1, padding: Pair = 0,
                 dilation: Pair = 1, groups: int = 1, bias: bool = True, dtype: str = "float32"):
        self.stride, self.padding, self.dilation, self.groups = _pair(stride), _pair(padding), _pair(dilation), groups
        self.weight = Parameter((out_channels, in_channels // groups, *_pair(kernel_size)), dtype)
        self.bias = Parameter((out_channels,), dtype, init="zeros") if bias else None

    def forward(self, x):
        y = op.conv2d(x, self.weight, self.stride, self.padding, self.dilation, self.groups)
        return y if self.bias is None else y + self.bias.reshape(1, -1, 1, 1)
