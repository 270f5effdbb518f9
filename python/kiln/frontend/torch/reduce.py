"""Reductions and scans: sum, mean, max/min (values, and with their
indices), prod, variance, argmax/argmin, cumsum."""

import torch

from ... import relax
from .registry import converter

aten = torch.ops.aten
op = relax.op


def _axes(ctx, x, dim):
    if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
        return None
    dims = dim if isinstance(dim, (list, tuple)) else [dim]
    return [ctx.axis(d, ctx.ndim(x)) for d in dims]


def _reduce(fn):
    def convert(ctx, x, dim=None, keepdim=False, *, dtype=None):
        x = ctx.astype(x, ctx.out_dtype()) if dtype is not None else x
        return fn(x, axis=_axes(ctx, x, dim), keepdims=bool(keepdim))

    return convert


for _targets, _fn in {
    (aten.sum.dim_IntList, aten.sum.default): op.sum,
    (aten.mean.dim, aten.mean.default): op.mean,
    (aten.amax.default, aten.max.default): op.max,
    (aten.amin.default, aten.min.default): op.min,
    (aten.prod.dim_int, aten.prod.default): op.prod,
}.items():
    converter(*_targets)(_reduce(_fn))


@converter(aten.max.dim, aten.min.dim)
def _max_dim(ctx, x, dim, keepdim=False):
    values, indices = (op.max, op.argmax) if ctx.node.target == aten.max.dim else (op.min, op.argmin)
    axis = ctx.axis(dim, ctx.ndim(x))
    return values(x, axis=[axis], keepdims=bool(keepdim)), indices(x, axis=axis, keepdims=bool(keepdim))


@converter(aten.argmax.default, aten.argmin.default)
def _argmax(ctx, x, dim=None, keepdim=False):
    fn = op.argmax if ctx.node.target == aten.argmax.default else op.argmin
    return fn(x, axis=None if dim is None else ctx.axis(dim, ctx.ndim(x)), keepdims=bool(keepdim))


@converter(aten.var.correction, aten.var.dim)
def _var(ctx, x, dim=None, *args, correction=None, keepdim=False, unbiased=None):
    if ctx.node.target == aten.var.dim:  # var.dim(x, dim, unbiased=True, keepdim=False)
        unbiased = args[0] if args else (True if unbiased is None else unbiased)
        keepdim = args[1] if len(args) > 1 else keepdim
        correction = 1 if unbiased else 0
    correction = 1 if correction is None else correction
    return op.variance(x, axis=_axes(ctx, x, dim), keepdims=bool(keepdim), correction=int(correction))


@converter(aten.cumsum.default)
def _cumsum(ctx, x, dim, *, dtype=None):
    out = ctx.out_dtype()
    return op.cumsum(ctx.astype(x, out), axis=ctx.axis(dim, ctx.ndim(x)))


@converter(aten.any.dim, aten.any.dims, aten.any.default, aten.all.dim, aten.all.dims, aten.all.default)
def _any_all(ctx, x, dim=None, keepdim=False):
    """any/all over bools: max/min of the values as int32, compared with 0."""
    fn = op.max if ctx.node.target in (aten.any.dim, aten.any.dims, aten.any.default) else op.min
    ints = ctx.astype(op.not_equal(x, ctx.const(0, ctx.dtype(x))), "int32")
    return op.not_equal(fn(ints, axis=_axes(ctx, x, dim), keepdims=bool(keepdim)), ctx.const(0, "int32"))
