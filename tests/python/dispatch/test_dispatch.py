"""Dispatch to OpenBLAS and oneDNN: each library's result matches Kiln's own
kernels (MLP, conv block with bias and relu, gelu epilogues), what a library
does not take stays with Kiln (int32 matmul, grouped conv, batched matmul),
and a missing library dispatches nothing."""

from pathlib import Path

import numpy as np
import pytest

import kiln
from kiln import relax
from kiln.relax import op
from kiln.relax.pattern import library_available

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
LIBRARIES = [
    pytest.param(lib, marks=pytest.mark.skipif(not library_available(lib), reason=f"Kiln built without {lib}"))
    for lib in ("onednn", "openblas")
]


def tensor(shape, dtype="float32"):
    return relax.TensorStructInfo(list(shape), dtype)


def build(params, body):
    bb = relax.BlockBuilder()
    bb.begin_function("main", params, attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    out = bb.emit_output(body(bb, *params))
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


def run(mod, args, dispatch=None):
    pipeline = kiln.pipeline.get("default", "llvm", dispatch=dispatch)
    vm = kiln.VirtualMachine(kiln.compile(mod, target="llvm", pipeline=pipeline), kiln.cpu())
    return vm["main"](*args).numpy()


def dispatched(mod, lib):
    return str(kiln.transform.DispatchToLibrary([lib])(mod)["main"]).count("call_dps_packed")


def random_args(shapes, seed=0, dtype="float32"):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(s) * 0.5).astype(dtype) for s in shapes]


@pytest.mark.compat("dispatch_openblas", "llvm", params={"lib": "openblas"})
@pytest.mark.compat("dispatch_onednn", "llvm", params={"lib": "onednn"})
@pytest.mark.parametrize("lib", LIBRARIES)
def test_mlp_matches_kiln(lib):
    mod = kiln.parse((FIXTURES / "mlp.kir").read_text())
    assert dispatched(mod, lib) == 2
    args = random_args([(32, 784), (256, 784), (256,), (10, 256), (10,)])
    np.testing.assert_allclose(run(mod, args, [lib]), run(mod, args), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("lib", LIBRARIES)
@pytest.mark.parametrize("act", ["none", "relu", "gelu", "gelu_tanh"])
def test_matmul_bias_activation(lib, act):
    x, w, b = relax.Var("x", tensor((3, 5, 64))), relax.Var("w", tensor((64, 48))), relax.Var("b", tensor((48,)))

    def body(bb, x, w, b):
        h = bb.emit(op.add(bb.emit(op.matmul(x, w)), b))
        if act == "relu":
            return op.relu(h)
        if act.startswith("gelu"):
            return op.gelu(h, approximate="tanh" if act == "gelu_tanh" else "none")
        return h

    mod = build([x, w, b], body)
    text = str(kiln.transform.DispatchToLibrary([lib])(mod)["main"])
    assert "call_dps_packed" in text
    # oneDNN takes the activation; OpenBLAS leaves it to Kiln.
    assert (act != "none" and lib == "openblas") == ("relu(" in text or "gelu(" in text)
    args = random_args([(3, 5, 64), (64, 48), (48,)], seed=2)
    np.testing.assert_allclose(run(mod, args, [lib]), run(mod, args), rtol=1e-4, atol=1e-5)


def conv_module(groups=1, bias=True, dtype="float32"):
    x = relax.Var("x", tensor((2, 8, 16, 16), dtype))
    w = relax.Var("w", tensor((16, 8 // groups, 3, 3), dtype))
    b = relax.Var("b", tensor((1, 16, 1, 1), dtype))

    def body(bb, x, w, b):
        h = bb.emit(op.conv2d(x, w, strides=[2, 2], padding=[1, 0, 1, 2], groups=groups))
        if bias:
            h = bb.emit(op.add(h, b))
        return op.relu(h)

    return build([x, w, b], body)


@pytest.mark.skipif(not library_available("onednn"), reason="Kiln built without oneDNN")
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_bias_relu_matches_kiln(bias):
    mod = conv_module(bias=bias)
    text = str(kiln.transform.DispatchToLibrary(["onednn"])(mod)["main"])
    assert "kiln.contrib.dnnl.conv2d_relu" in text and "relu(" not in text.replace("conv2d_relu", "")
    args = random_args([(2, 8, 16, 16), (16, 8, 3, 3), (1, 16, 1, 1)], seed=3)
    np.testing.assert_allclose(run(mod, args, ["onednn"]), run(mod, args), rtol=1e-4, atol=1e-4)


@pytest.mark.skipif(not library_available("onednn"), reason="Kiln built without oneDNN")
def test_conv_block_fixture_matches_kiln():
    mod = kiln.parse((FIXTURES / "conv_block.kir").read_text())
    assert dispatched(mod, "onednn") == 2
    (x,) = random_args([(1, 16, 32, 32)], seed=4)
    np.testing.assert_allclose(run(mod, [x], ["onednn"]), run(mod, [x]), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("lib", LIBRARIES)
def test_unsupported_stays_with_kiln(lib):
    # int32 matmul, a batched right operand, a grouped convolution: Kiln's kernels, same numbers.
    xi, wi = relax.Var("x", tensor((4, 8), "int32")), relax.Var("w", tensor((8, 4), "int32"))
    int_mod = build([xi, wi], lambda bb, x, w: op.matmul(x, w))
    xb, wb = relax.Var("x", tensor((2, 4, 8))), relax.Var("w", tensor((2, 8, 4)))
    batched = build([xb, wb], lambda bb, x, w: op.matmul(x, w))
    for mod in (int_mod, batched, conv_module(groups=2)):
        assert dispatched(mod, lib) == 0
    args = [np.arange(32, dtype="int32").reshape(4, 8), np.ones((8, 4), "int32")]
    np.testing.assert_array_equal(run(int_mod, args, [lib]), args[0] @ args[1])
    args = random_args([(2, 8, 16, 16), (16, 4, 3, 3), (1, 16, 1, 1)], seed=5)
    np.testing.assert_allclose(run(conv_module(groups=2), args, [lib]), run(conv_module(groups=2), args), rtol=1e-5)


def test_missing_library_dispatches_nothing():
    name = "kiln.contrib.openblas.matmul"
    f = kiln.runtime.get_global_func(name, allow_missing=True)
    if f is None:
        assert not library_available("openblas")
    else:
        kiln.runtime.remove_global_func(name)
    try:
        assert not library_available("openblas")
        mod = kiln.parse((FIXTURES / "mlp.kir").read_text())
        assert dispatched(mod, "openblas") == 0
        args = random_args([(4, 784), (256, 784), (256,), (10, 256), (10,)])
        np.testing.assert_allclose(run(mod, args, ["openblas"]), run(mod, args), rtol=1e-6)
    finally:
        if f is not None:
            kiln.runtime.register_func(name, f)


def test_unknown_library_and_zero_pipeline_errors():
    with pytest.raises(kiln.Error, match="unknown library 'mkl'"):
        kiln.transform.DispatchToLibrary(["mkl"])
    with pytest.raises(kiln.Error, match="zero"):
        kiln.pipeline.get("zero", "llvm", dispatch=["onednn"])


def test_default_pipeline_places_dispatch_before_legalize():
    names = kiln.pipeline.get("default", "llvm", dispatch="onednn").names
    assert names.index("DispatchToLibrary") < names.index("ConvertConvLayout") < names.index("LegalizeOps")
    assert "DispatchToLibrary" not in kiln.pipeline.get("default", "llvm").names
