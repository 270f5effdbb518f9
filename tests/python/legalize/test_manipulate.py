"""Legalization of the shape-manipulating ops (manipulate.cc): reshape,
permute_dims, expand_dims, squeeze, flatten, concat, split, strided_slice,
broadcast_to, tile and repeat, compared with NumPy, with static and symbolic
shapes."""

import functools

import legalize_util
import numpy as np
import pytest
from legalize_util import kernel_of, legalize_call, run_kernel, run_op

import kiln
from kiln import relax, tir
from kiln.relax import op

rng = np.random.default_rng(5)


def data(shape, dtype="float32"):
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(-50, 50, shape).astype(dtype)


# Data is moved, never computed on: every value must come out exactly.
check = functools.partial(legalize_util.check, rtol=0, atol=0)
run_symbolic = functools.partial(legalize_util.run_symbolic, compare=check)


n = tir.SizeVar("n", "int64")
m = tir.SizeVar("m", "int64")


# ---- reshape ----


@pytest.mark.parametrize(
    "shape,newshape",
    [
        ((2, 3, 4), [4, -1]),
        ((2, 3, 4), [24]),
        ((2, 3, 4), [6, 4]),
        ((2, 3, 4), [2, 12]),
        ((6,), [1, 2, 3, 1]),
        ((1, 4), [4]),
        ((2, 1, 3), [3, 2]),
        ((), [1]),
        ((1,), []),
        ((3, 0), [0, 5]),
    ],
)
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_reshape(shape, newshape, dtype):
    x = data(shape, dtype)
    check(run_op(lambda a: op.reshape(a, newshape=newshape), x), x.reshape(newshape))


def test_reshape_shape_argument():
    x = data((2, 3, 4))
    check(run_op(lambda a: op.reshape(a, relax.ShapeExpr([3, 8])), x), x.reshape(3, 8))


def test_reshape_symbolic():
    mod = run_symbolic(
        lambda a: op.reshape(a, newshape=[-1, 4]),
        [((n, 3, 4), "float32")],
        [([x], x.reshape(-1, 4)) for x in (data((k, 3, 4)) for k in (1, 2, 5))],
    )
    assert "n" in str(mod["main"].ret_struct_info)
    run_symbolic(
        lambda a: op.reshape(a, relax.ShapeExpr([n, 2, 6])),
        [((n, 12), "float32")],
        [([x], x.reshape(-1, 2, 6)) for x in (data((k, 12)) for k in (1, 3, 4))],
    )
    # Two symbolic dims merged and split again.
    run_symbolic(
        lambda a: op.reshape(a, relax.ShapeExpr([n * m])),
        [((n, m), "float32")],
        [([x], x.reshape(-1)) for x in (data(s) for s in ((1, 4), (3, 2), (2, 7)))],
    )


def test_reshape_unknown_shape_is_an_error():
    with pytest.raises(kiln.Error, match="relax.reshape"):
        legalize_call(lambda a: op.reshape(a, newshape=[4, 6]), [relax.TensorStructInfo(None, "float32", 3)])


# ---- permute_dims, expand_dims, squeeze, flatten ----


@pytest.mark.parametrize(
    "shape,axes",
    [((2, 3, 4), None), ((2, 3, 4), [2, 0, 1]), ((2, 3, 4), [-1, 0, -2]), ((5,), [0]), ((2, 1, 3, 4), [3, 1, 0, 2])],
)
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_permute_dims(shape, axes, dtype):
    x = data(shape, dtype)
    check(run_op(lambda a: op.permute_dims(a, axes=axes), x), np.transpose(x, axes))


def test_permute_dims_symbolic():
    mod = run_symbolic(
        lambda a: op.permute_dims(a, axes=[2, 0, 1]),
        [((n, m, 3), "float32")],
        [([x], x.transpose(2, 0, 1)) for x in (data(s) for s in ((1, 1, 3), (2, 5, 3), (4, 3, 3)))],
    )
    assert "n" in str(kernel_of(mod)[1])


@pytest.mark.parametrize("axis", [[0], [-1], [1, 3], [0, 1], [-1, -2]])
def test_expand_dims(axis):
    x = data((2, 3))
    check(run_op(lambda a: op.expand_dims(a, axis=axis), x), np.expand_dims(x, tuple(axis)))


@pytest.mark.parametrize("axis", [None, [0], [-2], [0, 2]])
def test_squeeze(axis):
    x = data((1, 3, 1, 2), "int32")
    want = np.squeeze(x, None if axis is None else tuple(axis))
    check(run_op(lambda a: op.squeeze(a, axis=axis), x), want)


def test_squeeze_symbolic():
    run_symbolic(
        lambda a: op.squeeze(a, axis=[1]),
        [((n, 1, 3), "float32")],
        [([x], x[:, 0]) for x in (data((k, 1, 3)) for k in (1, 2, 6))],
    )


@pytest.mark.parametrize("start,end", [(0, -1), (1, 2), (1, 1), (-2, -1), (0, 1)])
def test_flatten(start, end):
    x = data((2, 3, 4, 5))
    shape = x.shape[:start % 4] + (-1,) + x.shape[end % 4 + 1:]
    check(run_op(lambda a: op.flatten(a, start_dim=start, end_dim=end), x), x.reshape(shape))


def test_flatten_scalar():
    x = np.array(3.5, "float32")
    check(run_op(lambda a: op.flatten(a), x), x.reshape(1))


def test_flatten_symbolic():
    run_symbolic(
        lambda a: op.flatten(a, start_dim=1),
        [((2, n, 3), "float32")],
        [([x], x.reshape(2, -1)) for x in (data((2, k, 3)) for k in (1, 4, 5))],
    )


# ---- concat, split ----


@pytest.mark.parametrize(
    "shapes,axis",
    [
        ([(2, 3), (4, 3)], 0),
        ([(2, 3), (2, 1), (2, 5)], 1),
        ([(2, 3, 1), (2, 3, 2)], -1),
        ([(1, 4), (1, 4), (1, 4), (1, 4)], 0),
        ([(3,)], 0),
        ([(2, 0), (2, 3)], 1),
    ],
)
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_concat(shapes, axis, dtype):
    xs = [data(s, dtype) for s in shapes]
    got = run_op(lambda *vs: op.concat(relax.Tuple(list(vs)), axis=axis), *xs)
    check(got, np.concatenate(xs, axis))


def test_concat_symbolic():
    mod = run_symbolic(
        lambda a, b: op.concat(relax.Tuple([a, b]), axis=0),
        [((n, 3), "float32"), ((m, 3), "float32")],
        [([a, b], np.concatenate([a, b])) for a, b in ((data((1, 3)), data((2, 3))), (data((4, 3)), data((1, 3))),
                                                         (data((3, 3)), data((3, 3))))],
    )
    assert "n + m" in str(mod["main"].ret_struct_info)


def test_concat_of_a_tuple_variable():
    # The tensors arrive as a tuple-valued variable: legalization takes its items.
    fields = [relax.TensorStructInfo([2, 3], "float32"), relax.TensorStructInfo([2, 2], "float32")]
    mod = legalize_call(lambda t: op.concat(t, axis=1), [relax.TupleStructInfo(fields)])
    a, b = data((2, 3)), data((2, 2))
    check(run_kernel(mod, [a, b]), np.concatenate([a, b], 1))


@pytest.mark.parametrize(
    "shape,kwargs,np_split",
    [
        ((2, 6, 3), dict(sections=3, axis=1), 3),
        ((4, 2), dict(sections=1, axis=0), 1),
        ((2, 7), dict(indices=[1, 4], axis=-1), [1, 4]),
        ((5,), dict(indices=[2, 10], axis=0), [2, 10]),
        ((6, 2), dict(indices=[0, 3, 3], axis=0), [0, 3, 3]),
    ],
)
def test_split(shape, kwargs, np_split):
    x = data(shape)
    got = run_op(lambda a: op.split(a, **kwargs), x)
    got = got if isinstance(got, list) else [got]
    want = np.split(x, np_split, axis=kwargs["axis"])
    assert len(got) == len(want)
    for g, w in zip(got, want):
        check(g, w)


def test_split_symbolic():
    run_symbolic(
        lambda a: op.split(a, sections=2, axis=0),
        [((n, 3), "float32")],
        [([x], np.split(x, 2)) for x in (data((k, 3)) for k in (2, 4, 6))],
    )
    run_symbolic(
        lambda a: op.split(a, indices=[1, 3], axis=1),
        [((2, n), "float32")],
        [([x], np.split(x, [1, 3], axis=1)) for x in (data((2, k)) for k in (3, 4, 7))],
    )


# ---- strided_slice ----

END = 2**40  # past the end of any axis


@pytest.mark.parametrize(
    "axes,begin,end,strides,index",
    [
        ([0], [1], [3], None, np.s_[1:3]),
        ([1], [-3], [END], None, np.s_[:, -3:]),
        ([1, 2], [0, 1], [4, 5], [2, 3], np.s_[:, 0:4:2, 1:5:3]),
        ([2], [-1], [-END], [-1], np.s_[:, :, ::-1]),
        ([2], [-1], [-100], [-2], np.s_[:, :, -1:-100:-2]),
        ([0, 2], [END, 4], [-END, 0], [-1, -3], np.s_[::-1, :, 4:0:-3]),
        ([-1], [2], [2], None, np.s_[..., 2:2]),
        ([1], [10], [20], None, np.s_[:, 10:20]),
        ([1], [-10], [2], None, np.s_[:, -10:2]),
        ([0], [0], [1], None, np.s_[0:1]),
    ],
)
def test_strided_slice(axes, begin, end, strides, index):
    x = data((3, 4, 6), "int32")
    got = run_op(lambda a: op.strided_slice(a, axes=axes, begin=begin, end=end, strides=strides), x)
    check(got, x[index])


@pytest.mark.parametrize(
    "axes,begin,end,strides,index",
    [
        ([0], [1], [END], [2], np.s_[1::2]),
        ([0], [-3], [END], None, np.s_[-3:]),
        ([0, 1], [END, 1], [-END, 4], [-1, 1], np.s_[::-1, 1:4]),
        ([0], [0], [-1], None, np.s_[:-1]),
    ],
)
def test_strided_slice_symbolic(axes, begin, end, strides, index):
    run_symbolic(
        lambda a: op.strided_slice(a, axes=axes, begin=begin, end=end, strides=strides),
        [((n, 5), "float32")],
        [([x], x[index]) for x in (data((k, 5)) for k in (3, 4, 7))],
    )


# ---- broadcast_to, tile, repeat ----


@pytest.mark.parametrize(
    "shape,target",
    [((3, 1), (2, 3, 4)), ((1,), (5,)), ((4,), (2, 4)), ((2, 3), (2, 3)), ((), (2, 2)), ((1, 1), (1, 3))],
)
def test_broadcast_to(shape, target):
    x = data(shape)
    check(run_op(lambda a: op.broadcast_to(a, relax.ShapeExpr(list(target))), x), np.broadcast_to(x, target))


def test_broadcast_to_symbolic():
    run_symbolic(
        lambda a: op.broadcast_to(a, relax.ShapeExpr([3, n])),
        [((1, n), "float32")],
        [([x], np.broadcast_to(x, (3, x.shape[1]))) for x in (data((1, k)) for k in (1, 2, 5))],
    )


@pytest.mark.parametrize("shape,reps", [((2, 3), [2, 3]), ((2, 3), [2]), ((3, 2), [2, 1, 2]), ((1, 3), [4, 1]),
                                        ((2,), [0]), ((3,), [1])])
@pytest.mark.parametrize("dtype", ["float32", "int8"])
def test_tile(shape, reps, dtype):
    x = data(shape, dtype)
    check(run_op(lambda a: op.tile(a, repeats=reps), x), np.tile(x, reps))


def test_tile_symbolic():
    run_symbolic(
        lambda a: op.tile(a, repeats=[2, 3]),
        [((n, 2), "float32")],
        [([x], np.tile(x, [2, 3])) for x in (data((k, 2)) for k in (1, 3, 4))],
    )


@pytest.mark.parametrize("repeats,axis", [(2, 0), (3, 1), (2, -1), (1, 0), (3, None), (0, 1), (0, None)])
def test_repeat(repeats, axis):
    x = data((2, 3), "int64")
    check(run_op(lambda a: op.repeat(a, repeats=repeats, axis=axis), x), np.repeat(x, repeats, axis))


def test_repeat_symbolic():
    run_symbolic(
        lambda a: op.repeat(a, repeats=2, axis=None),
        [((n, 3), "float32")],
        [([x], np.repeat(x, 2)) for x in (data((k, 3)) for k in (1, 2, 5))],
    )


@pytest.mark.parametrize(
    "make_call,name",
    [
        (lambda a: op.permute_dims(a), "relax.permute_dims"),
        (lambda a: op.expand_dims(a, axis=[0]), "relax.expand_dims"),
        (lambda a: op.tile(a, repeats=[2, 2]), "relax.tile"),
        (lambda a: op.strided_slice(a, axes=[0], begin=[0], end=[1]), "relax.strided_slice"),
        (lambda a: op.split(a, sections=2, axis=0), "relax.split"),
    ],
)
def test_unknown_shape_is_an_error(make_call, name):
    with pytest.raises(kiln.Error, match=name):
        legalize_call(make_call, [relax.TensorStructInfo(None, "float32", 2)])
