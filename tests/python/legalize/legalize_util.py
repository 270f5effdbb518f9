"""Runs one op through LegalizeOps and the LLVM build, without the VM: the
module's relax function is a single call; after legalization it is a single
call_tir, whose PrimFunc is built and called directly (destination-passing:
outputs are extra arguments). Also the comparison the legalization tests
share.

Every kernel runs in the mode conftest.py sets for the test: "legalized" (as
LegalizeOps wrote it) or "scheduled" (after the default CPU schedule, the
rules DefaultSchedule applies, with the parallel threshold lowered to 1 so
that the tests' small shapes take the parallel paths too), so each op and
each symbolic case is checked both ways."""

from collections import OrderedDict

import numpy as np

import kiln
from kiln import ir, relax, tir


def tensor_var(name, shape, dtype):
    return relax.Var(name, relax.TensorStructInfo(list(shape), dtype))


def legalize_call(make_call, arg_specs):
    """make_call(*vars) -> a relax call of one op; arg_specs: one per var, a
    (shape, dtype) pair (shapes may hold tir.SizeVar) or a struct info (a
    tensor of unknown shape, a tuple). Returns the legalized module."""
    params = [
        relax.Var(f"x{i}", spec) if isinstance(spec, ir.StructInfo) else tensor_var(f"x{i}", *spec)
        for i, spec in enumerate(arg_specs)
    ]
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


MODES = ("legalized", "scheduled")
mode = "legalized"  # set per test by conftest.py

# Kernels built for the current mode, by module (the entry keeps the module
# alive, so its id is not reused): symbolic tests run one module at several
# sizes and build it once.
_built = OrderedDict()


def scheduled_kernel(prim):
    """The default CPU schedule of `prim` as the "scheduled" mode runs it
    (min_parallel_work=1: loop nests of any size run in parallel). Returns
    the kiln.tir.schedule.DefaultScheduleResult."""
    return tir.schedule.default_schedule(prim, min_parallel_work=1)


def build_kernel(mod):
    """The one PrimFunc of a legalized module, scheduled in "scheduled" mode,
    built with LLVM: (the runtime module, its name)."""
    key = (id(mod), mode)
    if key in _built:
        _built.move_to_end(key)
        return _built[key][1:]
    name, prim = kernel_of(mod)
    if mode == "scheduled":
        result = scheduled_kernel(prim)
        assert not result.fallback, f"the default schedule of {name} gave up: {result.fallback}"
        prim = result.func
    rt = kiln.build(kiln.IRModule({name: prim}), target="llvm", name=name)
    _built[key] = (mod, rt, name)
    if len(_built) > 8:
        _built.popitem(last=False)
    return rt, name


def run_kernel(mod, inputs, out_specs=None, scalars=()):
    """Builds the one PrimFunc of a legalized module (its shapes may be
    symbolic) and runs it on NumPy `inputs` (rank 0 included); `out_specs`
    are the outputs' [(shape, dtype)] for these inputs (default: the static
    result of mod["main"]) and `scalars` the PrimFunc's scalar parameters
    (call_tir's tir_vars), if any. Returns the outputs as NumPy arrays (a
    list when there are several)."""
    if out_specs is None:
        sinfo = mod["main"].ret_struct_info
        fields = sinfo.fields if isinstance(sinfo, relax.TupleStructInfo) else [sinfo]
        out_specs = [([int(d.value) for d in s.shape], s.dtype) for s in fields]
    rt, name = build_kernel(mod)
    outs = [kiln.nd.array(np.zeros(shape, dtype)) for shape, dtype in out_specs]
    rt[name](*[kiln.nd.array(np.require(a, requirements="C")) for a in inputs], *outs, *scalars)
    results = [o.numpy() for o in outs]
    return results if len(results) > 1 else results[0]


def run_op(make_call, *inputs):
    """make_call legalized over the shapes and dtypes of NumPy `inputs` (rank
    0 included) and run on them; the outputs as run_kernel returns them."""
    return run_kernel(legalize_call(make_call, [(a.shape, str(a.dtype)) for a in inputs]), inputs)


def check(got, want, rtol=1e-5, atol=1e-6):
    """Asserts that `got` has the shape and dtype of `want`, and its values:
    exactly for bool and integer dtypes, within rtol and atol otherwise."""
    want = np.asarray(want)
    assert (got.shape, got.dtype) == (want.shape, want.dtype), (got.shape, got.dtype, want.shape, want.dtype)
    if want.dtype.kind in "biu":
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def run_symbolic(make_call, arg_specs, cases, compare=check, **tol):
    """Legalizes make_call once over arg_specs (shapes with tir.SizeVar),
    then runs the kernel on each (inputs, want) case, `want` the expected
    output (a list when there are several), comparing each output with
    compare(got, want, **tol). Returns the module."""
    mod = legalize_call(make_call, arg_specs)
    for inputs, want in cases:
        wants = want if isinstance(want, list) else [want]
        got = run_kernel(mod, inputs, out_specs=[(w.shape, str(w.dtype)) for w in wants])
        for g, w in zip(got if isinstance(want, list) else [got], wants):
            compare(g, w, **tol)
    return mod
