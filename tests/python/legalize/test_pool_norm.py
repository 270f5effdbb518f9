"""Legalization of pooling and normalization (pooling.cc, norm.cc): each op
lowered by LegalizeOps, built with LLVM and compared with PyTorch (pools,
layer_norm, group_norm, batch_norm in eval mode, rms_norm) or NumPy, over
strides, padding, dilation, ceil_mode, count_include_pad, layouts, axes and
symbolic shapes."""

import functools

import legalize_util
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from legalize_util import legalize_call, run_kernel, run_op

import kiln
from kiln import relax, tir
from kiln.relax import op

rng = np.random.default_rng(1)


def rand(shape, dtype="float32", lo=-2.0, hi=2.0):
    if np.issubdtype(np.dtype(dtype), np.integer):
        return rng.integers(int(lo) * 5, int(hi) * 5 + 1, size=shape).astype(dtype)
    return rng.uniform(lo, hi, size=shape).astype(dtype)


# These kernels sum many terms: a looser atol than legalize_util.check's.
check = functools.partial(legalize_util.check, atol=1e-5)


def torch_ref(f, *args, **kwargs):
    """f over args, NumPy arrays passed as tensors; the result as NumPy."""
    return f(*[torch.from_numpy(a) if isinstance(a, np.ndarray) else a for a in args], **kwargs).numpy()


# ---- pooling ----

POOL_CASES = [
    # data shape, pool_size, attrs
    ((1, 2, 6, 6), [2, 2], {"strides": [2]}),
    ((2, 3, 7, 5), [3, 2], {}),
    ((1, 2, 7, 7), [3, 3], {"strides": [2], "padding": [1]}),
    ((1, 1, 8, 7), [3, 3], {"strides": [2, 3], "padding": [1, 0]}),
    ((1, 2, 7, 6), [3, 3], {"strides": [2], "padding": [1], "ceil_mode": True}),
    ((1, 2, 6, 6), [2, 2], {"strides": [2], "ceil_mode": True}),
    ((1, 2, 9, 9), [2, 3], {"strides": [3, 2], "padding": [1], "ceil_mode": True}),
    ((1, 1, 5, 5), [1, 1], {}),
]


def torch_pool_kwargs(attrs, pool_size):
    def pair(name, default):
        v = attrs.get(name, default)
        return tuple(v * 2 if len(v) == 1 else v)

    return {
        "kernel_size": tuple(pool_size),
        "stride": pair("strides", [1]),
        "padding": pair("padding", [0]),
        "ceil_mode": attrs.get("ceil_mode", False),
    }


@pytest.mark.parametrize("shape, pool_size, attrs", POOL_CASES)
def test_max_pool2d(shape, pool_size, attrs):
    x = rand(shape)
    got = run_op(lambda d: op.max_pool2d(d, pool_size=pool_size, **attrs), x)
    check(got, torch_ref(F.max_pool2d, x, **torch_pool_kwargs(attrs, pool_size)))


def test_max_pool2d_dilation_and_int():
    x = rand((1, 2, 9, 9))
    got = run_op(lambda d: op.max_pool2d(d, pool_size=[3, 2], strides=[2], dilation=[2, 3], padding=[1]), x)
    check(got, torch_ref(F.max_pool2d, x, kernel_size=(3, 2), stride=2, dilation=(2, 3), padding=1))
    xi = rand((1, 2, 6, 6), "int32")
    got = run_op(lambda d: op.max_pool2d(d, pool_size=[3, 3], strides=[2], padding=[1]), xi)
    want = torch_ref(F.max_pool2d, xi.astype("float32"), kernel_size=3, stride=2, padding=1).astype("int32")
    check(got, want)


def test_max_pool2d_all_negative_padding():
    # padded elements must never win: they are the dtype's smallest value
    x = rand((1, 1, 4, 4), lo=-5.0, hi=-1.0)
    got = run_op(lambda d: op.max_pool2d(d, pool_size=[3, 3], padding=[1]), x)
    check(got, torch_ref(F.max_pool2d, x, kernel_size=3, stride=1, padding=1))


@pytest.mark.parametrize("shape, pool_size, attrs", POOL_CASES)
@pytest.mark.parametrize("count_include_pad", [False, True])
def test_avg_pool2d(shape, pool_size, attrs, count_include_pad):
    x = rand(shape)
    got = run_op(lambda d: op.avg_pool2d(d, pool_size=pool_size, count_include_pad=count_include_pad, **attrs), x)
    want = torch_ref(F.avg_pool2d, x, count_include_pad=count_include_pad, **torch_pool_kwargs(attrs, pool_size))
    check(got, want)


def test_avg_pool2d_asymmetric_padding():
    x = rand((1, 2, 6, 7))
    # top, left, bottom, right; not counting the padding
    got = run_op(lambda d: op.avg_pool2d(d, pool_size=[2, 3], padding=[1, 0, 0, 2]), x)
    ones = np.pad(np.ones_like(x), ((0, 0), (0, 0), (1, 0), (0, 2)))
    sums = torch_ref(F.avg_pool2d, np.pad(x, ((0, 0), (0, 0), (1, 0), (0, 2))), kernel_size=(2, 3), stride=1)
    counts = torch_ref(F.avg_pool2d, ones, kernel_size=(2, 3), stride=1)
    check(got, sums / counts)


@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d"])
def test_pool2d_nhwc(name):
    x = rand((2, 3, 7, 6))
    got = run_op(
        lambda d: getattr(op, name)(d, pool_size=[3, 3], strides=[2], padding=[1], layout="NHWC"),
        x.transpose(0, 2, 3, 1),
    )
    ref = F.max_pool2d if name == "max_pool2d" else lambda t, **k: F.avg_pool2d(t, count_include_pad=False, **k)
    want = torch_ref(ref, x, kernel_size=3, stride=2, padding=1).transpose(0, 2, 3, 1)
    check(got, want)


def test_pool2d_symbolic_batch():
    n = tir.SizeVar("n")
    mod = legalize_call(
        lambda d: op.max_pool2d(d, pool_size=[3, 3], strides=[2], padding=[1], ceil_mode=True),
        [((n, 2, 7, 7), "float32")],
    )
    for size in (1, 3):
        x = rand((size, 2, 7, 7))
        want = torch_ref(F.max_pool2d, x, kernel_size=3, stride=2, padding=1, ceil_mode=True)
        check(run_kernel(mod, [x], [(want.shape, "float32")]), want)


def test_avg_pool2d_symbolic_spatial():
    h, w = tir.SizeVar("h"), tir.SizeVar("w")
    mod = legalize_call(
        lambda d: op.avg_pool2d(d, pool_size=[3, 3], strides=[2], padding=[1]), [((1, 2, h, w), "float32")]
    )
    for height, width in ((5, 5), (8, 3), (2, 9)):
        x = rand((1, 2, height, width))
        want = torch_ref(F.avg_pool2d, x, kernel_size=3, stride=2, padding=1, count_include_pad=False)
        check(run_kernel(mod, [x], [(want.shape, "float32")]), want)


ADAPTIVE_CASES = [
    ((1, 2, 8, 8), [4, 4]),
    ((2, 3, 7, 5), [3, 2]),
    ((1, 2, 5, 7), [5, 7]),
    ((1, 2, 6, 6), [1]),
    ((1, 1, 3, 4), [5, 6]),  # output larger than input: windows overlap
    ((1, 2, 10, 9), [4, 3]),
]


@pytest.mark.parametrize("shape, size", ADAPTIVE_CASES)
def test_adaptive_avg_pool2d(shape, size):
    x = rand(shape)
    got = run_op(lambda d: op.adaptive_avg_pool2d(d, output_size=size), x)
    check(got, torch_ref(F.adaptive_avg_pool2d, x, output_size=tuple(size * 2 if len(size) == 1 else size)))


def test_adaptive_avg_pool2d_keeps_size_and_nhwc():
    x = rand((1, 3, 4, 5))
    check(run_op(lambda d: op.adaptive_avg_pool2d(d), x), x)
    got = run_op(lambda d: op.adaptive_avg_pool2d(d, output_size=[2, 3], layout="NHWC"), x.transpose(0, 2, 3, 1))
    check(got, torch_ref(F.adaptive_avg_pool2d, x, output_size=(2, 3)).transpose(0, 2, 3, 1))


def test_adaptive_avg_pool2d_symbolic_spatial():
    h, w = tir.SizeVar("h"), tir.SizeVar("w")
    mod = legalize_call(lambda d: op.adaptive_avg_pool2d(d, output_size=[3, 2]), [((2, 2, h, w), "float32")])
    for height, width in ((3, 2), (7, 5), (12, 9), (4, 13)):
        x = rand((2, 2, height, width))
        want = torch_ref(F.adaptive_avg_pool2d, x, output_size=(3, 2))
        check(run_kernel(mod, [x], [(want.shape, "float32")]), want)


# ---- normalization ----


@pytest.mark.parametrize(
    "shape, axes",
    [((2, 5), [-1]), ((2, 3, 8), [-1]), ((2, 3, 4, 5), [-2, -1]), ((4, 6), [0]), ((3, 4, 5), [2, 0]), ((7,), [0])],
)
def test_layer_norm(shape, axes):
    x = rand(shape, lo=-3.0, hi=5.0)
    norm_shape = [shape[a] for a in axes]
    gamma, beta = rand(norm_shape), rand(norm_shape)
    got = run_op(lambda d, g, b: op.layer_norm(d, g, b, axes=axes, epsilon=1e-5), x, gamma, beta)
    axes_sorted = sorted(a % len(shape) for a in axes)
    mean = x.mean(axis=tuple(axes_sorted), keepdims=True, dtype="float64")
    var = x.var(axis=tuple(axes_sorted), keepdims=True, dtype="float64")
    perm = np.argsort(np.argsort([a % len(shape) for a in axes]))  # gamma in the attribute's axis order
    g = np.transpose(gamma, perm) if len(axes) > 1 else gamma
    b = np.transpose(beta, perm) if len(axes) > 1 else beta
    expand = [shape[d] if d in axes_sorted else 1 for d in range(len(shape))]
    want = (x - mean) / np.sqrt(var + 1e-5) * g.reshape(expand) + b.reshape(expand)
    check(got, want.astype("float32"), rtol=1e-4, atol=1e-5)
    if axes_sorted == list(range(len(shape) - len(axes), len(shape))) and sorted(axes) == axes:
        check(got, torch_ref(F.layer_norm, x, tuple(norm_shape), gamma, beta, eps=1e-5), rtol=1e-4, atol=1e-5)


def test_layer_norm_large_mean_and_symbolic_rows():
    x = rand((3, 64), lo=1000.0, hi=1001.0)
    g, b = np.ones(64, "float32"), np.zeros(64, "float32")
    got = run_op(lambda d, gg, bb: op.layer_norm(d, gg, bb), x, g, b)
    check(got, torch_ref(F.layer_norm, x, (64,), eps=1e-5), rtol=1e-3, atol=1e-3)
    n = tir.SizeVar("n")
    mod = legalize_call(
        lambda d, gg, bb: op.layer_norm(d, gg, bb), [((n, 16), "float32"), ((16,), "float32"), ((16,), "float32")]
    )
    for rows in (1, 4, 9):
        x, g, b = rand((rows, 16)), rand((16,)), rand((16,))
        check(run_kernel(mod, [x, g, b], [((rows, 16), "float32")]), torch_ref(F.layer_norm, x, (16,), g, b),
              rtol=1e-4, atol=1e-5)


def test_layer_norm_float16():
    x, g, b = rand((4, 32), "float16"), rand((32,), "float16"), rand((32,), "float16")
    got = run_op(lambda d, gg, bb: op.layer_norm(d, gg, bb), x, g, b)
    want = torch_ref(F.layer_norm, x.astype("float32"), (32,), g.astype("float32"), b.astype("float32"))
    check(got, want.astype("float16"), rtol=1e-2, atol=1e-2)


@pytest.mark.parametrize("shape, axes", [((2, 8), [-1]), ((2, 3, 16), [-1]), ((2, 4, 6), [1, 2])])
def test_rms_norm(shape, axes):
    x = rand(shape)
    w = rand([shape[a] for a in axes])
    got = run_op(lambda d, ww: op.rms_norm(d, ww, axes=axes, epsilon=1e-6), x, w)
    ms = np.mean(x.astype("float64") ** 2, axis=tuple(axes), keepdims=True)
    check(got, (x / np.sqrt(ms + 1e-6) * w).astype("float32"), rtol=1e-4, atol=1e-5)
    if axes == [-1]:
        check(got, torch_ref(F.rms_norm, x, (shape[-1],), w, eps=1e-6), rtol=1e-4, atol=1e-5)


def test_rms_norm_symbolic():
    n = tir.SizeVar("n")
    mod = legalize_call(lambda d, w: op.rms_norm(d, w), [((n, 2, 8), "float32"), ((8,), "float32")])
    for size in (1, 3):
        x, w = rand((size, 2, 8)), rand((8,))
        want = torch_ref(F.rms_norm, x, (8,), w, eps=1e-5)
        check(run_kernel(mod, [x, w], [(x.shape, "float32")]), want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape, groups", [((2, 6, 4, 4), 3), ((1, 4, 5), 2), ((2, 8, 3, 2), 1), ((1, 6, 2, 3), 6)])
def test_group_norm(shape, groups):
    x = rand(shape, lo=-1.0, hi=3.0)
    gamma, beta = rand((shape[1],)), rand((shape[1],))
    got = run_op(lambda d, g, b: op.group_norm(d, g, b, num_groups=groups, epsilon=1e-5), x, gamma, beta)
    check(got, torch_ref(F.group_norm, x, groups, gamma, beta, eps=1e-5), rtol=1e-4, atol=1e-5)


def test_group_norm_channels_last_and_axes():
    x = rand((2, 3, 4, 6))  # N, H, W, C
    gamma, beta = rand((6,)), rand((6,))
    got = run_op(lambda d, g, b: op.group_norm(d, g, b, num_groups=2, channel_axis=-1), x, gamma, beta)
    want = torch_ref(F.group_norm, x.transpose(0, 3, 1, 2).copy(), 2, gamma, beta).transpose(0, 2, 3, 1)
    check(got, want, rtol=1e-4, atol=1e-5)
    # statistics over the group's channels and axis 3 only: axis 2 is kept
    x = rand((2, 4, 3, 5))
    ones, zeros = np.ones(4, "float32"), np.zeros(4, "float32")
    got = run_op(lambda d, g, b: op.group_norm(d, g, b, num_groups=2, axes=[3]), x, ones, zeros)
    grouped = x.reshape(2, 2, 2, 3, 5).astype("float64")
    mean = grouped.mean(axis=(2, 4), keepdims=True)
    var = grouped.var(axis=(2, 4), keepdims=True)
    check(got, ((grouped - mean) / np.sqrt(var + 1e-5)).reshape(x.shape).astype("float32"), rtol=1e-4, atol=1e-5)


def test_group_norm_symbolic_batch():
    n = tir.SizeVar("n")
    mod = legalize_call(
        lambda d, g, b: op.group_norm(d, g, b, num_groups=2),
        [((n, 4, 3, 3), "float32"), ((4,), "float32"), ((4,), "float32")],
    )
    for size in (1, 2, 4):
        x, g, b = rand((size, 4, 3, 3)), rand((4,)), rand((4,))
        check(run_kernel(mod, [x, g, b], [(x.shape, "float32")]), torch_ref(F.group_norm, x, 2, g, b),
              rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape, axis", [((2, 3, 4, 4), 1), ((4, 5), 1), ((2, 3, 5), 1), ((2, 4, 4, 3), -1)])
def test_batch_norm(shape, axis):
    x = rand(shape)
    c = shape[axis]
    gamma, beta, mean = rand((c,)), rand((c,)), rand((c,))
    var = rand((c,), lo=0.1, hi=2.0)
    got = run_op(lambda *a: op.batch_norm(*a, axis=axis, epsilon=1e-3), x, gamma, beta, mean, var)
    xt = np.moveaxis(x, axis, 1).copy()
    want = torch_ref(lambda t, m, v, g, b: F.batch_norm(t, m, v, g, b, training=False, eps=1e-3), xt, mean, var,
                     gamma, beta)
    check(got, np.moveaxis(want, 1, axis), rtol=1e-5, atol=1e-5)


def test_batch_norm_symbolic_batch():
    n = tir.SizeVar("n")
    specs = [((n, 3, 2, 2), "float32")] + [((3,), "float32")] * 4
    mod = legalize_call(lambda *a: op.batch_norm(*a), specs)
    for size in (1, 5):
        x = rand((size, 3, 2, 2))
        gamma, beta, mean, var = rand((3,)), rand((3,)), rand((3,)), rand((3,), lo=0.5, hi=1.5)
        want = torch_ref(lambda t, m, v, g, b: F.batch_norm(t, m, v, g, b, training=False), x, mean, var, gamma, beta)
        check(run_kernel(mod, [x, gamma, beta, mean, var], [(x.shape, "float32")]), want)


# ---- errors ----


@pytest.mark.parametrize(
    "name, make_call, ndims",
    [
        ("relax.max_pool2d", lambda d: op.max_pool2d(d, pool_size=[2]), [4]),
        ("relax.avg_pool2d", lambda d: op.avg_pool2d(d, pool_size=[2]), [4]),
        ("relax.adaptive_avg_pool2d", lambda d: op.adaptive_avg_pool2d(d, output_size=[2]), [4]),
        ("relax.layer_norm", op.layer_norm, [2, 1, 1]),
        ("relax.rms_norm", op.rms_norm, [2, 1]),
        ("relax.group_norm", lambda d, g, b: op.group_norm(d, g, b, num_groups=1), [4, 1, 1]),
        ("relax.batch_norm", op.batch_norm, [4, 1, 1, 1, 1]),
    ],
)
def test_unknown_shape_is_an_error(name, make_call, ndims):
    with pytest.raises(kiln.Error, match=name):
        legalize_call(make_call, [relax.TensorStructInfo(None, "float32", ndim=r) for r in ndims])
