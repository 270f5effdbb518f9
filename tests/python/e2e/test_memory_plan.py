"""Memory planning end to end: the fixtures (an MLP, a ResNet-style conv
block, a transformer block with a symbolic batch and sequence length)
compiled with CallTIRRewrite and StaticPlanBlockMemory give the same numbers
as without, at several sizes; a stack of conv blocks needs far fewer peak
bytes when planned; the runtime's memory counters and the op wrappers."""

from pathlib import Path

import numpy as np
import pytest

import kiln
from kiln import relax
from kiln.relax import op

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
T = kiln.transform
F32 = kiln.DataType("float32")


def lowered(plan: bool):
    passes = [T.Normalize(), T.LegalizeOps(), T.DefaultSchedule()]
    if plan:
        passes += [T.CallTIRRewrite(), T.StaticPlanBlockMemory()]
    return T.Sequential(passes)


def run(mod, plan: bool, *args):
    """The result of main and the peak bytes the run allocated."""
    vm = kiln.VirtualMachine(kiln.compile(mod, pipeline=lowered(plan)), kiln.cpu())
    kiln.runtime.reset_peak_memory()
    base = kiln.runtime.memory_stats()["live_bytes"]
    y = vm["main"](*args).numpy()
    return y, kiln.runtime.memory_stats()["peak_bytes"] - base


def fixture(name):
    return kiln.parse((FIXTURES / name).read_text())


@pytest.mark.parametrize("n", [1, 4, 9])
def test_mlp_planned_equals_unplanned(n):
    rng = np.random.default_rng(n)
    args = [rng.standard_normal(s).astype("float32") for s in [(n, 784), (256, 784), (256,), (10, 256), (10,)]]
    mod = fixture("mlp.kir")
    ref, _ = run(mod, False, *args)
    got, _ = run(mod, True, *args)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)


def test_conv_block_planned_equals_unplanned():
    x = np.random.default_rng(0).standard_normal((1, 16, 32, 32)).astype("float32")
    mod = fixture("conv_block.kir")
    ref, plain = run(mod, False, x)
    got, planned = run(mod, True, x)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)
    assert planned < plain


@pytest.mark.parametrize("b,s", [(1, 3), (2, 7), (3, 16)])
def test_transformer_block_symbolic_planned_equals_unplanned(b, s):
    x = np.random.default_rng(b * 100 + s).standard_normal((b, s, 64)).astype("float32")
    mod = fixture("transformer_block.kir")
    ref, plain = run(mod, False, x)
    got, planned = run(mod, True, x)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)
    assert planned < plain


def conv_stack(blocks: int, channels: int = 16, size: int = 16):
    """The conv_block fixture's pattern repeated `blocks` times."""
    rng = np.random.default_rng(0)
    w = lambda *s: relax.Constant((rng.standard_normal(s) * 0.1).astype("float32"))  # noqa: E731
    x = relax.Var("x", relax.TensorStructInfo([1, channels, size, size], "float32"))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x], attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    h = x
    for i in range(blocks):
        skip = h
        for j in range(2):
            h = bb.emit(op.conv2d(h, w(channels, channels, 3, 3), padding=[1, 1]))
            h = bb.emit(op.batch_norm(h, w(channels), w(channels), w(channels),
                                      relax.Constant(np.full(channels, 1.5, "float32"))))
            if j == 0:
                h = bb.emit(op.relu(h))
        h = bb.emit(op.relu(op.add(h, skip)))
    out = bb.emit_output(h)
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


def test_conv_stack_peak_bytes_drop_with_planning():
    x = np.random.default_rng(1).standard_normal((1, 16, 16, 16)).astype("float32")
    mod = conv_stack(4)
    ref, plain = run(mod, False, x)
    got, planned = run(mod, True, x)
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)
    assert planned < 0.7 * plain, (planned, plain)


def test_planned_module_is_well_formed_prints_and_parses_back():
    with T.PassContext(instruments=[T.well_formed_check()]):
        mod = lowered(True)(fixture("transformer_block.kir"))
    text = mod.script()
    assert "relax.memory.alloc_storage(shape(b * s * 1024))" in text
    assert "relax.memory.kill_storage" in text and "with dataflow" not in text
    kiln.ir.assert_structural_equal(kiln.parse(text), mod)
    # kiln.compile runs these after its pipeline: they leave a planned module alone.
    kiln.ir.assert_structural_equal(T.Sequential([T.Normalize(), T.LegalizeOps(), T.DefaultSchedule()])(mod), mod)


def test_memory_stats_count_live_vm_allocations():
    mod = kiln.parse("""
module {
  func @main(x: Tensor((n, 8), float32)) -> Tensor((n, 8), float32) {
    a = relu(x)
    b = exp(a)
    return b
  }
}
""")
    vm = kiln.VirtualMachine(kiln.compile(mod, pipeline=lowered(True)), kiln.cpu())
    live = kiln.runtime.memory_stats()["live_bytes"]
    kiln.runtime.reset_peak_memory()
    y = vm["main"](np.ones((3, 8), "float32"))
    stats = kiln.runtime.memory_stats()
    assert stats["live_bytes"] - live == 3 * 8 * 4  # the result only: a's storage was freed
    assert stats["peak_bytes"] - live == 2 * 3 * 8 * 4
    del y
    assert kiln.runtime.memory_stats()["live_bytes"] == live


def test_memory_op_wrappers():
    x = relax.Var("x", relax.TensorStructInfo([4], "float32"))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x], is_pure=False)
    s = bb.emit(op.memory.alloc_storage(relax.ShapeExpr([64])))
    t = bb.emit(op.memory.alloc_tensor(s, relax.ShapeExpr([2, 8]), dtype=F32, offset=0))
    u = bb.emit(op.builtin.alloc_tensor(relax.ShapeExpr([3]), dtype=kiln.DataType("int32")))
    bb.emit(op.memory.kill_tensor(t))
    bb.emit(op.memory.kill_storage(s))
    bb.end_function(u)
    text = bb.get_module().script()
    assert "= relax.memory.alloc_storage(shape(64))" in text, text
    assert "Tensor((2, 8), float32) = relax.memory.alloc_tensor(" in text, text
    assert "Tensor((3,), int32) = relax.builtin.alloc_tensor(shape(3), dtype=int32)" in text, text
    assert kiln.parse(text).script() == text
    with pytest.raises(kiln.Error, match="relax.memory.alloc_tensor: argument 'storage' must be a storage"):
        relax.BlockBuilder().normalize(op.memory.alloc_tensor(x, relax.ShapeExpr([4]), dtype=F32))


def test_upper_bound_plans_symbolic_sizes_at_the_bound():
    text = (FIXTURES / "transformer_block.kir").read_text().replace(
        'attrs {"global_symbol": "main"}',
        'attrs {"global_symbol": "main", "tir_var_upper_bound": [["b", 2], ["s", 8]]}')
    mod = kiln.parse(text)
    planned = lowered(True)(mod)
    assert "alloc_storage(shape(b * s" not in planned.script()  # every size is a constant
    assert "relax.memory.alloc_storage(shape(16384))" in planned.script()  # 2 * 8 * 256 floats
    vm = kiln.VirtualMachine(kiln.compile(planned), kiln.cpu())
    for b, s in [(1, 3), (2, 8)]:
        x = np.random.default_rng(s).standard_normal((b, s, 64)).astype("float32")
        ref, _ = run(mod, False, x)
        np.testing.assert_allclose(vm["main"](x).numpy(), ref, rtol=1e-5, atol=1e-5)
    # Above the bound the VM refuses the argument before any allocation.
    with pytest.raises(kiln.Error, match="symbolic dimension 's' is 9, above its declared upper bound 8"):
        vm["main"](np.zeros((2, 9, 64), "float32"))
