"""Functions of tensors for kiln.nn forward code: each emits relax ops into
the function being exported (``kiln.relax.op`` builds calls; these bind
them and return :class:`~kiln.nn.Tensor` values)."""

from typing import List, Optional, Sequence

import numpy as np

from .. import relax
from .tensor import Dim, Tensor, _axes, as_expr, emit, emit_op

__all__ = [
    "arange", "astype", "concat", "conv1d", "conv2d", "exp", "expand_dims", "gelu", "group_norm", "layer_norm",
    "less_equal", "linear", "matmul", "maximum", "minimum", "permute_dims", "relu", "reshape", "rms_norm",
    "sigmoid", "silu", "softmax", "split", "sqrt", "take", "tanh", "where", "constant",
]

_r = relax.op


def matmul(a: Tensor, b: Tensor) -> Tensor:
    return emit_op(_r.matmul, a, b)


def linear(x: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """``x @ weight.T (+ bias)``, weight in PyTorch's (out, in) layout."""
    if bias is None:
        return emit_op(_r.matmul, x, emit_op(_r.permute_dims, weight))
    return emit_op(_r.linear, x, weight, bias)


def reshape(x: Tensor, shape: Sequence[Dim]) -> Tensor:
    return x.reshape(list(shape))


def permute_dims(x: Tensor, axes: Optional[Sequence[int]] = None) -> Tensor:
    return x.permute_dims(list(axes) if axes is not None else [])


def expand_dims(x: Tensor, axis) -> Tensor:
    return emit_op(_r.expand_dims, x, axis=_axes(axis))


def astype(x: Tensor, dtype: str) -> Tensor:
    return x.astype(dtype)


def concat(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    return emit_op(_r.concat, list(tensors), axis=axis)


def split(x: Tensor, sections: int, axis: int = 0) -> List[Tensor]:
    """``sections`` equal parts of ``x`` along ``axis``."""
    parts = emit_op(_r.split, x, sections=sections, axis=axis)
    return [emit(relax.TupleGetItem(parts.expr, i)) for i in range(sections)]


def take(x: Tensor, indices: Tensor, axis: int = 0) -> Tensor:
    return emit_op(_r.take, x, indices, axis=axis)


def arange(start: Dim, end: Dim, dtype: str = "int64") -> Tensor:
    """``start, start + 1, ..., end - 1``; bounds may be symbolic dims."""
    return emit_op(_r.arange, relax.PrimValue(start), relax.PrimValue(end), relax.PrimValue(1), dtype=dtype)


def less_equal(a: Tensor, b: Tensor) -> Tensor:
    return emit_op(_r.less_equal, a, b)


def where(condition: Tensor, a, b) -> Tensor:
    """``a`` where ``condition`` holds, else ``b`` (tensors or scalars)."""
    like = a if isinstance(a, Tensor) else b
    return emit_op(_r.where, condition, as_expr(a, like), as_expr(b, like))


def maximum(a: Tensor, b) -> Tensor:
    return emit_op(_r.maximum, a, as_expr(b, a))


def minimum(a: Tensor, b) -> Tensor:
    return emit_op(_r.minimum, a, as_expr(b, a))


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    return emit_op(_r.softmax, x, axis=axis)


def relu(x: Tensor) -> Tensor:
    return emit_op(_r.relu, x)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    return emit_op(_r.gelu, x, approximate=approximate)


def silu(x: Tensor) -> Tensor:
    return emit_op(_r.silu, x)


def sigmoid(x: Tensor) -> Tensor:
    return emit_op(_r.sigmoid, x)


def tanh(x: Tensor) -> Tensor:
    return emit_op(_r.tanh, x)


def exp(x: Tensor) -> Tensor:
    return emit_op(_r.exp, x)


def sqrt(x: Tensor) -> Tensor:
    return emit_op(_r.sqrt, x)


def layer_norm(x: Tensor, weight: Tensor, bias: Tensor, axes: Sequence[int], eps: float) -> Tensor:
    return emit_op(_r.layer_norm, x, weight, bias, axes=list(axes), epsilon=float(eps))


def rms_norm(x: Tensor, weight: Tensor, axes: Sequence[int], eps: float) -> Tensor:
    return emit_op(_r.rms_norm, x, weight, axes=list(axes), epsilon=float(eps))


def group_norm(x: Tensor, weight: Tensor, bias: Tensor, num_groups: int, eps: float) -> Tensor:
    """Group norm of an (N, C, ...) tensor over groups of channels and all
    spatial axes."""
    return emit_op(_r.group_norm, x, weight, bias, num_groups=num_groups, channel_axis=1,
                   axes=list(range(2, x.ndim)), epsilon=float(eps))


def conv1d(x: Tensor, weight: Tensor, stride: int, padding: int, dilation: int, groups: int) -> Tensor:
    return emit_op(_r.conv1d, x, weight, strides=[stride], padding=[padding], dilation=[dilation], groups=groups)


def conv2d(x: Tensor, weight: Tensor, stride, padding, dilation, groups: int) -> Tensor:
    return emit_op(_r.conv2d, x, weight, strides=list(stride), padding=list(padding), dilation=list(dilation),
                   groups=groups)


def constant(value, dtype: str = "float32") -> Tensor:
    """A constant tensor holding a copy of ``value``."""
    return Tensor(relax.Constant(np.asarray(value, dtype=dtype)))
