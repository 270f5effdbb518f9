"""Legalization of the reductions and softmax (reduce.cc, softmax.cc): each op
lowered by LegalizeOps, built with LLVM and compared with NumPy (and PyTorch
for softmax), over axes (negative, several, none), keepdims, integer dtypes,
ties for argmax/argmin, large inputs and symbolic shapes."""

import numpy as np
import pytest
import torch
from legalize_util import check, legalize_call, run_kernel, run_op

import kiln
from kiln import relax, tir
from kiln.relax import op

rng = np.random.default_rng(2)


def rand(shape, dtype="float32", lo=-2.0, hi=2.0):
    if np.issubdtype(np.dtype(dtype), np.integer):
        return rng.integers(-3, 4, size=shape).astype(dtype)
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def np_axis(axis):
    return None if axis is None else tuple(axis)


# ---- sum, mean, max, min, prod ----

REDUCE_CASES = [
    ((2, 3, 4), [1]),
    ((2, 3, 4), [-1]),
    ((2, 3, 4), [0, 2]),
    ((2, 3, 4), [2, 0]),
    ((2, 3, 4), None),
    ((5,), [0]),
    ((5,), None),
    ((3, 1, 4), [1]),
    ((2, 3), []),
]
NP_REDUCE = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min, "prod": np.prod}


@pytest.mark.parametrize("name", list(NP_REDUCE))
@pytest.mark.parametrize("shape, axis", REDUCE_CASES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduce(name, shape, axis, keepdims):
    x = rand(shape, lo=0.5, hi=1.5) if name == "prod" else rand(shape)
    got = run_op(lambda t: getattr(op, name)(t, axis=axis, keepdims=keepdims), x)
    want = NP_REDUCE[name](x, axis=np_axis(axis), keepdims=keepdims)
    check(got, np.asarray(want, dtype=x.dtype))


@pytest.mark.parametrize("name", ["sum", "max", "min", "prod"])
@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_reduce_int(name, dtype):
    x = rand((3, 4, 2), dtype)
    got = run_op(lambda t: getattr(op, name)(t, axis=[0, 2]), x)
    check(got, NP_REDUCE[name](x, axis=(0, 2)).astype(dtype))


@pytest.mark.parametrize("name", ["sum", "max", "min", "prod"])
def test_reduce_bool(name):
    # bool stays bool: sum and max are "any", prod and min "all"
    x = rng.random((4, 5)) < 0.3
    x[0] = False
    x[1] = True
    got = run_op(lambda t: getattr(op, name)(t, axis=[1]), x)
    check(got, NP_REDUCE[name](x, axis=1).astype(bool))


def test_reduce_long():
    x = rand((3, 8192))
    check(run_op(lambda t: op.sum(t, axis=[1]), x), x.sum(1, dtype="float64").astype("float32"), rtol=1e-4, atol=1e-4)
    check(run_op(lambda t: op.mean(t, axis=[1]), x), x.mean(1, dtype="float64").astype("float32"), rtol=1e-4, atol=1e-4)


def reduced_count(shape, axis):
    return int(np.prod([shape[a] for a in axis])) if axis is not None else int(np.prod(shape))


@pytest.mark.parametrize(
    "shape, axis, correction",
    [(s, a, c) for s, a in REDUCE_CASES for c in (0, 1) if reduced_count(s, a) > c],  # a positive divisor
)
def test_variance(shape, axis, correction):
    x = rand(shape, lo=10.0, hi=12.0)
    got = run_op(lambda t: op.variance(t, axis=axis, keepdims=True, correction=correction), x)
    want = np.var(x.astype("float64"), axis=np_axis(axis), keepdims=True, ddof=correction).astype("float32")
    check(got, want, rtol=1e-4, atol=1e-5)


def test_reduce_symbolic():
    n = tir.SizeVar("n")
    for name in ("sum", "mean", "max", "variance"):
        mod = legalize_call(lambda t: getattr(op, name)(t, axis=[0]), [((n, 3), "float32")])
        for size in (1, 4, 11):
            x = rand((size, 3))
            want = getattr(np, "var" if name == "variance" else name)(x.astype("float64"), axis=0).astype("float32")
            check(run_kernel(mod, [x], [((3,), "float32")]), want, rtol=1e-5, atol=1e-6)
    mod = legalize_call(lambda t: op.sum(t, axis=[1], keepdims=True), [((n, 5), "float32")])
    for size in (2, 6):
        x = rand((size, 5))
        check(run_kernel(mod, [x], [((size, 1), "float32")]), x.sum(1, keepdims=True))


# ---- argmax, argmin ----

ARG_CASES = [((3, 5), 1), ((3, 5), 0), ((2, 3, 4), -1), ((2, 3, 4), 1), ((6,), 0), ((2, 3, 4), None), ((3, 1), 1)]


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("shape, axis", ARG_CASES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_arg_reduce(name, shape, axis, keepdims, dtype):
    x = rand(shape, dtype)  # int32 in [-3, 3]: many ties, the first index must win
    got = run_op(lambda t: getattr(op, name)(t, axis=axis, keepdims=keepdims), x)
    want = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    check(got, np.asarray(want, dtype="int64"))


def test_arg_reduce_ties_and_symbolic():
    x = np.array([[1.0, 3.0, 3.0, -1.0, -1.0], [2.0, 2.0, 2.0, 2.0, 2.0]], "float32")
    check(run_op(lambda t: op.argmax(t, axis=1), x), np.array([1, 0]))
    check(run_op(lambda t: op.argmin(t, axis=1), x), np.array([3, 0]))
    check(run_op(lambda t: op.argmax(t), x), np.array(1))
    n = tir.SizeVar("n")
    mod = legalize_call(lambda t: op.argmax(t, axis=0), [((n, 4), "float32")])
    for size in (1, 5, 9):
        x = rand((size, 4))
        check(run_kernel(mod, [x], [((4,), "int64")]), x.argmax(0))


# ---- softmax, log_softmax ----


def np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("shape, axis", [((3, 5), -1), ((3, 5), 0), ((2, 3, 4), 1), ((7,), 0), ((2, 1, 3), 1)])
def test_softmax(shape, axis):
    x = rand(shape, lo=-5.0, hi=5.0)
    got = run_op(lambda t: op.softmax(t, axis=axis), x)
    check(got, np_softmax(x, axis), rtol=1e-5, atol=1e-6)
    check(got, torch.softmax(torch.from_numpy(x), dim=axis).numpy(), rtol=1e-5, atol=1e-6)
    got = run_op(lambda t: op.log_softmax(t, axis=axis), x)
    check(got, torch.log_softmax(torch.from_numpy(x), dim=axis).numpy(), rtol=1e-5, atol=1e-5)


def test_softmax_is_stable():
    x = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]], "float32")
    got = run_op(lambda t: op.softmax(t), x)
    assert np.all(np.isfinite(got))
    check(got, np_softmax(x.astype("float64"), -1).astype("float32"))
    got = run_op(lambda t: op.log_softmax(t), x)
    assert np.all(np.isfinite(got))
    check(got, torch.log_softmax(torch.from_numpy(x), dim=-1).numpy(), rtol=1e-5, atol=1e-5)


def test_softmax_long_row_and_float64():
    x = rand((2, 4096), lo=-10.0, hi=10.0)
    check(run_op(lambda t: op.softmax(t), x), np_softmax(x.astype("float64"), -1).astype("float32"), rtol=1e-4,
          atol=1e-7)
    x = rand((3, 6), "float64")
    check(run_op(lambda t: op.softmax(t, axis=0), x), np_softmax(x, 0), rtol=1e-12)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_symbolic(name):
    n, m = tir.SizeVar("n"), tir.SizeVar("m")
    mod = legalize_call(lambda t: getattr(op, name)(t, axis=-1), [((n, m), "float32")])
    for rows, cols in ((1, 1), (3, 7), (5, 32)):
        x = rand((rows, cols), lo=-4.0, hi=4.0)
        want = getattr(torch, name)(torch.from_numpy(x), dim=-1).numpy()
        check(run_kernel(mod, [x], [((rows, cols), "float32")]), want, rtol=1e-5, atol=1e-6)


# ---- errors ----


@pytest.mark.parametrize(
    "name", ["sum", "mean", "max", "min", "prod", "variance", "argmax", "argmin", "softmax", "log_softmax"]
)
@pytest.mark.parametrize("ndim", [2, -1])
def test_unknown_shape_is_an_error(name, ndim):
    if name.startswith("arg"):
        make = lambda t: getattr(op, name)(t, axis=1)  # noqa: E731
    elif name in ("softmax", "log_softmax"):
        make = getattr(op, name)
    else:
        make = lambda t: getattr(op, name)(t, axis=[1])  # noqa: E731
    with pytest.raises(kiln.Error, match=f"relax.{name}"):
        legalize_call(make, [relax.TensorStructInfo(None, "float32", ndim=ndim)])
