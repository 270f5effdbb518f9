"""Neural-network ATen ops: convolutions, matrix products, normalizations,
pooling, softmax, embedding, attention. Ops returning several tensors
(``native_layer_norm``: out, mean, rstd) give a Python tuple whose unused
entries are None; the graphs read only the first."""

import math

import torch

from ... import relax
from ..._core import Error
from .registry import converter
from .shape import reshape

aten = torch.ops.aten
op = relax.op


def _expand_bias(ctx, bias, ndim):
    """A per-channel bias (C,) shaped (1, C, 1, ...) for an NC... tensor."""
    return op.reshape(bias, relax.ShapeExpr([1, ctx.shape(bias)[0]] + [1] * (ndim - 2)))


@converter(aten.convolution.default)
def _convolution(ctx, x, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    nd = ctx.ndim(x) - 2
    stride, padding, dilation = list(stride), list(padding), list(dilation)
    if len(padding) == 1 and nd > 1:
        padding = padding * nd
    if nd == 2 and not transposed:
        out = op.conv2d(x, weight, strides=stride, padding=padding, dilation=dilation, groups=groups)
    elif nd == 1 and not transposed:
        out = op.conv1d(x, weight, strides=stride, padding=padding, dilation=dilation, groups=groups)
    elif nd == 2 and transposed:
        out = op.conv2d_transpose(x, weight, strides=stride, padding=padding, dilation=dilation,
                                  output_padding=list(output_padding), groups=groups)
    else:
        raise Error(f"{'transposed ' if transposed else ''}convolution over {nd} spatial dims is not supported")
    if bias is None:
        return out
    return op.add(ctx.emit(out), _expand_bias(ctx, bias, nd + 2))


def _product(ctx, a, b):
    """a @ b. torch flattens the leading dims of a linear layer's input to
    call mm (and the batch dims of attention to call bmm): the product is
    taken on the tensors before flattening, so that the graph keeps their
    dims (batch, seq_len) rather than their product, and reshaped to the
    flat result by the caller's `finish`."""
    sa, sb = ctx.source(a), ctx.source(b)
    ash, bsh, ka, kb = ctx.shape(a), ctx.shape(b), ctx.shape(sa), ctx.shape(sb)
    if len(ash) == 2 and len(bsh) == 2 and isinstance(ash[1], int):
        # [P, K] from [d..., t...] with prod(t) = K: the product of [d..., K].
        inner, i = 1, len(ka)
        while i > 0 and inner < ash[1] and isinstance(ka[i - 1], int):
            inner, i = inner * ka[i - 1], i - 1
        if inner == ash[1] and i >= 2:
            return op.matmul(reshape(ctx, sa, ka[:i] + [ash[1]]), b)
    if (len(ash) == 3 and len(bsh) == 3 and len(ka) > 3 and len(kb) == len(ka) and ctx.same_shape(ka[-2:], ash[-2:])
            and ctx.same_shape(kb[-2:], bsh[-2:]) and ctx.same_shape(ka[:-2], kb[:-2])):
        return op.matmul(sa, sb)
    return op.matmul(a, b)


def _finish(ctx, expr):
    """`expr` reshaped to the node's traced shape when _product kept more dims."""
    out = ctx.emit(expr)
    return out if ctx.same_shape(ctx.shape(out), ctx.out_shape()) else reshape(ctx, out, ctx.out_shape())


@converter(aten.addmm.default)
def _addmm(ctx, bias, a, b, beta=1, alpha=1):
    dtype = ctx.out_dtype()
    prod = _product(ctx, a, b)
    if alpha != 1:
        prod = op.multiply(ctx.emit(prod), ctx.const(alpha, dtype))
    if beta != 1:
        bias = op.multiply(bias, ctx.const(beta, dtype))
    return _finish(ctx, op.add(ctx.emit(prod), bias))


@converter(aten.mm.default, aten.bmm.default)
def _mm(ctx, a, b):
    return _finish(ctx, _product(ctx, a, b))


@converter(aten.matmul.default)
def _matmul(ctx, a, b):
    return op.matmul(a, b)


@converter(aten.linear.default)
def _linear(ctx, x, weight, bias=None):
    if bias is None:
        return op.matmul(x, op.permute_dims(weight, axes=[1, 0]))
    return op.linear(x, weight, bias)


def _ones(ctx, n, dtype, value=1.0):
    return ctx.const([value] * n, dtype)


@converter(aten._native_batch_norm_legit_no_training.default)
def _batch_norm(ctx, x, weight, bias, running_mean, running_var, momentum, eps):
    c, dtype = ctx.shape(x)[1], ctx.dtype(x)
    weight = _ones(ctx, c, dtype) if weight is None else weight
    bias = _ones(ctx, c, dtype, 0.0) if bias is None else bias
    return op.batch_norm(x, weight, bias, running_mean, running_var, axis=1, epsilon=float(eps)), None, None


@converter(aten.native_layer_norm.default)
def _layer_norm(ctx, x, normalized_shape, weight, bias, eps):
    n = len(normalized_shape)
    dtype = ctx.dtype(x)
    size = math.prod(int(d) for d in normalized_shape)
    if weight is None:
        weight = op.reshape(_ones(ctx, size, dtype), relax.ShapeExpr(list(normalized_shape)))
    if bias is None:
        bias = op.reshape(_ones(ctx, size, dtype, 0.0), relax.ShapeExpr(list(normalized_shape)))
    axes = list(range(-n, 0))
    return op.layer_norm(x, weight, bias, axes=axes, epsilon=float(eps)), None, None


@converter(aten.native_group_norm.default)
def _group_norm(ctx, x, weight, bias, n, c, hw, group, eps):
    dtype = ctx.dtype(x)
    c = int(c)
    weight = _ones(ctx, c, dtype) if weight is None else weight
    bias = _ones(ctx, c, dtype, 0.0) if bias is None else bias
    return op.group_norm(x, weight, bias, num_groups=int(group), channel_axis=1, epsilon=float(eps)), None, None


@converter(aten._softmax.default, aten.softmax.int)
def _softmax(ctx, x, dim, half_to_float=False):
    return op.softmax(x, axis=dim)


@converter(aten._log_softmax.default, aten.log_softmax.int)
def _log_softmax(ctx, x, dim, half_to_float=False):
    return op.log_softmax(x, axis=dim)


@converter(aten.embedding.default)
def _embedding(ctx, weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    return op.take(weight, indices, axis=0)


def _pair(v, n=2):
    v = list(v) if isinstance(v, (list, tuple)) else [v]
    return v * n if len(v) == 1 else v


@converter(aten.max_pool2d_with_indices.default, aten.max_pool2d.default)
def _max_pool2d(ctx, x, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    kernel = _pair(kernel_size)
    out = op.max_pool2d(x, pool_size=kernel, strides=_pair(stride) if stride else kernel,
                        padding=_pair(padding), dilation=_pair(dilation), ceil_mode=bool(ceil_mode))
    return out if ctx.node.target == aten.max_pool2d.default else (out, None)


@converter(aten.avg_pool2d.default)
def _avg_pool2d(ctx, x, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True,
                divisor_override=None):
    if divisor_override is not None:
        raise Error("avg_pool2d with divisor_override is not supported")
    kernel = _pair(kernel_size)
    return op.avg_pool2d(x, pool_size=kernel, strides=_pair(stride) if stride else kernel, padding=_pair(padding),
                         ceil_mode=bool(ceil_mode), count_include_pad=bool(count_include_pad))


@converter(aten._adaptive_avg_pool2d.default, aten.adaptive_avg_pool2d.default)
def _adaptive_avg_pool2d(ctx, x, output_size):
    return op.adaptive_avg_pool2d(x, output_size=_pair(output_size))


@converter(aten.scaled_dot_product_attention.default)
def _sdpa(ctx, q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
    """softmax(q k^T * scale + mask) v, over the last two dims; is_causal
    masks key j > query i."""
    if enable_gqa:
        raise Error("scaled_dot_product_attention with enable_gqa is not supported")
    dtype, nd = ctx.dtype(q), ctx.ndim(q)
    d = ctx.shape(q)[-1]
    if is_causal:
        rows = ctx.emit(op.arange(relax.PrimValue(0), relax.PrimValue(ctx.shape(q)[-2]), relax.PrimValue(1), dtype="int64"))
        cols = ctx.emit(op.arange(relax.PrimValue(0), relax.PrimValue(ctx.shape(k)[-2]), relax.PrimValue(1), dtype="int64"))
        attn_mask = ctx.emit(op.greater_equal(op.expand_dims(rows, axis=[1]), op.expand_dims(cols, axis=[0])))
    scale = 1.0 / math.sqrt(int(d)) if scale is None else scale
    axes = list(range(nd - 2)) + [nd - 1, nd - 2]
    scores = ctx.emit(op.matmul(q, op.permute_dims(k, axes=axes)))
    scores = ctx.emit(op.multiply(scores, ctx.const(scale, dtype)))
    if attn_mask is not None and is_causal and ctx.node.args[3:4] and ctx.node.args[3] is not None:
        raise Error("scaled_dot_product_attention with both attn_mask and is_causal is not supported")
    if attn_mask is not None:
        if ctx.dtype(attn_mask) == "bool":
            attn_mask = op.where(attn_mask, ctx.const(0.0, dtype), ctx.const(float("-inf"), dtype))
        scores = ctx.emit(op.add(scores, attn_mask))
    return op.matmul(ctx.emit(op.softmax(scores, axis=-1)), v)


@converter(aten.dropout.default, aten.native_dropout.default)
def _dropout(ctx, x, p=0.5, train=False):
    if train:
        raise Error("dropout in training mode is not supported (put the model in eval mode)")
    return x if ctx.node.target == aten.dropout.default else (x, None)
