"""A new op registered from Python (kiln.relax.register_op): struct-info
inference, an attribute, pattern kind and a te legalization; afterwards the
op is called through kiln.relax.op and call_op, parses and prints, fuses
with its neighbours into one kernel, compiles and matches NumPy. Errors from
a bad inference function, bad declarations and a removed op name the op."""

import re

import numpy as np
import pytest

import kiln
from kiln import relax, tir
from kiln.relax import op
from kiln.tir import te

NAME = "custom.swish_beta"


def infer_swish_beta(call):
    x = call.args[0].struct_info
    if not isinstance(x, relax.TensorStructInfo) or not x.dtype.startswith("float"):
        raise TypeError(f"argument 'x' must be a float tensor, got {x}")
    return x


def legalize_swish_beta(bb, call):
    beta = float(call.attrs["beta"])

    def compute(x):
        return te.compute(x.shape, lambda *i: x[i] * tir.sigmoid(x[i] * beta), name="swish_beta")

    return relax.call_te(bb, call, "swish_beta", compute)


@pytest.fixture
def swish_beta():
    registered = relax.register_op(
        NAME,
        args=["x"],
        attrs={"beta": 1.0},
        infer=infer_swish_beta,
        legalize=legalize_swish_beta,
        pattern="elementwise",
        description="x * sigmoid(beta * x)",
    )
    yield registered
    relax.remove_op(NAME)


def model():
    """main(x, w: (n, 16), (16, 16)) = swish_beta(x @ w + 1, beta=1.5) * x."""
    n = tir.SizeVar("n")
    x = relax.Var("x", relax.TensorStructInfo([n, 16], "float32"))
    w = relax.Var("w", relax.TensorStructInfo([16, 16], "float32"))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x, w], attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    h = bb.emit(op.add(op.matmul(x, w), relax.Constant(np.array(1.0, "float32"))))
    s = bb.emit(op.custom.swish_beta(h, beta=1.5))
    out = bb.emit_output(op.multiply(s, x))
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


def swish_ref(v, beta):
    return v / (1 + np.exp(-beta * v))


def test_registered_op_looks_like_a_built_in_one(swish_beta):
    assert swish_beta.name == NAME and swish_beta.pattern == "elementwise"
    assert relax.get_op(NAME).same_as(swish_beta)
    assert NAME in [o.name for o in relax.list_ops()]
    assert op.custom.swish_beta.__doc__.startswith("swish_beta(x, beta=1.0)")
    x = relax.Var("x", relax.TensorStructInfo([4], "float32"))
    call = relax.call_op(NAME, x)
    assert call.attrs == {"beta": 1.0}  # completed with the default
    assert relax.BlockBuilder().normalize(call).struct_info.dtype == "float32"


def test_parses_and_prints_after_registration(swish_beta):
    text = model().script()
    assert re.search(r"= custom\.swish_beta\(lv1, beta=1\.5\)\n", text), text
    back = kiln.parse(text)
    assert kiln.ir.structural_equal(back, model())


@pytest.mark.compat("custom_op", "llvm")
def test_fuses_with_neighbours_compiles_and_matches_numpy(swish_beta):
    mod = model()
    lowered = kiln.pipeline.get("default", "llvm")(mod)
    kernels = re.findall(r"prim @(\w+)", str(lowered))
    # matmul + add + swish_beta + multiply: one kernel (an output-fusible
    # matmul with its elementwise epilogue), the custom op inside it.
    assert len(kernels) == 1, kernels
    assert "swish_beta" in kernels[0] and "sigmoid" in str(lowered)
    vm = kiln.VirtualMachine(kiln.compile(mod), kiln.cpu())
    rng = np.random.default_rng(0)
    w = (rng.standard_normal((16, 16)) * 0.3).astype("float32")
    for n in (1, 5):
        x = rng.standard_normal((n, 16)).astype("float32")
        want = swish_ref(x @ w + 1, 1.5) * x
        np.testing.assert_allclose(vm["main"](x, w).numpy(), want, rtol=1e-5, atol=1e-5)


def test_text_model_with_the_op_compiles(swish_beta):
    mod = kiln.parse(
        """
        module {
          func @main(x: Tensor((2, 3), float32)) -> Tensor((2, 3), float32) {
            y = custom.swish_beta(x, beta=2.0)
            return y
          }
        }"""
    )
    x = np.linspace(-3, 3, 6, dtype="float32").reshape(2, 3)
    got = kiln.VirtualMachine(kiln.compile(mod), kiln.cpu())["main"](x).numpy()
    np.testing.assert_allclose(got, swish_ref(x, 2.0), rtol=1e-5, atol=1e-6)


def test_errors_name_the_op(swish_beta):
    ints = relax.Var("i", relax.TensorStructInfo([4], "int32"))
    with pytest.raises(kiln.Error, match=r"custom\.swish_beta(.|\n)*TypeError: argument 'x' must be a float tensor"):
        relax.BlockBuilder().normalize(op.custom.swish_beta(ints))
    with pytest.raises(kiln.Error, match=r"custom\.swish_beta: unknown attribute 'gamma' \(it takes: beta\)"):
        relax.call_op(NAME, ints, gamma=1.0)
    with pytest.raises(kiln.Error, match=r"op 'custom\.swish_beta' is already registered"):
        relax.register_op(NAME, infer=infer_swish_beta)
    with pytest.raises(kiln.Error, match=r"<text>:3:(.|\n)*custom\.swish_beta(.|\n)*must be a float tensor"):
        kiln.parse("module {\nfunc @main(x: Tensor((4,), int32)) -> Tensor((4,), int32) {\n  y = custom.swish_beta(x)\n"
                   "  return y\n}\n}")


def test_a_bad_inference_function_is_an_error_naming_the_op():
    relax.register_op("custom.bad_infer", infer=lambda call: 42)
    relax.register_op("custom.raises", infer=lambda call: 1 / 0)
    try:
        x = relax.Var("x", relax.TensorStructInfo([4], "float32"))
        with pytest.raises(kiln.Error, match=r"custom\.bad_infer: the struct-info inference registered from Python "
                                             r"returned a int, expected a StructInfo"):
            relax.BlockBuilder().normalize(op.custom.bad_infer(x))
        with pytest.raises(kiln.Error, match=r"custom\.raises(.|\n)*ZeroDivisionError"):
            relax.BlockBuilder().normalize(relax.call_op("custom.raises", x))
    finally:
        relax.remove_op("custom.bad_infer")
        relax.remove_op("custom.raises")


def test_bad_declarations_register_nothing():
    with pytest.raises(kiln.Error, match=r"register_op\(custom\.p\): unknown pattern kind 'fancy'"):
        relax.register_op("custom.p", infer=infer_swish_beta, pattern="fancy")
    with pytest.raises(TypeError, match=r"attribute 'axis' has a default of type NoneType"):
        relax.register_op("custom.p", infer=infer_swish_beta, attrs={"axis": None})
    with pytest.raises(kiln.Error, match=r"attribute 'axis' has unknown kind 'shape'"):
        relax.register_op("custom.p", infer=infer_swish_beta, attrs={"axis": ("shape", None)})
    with pytest.raises(kiln.Error, match="infer must be callable"):
        relax.register_op("custom.p", infer=None)
    assert "custom.p" not in [o.name for o in relax.list_ops()]


def test_removed_op_no_longer_resolves():
    relax.register_op("custom.temp", infer=infer_swish_beta, pattern="elementwise")
    assert callable(op.custom.temp)
    relax.remove_op("custom.temp")
    assert not hasattr(op.custom, "temp")
    with pytest.raises(kiln.Error, match='unknown op "custom.temp"'):
        relax.get_op("custom.temp")
    with pytest.raises(kiln.Error, match="no op 'custom.temp' is registered"):
        relax.remove_op("custom.temp")


def test_required_attribute_and_optional_kinds():
    relax.register_op(
        "custom.shift",
        args=["x"],
        attrs={"by": int, "axis": ("optional_int", None)},
        infer=lambda call: call.args[0].struct_info,
        legalize=lambda bb, call: relax.call_te(
            bb, call, "shift", lambda x: te.compute(x.shape, lambda *i: x[i] + float(call.attrs["by"]), name="shift")
        ),
        pattern="elementwise",
    )
    try:
        x = relax.Var("x", relax.TensorStructInfo([3], "float32"))
        with pytest.raises(kiln.Error, match="custom.shift: missing attribute 'by'"):
            relax.call_op("custom.shift", x)
        assert relax.call_op("custom.shift", x, by=2).attrs == {"by": 2, "axis": None}
        mod = kiln.parse("module {\nfunc @main(x: Tensor((3,), float32)) -> Tensor((3,), float32) {\n"
                         "  y = custom.shift(x, by=3)\n  return y\n}\n}")
        got = kiln.VirtualMachine(kiln.compile(mod), kiln.cpu())["main"](np.ones(3, "float32")).numpy()
        np.testing.assert_array_equal(got, np.full(3, 4, "float32"))
    finally:
        relax.remove_op("custom.shift")


def test_an_error_in_the_legalization_names_the_op_when_compiling():
    def legalize(bb, call):  # the compute raises inside te.compute, called back from C++
        return relax.call_te(bb, call, "broken", lambda x: te.compute(x.shape, lambda *i: x(*i), name="broken"))

    relax.register_op("custom.broken", infer=infer_swish_beta, legalize=legalize, pattern="elementwise")
    try:
        mod = kiln.parse("module {\nfunc @main(x: Tensor((3,), float32)) -> Tensor((3,), float32) {\n"
                         "  y = custom.broken(x)\n  return y\n}\n}")
        with pytest.raises(kiln.Error, match=r"custom\.broken: the legalization registered from Python raised "
                                             r"TypeError: 'Tensor' object is not callable"):
            kiln.compile(mod)
    finally:
        relax.remove_op("custom.broken")
