"""Tensor creation ATen ops: arange (with symbolic bounds), full and its
variants, scalar_tensor. The dtype is the traced output's."""

import torch

from ... import relax
from ..._core import DataType
from .registry import converter

aten = torch.ops.aten
op = relax.op


def _prim(v):
    return relax.PrimValue(v)


@converter(aten.arange.start_step, aten.arange.start, aten.arange.default)
def _arange(ctx, *args, **kwargs):
    nums = [a for a in args if not isinstance(a, (torch.dtype, torch.layout, torch.device))]
    if ctx.node.target == aten.arange.default:
        start, end, step = 0, nums[0], 1
    else:
        start, end = nums[0], nums[1]
        step = nums[2] if len(nums) > 2 else 1
    dtype = ctx.out_dtype()
    if dtype.startswith("float") and not all(isinstance(v, int) for v in (start, end, step)):
        return op.arange(_prim(float(start)), _prim(float(end)), _prim(float(step)), dtype=dtype)
    return op.arange(_prim(start), _prim(end), _prim(step), dtype=dtype)


def _full(ctx, value):
    return op.full(relax.ShapeExpr(ctx.out_shape()), fill_value=float(value), dtype=DataType(ctx.out_dtype()))


@converter(aten.full.default, aten.new_full.default)
def _full_default(ctx, *args, **kwargs):
    return _full(ctx, args[-1])


@converter(aten.full_like.default)
def _full_like(ctx, x, fill_value, **kwargs):
    return _full(ctx, fill_value)


@converter(aten.zeros.default, aten.zeros_like.default, aten.new_zeros.default, aten.empty.memory_format,
           aten.empty_like.default, aten.new_empty.default)
def _zeros(ctx, *args, **kwargs):
    return _full(ctx, 0)


@converter(aten.ones.default, aten.ones_like.default, aten.new_ones.default)
def _ones(ctx, *args, **kwargs):
    return _full(ctx, 1)


@converter(aten.scalar_tensor.default)
def _scalar_tensor(ctx, value, **kwargs):
    if isinstance(value, (bool, int, float)):
        return ctx.const(value, ctx.out_dtype())
    return ctx.tensor(value, ctx.out_dtype())
