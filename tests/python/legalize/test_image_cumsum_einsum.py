"""Legalization of resize2d (image.cc), cumsum and topk (cumsum_topk.cc) and
einsum (einsum.cc), compared with PyTorch and NumPy, with static and symbolic
shapes."""

import numpy as np
import pytest
import torch
from legalize_util import check, legalize_call, run_op, run_symbolic

import kiln
from kiln import relax, tir
from kiln.relax import op

rng = np.random.default_rng(11)
DT = kiln.DataType


def data(shape, dtype="float32"):
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(-20, 20, shape).astype(dtype)


n = tir.SizeVar("n", "int64")
m = tir.SizeVar("m", "int64")


# ---- resize2d ----


def resize(x, size, layout="NCHW", **attrs):
    return run_op(lambda a: op.resize2d(a, relax.ShapeExpr(list(size)), layout=layout, **attrs), x)


SIZES = [(9, 4), (5, 7), (2, 3), (1, 1), (10, 14)]  # from (5, 7): up, same, down, to one pixel, x2


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("align_corners", [False, True])
def test_resize_bilinear_matches_torch(size, align_corners):
    x = data((2, 3, 5, 7))
    mode = "align_corners" if align_corners else "half_pixel"
    got = resize(x, size, method="bilinear", coordinate_transformation_mode=mode)
    want = torch.nn.functional.interpolate(torch.tensor(x), size=size, mode="bilinear", align_corners=align_corners)
    check(got, want.numpy())


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("torch_mode", ["nearest", "nearest-exact"])
def test_resize_nearest_matches_torch(size, torch_mode):
    x = data((1, 2, 5, 7))
    # torch "nearest" is asymmetric + floor; "nearest-exact" half_pixel + round half up.
    attrs = (dict(coordinate_transformation_mode="asymmetric", rounding_method="floor") if torch_mode == "nearest" else
             dict(coordinate_transformation_mode="half_pixel", rounding_method="round_prefer_ceil"))
    got = resize(x, size, method="nearest", **attrs)
    check(got, torch.nn.functional.interpolate(torch.tensor(x), size=size, mode=torch_mode).numpy())


def onnx_resize_nearest(x, size, mode, rounding):
    """The ONNX Resize reference (nearest, NCHW) for one mode and rounding."""
    out = np.empty(x.shape[:2] + tuple(size), x.dtype)

    def source(o, n_in, n_out):
        scale = n_in / n_out
        if mode == "asymmetric":
            return o * scale
        if mode == "align_corners":
            return o * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        if mode == "pytorch_half_pixel" and n_out == 1:
            return 0.0
        return (o + 0.5) * scale - 0.5

    def nearest(c, n_in):
        r = {"round_prefer_floor": np.ceil(c - 0.5), "round_prefer_ceil": np.floor(c + 0.5), "floor": np.floor(c),
             "ceil": np.ceil(c)}[rounding]
        return int(min(max(r, 0), n_in - 1))

    for h in range(size[0]):
        for w in range(size[1]):
            out[:, :, h, w] = x[:, :, nearest(source(h, x.shape[2], size[0]), x.shape[2]),
                                nearest(source(w, x.shape[3], size[1]), x.shape[3])]
    return out


@pytest.mark.parametrize("mode", ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"])
@pytest.mark.parametrize("rounding", ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"])
@pytest.mark.parametrize("size", [(9, 4), (1, 1), (3, 14)])
def test_resize_nearest_modes(mode, rounding, size):
    x = data((1, 2, 6, 7))
    got = resize(x, size, method="nearest", coordinate_transformation_mode=mode, rounding_method=rounding)
    check(got, onnx_resize_nearest(x, size, mode, rounding))


def test_resize_pytorch_half_pixel():
    # Same as half_pixel except for an output axis of size 1, which reads at 0.
    x = data((1, 2, 5, 6))
    got = resize(x, (1, 8), coordinate_transformation_mode="pytorch_half_pixel")
    want = torch.nn.functional.interpolate(torch.tensor(x[:, :, :1]), size=(1, 8), mode="bilinear").numpy()
    check(got, want)


def test_resize_nhwc():
    x = data((2, 5, 7, 3))
    got = resize(x, (8, 3), layout="NHWC")
    want = torch.nn.functional.interpolate(torch.tensor(x.transpose(0, 3, 1, 2)), size=(8, 3), mode="bilinear")
    check(got, want.numpy().transpose(0, 2, 3, 1))


def test_resize_out_dtype_and_integer_data():
    x = rng.integers(0, 255, (1, 1, 4, 4)).astype("uint8")
    got = resize(x, (8, 8), out_dtype="float32")
    want = torch.nn.functional.interpolate(torch.tensor(x.astype("float32")), size=(8, 8), mode="bilinear")
    check(got, want.numpy())
    got = resize(x, (8, 8), method="nearest", coordinate_transformation_mode="asymmetric", rounding_method="floor")
    check(got, torch.nn.functional.interpolate(torch.tensor(x), size=(8, 8), mode="nearest").numpy())


def test_resize_symbolic():
    h, w = tir.SizeVar("h", "int64"), tir.SizeVar("w", "int64")

    def case(hh, ww):
        x = data((1, 2, hh, ww))
        return [x], torch.nn.functional.interpolate(torch.tensor(x), size=(6, 5), mode="bilinear").numpy()

    run_symbolic(lambda a: op.resize2d(a, relax.ShapeExpr([6, 5])), [((1, 2, h, w), "float32")],
                 [case(3, 4), case(6, 5), case(9, 2)])

    def case2(hh):
        x = data((1, 1, hh, 4))
        return [x], torch.nn.functional.interpolate(torch.tensor(x), size=(2 * hh, 8), mode="nearest").numpy()

    run_symbolic(
        lambda a: op.resize2d(a, relax.ShapeExpr([n * 2, 8]), method="nearest",
                              coordinate_transformation_mode="asymmetric", rounding_method="floor"),
        [((1, 1, n, 4), "float32")], [case2(k) for k in (1, 3, 5)])


# ---- cumsum ----


@pytest.mark.parametrize("axis", [0, 1, -1, None])
@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_cumsum(axis, exclusive, dtype):
    x = data((3, 4, 5), dtype)
    want = np.cumsum(x, axis=axis)
    if exclusive:
        want = want - (x if axis is not None else x.reshape(-1))
    check(run_op(lambda a: op.cumsum(a, axis=axis, exclusive=exclusive), x), want.astype(dtype), rtol=1e-4, atol=1e-5)


def test_cumsum_dtype():
    x = data((2, 6), "int32")
    check(run_op(lambda a: op.cumsum(a, axis=1, dtype="int64"), x), np.cumsum(x, axis=1, dtype="int64"))
    y = data((40,))
    check(run_op(lambda a: op.cumsum(a, axis=0, dtype="float64"), y), np.cumsum(y, dtype="float64"), rtol=1e-6)


def test_cumsum_size_one_axis_and_scalar():
    x = data((4, 1))
    check(run_op(lambda a: op.cumsum(a, axis=1), x), x)
    s = np.array(2.0, "float32")
    check(run_op(lambda a: op.cumsum(a), s), s.reshape(1))


def test_cumsum_symbolic():
    run_symbolic(lambda a: op.cumsum(a, axis=0), [((n, 3), "float32")],
                 [([x], np.cumsum(x, 0)) for x in (data((k, 3)) for k in (1, 4, 9))], rtol=1e-4, atol=1e-5)
    run_symbolic(lambda a: op.cumsum(a), [((2, n), "int32")],
                 [([x], np.cumsum(x).astype("int32")) for x in (data((2, k), "int32") for k in (1, 3, 5))])


# ---- topk ----


def topk_ref(x, k, axis, largest):
    values, index = torch.topk(torch.tensor(x), k, dim=axis, largest=largest, sorted=True)
    return values.numpy(), index.numpy()


@pytest.mark.parametrize("k", [1, 3, 6])
@pytest.mark.parametrize("axis", [0, -1, 1])
@pytest.mark.parametrize("largest", [True, False])
def test_topk(k, axis, largest):
    x = data((6, 7, 6))  # distinct values: the order is unique
    values, index = run_op(lambda a: op.topk(a, k=k, axis=axis, largest=largest), x)
    want_values, want_index = topk_ref(x, k, axis, largest)
    check(values, want_values)
    check(index, want_index)


def test_topk_ties_take_the_lower_index():
    x = np.array([[3, 1, 3, 2, 1, 3]], "int32")
    values, index = run_op(lambda a: op.topk(a, k=4, axis=1), x)
    check(values, np.array([[3, 3, 3, 2]], "int32"))
    check(index, np.array([[0, 2, 5, 3]], "int64"))
    values, index = run_op(lambda a: op.topk(a, k=3, axis=1, largest=False), x)
    check(values, np.array([[1, 1, 2]], "int32"))
    check(index, np.array([[1, 4, 3]], "int64"))


def test_topk_nan_is_largest():
    x = np.array([1.0, np.nan, 3.0, -np.inf, 2.0], "float32")
    values, index = run_op(lambda a: op.topk(a, k=3), x)
    check(values, np.array([np.nan, 3.0, 2.0], "float32"))
    check(index, np.array([1, 2, 4], "int64"))
    values, index = run_op(lambda a: op.topk(a, k=5, largest=False), x)
    check(values, np.array([-np.inf, 1.0, 2.0, 3.0, np.nan], "float32"))
    check(index, np.array([3, 0, 4, 2, 1], "int64"))


def test_topk_index_dtype():
    x = data((4, 9))
    values, index = run_op(lambda a: op.topk(a, k=2, index_dtype=DT("int32")), x)
    want_values, want_index = topk_ref(x, 2, -1, True)
    check(values, want_values)
    check(index, want_index.astype("int32"))


def test_topk_symbolic():
    def case(rows, cols):
        x = data((rows, cols))
        return [x], list(topk_ref(x, 2, 1, True))

    run_symbolic(lambda a: op.topk(a, k=2, axis=1), [((n, m), "float32")], [case(1, 2), case(3, 5), case(2, 9)])


# ---- einsum ----


@pytest.mark.parametrize(
    "subscripts,shapes",
    [
        ("ij,jk->ik", [(3, 4), (4, 5)]),
        ("ij,jk", [(3, 4), (4, 5)]),
        ("ij->ji", [(3, 4)]),
        ("ii->i", [(4, 4)]),
        ("ii", [(4, 4)]),
        ("ij->", [(3, 4)]),
        ("i,j->ij", [(3,), (5,)]),
        ("ij,ij->", [(3, 4), (3, 4)]),
        ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
        ("...ij,...jk->...ik", [(2, 1, 3, 4), (3, 4, 5)]),
        ("...ij,jk", [(2, 3, 4), (4, 5)]),
        ("i...,i...->...", [(3, 2, 1), (3, 2, 4)]),
        ("ijk,kj,i->ik", [(2, 3, 4), (4, 3), (2,)]),
        ("b i d, b j d -> b i j", [(2, 3, 4), (2, 5, 4)]),
    ],
)
def test_einsum(subscripts, shapes):
    xs = [data(s) for s in shapes]
    got = run_op(lambda *vs: op.einsum(relax.Tuple(list(vs)), subscripts=subscripts), *xs)
    check(got, np.einsum(subscripts, *xs).astype("float32"), rtol=1e-4, atol=1e-5)


def test_einsum_ellipsis_left_out_is_summed():
    # NumPy rejects "...i->i"; PyTorch (and Kiln) sum over the "..." dims.
    x = data((2, 3, 4))
    got = run_op(lambda a: op.einsum(relax.Tuple([a]), subscripts="...i->i"), x)
    check(got, torch.einsum("...i->i", torch.tensor(x)).numpy(), rtol=1e-5)


def test_einsum_integer():
    a, b = data((3, 4), "int32"), data((4, 2), "int32")
    check(run_op(lambda p, q: op.einsum(relax.Tuple([p, q]), subscripts="ij,jk->ik"), a, b), a @ b)


def test_einsum_symbolic():
    run_symbolic(
        lambda p, q: op.einsum(relax.Tuple([p, q]), subscripts="ij,jk->ik"),
        [((n, 4), "float32"), ((4, m), "float32")],
        [([a, b], a @ b) for a, b in ((data((1, 4)), data((4, 3))), (data((5, 4)), data((4, 2))),
                                     (data((3, 4)), data((4, 7))))],
        rtol=1e-4, atol=1e-5,
    )
    run_symbolic(
        lambda p: op.einsum(relax.Tuple([p]), subscripts="ij->"),
        [((n, 3), "float32")],
        [([x], np.array(x.sum(), "float32")) for x in (data((k, 3)) for k in (1, 2, 6))],
        rtol=1e-4, atol=1e-5,
    )


def test_unknown_shape_is_an_error():
    with pytest.raises(kiln.Error, match="relax.cumsum"):
        legalize_call(lambda x: op.cumsum(x, axis=0), [relax.TensorStructInfo(None, "float32", 2)])
