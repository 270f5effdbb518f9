"""Legalization of the matrix products and convolutions (matmul.cc, conv.cc):
each op lowered by LegalizeOps, built with LLVM and compared with NumPy
(matmul, linear) or PyTorch (conv1d, conv2d, conv_transpose2d), over batch
broadcasting, 1-D operands, strides, padding, dilation, groups, layouts and
symbolic batch sizes."""

import functools

import legalize_util
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from legalize_util import kernel_of, legalize_call, run_kernel, run_op, scheduled_kernel

import kiln
from kiln import relax, tir
from kiln.relax import op

rng = np.random.default_rng(0)


def rand(shape, dtype="float32"):
    if np.issubdtype(np.dtype(dtype), np.integer):
        return rng.integers(-4, 5, size=shape).astype(dtype)
    return rng.uniform(-1.0, 1.0, size=shape).astype(dtype)


# These kernels sum many terms: a looser atol than legalize_util.check's.
check = functools.partial(legalize_util.check, atol=1e-5)


def torch_ref(f, *arrays, **kwargs):
    return f(*[torch.from_numpy(a) for a in arrays], **kwargs).numpy()


# ---- matmul ----

MATMUL_SHAPES = [
    ((3, 4), (4, 5)),
    ((1, 7), (7, 1)),
    ((2, 3, 4), (4, 5)),
    ((4, 5), (2, 5, 3)),
    ((2, 1, 3, 4), (5, 4, 6)),
    ((3, 1, 2, 4), (1, 2, 4, 3)),
    ((4,), (4,)),
    ((4,), (4, 5)),
    ((3, 4), (4,)),
    ((4,), (2, 4, 5)),
    ((2, 3, 4), (4,)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES)
def test_matmul(shapes):
    a, b = rand(shapes[0]), rand(shapes[1])
    check(run_op(op.matmul, a, b), np.matmul(a, b))


def test_matmul_int_and_out_dtype():
    a, b = rand((2, 3, 5), "int32"), rand((5, 4), "int32")
    check(run_op(op.matmul, a, b), np.matmul(a, b))
    a, b = rand((3, 6), "float16"), rand((6, 2), "float16")
    got = run_op(lambda x, y: op.matmul(x, y, out_dtype="float32"), a, b)
    check(got, a.astype("float32") @ b.astype("float32"), rtol=1e-5)


def test_matmul_long_reduction():
    a, b = rand((4, 2048)), rand((2048, 3))
    check(run_op(op.matmul, a, b), a @ b, rtol=1e-4, atol=1e-4)


def test_matmul_symbolic_batch():
    n = tir.SizeVar("n")
    mod = legalize_call(op.matmul, [((n, 3, 4), "float32"), ((4, 5), "float32")])
    assert "n" in str(mod["main"].ret_struct_info)
    for size in (1, 3, 7):
        a, b = rand((size, 3, 4)), rand((4, 5))
        check(run_kernel(mod, [a, b], [((size, 3, 5), "float32")]), a @ b)


def test_matmul_symbolic_broadcast_and_reduction():
    n, k = tir.SizeVar("n"), tir.SizeVar("k")
    mod = legalize_call(op.matmul, [((n, 1, 2, k), "float32"), ((3, k, 4), "float32")])
    for size, depth in ((1, 5), (2, 8), (4, 1)):
        a, b = rand((size, 1, 2, depth)), rand((3, depth, 4))
        check(run_kernel(mod, [a, b], [((size, 3, 2, 4), "float32")]), np.matmul(a, b))


@pytest.mark.parametrize("x_shape", [(6,), (3, 6), (2, 3, 6)])
@pytest.mark.parametrize("bias", [False, True])
def test_linear(x_shape, bias):
    x, w, b = rand(x_shape), rand((4, 6)), rand((4,))
    if bias:
        got, want = run_op(op.linear, x, w, b), x @ w.T + b
    else:
        got, want = run_op(op.linear, x, w), x @ w.T
    check(got, want)
    torch_want = torch_ref(F.linear, x, w, b) if bias else torch_ref(F.linear, x, w)
    check(got, torch_want)


def test_linear_symbolic_batch():
    n = tir.SizeVar("n")
    mod = legalize_call(op.linear, [((n, 8), "float32"), ((3, 8), "float32"), ((3,), "float32")])
    for size in (1, 2, 9):
        x, w, b = rand((size, 8)), rand((3, 8)), rand((3,))
        check(run_kernel(mod, [x, w, b], [((size, 3), "float32")]), x @ w.T + b)


def pack_panels(w, b):
    """w (N, K) in weight_layout "NK<b>n": (N / b, K, b)."""
    n, k = w.shape
    return np.ascontiguousarray(w.reshape(n // b, b, k).transpose(0, 2, 1))


@pytest.mark.parametrize(
    "x_shape, n, panel", [((5, 6), 8, 4), ((2, 3, 16), 32, 16), ((32, 24), 64, 32), ((1, 8), 16, 8)]
)
@pytest.mark.parametrize("bias", [False, True])
def test_linear_packed_weight(x_shape, n, panel, bias):
    x, w, b = rand(x_shape), rand((n, x_shape[-1])), rand((n,))
    layout = f"NK{panel}n"
    args = [x, pack_panels(w, panel)] + ([b] if bias else [])
    got = run_op(lambda *v: op.linear(*v, weight_layout=layout), *args)
    check(got, x @ w.T + (b if bias else 0))


def test_linear_packed_weight_symbolic_batch_is_scheduled_as_matmul():
    n = tir.SizeVar("n")
    specs = [((n, 8), "float32"), ((2, 8, 16), "float32"), ((32,), "float32")]
    mod = legalize_call(lambda *v: op.linear(*v, weight_layout="NK16n"), specs)
    result = scheduled_kernel(kernel_of(mod)[1])
    assert result.rule == "matmul" and not result.fallback
    # No packing inside the kernel: the weight is read as it is.
    assert "_global" not in str(result.func)
    w, b = rand((32, 8)), rand((32,))
    for size in (1, 7, 20):
        x = rand((size, 8))
        check(run_kernel(mod, [x, pack_panels(w, 16), b], [((size, 32), "float32")]), x @ w.T + b)


@pytest.mark.parametrize(
    "layout, w_shape, message",
    [
        ("NK4", (2, 6, 4), 'weight_layout must be "NK" or "NK<b>n"'),
        ("NK4n", (8, 6), "must have rank 3"),
        ("NK4n", (2, 6, 8), "its last dim must be 4"),
    ],
)
def test_linear_packed_weight_errors(layout, w_shape, message):
    with pytest.raises(kiln.Error, match=message):
        legalize_call(lambda *v: op.linear(*v, weight_layout=layout), [((3, 6), "float32"), (w_shape, "float32")])


# ---- convolutions ----

CONV2D_CASES = [
    # data shape, weight shape, attrs
    ((1, 3, 8, 8), (4, 3, 3, 3), {}),
    ((2, 3, 9, 7), (5, 3, 3, 2), {"strides": [2, 1]}),
    ((1, 2, 7, 7), (3, 2, 3, 3), {"padding": [1]}),
    ((1, 2, 7, 6), (3, 2, 3, 3), {"padding": [1, 2], "strides": [2]}),
    ((1, 4, 10, 10), (4, 2, 3, 3), {"groups": 2, "dilation": [2]}),
    ((2, 6, 9, 8), (6, 1, 3, 3), {"groups": 6, "padding": [1], "strides": [2]}),
    ((1, 4, 11, 9), (6, 2, 3, 2), {"groups": 2, "dilation": [2, 3], "padding": [2, 1], "strides": [3, 2]}),
    ((1, 3, 5, 5), (2, 3, 1, 1), {}),
]


def torch_conv_kwargs(attrs, n):
    def per_axis(name, default):
        v = attrs.get(name, [default])
        return tuple(v * n if len(v) == 1 else v)

    return {
        "stride": per_axis("strides", 1),
        "padding": per_axis("padding", 0),
        "dilation": per_axis("dilation", 1),
        "groups": attrs.get("groups", 1),
    }


@pytest.mark.parametrize("data_shape, weight_shape, attrs", CONV2D_CASES)
def test_conv2d(data_shape, weight_shape, attrs):
    x, w = rand(data_shape), rand(weight_shape)
    got = run_op(lambda d, k: op.conv2d(d, k, **attrs), x, w)
    check(got, torch_ref(F.conv2d, x, w, **torch_conv_kwargs(attrs, 2)))


def test_conv2d_asymmetric_padding():
    x, w = rand((1, 2, 6, 7)), rand((3, 2, 3, 3))
    # top, left, bottom, right
    got = run_op(lambda d, k: op.conv2d(d, k, padding=[1, 0, 2, 3]), x, w)
    want = torch_ref(F.conv2d, np.pad(x, ((0, 0), (0, 0), (1, 2), (0, 3))), w)
    check(got, want)


@pytest.mark.parametrize("data_layout, kernel_layout", [("NHWC", "HWIO"), ("NHWC", "OHWI"), ("NCHW", "HWIO")])
def test_conv2d_layouts(data_layout, kernel_layout):
    x, w = rand((2, 4, 9, 8)), rand((6, 2, 3, 3))  # NCHW, OIHW
    want = torch_ref(F.conv2d, x, w, stride=2, padding=1, groups=2)
    to = {"NHWC": (0, 2, 3, 1), "NCHW": (0, 1, 2, 3), "HWIO": (2, 3, 1, 0), "OHWI": (0, 2, 3, 1)}
    got = run_op(
        lambda d, k: op.conv2d(
            d, k, strides=[2], padding=[1], groups=2, data_layout=data_layout, kernel_layout=kernel_layout
        ),
        x.transpose(to[data_layout]),
        w.transpose(to[kernel_layout]),
    )
    check(got, want.transpose(to[data_layout]))


def test_conv2d_int_and_out_dtype():
    x, w = rand((1, 2, 5, 5), "int32"), rand((3, 2, 3, 3), "int32")
    got = run_op(lambda d, k: op.conv2d(d, k, padding=[1]), x, w)
    want = torch_ref(F.conv2d, x.astype("float64"), w.astype("float64"), padding=1).astype("int32")
    check(got, want)
    x, w = rand((1, 2, 5, 5), "float16"), rand((3, 2, 3, 3), "float16")
    got = run_op(lambda d, k: op.conv2d(d, k, out_dtype="float32"), x, w)
    check(got, torch_ref(F.conv2d, x.astype("float32"), w.astype("float32")), rtol=1e-4, atol=1e-4)


def test_conv2d_symbolic_batch():
    n = tir.SizeVar("n")
    mod = legalize_call(
        lambda d, k: op.conv2d(d, k, padding=[1], strides=[2]), [((n, 3, 8, 8), "float32"), ((4, 3, 3, 3), "float32")]
    )
    for size in (1, 2, 5):
        x, w = rand((size, 3, 8, 8)), rand((4, 3, 3, 3))
        got = run_kernel(mod, [x, w], [((size, 4, 4, 4), "float32")])
        check(got, torch_ref(F.conv2d, x, w, padding=1, stride=2))


def test_conv2d_symbolic_spatial():
    h, w_ = tir.SizeVar("h"), tir.SizeVar("w")
    mod = legalize_call(
        lambda d, k: op.conv2d(d, k, padding=[1]), [((1, 2, h, w_), "float32"), ((3, 2, 3, 3), "float32")]
    )
    for height, width in ((4, 4), (7, 5), (1, 9)):
        x, w = rand((1, 2, height, width)), rand((3, 2, 3, 3))
        got = run_kernel(mod, [x, w], [((1, 3, height, width), "float32")])
        check(got, torch_ref(F.conv2d, x, w, padding=1))


CONV1D_CASES = [
    ((2, 3, 10), (4, 3, 3), {}),
    ((1, 4, 11), (6, 2, 3), {"groups": 2, "strides": [2], "padding": [2], "dilation": [2]}),
    ((1, 2, 9), (3, 2, 4), {"padding": [1, 2]}),  # begin, end
]


@pytest.mark.parametrize("data_shape, weight_shape, attrs", CONV1D_CASES)
def test_conv1d(data_shape, weight_shape, attrs):
    x, w = rand(data_shape), rand(weight_shape)
    got = run_op(lambda d, k: op.conv1d(d, k, **attrs), x, w)
    pad = attrs.get("padding", [0])
    if len(pad) == 2:
        want = torch_ref(F.conv1d, np.pad(x, ((0, 0), (0, 0), (pad[0], pad[1]))), w)
    else:
        want = torch_ref(F.conv1d, x, w, **torch_conv_kwargs(attrs, 1))
    check(got, want)


def test_conv1d_nwc():
    x, w = rand((2, 3, 10)), rand((4, 3, 3))
    got = run_op(lambda d, k: op.conv1d(d, k, padding=[1], data_layout="NWC", kernel_layout="WIO"),
                 x.transpose(0, 2, 1), w.transpose(2, 1, 0))
    check(got, torch_ref(F.conv1d, x, w, padding=1).transpose(0, 2, 1))


CONV2D_TRANSPOSE_CASES = [
    # data shape, weight shape (in, out / groups, kh, kw), attrs
    ((1, 3, 4, 4), (3, 2, 3, 3), {}),
    ((2, 3, 5, 4), (3, 4, 3, 3), {"strides": [2]}),
    ((1, 2, 5, 5), (2, 3, 3, 3), {"strides": [2], "padding": [1]}),
    ((1, 2, 5, 5), (2, 3, 3, 3), {"strides": [2], "padding": [1], "output_padding": [1]}),
    ((1, 4, 4, 5), (4, 2, 3, 2), {"groups": 2, "strides": [2, 3], "dilation": [2, 1], "padding": [2, 1]}),
    ((1, 4, 3, 3), (4, 1, 4, 4), {"groups": 4, "strides": [2], "padding": [1]}),
    ((1, 2, 4, 4), (2, 3, 2, 2), {"strides": [3], "dilation": [2], "output_padding": [1, 2]}),
    ((1, 2, 6, 6), (2, 2, 3, 3), {"padding": [3]}),  # padding beyond d * (k - 1): a crop
]


@pytest.mark.parametrize("data_shape, weight_shape, attrs", CONV2D_TRANSPOSE_CASES)
def test_conv2d_transpose(data_shape, weight_shape, attrs):
    x, w = rand(data_shape), rand(weight_shape)
    got = run_op(lambda d, k: op.conv2d_transpose(d, k, **attrs), x, w)
    kwargs = torch_conv_kwargs(attrs, 2)
    op_ = attrs.get("output_padding", [0])
    kwargs["output_padding"] = tuple(op_ * 2 if len(op_) == 1 else op_)
    check(got, torch_ref(F.conv_transpose2d, x, w, **kwargs))


def test_conv2d_transpose_nhwc_and_symbolic_batch():
    n = tir.SizeVar("n")
    mod = legalize_call(
        lambda d, k: op.conv2d_transpose(d, k, strides=[2], padding=[1], data_layout="NHWC", kernel_layout="HWIO"),
        [((n, 4, 4, 3), "float32"), ((3, 3, 3, 2), "float32")],
    )
    for size in (1, 3):
        x, w = rand((size, 3, 4, 4)), rand((3, 2, 3, 3))  # NCHW, IOHW
        want = torch_ref(F.conv_transpose2d, x, w, stride=2, padding=1).transpose(0, 2, 3, 1)
        got = run_kernel(mod, [x.transpose(0, 2, 3, 1), w.transpose(2, 3, 0, 1)], [(want.shape, "float32")])
        check(got, want)


# Convolutions with 8, 16 or 32 output channels: the default schedule's conv
# rule takes these (the cases above have too few channels and get the
# reduction rule), so their [scheduled] runs check its register tiles,
# including ragged output widths and symbolic sizes.
CONV_RULE_CASES = [
    # op, data shape, weight shape, attrs, torch reference
    ("conv2d", (1, 3, 9, 11), (8, 3, 3, 3), {"padding": [1]}, F.conv2d),
    ("conv2d", (2, 4, 10, 9), (16, 4, 3, 2), {"strides": [2, 1], "dilation": [1, 2], "padding": [1, 0]}, F.conv2d),
    ("conv2d", (1, 5, 7, 23), (32, 5, 1, 1), {}, F.conv2d),
    ("conv1d", (2, 3, 19), (8, 3, 5), {"padding": [2], "strides": [2]}, F.conv1d),
    ("conv2d_transpose", (1, 8, 5, 5), (8, 8, 3, 3), {"strides": [2], "padding": [1]}, F.conv_transpose2d),
    ("conv2d_transpose", (1, 4, 5, 6), (4, 16, 2, 3), {"strides": [2, 1], "output_padding": [1, 0]},
     F.conv_transpose2d),
]


def conv_rule_id(case):
    name, _, weight_shape, _, _ = case
    return f"{name}-oc{weight_shape[1] if name.endswith('transpose') else weight_shape[0]}"


@pytest.mark.parametrize("name, data_shape, weight_shape, attrs, ref", CONV_RULE_CASES,
                         ids=[conv_rule_id(c) for c in CONV_RULE_CASES])
def test_conv_rule_shapes(name, data_shape, weight_shape, attrs, ref):
    x, w = rand(data_shape), rand(weight_shape)
    got = run_op(lambda d, k: getattr(op, name)(d, k, **attrs), x, w)
    n = len(data_shape) - 2
    kwargs = torch_conv_kwargs(attrs, n)
    if "output_padding" in attrs:
        kwargs["output_padding"] = tuple(attrs["output_padding"])
    check(got, torch_ref(ref, x, w, **kwargs), rtol=1e-4, atol=1e-5)


def test_conv_rule_nhwc_and_symbolic():
    x, w = rand((1, 8, 9, 9)), rand((8, 8, 3, 3))
    got = run_op(lambda d, k: op.conv2d(d, k, padding=[1], data_layout="NHWC", kernel_layout="HWIO"),
                 x.transpose(0, 2, 3, 1), w.transpose(2, 3, 1, 0))
    check(got, torch_ref(F.conv2d, x, w, padding=1).transpose(0, 2, 3, 1), rtol=1e-4, atol=1e-5)
    h, w_ = tir.SizeVar("h"), tir.SizeVar("w")
    mod = legalize_call(
        lambda d, k: op.conv2d(d, k, padding=[1]), [((1, 3, h, w_), "float32"), ((8, 3, 3, 3), "float32")]
    )
    for height, width in ((4, 4), (7, 13), (1, 9)):
        x, w = rand((1, 3, height, width)), rand((8, 3, 3, 3))
        got = run_kernel(mod, [x, w], [((1, 8, height, width), "float32")])
        check(got, torch_ref(F.conv2d, x, w, padding=1), rtol=1e-4, atol=1e-5)
    n = tir.SizeVar("n")
    mod = legalize_call(
        lambda d, k: op.conv2d(d, k, padding=[1], strides=[2]), [((n, 3, 8, 8), "float32"), ((16, 3, 3, 3), "float32")]
    )
    for size in (1, 3):
        x, w = rand((size, 3, 8, 8)), rand((16, 3, 3, 3))
        got = run_kernel(mod, [x, w], [((size, 16, 4, 4), "float32")])
        check(got, torch_ref(F.conv2d, x, w, padding=1, stride=2), rtol=1e-4, atol=1e-5)


# ---- errors ----


@pytest.mark.parametrize(
    "name, make_call, ndims",
    [
        ("relax.matmul", op.matmul, [2, 2]),
        ("relax.linear", op.linear, [2, 2]),
        ("relax.conv2d", op.conv2d, [4, 4]),
        ("relax.conv1d", op.conv1d, [3, 3]),
        ("relax.conv2d_transpose", op.conv2d_transpose, [4, 4]),
    ],
)
def test_unknown_shape_is_an_error(name, make_call, ndims):
    with pytest.raises(kiln.Error, match=name):
        legalize_call(make_call, [relax.TensorStructInfo(None, "float32", ndim=r) for r in ndims])
