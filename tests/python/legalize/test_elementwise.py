"""Legalization of the elementwise families (binary.cc, unary.cc, cast.cc):
each op lowered by LegalizeOps, built with LLVM and compared with NumPy (and
PyTorch for gelu), over broadcasting shapes, integer dtypes and symbolic
shapes."""

import math

import numpy as np
import pytest
import torch
from legalize_util import check, kernel_of, legalize_call, run_kernel, run_op

import kiln
from kiln import relax, tir
from kiln.relax import op

rng = np.random.default_rng(0)


def rand(shape, dtype="float32", lo=-3.0, hi=3.0):
    if np.dtype(dtype) == np.bool_:
        return rng.random(shape) < 0.5
    if np.issubdtype(np.dtype(dtype), np.integer):
        return rng.integers(int(lo), int(hi) + 1, size=shape).astype(dtype)
    return rng.uniform(lo, hi, size=shape).astype(dtype)


# ---- binary ----

BROADCAST_SHAPES = [
    ((2, 3), (2, 3)),
    ((2, 3), (3,)),
    ((3,), (2, 3)),
    ((4, 1, 3), (2, 1)),
    ((1,), (5,)),
    ((2, 1, 4), (1, 3, 1)),
    ((), (2, 3)),
    ((2, 3), ()),
]


def trunc_div(a, b):
    """C division: the quotient rounded towards zero."""
    q = np.abs(a) // np.abs(b)
    return (np.sign(a) * np.sign(b) * q).astype(a.dtype)


ARITH = {
    "add": np.add,
    "subtract": np.subtract,
    "multiply": np.multiply,
    "maximum": np.maximum,
    "minimum": np.minimum,
}
COMPARE = {
    "equal": np.equal,
    "not_equal": np.not_equal,
    "less": np.less,
    "less_equal": np.less_equal,
    "greater": np.greater,
    "greater_equal": np.greater_equal,
}


@pytest.mark.parametrize("name", list(ARITH))
@pytest.mark.parametrize("shapes", BROADCAST_SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_arith(name, shapes, dtype):
    a, b = rand(shapes[0], dtype), rand(shapes[1], dtype)
    check(run_op(getattr(op, name), a, b), ARITH[name](a, b))


@pytest.mark.parametrize("dtype", ["int64", "float64", "int8", "uint8"])
def test_arith_other_dtypes(dtype):
    lo = 0 if dtype == "uint8" else -3
    a, b = rand((3, 4), dtype, lo=lo), rand((4,), dtype, lo=lo)
    for name in ("add", "multiply", "maximum", "minimum"):
        check(run_op(getattr(op, name), a, b), ARITH[name](a, b))


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES)
def test_divide_float(shapes):
    a, b = rand(shapes[0]), rand(shapes[1], lo=0.5, hi=2.0)
    check(run_op(op.divide, a, b), a / b)


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_divide_int_truncates(dtype):
    a = np.array([[7, -7, 7, -7, 0, 6]], dtype)
    b = np.array([2, 2, -2, -2, 3, 3], dtype)
    got = run_op(op.divide, a, b)
    check(got, trunc_div(a, b))
    assert got.tolist() == [[3, -3, -3, 3, 0, 2]]


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES[:4])
def test_power_float(shapes):
    a, b = rand(shapes[0], lo=0.1, hi=3.0), rand(shapes[1], lo=-2.0, hi=2.0)
    check(run_op(op.power, a, b), np.power(a, b), rtol=1e-5)


@pytest.mark.parametrize("exponent", [2.0, 3.0, 4.0, -1.0, -2.0, 0.0, 0.5, -0.5, 1.5])
@pytest.mark.parametrize("const_shape", [(), (1,), (1, 1)])
def test_power_by_a_constant(exponent, const_shape):
    """A one-element constant exponent: whole ones up to 4 and +-0.5
    legalize without pow (products, a reciprocal, sqrt, rsqrt); 1.5 keeps
    pow. The result broadcasts to the constant's rank."""
    a = rand((3, 5), lo=0.2, hi=3.0)
    e = relax.Constant(np.full(const_shape, exponent, "float32"))
    mod = legalize_call(lambda x: op.power(x, e), [((3, 5), "float32")])
    _, prim = kernel_of(mod)
    assert ("pow(" in str(prim)) == (exponent == 1.5), str(prim)
    ev = np.full(const_shape, exponent, "float32")
    inputs = [a, ev] if exponent == 1.5 else [a]  # the kernel reads the exponent only through pow
    check(run_kernel(mod, inputs), np.power(a, ev), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_power_int(dtype):
    a = rand((3, 4), dtype, lo=-5, hi=5)
    b = rand((4,), dtype, lo=0, hi=6)
    check(run_op(op.power, a, b), np.power(a, b))


@pytest.mark.parametrize("name", list(COMPARE))
@pytest.mark.parametrize("shapes", BROADCAST_SHAPES[:5])
@pytest.mark.parametrize("dtype", ["float32", "int32"])
def test_compare(name, shapes, dtype):
    a, b = rand(shapes[0], dtype, lo=-2, hi=2), rand(shapes[1], dtype, lo=-2, hi=2)
    if dtype == "float32":  # equal elements too
        a, b = np.round(a), np.round(b)
    check(run_op(getattr(op, name), a, b), COMPARE[name](a, b))


@pytest.mark.parametrize("name,ref", [("logical_and", np.logical_and), ("logical_or", np.logical_or)])
@pytest.mark.parametrize("shapes", BROADCAST_SHAPES[:5])
def test_logical(name, ref, shapes):
    a, b = rand(shapes[0], "bool"), rand(shapes[1], "bool")
    check(run_op(getattr(op, name), a, b), ref(a, b))


@pytest.mark.parametrize("name", ["add", "multiply", "maximum", "minimum"])
def test_bool_arith_follows_numpy(name):
    a, b = rand((2, 3), "bool"), rand((3,), "bool")
    check(run_op(getattr(op, name), a, b), ARITH[name](a, b))


@pytest.mark.parametrize(
    "shapes",
    [
        ((2, 3), (2, 3), (2, 3)),
        ((2, 3), (3,), (1,)),
        ((4, 1), (3,), (2, 1, 1)),
        ((), (2, 3), ()),
        ((3,), (2, 1), (1, 3)),
    ],
)
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_where(shapes, dtype):
    c, a, b = rand(shapes[0], "bool"), rand(shapes[1], dtype), rand(shapes[2], dtype)
    check(run_op(op.where, c, a, b), np.where(c, a, b))


# ---- unary ----


def np_erf(x):
    return np.vectorize(math.erf)(x.astype("float64")).astype(x.dtype)


def np_sigmoid(x):
    return (1 / (1 + np.exp(-x.astype("float64")))).astype(x.dtype)


FLOAT_UNARY = {
    "exp": (np.exp, (-3, 3)),
    "log": (np.log, (0.01, 10)),
    "sqrt": (np.sqrt, (0, 10)),
    "rsqrt": (lambda x: 1 / np.sqrt(x), (0.01, 10)),
    "tanh": (np.tanh, (-4, 4)),
    "sigmoid": (np_sigmoid, (-8, 8)),
    "erf": (np_erf, (-3, 3)),
    "silu": (lambda x: x * np_sigmoid(x), (-6, 6)),
}


@pytest.mark.parametrize("name", list(FLOAT_UNARY))
@pytest.mark.parametrize("shape", [(2, 3), (7,), (1, 4, 1), ()])
def test_float_unary(name, shape):
    ref, (lo, hi) = FLOAT_UNARY[name]
    x = rand(shape, lo=lo, hi=hi)
    check(run_op(getattr(op, name), x), ref(x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["exp", "tanh", "sigmoid", "sqrt"])
def test_float_unary_float64(name):
    ref, (lo, hi) = FLOAT_UNARY[name]
    x = rand((3, 5), "float64", lo=max(lo, 0.01), hi=hi)
    check(run_op(getattr(op, name), x), ref(x), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
@pytest.mark.parametrize("shape", [(2, 8), (5,)])
def test_gelu(approximate, shape):
    x = rand(shape, lo=-5, hi=5)
    want = torch.nn.functional.gelu(torch.from_numpy(x), approximate=approximate).numpy()
    check(run_op(lambda v: op.gelu(v, approximate=approximate), x), want, rtol=1e-5, atol=1e-6)


def test_gelu_default_is_exact():
    x = rand((16,), lo=-4, hi=4)
    want = (0.5 * x.astype("float64") * (1 + np_erf(x.astype("float64") / math.sqrt(2)))).astype("float32")
    check(run_op(op.gelu, x), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "int32", "int64", "int8"])
@pytest.mark.parametrize(
    "name,ref", [("abs", np.abs), ("neg", np.negative), ("relu", lambda x: np.maximum(x, np.zeros_like(x)))]
)
def test_signed_unary(name, ref, dtype):
    x = rand((3, 4), dtype, lo=-5, hi=5)
    check(run_op(getattr(op, name), x), ref(x))


def test_abs_relu_unsigned():
    x = rand((6,), "uint8", lo=0, hi=200)
    check(run_op(op.abs, x), x)
    check(run_op(op.relu, x), x)


@pytest.mark.parametrize(
    "dtype,lo,hi",
    [
        ("float32", -1.5, 2.0),
        ("float32", -math.inf, 0.5),
        ("float32", 0.0, math.inf),
        ("int32", -2, 3),
        ("int32", -2.5, 2.5),  # bounds round inwards: [-2, 2]
        ("int8", -1000.0, 3.0),  # a bound past the dtype's range is left out
        ("int64", -math.inf, math.inf),
    ],
)
def test_clip(dtype, lo, hi):
    x = rand((4, 5), dtype, lo=-6, hi=6)
    if np.issubdtype(np.dtype(dtype), np.integer):  # bounds rounded inwards, within the dtype's range
        info = np.iinfo(dtype)
        lo = info.min if lo == -math.inf else max(math.ceil(lo), info.min)
        hi = info.max if hi == math.inf else min(math.floor(hi), info.max)
    want = np.clip(x, np.array(lo).astype(dtype), np.array(hi).astype(dtype))
    check(run_op(lambda v: op.clip(v, min=float(lo), max=float(hi)), x), want)


# ---- astype ----


@pytest.mark.parametrize(
    "src,dst",
    [
        ("float32", "int32"),  # truncates towards zero
        ("float32", "int64"),
        ("int32", "float32"),
        ("int64", "int32"),
        ("int32", "int8"),
        ("float32", "float64"),
        ("float64", "float32"),
        ("float32", "float16"),
        ("float32", "bool"),
        ("int32", "bool"),
        ("bool", "float32"),
        ("bool", "int32"),
        ("uint8", "int32"),
        ("float32", "float32"),
    ],
)
def test_astype(src, dst):
    x = rand((3, 4), src, lo=-3, hi=3) if src != "uint8" else rand((3, 4), src, lo=0, hi=255)
    if src == "float32" and dst == "bool":
        x[0, :2] = 0.0
        x[1, 0] = 0.25  # nonzero, not truncated to 0
    got = run_op(lambda v: op.astype(v, dtype=kiln.DataType(dst)), x)
    check(got, x.astype(dst), rtol=1e-3 if dst == "float16" else 1e-6)


# ---- symbolic shapes ----


def test_symbolic_binary_broadcast():
    n, m = tir.SizeVar("n"), tir.SizeVar("m")
    mod = legalize_call(op.add, [((n, m), "float32"), ((m,), "float32")])
    main = str(mod["main"])
    assert "(n, m)" in main
    for rows, cols in [(1, 1), (3, 5), (8, 2)]:
        a, b = rand((rows, cols)), rand((cols,))
        check(run_kernel(mod, [a, b], [((rows, cols), "float32")]), a + b)


def test_symbolic_broadcast_size_one_dim():
    n = tir.SizeVar("n")
    mod = legalize_call(op.multiply, [((n, 1), "float32"), ((1, 4), "float32")])
    for rows in (1, 2, 6):
        a, b = rand((rows, 1)), rand((1, 4))
        check(run_kernel(mod, [a, b], [((rows, 4), "float32")]), a * b)


def test_symbolic_where_and_compare():
    n = tir.SizeVar("n")
    mod = legalize_call(op.less, [((n,), "int32"), ((n,), "int32")])
    for size in (1, 4, 9):
        a, b = rand((size,), "int32"), rand((size,), "int32")
        check(run_kernel(mod, [a, b], [((size,), "bool")]), a < b)
    mod = legalize_call(op.where, [((n, 2), "bool"), ((n, 2), "float32"), ((), "float32")])
    for size in (1, 3):
        c, a, b = rand((size, 2), "bool"), rand((size, 2)), rand(())
        check(run_kernel(mod, [c, a, b], [((size, 2), "float32")]), np.where(c, a, b))


@pytest.mark.parametrize("name", ["exp", "relu", "gelu"])
def test_symbolic_unary(name):
    n = tir.SizeVar("n")
    mod = legalize_call(getattr(op, name), [((n, 3), "float32")])
    assert "(n, 3)" in str(mod["main"])
    ref = {
        "exp": np.exp,
        "relu": lambda x: np.maximum(x, 0),
        "gelu": lambda x: torch.nn.functional.gelu(torch.from_numpy(x)).numpy(),
    }[name]
    for size in (1, 2, 5):
        x = rand((size, 3))
        check(run_kernel(mod, [x], [((size, 3), "float32")]), ref(x))


def test_symbolic_astype():
    n = tir.SizeVar("n")
    mod = legalize_call(lambda v: op.astype(v, dtype=kiln.DataType("int32")), [((n,), "float32")])
    for size in (2, 7):
        x = rand((size,), lo=-9, hi=9)
        check(run_kernel(mod, [x], [((size,), "int32")]), x.astype("int32"))


# ---- structure and errors ----


def test_one_kernel_reads_broadcast_input_at_zero():
    mod = legalize_call(op.add, [((4, 3), "float32"), ((1, 3), "float32")])
    assert "B[0, v_i1]" in str(kernel_of(mod)[1])


@pytest.mark.parametrize("name", ["add", "exp", "astype"])
def test_unknown_shape_names_the_op(name):
    sinfo = relax.TensorStructInfo(None, "float32", ndim=2)
    make = {
        "add": lambda x: op.add(x, x),
        "exp": op.exp,
        "astype": lambda x: op.astype(x, dtype=kiln.DataType("int32")),
    }[name]
    with pytest.raises(kiln.Error, match=f"relax.{name}"):
        legalize_call(make, [sinfo])


def test_bool_subtract_names_the_op():
    with pytest.raises(kiln.Error, match="relax.subtract.*bool"):
        legalize_call(op.subtract, [((2,), "bool"), ((2,), "bool")])
