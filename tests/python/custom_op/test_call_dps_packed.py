"""call_dps_packed to a function registered by name from Python: a NumPy
RoPE called from a compiled model (arguments and output arrive as kiln
arrays that NumPy views through DLPack without a copy), the same numbers as
the call_tir kernel; a missing function is an error naming it when the VM loads,
and an exception inside the function names the function."""

import re

import numpy as np
import pytest

import kiln

from rope_models import inputs, model_call_dps_packed, model_call_tir, numpy_rope, reference, rope_kernel, run

SEEN = {}


@kiln.register_func("test.custom_op.numpy_rope", override=True)
def _numpy_rope(x, cos, sin, out):
    views = [np.from_dlpack(a) for a in (x, cos, sin, out)]
    SEEN.update(types={type(a).__name__ for a in (x, cos, sin, out)},
                shared=all(v.ctypes.data == a.data_ptr for v, a in zip(views, (x, cos, sin, out))))
    numpy_rope(*views[:3], out=views[3])


@pytest.mark.compat("call_dps_packed", "llvm")
@pytest.mark.parametrize("s", [1, 12])
def test_numpy_function_called_from_a_compiled_model(s):
    args = inputs(s, seed=s)
    got = run(model_call_dps_packed("test.custom_op.numpy_rope"), args)
    np.testing.assert_allclose(got, reference(*args), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got, run(model_call_tir(rope_kernel()), args), rtol=1e-5, atol=1e-5)
    assert SEEN == {"types": {"NDArray"}, "shared": True}  # kiln arrays, NumPy views of the same memory


def test_the_call_stays_a_call_through_the_default_pipeline():
    # Opaque to fusion: the kernels around it are fused without it, and the
    # call writes into an output the memory planner allocated.
    lowered = kiln.pipeline.get("default", "llvm")(model_call_dps_packed("test.custom_op.numpy_rope"))
    kernels = [name for name, f in lowered.functions.items() if isinstance(f, kiln.tir.PrimFunc)]
    assert sorted(kernels) == ["fused_reshape1_add", "matmul", "reshape"]
    assert re.search(r'= extern\("test\.custom_op\.numpy_rope"\)\(lv1, cos, sin, lv2\)\n', str(lowered["main"]))


def test_missing_function_is_named_when_the_vm_loads():
    ex = kiln.compile(model_call_dps_packed("test.custom_op.not_registered"))  # compiles: looked up by the VM
    with pytest.raises(kiln.Error, match=r"cannot resolve global function 'test\.custom_op\.not_registered'"):
        kiln.VirtualMachine(ex, kiln.cpu())


def test_registered_after_compiling_and_exceptions_name_the_function():
    ex = kiln.compile(model_call_dps_packed("test.custom_op.late"))

    def late(x, cos, sin, out):
        raise RuntimeError("late kernel failed")

    kiln.register_func("test.custom_op.late", late)
    try:
        vm = kiln.VirtualMachine(ex, kiln.cpu())
        with pytest.raises(kiln.Error, match=r"test\.custom_op\.late(.|\n)*RuntimeError: late kernel failed"):
            vm["main"](*inputs(2))
        kiln.register_func("test.custom_op.late", _numpy_rope, override=True)
        vm = kiln.VirtualMachine(ex, kiln.cpu())  # functions are resolved when the VM loads
        args = inputs(3)
        np.testing.assert_allclose(vm["main"](*args).numpy(), reference(*args), rtol=1e-5, atol=1e-5)
    finally:
        kiln.remove_global_func("test.custom_op.late")
