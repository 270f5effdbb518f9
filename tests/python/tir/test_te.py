"""The compute DSL from Python: placeholders, computes with lambdas,
reductions (built-in and custom), symbolic shapes, and results checked
against NumPy after building."""

import numpy as np
import pytest

import kiln
from kiln.tir import te


def run(func, *arrays):
    rt = kiln.build(func, target="llvm")
    args = [kiln.nd.array(a) for a in arrays]
    rt["main"](*args)
    return [a.numpy() for a in args]


def test_matmul_with_sum():
    a = te.placeholder((8, 16), "float32", name="A")
    b = te.placeholder((16, 4), "float32", name="B")
    k = te.reduce_axis((0, 16), name="k")
    c = te.compute((8, 4), lambda i, j: te.sum(a[i, k] * b[k, j], axis=k), name="C")
    f = te.create_prim_func([a, b, c])
    x = np.random.rand(8, 16).astype("float32")
    y = np.random.rand(16, 4).astype("float32")
    _, _, z = run(f, x, y, np.zeros((8, 4), "float32"))
    np.testing.assert_allclose(z, x @ y, rtol=1e-5)


def test_symbolic_rows_softmax_like():
    n = kiln.tir.SizeVar("n")
    x = te.placeholder((n, 32), "float32", name="x")
    k = te.reduce_axis(32, name="k")
    m = te.compute((n,), lambda i: te.max(x[i, k], axis=k), name="row_max")
    e = te.compute((n, 32), lambda i, j: kiln.tir.exp(x[i, j] - m[i]), name="e")
    k2 = te.reduce_axis(32, name="k2")
    s = te.compute((n,), lambda i: te.sum(e[i, k2], axis=k2), name="row_sum")
    y = te.compute((n, 32), lambda i, j: e[i, j] / s[i], name="y")
    f = te.create_prim_func([x, y])
    for rows in (1, 5, 17):
        data = np.random.randn(rows, 32).astype("float32")
        _, out = run(f, data, np.zeros_like(data))
        want = np.exp(data - data.max(1, keepdims=True))
        np.testing.assert_allclose(out, want / want.sum(1, keepdims=True), rtol=1e-5)


def test_custom_reducer_and_min_prod():
    a = te.placeholder((6, 5), "float32", name="A")
    k = te.reduce_axis((0, 5), name="k")
    absmax = te.comm_reducer(lambda acc, v: kiln.tir.max(acc, v), lambda dtype: te.min_value(dtype))
    r = te.compute((6,), lambda i: absmax(kiln.tir.abs(a[i, k]), axis=k), name="absmax")
    k2 = te.reduce_axis((0, 5), name="k2")
    p = te.compute((6,), lambda i: te.prod(a[i, k2], axis=[k2]), name="prod")
    f = te.create_prim_func([a, r, p])
    data = np.random.randn(6, 5).astype("float32")
    _, got_r, got_p = run(f, data, np.zeros(6, "float32"), np.zeros(6, "float32"))
    np.testing.assert_allclose(got_r, np.abs(data).max(1), rtol=1e-6)
    np.testing.assert_allclose(got_p, data.prod(1), rtol=1e-5)


def test_errors_name_the_problem():
    a = te.placeholder((4,), "float32", name="A")
    with pytest.raises(kiln.Error, match="has 1 dimensions|indices"):
        te.compute((4,), lambda i: a[i, i], name="bad")
    with pytest.raises(ValueError, match="not a reduce axis"):
        te.sum(a[0], axis=kiln.tir.Var("j"))
    b = te.compute((4,), lambda i: a[i] + 1.0, name="B")
    with pytest.raises(ValueError, match="placeholders"):
        te.create_prim_func([b, a])
    with pytest.raises(ZeroDivisionError):
        te.compute((4,), lambda i: 1 / 0, name="raises")
