"""
Bring your own codegen
======================

Hand parts of a model to a code generator of your own, one that returns
compiled functions Kiln's virtual machine calls like its own kernels: a
prototype written with NumPy, the C code generator that ships with Kiln (C
source compiled by the system compiler, for custom and embedded flows), or
an accelerator's toolchain. **S0** shows the elements: the ``Codegen``
attribute ``FuseOpsByPattern`` puts on a partition, the ``RunCodegen`` pass,
the registry of code generators and the runtime module they return. **S1**
sends an MLP's matmul + bias + relu to a NumPy code generator and to the
``"c"`` one, checks and times both against Kiln's default build, shows the
generated C, and the device-only PTX path of the cuda target. **S2**
composes the partition with the default pipeline, exports the result, and
says when to use this rather than dispatch to a library or a new op.

The guide runs an MLP of width 256 in the documentation build
(KILN_DOCS_MODE=short) and of width 1024 with ``scripts/docs.sh --full``.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

import kiln
from kiln.relax.pattern import is_op, wildcard

full = os.environ.get("KILN_DOCS_MODE", "short") == "full"
width, batch = (1024, 128) if full else (256, 32)

######################################################################
# S0: the elements
# ----------------
# A model: two layers of ``relu(x @ w + b)`` and an output layer, with a
# symbolic batch size ``n``.

mod = kiln.parse(
    f"""module {{
  func @main(x: Tensor((n, {width}), float32), w1: Tensor(({width}, {width}), float32), b1: Tensor(({width},), float32),
             w2: Tensor(({width}, {width}), float32), b2: Tensor(({width},), float32),
             w3: Tensor(({width}, 10), float32)) -> Tensor((n, 10), float32) {{
    with dataflow {{
      lv: Tensor((n, {width}), float32) = matmul(x, w1)
      lv1: Tensor((n, {width}), float32) = add(lv, b1)
      lv2: Tensor((n, {width}), float32) = relu(lv1)
      lv3: Tensor((n, {width}), float32) = matmul(lv2, w2)
      lv4: Tensor((n, {width}), float32) = add(lv3, b2)
      lv5: Tensor((n, {width}), float32) = relu(lv4)
      output gv: Tensor((n, 10), float32) = matmul(lv5, w3)
    }}
    return gv
  }}
}}"""
)

######################################################################
# A pattern picks what the code generator takes: here ``relu(matmul(x, w)
# + b)``. ``FuseOpsByPattern`` with ``annotate_codegen=True`` puts each
# match in a function tagged ``Composite`` (the pattern's name) called by
# an outer function tagged ``Codegen``: the pattern name's first word, the
# name of the code generator that will take it.

mm_bias_relu = is_op("relax.relu")(is_op("relax.add")(is_op("relax.matmul")(wildcard(), wildcard()), wildcard()))


def partition(codegen):
    return kiln.transform.FuseOpsByPattern([(f"{codegen}.mm_bias_relu", mm_bias_relu)], annotate_codegen=True)


grouped = partition("c")(mod)
print(grouped)

######################################################################
# Code generators are registered by name; ``"c"`` ships with Kiln. The
# ``RunCodegen`` pass hands each code generator the functions tagged with
# its name (in one IRModule, each under its symbol, with the ``Composite``
# functions they call), replaces their calls by ``call_dps_packed`` of the
# symbol, and records the runtime module it returned in the module's
# attribute ``external_mods``; ``kiln.compile`` imports those modules into
# the kernel module the VM calls.

print(kiln.codegen.list_external())
handed = kiln.transform.RunCodegen()(grouped)
print(handed["main"])
print([(m.kind, m.function_names) for m in handed.attrs["external_mods"]])

######################################################################
# What a code generator returns is a runtime module with one function per
# symbol, in the destination-passing convention: the inputs, then the
# outputs the VM allocated. ``kiln.runtime.Module.from_functions`` makes one
# from Python callables, which is all a prototype needs.

######################################################################
# S1: transformations and their effect
# ------------------------------------
# (a) A prototype: a code generator written in Python that implements every
# function it is handed with NumPy. It reads the ``Composite`` name to know
# what the function computes.


def numpy_codegen(funcs):
    kernels = {}
    for name, func in funcs.functions.items():
        if func.attrs.get("Codegen") != "numpy":
            continue
        composite = [f for f in funcs.functions.values() if "Composite" in f.attrs][0].attrs["Composite"]
        assert composite == "numpy.mm_bias_relu", composite

        def kernel(x, w, b, out):
            out.copyfrom(np.maximum(x.numpy() @ w.numpy() + b.numpy(), 0))

        kernels[name] = kernel
    return kiln.runtime.Module.from_functions(kernels)


kiln.codegen.register_external("numpy", numpy_codegen, override=True)

######################################################################
# (b) The shipped ``"c"`` code generator legalizes each function's ops,
# merges its kernels into one tir function (as ``FuseTIR`` does), schedules
# it with the default CPU rules and writes it as C; the system C compiler
# builds it on first use. Each variant is the default pipeline run on the
# module after ``RunCodegen``; we time them in the same run (figures are
# noisy on a shared machine: compare the ratios).

rng = np.random.default_rng(0)
shapes = [(batch, width), (width, width), (width,), (width, width), (width,), (width, 10)]
args = [kiln.nd.array((rng.standard_normal(s) * 0.05).astype("float32")) for s in shapes]
x, w1, b1, w2, b2, w3 = (a.numpy() for a in args)
expected = np.maximum(np.maximum(x @ w1 + b1, 0) @ w2 + b2, 0) @ w3


def compiled(codegen):
    m = mod if codegen is None else kiln.transform.RunCodegen()(partition(codegen)(mod))
    return kiln.compile(m, target="llvm")


results = {}
for name, codegen in [("kiln default", None), ("numpy codegen", "numpy"), ("c codegen", "c")]:
    ex = compiled(codegen)
    vm = kiln.VirtualMachine(ex, kiln.cpu())
    np.testing.assert_allclose(vm["main"](*args).numpy(), expected, rtol=1e-3, atol=1e-4)
    timing = vm.time_evaluator("main", number=10, repeat=5 if full else 3)(*args)
    results[name] = (ex, timing.median * 1e3)
print(f"MLP {width} wide, batch {batch}, {kiln.runtime.num_threads()} threads")
print(f"{'variant':16s} {'ms':>8s} {'variant / default':>18s}")
for name, (_, ms) in results.items():
    print(f"{name:16s} {ms:8.3f} {ms / results['kiln default'][1]:18.2f}")

######################################################################
# The numbers: the ``"c"`` function runs the same default CPU schedule as
# Kiln's kernels, but compiled by ``cc -O2`` for a generic CPU and without
# the packed weights of the default pipeline, so it trails the LLVM build;
# its point is where the code goes (any C toolchain), not speed. The NumPy
# prototype pays a Python call, copies and NumPy's own threads per call: it
# checks numbers and interfaces, not performance.
#
# The C the ``"c"`` code generator wrote, from the kernel module's import:
# the exported function named by the symbol checks its arguments (count,
# dtypes, shapes with the symbolic ``n``, strides, alignment) and calls the
# fused loop nest, whose rows run in parallel on Kiln's thread pool:

c_module = results["c codegen"][0].kernels.imports[0]
source = c_module.get_source("c")
start = source.index("static int32_t fused_c_mm_bias_relu_parallel_0(")
print("\n".join(source[start:].splitlines()[:30]))

######################################################################
# (c) Device-only code. The cuda target writes PTX for the GPU and no host
# code, the path for a device toolchain that takes PTX: build a tir
# function for ``"cuda"`` and take its source. NVIDIA's assembler
# ``ptxas`` checks it where the CUDA toolkit is installed; no GPU is needed
# to compile.

a = kiln.tir.te.placeholder((kiln.tir.SizeVar("n"),), "float32", name="A")
b = kiln.tir.te.compute(a.shape, lambda i: kiln.tir.max(a[i], 0.0), name="B")
sch = kiln.tir.Schedule(kiln.tir.te.create_prim_func([a, b]))
(i,) = sch.get_loops(sch.get_block("B"))
bx, tx = sch.split(i, factors=[None, 128])
sch.bind(bx, "blockIdx.x")
sch.bind(tx, "threadIdx.x")
ptx = kiln.build(sch.mod, target="cuda").get_source("ptx")
print(ptx[ptx.index(".visible .entry"):][:600])
if shutil.which("ptxas"):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "relu.ptx").write_text(ptx)
        r = subprocess.run(["ptxas", "-arch=sm_80", "relu.ptx", "-o", "relu.cubin"], cwd=tmp, capture_output=True)
        print("ptxas:", "ok" if r.returncode == 0 else r.stderr.decode())
else:
    print("ptxas: not installed here")

######################################################################
# S2: how it fits the overall flow
# --------------------------------
# The default pipeline runs ``RunCodegen`` right after library dispatch,
# before ``LegalizeOps`` (which would otherwise lower the tagged functions'
# ops to Kiln's own kernels); it does nothing while no function is tagged.
# So the partition is the one pass to splice in, just before it;
# everything the pattern does not take (the output layer here) is
# legalized, fused and scheduled as usual.

pipeline = kiln.pipeline.get("default", "llvm")
pipeline.insert_before("RunCodegen", partition("c"))
print(pipeline)
ex = kiln.compile(mod, target="llvm", pipeline=pipeline)
vm = kiln.VirtualMachine(ex, kiln.cpu())
np.testing.assert_allclose(vm["main"](*args).numpy(), expected, rtol=1e-3, atol=1e-4)

######################################################################
# A module from the ``"c"`` code generator compiles into the shared library
# ``export_library`` writes, next to Kiln's kernels and the executable; it
# loads with the runtime alone. Modules of Python functions run in process
# only, and exporting them says so.

with tempfile.TemporaryDirectory() as tmp:
    ex.export_library(Path(tmp) / "mlp_c.so")
    loaded = kiln.VirtualMachine(kiln.load(str(Path(tmp) / "mlp_c.so")), kiln.cpu())
    np.testing.assert_allclose(loaded["main"](*args).numpy(), expected, rtol=1e-3, atol=1e-4)
    try:
        results["numpy codegen"][0].export_library(Path(tmp) / "mlp_numpy.so")
    except kiln.Error as e:
        print(str(e).splitlines()[0])

######################################################################
# When to use which:
#
# - **Bring your own codegen** when another compiler or toolchain should
#   own whole subgraphs: an accelerator's SDK, C for a flow that compiles
#   kernels elsewhere (embedded targets), or a quick NumPy prototype of what
#   a backend will do. The code generator sees the relax functions, so it
#   can pick its own kernels per ``Composite`` name.
# - **Dispatch to a library** (``kiln.pipeline.get(..., dispatch=[...])``,
#   or a pass with ``rewrite_call``) when a function already exists at run
#   time under a name: a BLAS or oneDNN call needs no code generator, only
#   ``call_dps_packed`` of the name.
# - **A new op** (``kiln.relax.register_op``, see "Customize operators")
#   when the computation is new to Kiln and should be legalized, fused and
#   scheduled with everything else rather than taken out of the graph.

kiln.codegen.remove_external("numpy")
