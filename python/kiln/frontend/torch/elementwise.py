"""Elementwise ATen ops: arithmetic and comparisons with torch's type
promotion (operands are cast to the promoted dtype; Python scalars become
0-d constants), activations, clamps, where, casts."""

import torch

from ... import relax
from ..._core import Error
from .registry import converter

aten = torch.ops.aten
op = relax.op


def _binary(fn, compare=False):
    """A converter of ``fn(a, b)`` computed in the dtype torch promotes the
    operands to (the output dtype, for arithmetic)."""

    def convert(ctx, a, b):
        dtype = ctx.promoted_dtype(0, 1) if compare else ctx.out_dtype()
        return fn(ctx.tensor(a, dtype), ctx.tensor(b, dtype))

    return convert


_ARITH = {
    (aten.mul.Tensor, aten.mul.Scalar): op.multiply,
    (aten.div.Tensor, aten.div.Scalar): op.divide,
    (aten.pow.Tensor_Tensor, aten.pow.Tensor_Scalar, aten.pow.Scalar): op.power,
    (aten.maximum.default,): op.maximum,
    (aten.minimum.default,): op.minimum,
}
_COMPARE = {
    (aten.eq.Tensor, aten.eq.Scalar): op.equal,
    (aten.ne.Tensor, aten.ne.Scalar): op.not_equal,
    (aten.lt.Tensor, aten.lt.Scalar): op.less,
    (aten.le.Tensor, aten.le.Scalar): op.less_equal,
    (aten.gt.Tensor, aten.gt.Scalar): op.greater,
    (aten.ge.Tensor, aten.ge.Scalar): op.greater_equal,
    (aten.logical_and.default, aten.bitwise_and.Tensor): op.logical_and,
    (aten.logical_or.default, aten.bitwise_or.Tensor): op.logical_or,
}
for _targets, _fn in _ARITH.items():
    converter(*_targets)(_binary(_fn))
for _targets, _fn in _COMPARE.items():
    converter(*_targets)(_binary(_fn, compare=True))


@converter(aten.add.Tensor, aten.add.Scalar)
def _add(ctx, a, b, alpha=1):
    dtype = ctx.out_dtype()
    b = ctx.tensor(b, dtype)
    if alpha != 1:
        b = op.multiply(b, ctx.const(alpha, dtype))
    return op.add(ctx.tensor(a, dtype), b)


@converter(aten.sub.Tensor, aten.sub.Scalar, aten.rsub.Tensor, aten.rsub.Scalar)
def _sub(ctx, a, b, alpha=1):
    dtype = ctx.out_dtype()
    a, b = ctx.tensor(a, dtype), ctx.tensor(b, dtype)
    if ctx.node.target in (aten.rsub.Tensor, aten.rsub.Scalar):
        a, b = b, a
    if alpha != 1:
        b = op.multiply(b, ctx.const(alpha, dtype))
    return op.subtract(a, b)


@converter(aten.div.Tensor_mode, aten.div.Scalar_mode)
def _div_mode(ctx, a, b, rounding_mode=None):
    """True division, or rounded down ("floor") or toward zero ("trunc");
    integers are divided in float64 (exact below 2**53)."""
    dtype = ctx.out_dtype()
    if rounding_mode is None:
        return op.divide(ctx.tensor(a, dtype), ctx.tensor(b, dtype))
    compute = dtype if dtype.startswith("float") else "float64"
    q = ctx.emit(op.divide(ctx.tensor(a, compute), ctx.tensor(b, compute)))
    if rounding_mode == "floor":
        q = op.floor(q)
    else:
        q = op.where(op.less(q, ctx.const(0, compute)), op.ceil(q), op.floor(q))
    return ctx.astype(ctx.emit(q), dtype)


@converter(aten.floor.default, aten.ceil.default, aten.round.default)
def _rounding(ctx, x):
    if not ctx.dtype(x).startswith("float"):
        return x
    return {aten.floor.default: op.floor, aten.ceil.default: op.ceil, aten.round.default: op.round}[ctx.node.target](x)


_UNARY = {
    aten.relu.default: op.relu,
    aten.sigmoid.default: op.sigmoid,
    aten.silu.default: op.silu,
    aten.tanh.default: op.tanh,
    aten.exp.default: op.exp,
    aten.log.default: op.log,
    aten.sqrt.default: op.sqrt,
    aten.rsqrt.default: op.rsqrt,
    aten.neg.default: op.neg,
    aten.abs.default: op.abs,
    aten.erf.default: op.erf,
}
for _target, _fn in _UNARY.items():
    converter(_target)(lambda ctx, x, _fn=_fn: _fn(x))


@converter(aten.gelu.default)
def _gelu(ctx, x, approximate="none"):
    return op.gelu(x, approximate=approximate)


@converter(aten.hardtanh.default, aten.clamp.default)
def _clamp(ctx, x, min=None, max=None):  # noqa: A002 (ATen's names)
    lo = float("-inf") if min is None else float(min)
    hi = float("inf") if max is None else float(max)
    return op.clip(x, min=lo, max=hi)


@converter(aten.clamp.Tensor)
def _clamp_tensor(ctx, x, min=None, max=None):  # noqa: A002
    dtype = ctx.out_dtype()
    if min is not None:
        x = op.maximum(x, ctx.tensor(min, dtype))
    if max is not None:
        x = op.minimum(x, ctx.tensor(max, dtype))
    return x


@converter(aten.leaky_relu.default)
def _leaky_relu(ctx, x, negative_slope=0.01):
    dtype = ctx.dtype(x)
    zero = ctx.const(0, dtype)
    return op.where(op.greater(x, zero), x, op.multiply(x, ctx.const(negative_slope, dtype)))


@converter(aten.hardsigmoid.default)
def _hardsigmoid(ctx, x):
    dtype = ctx.dtype(x)
    return op.divide(op.clip(op.add(x, ctx.const(3, dtype)), min=0.0, max=6.0), ctx.const(6, dtype))


@converter(aten.hardswish.default)
def _hardswish(ctx, x):
    return op.multiply(x, ctx.emit(_hardsigmoid(ctx, x)))


@converter(aten.reciprocal.default)
def _reciprocal(ctx, x):
    return op.divide(ctx.const(1, ctx.dtype(x)), x)


@converter(aten.logical_not.default, aten.bitwise_not.default)
def _not(ctx, x):
    if ctx.dtype(x) != "bool":
        raise Error(f"bitwise_not of {ctx.dtype(x)} is not supported (bool only)")
    return op.equal(x, ctx.const(False, "bool"))


@converter(aten.where.self, aten.where.ScalarSelf, aten.where.ScalarOther, aten.where.Scalar)
def _where(ctx, cond, a, b):
    dtype = ctx.out_dtype()
    return op.where(ctx.tensor(cond, "bool"), ctx.tensor(a, dtype), ctx.tensor(b, dtype))


@converter(aten.masked_fill.Scalar, aten.masked_fill.Tensor)
def _masked_fill(ctx, x, mask, value):
    return op.where(mask, ctx.tensor(value, ctx.dtype(x)), x)


@converter(aten._to_copy.default, aten.to.dtype)
def _to_copy(ctx, x, *args, **kwargs):
    return ctx.astype(x, ctx.out_dtype())


@converter(aten.type_as.default)
def _type_as(ctx, x, other):
    return ctx.astype(x, ctx.dtype(other))


@converter(aten.elu.default)
def _elu(ctx, x, alpha=1.0, scale=1.0, input_scale=1.0):
    dtype = ctx.dtype(x)
    neg = op.multiply(ctx.const(alpha * scale, dtype),
                      op.subtract(op.exp(op.multiply(x, ctx.const(input_scale, dtype))), ctx.const(1, dtype)))
    return op.where(op.greater(x, ctx.const(0, dtype)), op.multiply(x, ctx.const(scale, dtype)), neg)
