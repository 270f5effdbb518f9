"""Legalization of the tensor-creating ops (create.cc): zeros, ones, full,
their *_like forms, arange, tril and triu, compared with NumPy, with static
and symbolic shapes."""

import functools

import legalize_util
import numpy as np
import pytest
from legalize_util import kernel_of, legalize_call, run_kernel, run_op

import kiln
from kiln import relax, tir
from kiln.relax import op

rng = np.random.default_rng(1)
DT = kiln.DataType
check = functools.partial(legalize_util.check, rtol=1e-6, atol=1e-7)


def run_like(make_call, x):
    """A *_like call over x: its kernel writes the output and reads nothing."""
    return run_kernel(legalize_call(make_call, [(x.shape, str(x.dtype))]), [])


def shape_expr(shape):
    return relax.ShapeExpr(list(shape))


def prim(v):
    return relax.PrimValue(v)


# ---- zeros, ones, full ----


@pytest.mark.parametrize("shape", [(2, 3), (5,), (1, 1, 4), ()])
@pytest.mark.parametrize("dtype", ["float32", "int32", "int64", "bool", "float64"])
def test_zeros_ones(shape, dtype):
    check(run_op(lambda: op.zeros(shape_expr(shape), dtype=DT(dtype))), np.zeros(shape, dtype))
    check(run_op(lambda: op.ones(shape_expr(shape), dtype=DT(dtype))), np.ones(shape, dtype))


def test_zeros_default_dtype_is_float32():
    check(run_op(lambda: op.zeros(shape_expr((2, 2)))), np.zeros((2, 2), "float32"))


@pytest.mark.parametrize(
    "value,dtype",
    [(2.5, "float32"), (-1.0, "float64"), (7.0, "int32"), (-3.9, "int64"), (3.9, "int8"), (0.5, "bool"), (0.0, "bool")],
)
def test_full(value, dtype):
    want = np.full((3, 2), value).astype(dtype)  # floats to ints truncate; bool is value != 0
    check(run_op(lambda: op.full(shape_expr((3, 2)), fill_value=value, dtype=DT(dtype))), want)


# ---- *_like ----


@pytest.mark.parametrize("dtype", ["", "int32", "float64", "bool"])
@pytest.mark.parametrize("shape", [(2, 3), (4,), ()])
def test_like(dtype, shape):
    x = rng.standard_normal(shape).astype("float32")
    want_dtype = dtype or "float32"
    check(run_like(lambda v: op.zeros_like(v, dtype=dtype), x), np.zeros_like(x, dtype=want_dtype))
    check(run_like(lambda v: op.ones_like(v, dtype=dtype), x), np.ones_like(x, dtype=want_dtype))
    check(run_like(lambda v: op.full_like(v, fill_value=4.0, dtype=dtype), x), np.full_like(x, 4.0, dtype=want_dtype))


def test_like_keeps_int_dtype():
    x = np.arange(6, dtype="int64").reshape(2, 3)
    check(run_like(lambda v: op.full_like(v, fill_value=-2.0), x), np.full_like(x, -2))


def test_like_kernel_reads_no_input():
    mod = legalize_call(lambda v: op.ones_like(v), [((2, 3), "float32")])
    _, kernel = kernel_of(mod)
    assert len(kernel.params) == 1  # the output alone


# ---- arange ----


@pytest.mark.parametrize(
    "start,end,step,dtype",
    [
        (0, 5, 1, ""),
        (1, 10, 3, ""),
        (5, 0, -1, ""),
        (-4, 4, 3, "int32"),
        (3, 1, 1, ""),  # empty
        (0, 6, 2, "float32"),
        (0.5, 2.0, 0.25, ""),
        (0.0, 1.0, 0.1, "float64"),
        (2.0, -1.0, -0.5, "float32"),
    ],
)
def test_arange(start, end, step, dtype):
    got = run_op(lambda: op.arange(prim(start), prim(end), prim(step), dtype=dtype))
    want_dtype = dtype or ("int64" if all(isinstance(v, int) for v in (start, end, step)) else "float32")
    want = np.arange(start, end, step, dtype="float64" if want_dtype.startswith("float") else None).astype(want_dtype)
    check(got, want)


def test_arange_symbolic_end():
    """arange(0, n, 2): the length (n + 1) // 2 keeps n; the kernel takes n."""
    n = tir.SizeVar("n")
    mod = legalize_call(lambda x: op.arange(prim(0), prim(n), prim(2)), [((n,), "float32")])
    assert "call_tir(@arange, (), shape(n)" in str(mod["main"])
    for size in (1, 4, 7):
        want = np.arange(0, size, 2)
        check(run_kernel(mod, [], [(want.shape, "int64")], scalars=[size]), want)


def test_arange_symbolic_start():
    n = tir.SizeVar("n")
    mod = legalize_call(lambda x: op.arange(prim(n), prim(n + 3), prim(1)), [((n,), "float32")])
    for size in (0, 5):
        check(run_kernel(mod, [], [((3,), "int64")], scalars=[size]), np.arange(size, size + 3))


# ---- tril, triu ----


@pytest.mark.parametrize("k", [0, 1, -1, 3, -5])
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 2), (2, 3, 4)])
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_tril_triu(k, shape, dtype):
    x = (rng.standard_normal(shape) * 10).astype(dtype)
    check(run_op(lambda v: op.tril(v, k=k), x), np.tril(x, k))
    check(run_op(lambda v: op.triu(v, k=k), x), np.triu(x, k))


def test_tril_bool():
    x = rng.random((3, 3)) < 0.7
    check(run_op(op.tril, x), np.tril(x))


# ---- symbolic shapes ----


def test_symbolic_zeros_full():
    n = tir.SizeVar("n")
    mod = legalize_call(lambda x: op.full(shape_expr((n, 2)), fill_value=1.5), [((n, 3), "float32")])
    assert "(n, 2)" in str(mod["main"])
    for size in (1, 3, 6):
        check(run_kernel(mod, [], [((size, 2), "float32")]), np.full((size, 2), 1.5, "float32"))


def test_symbolic_like():
    n, m = tir.SizeVar("n"), tir.SizeVar("m")
    mod = legalize_call(lambda x: op.zeros_like(x, dtype="int32"), [((n, m), "float32")])
    for shape in [(1, 1), (2, 5), (4, 3)]:
        check(run_kernel(mod, [], [(shape, "int32")]), np.zeros(shape, "int32"))


def test_symbolic_triu():
    n = tir.SizeVar("n")
    mod = legalize_call(lambda x: op.triu(x, k=1), [((n, n), "float32")])
    for size in (1, 3, 5):
        x = rng.standard_normal((size, size)).astype("float32")
        check(run_kernel(mod, [x], [((size, size), "float32")]), np.triu(x, 1))


# ---- errors ----


def test_unknown_shape_names_the_op():
    with pytest.raises(kiln.Error, match="relax.ones_like"):
        legalize_call(op.ones_like, [relax.TensorStructInfo(None, "float32", ndim=2)])


def test_arange_unknown_length_names_the_op():
    """A symbolic step leaves the length unknown: nothing to legalize to."""
    n, m = tir.SizeVar("n"), tir.SizeVar("m")
    with pytest.raises(kiln.Error, match="relax.arange"):
        legalize_call(lambda x, y: op.arange(prim(0), prim(n), prim(m)), [((n,), "float32"), ((m,), "float32")])
