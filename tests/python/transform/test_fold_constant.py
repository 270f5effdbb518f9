"""FoldConstant: bindings computed from constants alone become constants
equal to NumPy's results, before and after LegalizeOps, and the folded module
compiles to the same numbers as the original; the size limit and parameters
leave bindings as they are."""

import numpy as np
import pytest

import kiln
from kiln import relax
from kiln.relax import op


def bindings(func):
    return [b for block in func.body.blocks for b in block.bindings]


def value_of(mod, name):
    """The value bound to the variable called ``name`` in main."""
    (binding,) = [b for b in bindings(mod["main"]) if b.var.name == name]
    return binding.value


def add_module(a, b):
    bb = relax.BlockBuilder()
    bb.begin_function("main", [])
    out = bb.emit(op.add(relax.Constant(a), relax.Constant(b)), "sum")
    bb.end_function(out)
    return bb.get_module()


def test_add_of_constants():
    a = np.arange(6, dtype="float32").reshape(2, 3)
    b = np.array([10, 20, 30], dtype="float32")
    mod = add_module(a, b)
    folded = kiln.transform.FoldConstant()(mod)
    value = value_of(folded, "sum")
    assert isinstance(value, relax.Constant)
    np.testing.assert_array_equal(value.data.numpy(), a + b)
    for m in (mod, folded):
        vm = kiln.VirtualMachine(kiln.compile(m), kiln.cpu())
        np.testing.assert_array_equal(vm["main"]().numpy(), a + b)


def matmul_transpose_module(w):
    """main(x) = matmul(x, permute_dims(W)) with W a constant (a Linear layer)."""
    x = relax.Var("x", relax.TensorStructInfo([kiln.tir.SizeVar("n"), w.shape[1]], "float32"))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x])
    bb.begin_dataflow_block()
    wt = bb.emit(op.permute_dims(relax.Constant(w)), "wt")
    out = bb.emit_output(op.matmul(x, wt), "out")
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


@pytest.mark.parametrize("legalize_first", [False, True], ids=["ops", "call_tir"])
def test_transpose_of_constant_weight(legalize_first):
    rng = np.random.default_rng(0)
    w = rng.standard_normal((24, 40)).astype("float32")
    mod = matmul_transpose_module(w)
    if legalize_first:  # the default pipeline's order
        mod = kiln.transform.LegalizeOps()(mod)
    folded = kiln.transform.FoldConstant()(mod)
    wt = value_of(folded, "wt")
    assert isinstance(wt, relax.Constant)
    np.testing.assert_array_equal(wt.data.numpy(), w.T)
    assert not isinstance(value_of(folded, "out"), relax.Constant)

    x = rng.standard_normal((3, 40)).astype("float32")
    results = []
    for m in (mod, folded):
        vm = kiln.VirtualMachine(kiln.compile(m), kiln.cpu())
        results.append(vm["main"](x).numpy())
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_allclose(results[1], x @ w.T, rtol=1e-5, atol=1e-5)


def test_size_limit_from_config():
    a = np.ones((4, 4), dtype="float32")
    mod = add_module(a, a)
    with kiln.transform.PassContext(config={"relax.fold_constant.max_bytes": 63}):
        assert not isinstance(value_of(kiln.transform.FoldConstant()(mod), "sum"), relax.Constant)
    with kiln.transform.PassContext(config={"relax.fold_constant.max_bytes": 64}):
        assert isinstance(value_of(kiln.transform.FoldConstant()(mod), "sum"), relax.Constant)


def test_registered_with_its_config():
    assert "FoldConstant" in [p["name"] for p in kiln.transform.list_passes()]
    keys = {c["key"] for c in kiln.transform.list_pass_configs()}
    assert "relax.fold_constant.max_bytes" in keys
