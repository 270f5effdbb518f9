"""Legalization of the indexing ops (index.cc): take, gather_elements and
scatter_elements (every reduction), compared with NumPy and PyTorch, with
static and symbolic shapes."""

import numpy as np
import pytest
import torch
from legalize_util import check, legalize_call, run_op, run_symbolic

import kiln
from kiln import relax, tir
from kiln.relax import op

rng = np.random.default_rng(7)


def data(shape, dtype="float32"):
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(-50, 50, shape).astype(dtype)


def indices(shape, bound, dtype="int64", negative=True):
    """Indices into an axis of size `bound`, some negative (from the end)."""
    return rng.integers(-bound if negative else 0, bound, shape).astype(dtype)


n = tir.SizeVar("n", "int64")
m = tir.SizeVar("m", "int64")


# ---- take ----


@pytest.mark.parametrize("axis", [0, 1, -1, None])
@pytest.mark.parametrize("index_shape", [(), (4,), (2, 3), (1,)])
@pytest.mark.parametrize("index_dtype", ["int32", "int64"])
def test_take(axis, index_shape, index_dtype):
    x = data((3, 4, 5))
    bound = x.size if axis is None else x.shape[axis]
    idx = indices(index_shape, bound, index_dtype)
    check(run_op(lambda a, i: op.take(a, i, axis=axis), x, idx), np.take(x, idx, axis=axis))


def test_take_integer_data():
    x = data((5, 2), "int32")
    idx = np.array([4, 0, 0, -5], "int64")
    check(run_op(lambda a, i: op.take(a, i, axis=0), x, idx), np.take(x, idx, axis=0))


def test_take_symbolic():
    mod = run_symbolic(
        lambda a, i: op.take(a, i, axis=0),
        [((n, 4), "float32"), ((m,), "int64")],
        [([x, i], np.take(x, i, axis=0)) for x, i in ((data((k, 4)), indices((j,), k)) for k, j in ((1, 3), (5, 2),
                                                                                                     (7, 7)))],
    )
    assert "m" in str(mod["main"].ret_struct_info)


# ---- gather_elements ----


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("index_dtype", ["int32", "int64"])
def test_gather_elements(axis, index_dtype):
    x = data((3, 4, 5))
    shape = list(x.shape)
    shape[axis] = 6  # more picks than the axis holds
    idx = indices(shape, x.shape[axis], index_dtype)
    want = np.take_along_axis(x, idx.astype("int64") % x.shape[axis], axis)
    check(run_op(lambda a, i: op.gather_elements(a, i, axis=axis), x, idx), want)


def test_gather_elements_smaller_indices():
    # indices may be smaller than data off the axis (ONNX GatherElements, torch.gather).
    x = data((4, 5), "int64")
    idx = indices((2, 3), 5, negative=False)
    want = torch.gather(torch.tensor(x), 1, torch.tensor(idx)).numpy()
    check(run_op(lambda a, i: op.gather_elements(a, i, axis=1), x, idx), want)


def test_gather_elements_symbolic():
    run_symbolic(
        lambda a, i: op.gather_elements(a, i, axis=1),
        [((n, 4), "float32"), ((n, 2), "int64")],
        [([x, i], np.take_along_axis(x, i % 4, 1)) for x, i in ((data((k, 4)), indices((k, 2), 4)) for k in (1, 3, 6))],
    )


# ---- scatter_elements ----

TORCH_REDUCE = {"add": "sum", "mul": "prod", "max": "amax", "min": "amin", "mean": "mean"}


def scatter_ref(x, axis, idx, upd, reduction):
    """PyTorch's scatter (update) or scatter_reduce with include_self."""
    t, i, u = torch.tensor(x), torch.tensor(idx.astype("int64") % x.shape[axis]), torch.tensor(upd)
    if reduction == "update":
        return t.scatter(axis, i, u).numpy()
    return t.scatter_reduce(axis, i, u, TORCH_REDUCE[reduction]).numpy()


def scatter_update_last(x, axis, idx, upd):
    """"update" with duplicate indices: the last update (in row-major order
    of the indices) wins."""
    out = x.copy()
    for q in np.ndindex(*idx.shape):
        p = list(q)
        p[axis] = idx[q] % x.shape[axis]
        out[tuple(p)] = upd[q]
    return out


@pytest.mark.parametrize("reduction", ["add", "mul", "max", "min", "mean"])
@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_scatter_elements_reduce(reduction, axis, dtype):
    x = data((3, 4, 5), dtype)
    shape = list(x.shape)
    shape[axis] = 6  # duplicates certain
    idx = indices(shape, x.shape[axis])
    upd = data(shape, dtype) if dtype == "float32" else rng.integers(-3, 4, shape).astype(dtype)
    got = run_op(lambda a, i, u: op.scatter_elements(a, i, u, axis=axis, reduction=reduction), x, idx, upd)
    check(got, scatter_ref(x, axis, idx, upd, reduction))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_scatter_elements_update(axis):
    x = data((4, 5, 3))
    # A permutation along the axis: no duplicates, so PyTorch's result is defined.
    idx = np.argsort(rng.random(x.shape), axis=axis)[tuple(slice(0, 2) if d == axis % 3 else slice(None)
                                                           for d in range(3))]
    upd = data(idx.shape)
    got = run_op(lambda a, i, u: op.scatter_elements(a, i, u, axis=axis), x, idx, upd)
    check(got, scatter_ref(x, axis, idx, upd, "update"))


def test_scatter_elements_update_duplicates_last_wins():
    x = data((3, 4))
    idx = np.array([[1, 0, 2, 0], [1, 2, -1, 0], [0, 0, 0, 0]], "int32")
    upd = data((3, 4))
    got = run_op(lambda a, i, u: op.scatter_elements(a, i, u, axis=0), x, idx, upd)
    check(got, scatter_update_last(x, 0, idx, upd))


@pytest.mark.parametrize("reduction", ["update", "add", "max"])
def test_scatter_elements_smaller_indices(reduction):
    # indices cover part of data off the axis; the rest keeps data's values.
    x = data((4, 5))
    idx = np.array([[0, 3, 3], [3, 1, 0]], "int64")
    upd = data((2, 3))
    got = run_op(lambda a, i, u: op.scatter_elements(a, i, u, axis=0, reduction=reduction), x, idx, upd)
    check(got, scatter_ref(x, 0, idx, upd, reduction))


def test_scatter_elements_symbolic():
    def case(k):
        x, idx, upd = data((k, 4)), indices((2, 4), k), data((2, 4))
        return [x, idx, upd], scatter_ref(x, 0, idx, upd, "add")

    run_symbolic(
        lambda a, i, u: op.scatter_elements(a, i, u, axis=0, reduction="add"),
        [((n, 4), "float32"), ((2, 4), "int64"), ((2, 4), "float32")],
        [case(k) for k in (1, 3, 8)],
    )


def test_unknown_shape_is_an_error():
    with pytest.raises(kiln.Error, match="relax.take"):
        legalize_call(lambda x, i: op.take(x, i, axis=0), [relax.TensorStructInfo(None, "float32", 2), ((3,), "int64")])
