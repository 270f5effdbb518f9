"""Runs one op through LegalizeOps and the LLVM build, without the VM: the
module's relax function is a single call; after legalization it is a single
call_tir, whose PrimFunc is built and called directly (destination-passing:
outputs are extra arguments)."""

import numpy as np

import kiln
from kiln import relax, tir


def tensor_var(name, shape, dtype):
    return relax.Var(name, relax.TensorStructInfo(list(shape), dtype))


def legalize_call(make_call, arg_specs):
    """make_call(*vars) -> a relax call of one op; arg_specs: [(shape, dtype)],
    shapes may hold tir.SizeVar. Returns the legalized module."""
    params = [tensor_var(f"x{i}", shape, dtype) for i, (shape, dtype) in enumerate(arg_specs)]
    bb = relax.BlockBuilder()
    bb.begin_function("main", params)
    bb.begin_dataflow_block()
    out = bb.emit_output(bb.emit(make_call(*params)))
    bb.end_dataflow_block()
    bb.end_function(out)
    return kiln.transform.LegalizeOps()(bb.get_module())


def kernel_of(mod):
    """The one PrimFunc a single-op module legalizes to, and its name."""
    prims = [(name, f) for name, f in mod.functions.items() if isinstance(f, tir.PrimFunc)]
    assert len(prims) == 1, f"expected one PrimFunc, got {[n for n, _ in prims]}"
    return prims[0]


def run_op(make_call, *inputs, out_dtypes=None):
    """Legalizes make_call over inputs (NumPy arrays), runs the kernel, and
    returns its outputs as NumPy arrays (a list when there are several)."""
    mod = legalize_call(make_call, [(a.shape, str(a.dtype)) for a in inputs])
    name, prim = kernel_of(mod)
    sinfo = mod["main"].ret_struct_info
    outs_sinfo = sinfo.fields if isinstance(sinfo, relax.TupleStructInfo) else [sinfo]
    outs = [np.zeros([int(d.value) for d in s.shape], s.dtype) for s in outs_sinfo]
    rt = kiln.build(kiln.IRModule({name: prim}), target="llvm", name=name)
    args = [kiln.nd.array(np.ascontiguousarray(a)) for a in inputs] + [kiln.nd.array(o) for o in outs]
    rt[name](*args)
    results = [a.numpy() for a in args[len(inputs):]]
    return results if len(results) > 1 else results[0]
