"""Linear layers: ``y = x @ weight.T + bias`` (torch.nn.Linear's layout)."""

from .core import Module, Parameter
from . import op

__all__ = ["Linear"]


class Linear(Module):
    """A fully connected layer over the last axis; ``weight`` is
    (out_features, in_features)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype: str = "float32"):
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter((out_features, in_features), dtype)
        self.bias = Parameter((out_features,), dtype, init="zeros") if bias else None

    def forward(self, x):
        return op.linear(x, self.weight, self.bias)

    def __repr__(self) -> str:
        return f"Linear({self.in_features}, {self.out_features}, bias={self.bias is not None})"
