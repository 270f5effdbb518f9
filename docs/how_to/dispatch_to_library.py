"""
Dispatch to a library
=====================

Send the matrix products and convolutions of a model to OpenBLAS or oneDNN
while Kiln compiles everything else, and check that it pays. **S0** shows
the elements: patterns over relax op calls and ``FuseOpsByPattern``, which
groups what they match. **S1** writes a dispatch pass in a few lines of
Python with ``rewrite_call`` and measures it against Kiln's own kernels and
against the built-in ``DispatchToLibrary``. **S2** composes dispatch with
the default pipeline, and says when to use it.

The guide runs an MLP of width 256 in the documentation build
(KILN_DOCS_MODE=short) and of width 1024 with ``scripts/docs.sh --full``.
"""

import os
import time

# oneDNN's OpenMP threads should sleep between calls rather than spin
# against Kiln's thread pool; libgomp reads this when it loads.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import numpy as np  # noqa: E402

import kiln  # noqa: E402
from kiln import relax  # noqa: E402
from kiln.relax import op  # noqa: E402
from kiln.relax.pattern import is_op, library_available, library_patterns, rewrite_call, wildcard  # noqa: E402

full = os.environ.get("KILN_DOCS_MODE", "short") == "full"
width, batch = (1024, 128) if full else (256, 32)

######################################################################
# S0: the elements
# ----------------
# A model: three linear layers with relu between them, weights as
# parameters.


def mlp(width, batch, layers=3):
    x = relax.Var("x", relax.TensorStructInfo([batch, width], "float32"))
    ws = [relax.Var(f"w{i}", relax.TensorStructInfo([width, width], "float32")) for i in range(layers)]
    bs = [relax.Var(f"b{i}", relax.TensorStructInfo([width], "float32")) for i in range(layers)]
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x] + ws + bs, attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    h = x
    for i in range(layers):
        h = bb.emit(op.linear(h, ws[i], bs[i]))
        if i + 1 < layers:
            h = bb.emit(op.relu(h))
    out = bb.emit_output(h)
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


mod = mlp(width, batch)
print(mod)

######################################################################
# A pattern names an op and patterns for its arguments; ``wildcard()``
# matches anything. Inside a dataflow block a pattern sees through the
# variables bound there, so ``relu(linear(x, w, b))`` matches the two
# bindings ``lv = linear(x, w, b); lv1 = relu(lv)`` (as long as ``lv`` is
# used nowhere else). ``optional`` adds an epilogue that may be missing.

x, w, b = wildcard(), wildcard(), wildcard()
linear = is_op("relax.linear")(x, w, b).has_dtype("float32")
linear_relu = linear.optional(lambda y: is_op("relax.relu")(y))
print(linear_relu)

######################################################################
# ``FuseOpsByPattern`` puts each match into a function tagged "Composite"
# with the pattern's name; with ``annotate_codegen`` an outer function
# tagged "Codegen" (the name's first word) calls it, for a library or an
# external code generator to take over.

grouped = kiln.transform.FuseOpsByPattern([("mylib.linear_relu", linear_relu)], annotate_codegen=True)(mod)
print(grouped)

######################################################################
# The built-in libraries come with their own patterns (with checks for the
# dtypes, shapes and layouts each takes):

for lib in ("onednn", "openblas"):
    print(lib, "available" if library_available(lib) else "not in this build")
    for name, pattern in library_patterns(lib):
        print("  ", name, pattern)

######################################################################
# S1: transformations and their effect
# ------------------------------------
# A dispatch pass in a few lines: every float32 ``linear(x, w, b)`` whose
# weight is 2-D becomes a ``call_dps_packed`` of OpenBLAS's linear kernel,
# a runtime function registered by name (``kiln.contrib.openblas.linear``:
# ``out = x @ w.T + b``). What does not match stays for Kiln's kernels.


@kiln.transform.function_pass(opt_level=0)
def to_openblas(func, mod, ctx):
    """linear(x, w, b) -> call_dps_packed("kiln.contrib.openblas.linear", x, w, b)"""

    def rewriter(call, m):
        if len(m[w].struct_info.shape) != 2:
            return call
        kernel = relax.ExternFunc("kiln.contrib.openblas.linear")
        return op.call_dps_packed(kernel, relax.Tuple([m[x], m[w], m[b]]), sinfo_args=[call.struct_info])

    return rewrite_call(linear, rewriter, func)


print(to_openblas(mod)["main"])

######################################################################
# Compile three ways: Kiln's own kernels, our pass spliced in front of the
# default pipeline, and the built-in ``DispatchToLibrary`` with oneDNN
# (linear + relu in one oneDNN call). Same inputs, same numbers, timed in
# the same run.

rng = np.random.default_rng(0)
shapes = [(batch, width)] + [(width, width)] * 3 + [(width,)] * 3
args = [kiln.nd.array((rng.standard_normal(s) * 0.05).astype("float32")) for s in shapes]


def timed(pipeline, repeat=20 if full else 10):
    f = kiln.VirtualMachine(kiln.compile(mod, target="llvm", pipeline=pipeline), kiln.cpu())["main"]
    out = f(*args).numpy()
    f(*args)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f(*args)
        times.append(time.perf_counter() - t0)
    return out, 1e3 * float(np.median(times))


ours = kiln.pipeline.get("default", "llvm")
ours.insert(0, to_openblas)
variants = {"kiln": kiln.pipeline.get("default", "llvm")}
if library_available("openblas"):
    variants["our pass (openblas)"] = ours
if library_available("onednn"):
    variants["DispatchToLibrary(onednn)"] = kiln.pipeline.get("default", "llvm", dispatch=["onednn"])
results = {name: timed(p) for name, p in variants.items()}
reference = results["kiln"][0]
print(f"MLP {width} wide, batch {batch}, {kiln.runtime.num_threads()} threads")
print(f"{'variant':28s} {'ms':>8s} {'kiln / variant':>15s}")
for name, (out, ms) in results.items():
    np.testing.assert_allclose(out, reference, rtol=1e-3, atol=1e-3)
    print(f"{name:28s} {ms:8.3f} {results['kiln'][1] / ms:15.2f}")

######################################################################
# S2: how it fits the overall flow
# --------------------------------
# The default pipeline takes the libraries to dispatch to; its
# ``DispatchToLibrary`` runs on op calls right after normalization, before
# the convolution layout change and legalization, so everything it leaves
# is legalized, fused and scheduled as usual.

pipeline = kiln.pipeline.get("default", "llvm", dispatch=["onednn", "openblas"])
print(pipeline)
ex = kiln.compile(mod, target="llvm", pipeline=pipeline)
vm = kiln.VirtualMachine(ex, kiln.cpu())
np.testing.assert_allclose(vm["main"](*args).numpy(), reference, rtol=1e-3, atol=1e-3)

######################################################################
# The explicit pass splices in the same way, here in front of the default
# pipeline of a module that also has ops no library takes:

explicit = kiln.pipeline.get("default", "llvm")
explicit.insert_before("ConvertConvLayout", kiln.transform.DispatchToLibrary(["openblas"]))
ex = kiln.compile(mod, target="llvm", pipeline=explicit)
np.testing.assert_allclose(kiln.VirtualMachine(ex, kiln.cpu())["main"](*args).numpy(), reference, rtol=1e-3, atol=1e-3)

######################################################################
# When to use it: large float32 matrix products and NCHW convolutions where
# a tuned library beats the default schedules (see
# ``bench/results/dispatch.md``), or a library kernel you trust for
# numbers. When not: small or oddly shaped products where the call
# overhead and lost fusion cost more than they gain; integer and
# grouped/blocked cases, which the libraries here do not take and which
# stay with Kiln anyway; and deployment, where the exported library then
# also needs ``libkiln_runtime_contrib.so`` (and OpenBLAS / oneDNN) next to
# ``libkiln_runtime.so``.
