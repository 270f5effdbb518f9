"""Activations as modules (torch.nn's names), and Dropout, which is the
identity: exported models are for inference."""

from .core import Module
from . import op

__all__ = ["Dropout", "GELU", "ReLU", "Sigmoid", "SiLU", "Softmax", "Tanh"]


class ReLU(Module):
    def forward(self, x):
        return op.relu(x)


class GELU(Module):
    """``approximate``: "none" (erf) or "tanh"."""

    def __init__(self, approximate: str = "none"):
        self.approximate = approximate

    def forward(self, x):
        return op.gelu(x, self.approximate)


class SiLU(Module):
    def forward(self, x):
        return op.silu(x)


class Sigmoid(Module):
    def forward(self, x):
        return op.sigmoid(x)


class Tanh(Module):
    def forward(self, x):
        return op.tanh(x)


class Softmax(Module):
    def __init__(self, dim: int = -1):
        self.dim = dim

    def forward(self, x):
        return op.softmax(x, self.dim)


class Dropout(Module):
    """The identity (dropout happens only in training)."""

    def __init__(self, p: float = 0.5):
        self.p = p

    def forward(self, x):
        return x
