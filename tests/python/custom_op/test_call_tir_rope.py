"""call_tir with a loop program of our own: rotary position embedding written
in the compute DSL and in the text format, called from a model and compiled
with the default pipeline; numbers against NumPy and against the same model
written with built-in ops. What the pipeline does with the kernel: an
unscheduled kernel is fused with its neighbours and scheduled by the default
rules; a kernel marked scheduled and opaque keeps its hand-written schedule."""

import re

import numpy as np
import pytest

import kiln
from kiln import tir

from rope_models import ROPE_TEXT, inputs, model_builtin, model_call_tir, reference, rope_kernel, run

DEFAULT = kiln.pipeline.get("default", "llvm")


def kernels(lowered):
    return re.findall(r"prim @(\w+)", str(lowered))


def hand_scheduled(kernel):
    """(s, h) fused and parallel, d vectorized."""
    sch = kiln.tir.Schedule(kernel)
    i, h, d = sch.get_loops(sch.get_block("rope"))
    sch.parallel(sch.fuse(i, h))
    sch.vectorize(d)
    return sch.mod["main"]


def with_attrs(f, attrs):
    return tir.PrimFunc([b for _, b in f.buffer_map], f.body, attrs={**f.attrs, **attrs})


@pytest.mark.compat("call_tir", "llvm")
@pytest.mark.parametrize("s", [1, 7, 33])
def test_te_kernel_in_a_model_matches_numpy(s):
    args = inputs(s, seed=s)
    np.testing.assert_allclose(run(model_call_tir(rope_kernel()), args), reference(*args), rtol=1e-5, atol=1e-5)


def test_kernel_alone_matches_numpy():
    from rope_models import numpy_rope, tables

    rt = kiln.build(rope_kernel(), target="llvm")
    x = np.random.default_rng(3).standard_normal((5, 4, 16)).astype("float32")
    cos, sin = tables(5)
    out = kiln.nd.empty((5, 4, 16), "float32")
    rt["main"](kiln.nd.array(x), kiln.nd.array(cos), kiln.nd.array(sin), out)
    np.testing.assert_allclose(out.numpy(), numpy_rope(x, cos, sin), rtol=1e-6, atol=1e-6)


def test_text_kernel_is_the_te_kernel():
    mod = kiln.parse(ROPE_TEXT)
    assert kiln.ir.structural_equal(mod["rope"], rope_kernel())
    assert kiln.ir.structural_equal(kiln.parse(str(mod)), mod)
    args = inputs(6, seed=1)
    np.testing.assert_allclose(run(mod, args), reference(*args), rtol=1e-5, atol=1e-5)


def test_same_numbers_as_the_model_with_built_in_ops():
    args = inputs(9, seed=2)
    np.testing.assert_allclose(run(model_call_tir(rope_kernel()), args), run(model_builtin(), args),
                               rtol=1e-6, atol=1e-6)


def test_unscheduled_kernel_is_fused_and_scheduled_by_the_default_rules():
    lowered = DEFAULT(model_call_tir(rope_kernel()))
    # reshape -> rope -> reshape -> add: one injective kernel after the matmul.
    assert kernels(lowered) == ["matmul", "fused_reshape_rope_reshape1_add"]
    fused = str(lowered).split("prim @fused_reshape_rope_reshape1_add", 1)[1]
    assert '"tir.schedule_rule": "injective"' in fused and "parallel(" in fused and "vectorized(" in fused


def test_scheduled_opaque_kernel_keeps_its_schedule():
    kernel = with_attrs(hand_scheduled(rope_kernel()), {"tir.is_scheduled": True, "op_pattern": 5})
    lowered = DEFAULT(model_call_tir(kernel))
    assert "rope" in kernels(lowered) and "fused_reshape_rope_reshape1_add" not in kernels(lowered)
    assert kiln.ir.structural_equal(lowered["rope"], kernel)  # neither fused nor rescheduled
    for s in (1, 10):
        args = inputs(s, seed=10 + s)
        np.testing.assert_allclose(run(model_call_tir(kernel), args), reference(*args), rtol=1e-5, atol=1e-5)


def test_scheduled_kernel_is_kept_whole_without_a_pattern_too():
    # "tir.is_scheduled" alone makes AnnotateTIROpPattern call the kernel
    # opaque: fusing it would throw its schedule away.
    kernel = with_attrs(hand_scheduled(rope_kernel()), {"tir.is_scheduled": True})
    lowered = DEFAULT(model_call_tir(kernel))
    assert "rope" in kernels(lowered) and "fused_reshape_rope_reshape1_add" not in kernels(lowered)
    assert lowered["rope"].attrs["op_pattern"] == 5
    args = inputs(4, seed=4)
    np.testing.assert_allclose(run(model_call_tir(kernel), args), reference(*args), rtol=1e-5, atol=1e-5)


def test_default_schedule_of_the_kernel_alone():
    r = kiln.tir.schedule.default_schedule(rope_kernel())
    assert r.rule == "injective"
    rt = kiln.build(r.func, target="llvm")
    assert "main" in rt.function_names or rt.get_function("main") is not None
