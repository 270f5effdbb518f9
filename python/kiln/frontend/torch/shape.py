"""Shape and indexing ATen ops: views and reshapes (the target shape is read
from the traced output, so -1 and symbolic sizes need no arithmetic here),
permutes, expand, concat and split, slices with static or symbolic bounds,
select, advanced indexing, gather; copies and aliases are the identity."""

import operator

import numpy as np
import torch

from ... import relax
from ..._core import DataType, Error
from .registry import converter

aten = torch.ops.aten
op = relax.op
_INT64_MAX = 2**63 - 1


@converter(operator.getitem)
def _getitem(ctx, value, index):
    if isinstance(value, (tuple, list)):
        return value[index]
    return relax.TupleGetItem(value, index)


@converter(aten.view.default, aten._unsafe_view.default, aten.reshape.default, aten.flatten.using_ints,
           aten.unflatten.int)
def _reshape(ctx, x, *args):
    return reshape(ctx, x, ctx.out_shape())


def reshape(ctx, x, shape):
    """`x` reshaped to `shape`, reshaping the tensor a reshape came from
    (or returning it, when the shapes match) rather than chaining."""
    source = ctx.source(x)
    if ctx.same_shape(ctx.shape(source), shape):
        return source
    out = ctx.emit(op.reshape(source, relax.ShapeExpr(shape)))
    ctx.reshaped[id(out)] = (out, source)
    return out


@converter(aten.squeeze.dim, aten.squeeze.dims, aten.squeeze.default)
def _squeeze(ctx, x, *args):
    return op.reshape(x, relax.ShapeExpr(ctx.out_shape()))


@converter(aten.unsqueeze.default)
def _unsqueeze(ctx, x, dim):
    return op.expand_dims(x, axis=[ctx.axis(dim, ctx.ndim(x) + 1)])


@converter(aten.permute.default)
def _permute(ctx, x, dims):
    nd = ctx.ndim(x)
    return op.permute_dims(x, axes=[ctx.axis(d, nd) for d in dims])


@converter(aten.t.default, aten.transpose.int, aten.numpy_T.default)
def _transpose(ctx, x, dim0=0, dim1=1):
    nd = ctx.ndim(x)
    axes = list(range(nd))
    if nd >= 2:
        a, b = ctx.axis(dim0, nd), ctx.axis(dim1, nd)
        axes[a], axes[b] = axes[b], axes[a]
    return op.permute_dims(x, axes=axes)


@converter(aten.expand.default, aten.expand_as.default, aten.broadcast_to.default)
def _expand(ctx, x, *args):
    shape = ctx.out_shape()
    if ctx.same_shape(ctx.shape(x), shape):
        return x
    return op.broadcast_to(x, relax.ShapeExpr(shape))


@converter(aten.clone.default, aten.alias.default, aten.detach.default, aten.lift_fresh_copy.default,
           aten.contiguous.default)
def _identity(ctx, x, *args, **kwargs):
    return x


@converter(aten._assert_tensor_metadata.default, aten._assert_scalar.default,
           aten.sym_constrain_range_for_size.default, aten.sym_constrain_range.default)
def _no_op(ctx, *args, **kwargs):
    return None


@converter(aten.cat.default, aten.concat.default)
def _cat(ctx, tensors, dim=0):
    dtype = ctx.out_dtype()
    tensors = [ctx.astype(t, dtype) for t in tensors]
    return op.concat(relax.Tuple(tensors), axis=dim)


@converter(aten.split_with_sizes.default, aten.split.Tensor, aten.split.sizes)
def _split(ctx, x, split, dim=0):
    nd = ctx.ndim(x)
    dim = ctx.axis(dim, nd)
    sizes = [s.shape[dim] for s in ctx.val()]
    sizes = [ctx.sym(s) for s in sizes]
    if not all(isinstance(s, int) for s in sizes):
        raise Error("split into symbolic sizes is not supported")
    indices = list(np.cumsum(sizes[:-1]).tolist())
    parts = ctx.emit(op.split(x, indices=indices, axis=dim))
    return tuple(relax.TupleGetItem(parts, i) for i in range(len(sizes)))


@converter(aten.slice.Tensor)
def _slice(ctx, x, dim=0, start=None, end=None, step=1):
    nd = ctx.ndim(x)
    dim = ctx.axis(dim, nd)
    extent = ctx.shape(x)[dim]
    start = 0 if start is None else start
    end = _INT64_MAX if end is None else end
    if isinstance(start, int) and isinstance(end, int) and isinstance(step, int):
        if start == 0 and step == 1 and (end == _INT64_MAX or (isinstance(extent, int) and end >= extent)):
            return x
        return op.strided_slice(x, axes=[dim], begin=[start], end=[end], strides=[step])
    # Symbolic bounds: take the indices start, start + step, ... (the traced
    # length of the output) along the axis.
    length = ctx.out_shape()[dim]
    index = ctx.emit(op.arange(relax.PrimValue(start), relax.PrimValue(start + length * step),
                               relax.PrimValue(step), dtype="int64"))
    return op.take(x, index, axis=dim)


@converter(aten.select.int)
def _select(ctx, x, dim, index):
    nd = ctx.ndim(x)
    dim = ctx.axis(dim, nd)
    if isinstance(index, int) and index < 0:
        extent = ctx.shape(x)[dim]
        index = index + extent
    return op.take(x, ctx.tensor(index, "int64"), axis=dim)


@converter(aten.index.Tensor)
def _index(ctx, x, indices):
    """x[i0, i1, ...] with index tensors on adjacent dims (None elsewhere):
    the indexed dims are flattened into one and the broadcast flat index
    taken along it."""
    nd = ctx.ndim(x)
    indices = list(indices) + [None] * (nd - len(indices))
    used = [i for i, t in enumerate(indices) if t is not None]
    first, last = used[0], used[-1]
    if used != list(range(first, last + 1)):
        raise Error("index.Tensor with index tensors on non-adjacent dims is not supported")
    shape = ctx.shape(x)
    flat = None
    stride = 1
    for d in reversed(used):
        t = indices[d]
        if ctx.dtype(t) == "bool":
            raise Error("index.Tensor with a boolean mask is not supported")
        t = ctx.astype(t, "int64")
        t = op.where(op.less(t, ctx.const(0, "int64")), op.add(t, ctx.tensor(shape[d], "int64")), t)
        term = t if isinstance(stride, int) and stride == 1 else op.multiply(t, ctx.tensor(stride, "int64"))
        flat = term if flat is None else op.add(term, flat)
        stride = stride * shape[d]
    flat = ctx.emit(flat)
    if len(used) > 1:
        merged = shape[:first] + [stride] + shape[last + 1:]
        x = ctx.emit(op.reshape(x, relax.ShapeExpr(merged)))
    return op.take(x, flat, axis=first)


@converter(aten.gather.default)
def _gather(ctx, x, dim, index, sparse_grad=False):
    return op.gather_elements(x, index, axis=dim)


@converter(aten.repeat.default)
def _repeat(ctx, x, repeats):
    return op.tile(x, repeats=list(repeats))


@converter(aten.constant_pad_nd.default)
def _pad(ctx, x, pad, value=0.0):
    """Pads by concatenating constant blocks (pad: last dim first, pairs of
    before/after; negative pads crop)."""
    dtype = ctx.dtype(x)
    nd = ctx.ndim(x)
    for i in range(len(pad) // 2):
        axis = nd - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        if before < 0 or after < 0:
            raise Error("constant_pad_nd with negative padding is not supported")
        parts = []
        shape = ctx.shape(x)
        for width in (before, None, after):
            if width is None:
                parts.append(x)
            elif width > 0:
                block = shape[:axis] + [width] + shape[axis + 1:]
                parts.append(op.full(relax.ShapeExpr(block), fill_value=float(value), dtype=DataType(dtype)))
        if len(parts) > 1:
            x = ctx.emit(op.concat(relax.Tuple(parts), axis=axis))
    return x
