"""LiftTransformParams end to end: an MLP whose weights are parameters in the
PyTorch layout (transposed before each matmul) is compiled; main_transform_params
runs once, main runs on its results; numbers equal NumPy's and main no longer
transposes."""

import numpy as np
import pytest

import kiln
from kiln import relax, tir
from kiln.relax import op


def mlp_module():
    """x @ w1.T + b1, relu, @ w2.T + b2: weights as parameters after the input."""
    n = tir.SizeVar("n")
    t = lambda *s: relax.TensorStructInfo(list(s), "float32")  # noqa: E731
    x, w1, b1 = relax.Var("x", t(n, 16)), relax.Var("w1", t(32, 16)), relax.Var("b1", t(32))
    w2, b2 = relax.Var("w2", t(10, 32)), relax.Var("b2", t(10))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x, w1, b1, w2, b2], attrs={"global_symbol": "main", "num_input": 1})
    bb.begin_dataflow_block()
    h = bb.emit(op.relu(op.add(op.matmul(x, op.permute_dims(w1)), b1)))
    out = bb.emit_output(op.add(op.matmul(h, op.permute_dims(w2)), b2))
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


def kernels_called(func):
    """The names of the kernels a relax function calls with call_tir, in order."""
    return [
        b.value.args[0].name
        for block in func.body.blocks
        for b in block.bindings
        if isinstance(b.value, relax.Call) and getattr(b.value.op, "name", "") == "relax.call_tir"
    ]


@pytest.mark.parametrize("legalize_first", [True, False], ids=["call_tir", "ops"])
def test_mlp_transform_params_once(legalize_first):
    mod = mlp_module()
    if legalize_first:  # the default pipeline's order
        mod = kiln.transform.LegalizeOps()(mod)
    lifted = kiln.transform.LiftTransformParams()(mod)
    assert set(lifted.functions) == set(mod.functions) | {"main_transform_params"}
    assert [p.name for p in lifted["main"].params][:1] == ["x"]
    assert lifted["main"].attrs["num_input"] == 1

    legalized = kiln.transform.LegalizeOps()(lifted)
    main_kernels = kernels_called(legalized["main"])
    transform_kernels = kernels_called(legalized["main_transform_params"])
    assert not [k for k in main_kernels if "permute_dims" in k], main_kernels
    assert [k for k in transform_kernels if "permute_dims" in k] and len(transform_kernels) == 2
    before_kernels = kernels_called(kiln.transform.LegalizeOps()(mod)["main"])
    assert len(main_kernels) == len(before_kernels) - 2

    rng = np.random.default_rng(0)
    w1, b1 = rng.standard_normal((32, 16)).astype("float32"), rng.standard_normal(32).astype("float32")
    w2, b2 = rng.standard_normal((10, 32)).astype("float32"), rng.standard_normal(10).astype("float32")
    vm = kiln.VirtualMachine(kiln.compile(lifted), kiln.cpu())
    params = vm["main_transform_params"](w1, b1, w2, b2)
    assert len(params) == 4  # b1 and b2 pass through, w1.T and w2.T are new
    shapes = sorted(tuple(p.shape) for p in params)
    assert shapes == [(10,), (16, 32), (32,), (32, 10)]
    for n in (1, 5):
        x = rng.standard_normal((n, 16)).astype("float32")
        expected = np.maximum(x @ w1.T + b1, 0) @ w2.T + b2
        np.testing.assert_allclose(vm["main"](x, *params).numpy(), expected, rtol=1e-4, atol=1e-4)


def test_functions_without_num_input_stay():
    mod = kiln.parse("""
module {
  func @main(x: Tensor((2, 3), float32), w: Tensor((4, 3), float32)) -> Tensor((2, 4), float32) {
    wt: Tensor((3, 4), float32) = permute_dims(w)
    y: Tensor((2, 4), float32) = matmul(x, wt)
    return y
  }
}
""")
    out = kiln.transform.LiftTransformParams()(mod)
    assert list(out.functions) == ["main"]
    assert str(out) == str(mod)
