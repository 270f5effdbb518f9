"""
Quick Start
===========

**Machine-learning compilation** turns a model, written in a framework for
people, into code made for one machine. Kiln reads the model into one IR, the
**IRModule**: it holds the graph (``relax`` functions) and, once lowered, the
loop programs (``tir`` functions) side by side. Kiln changes the module only
through **passes**, IRModule to IRModule, and builds it into an executable
that runs on a small runtime. The same abstraction serves three goals:

- **G0, optimise**: make the model faster on the machine you have (fusion,
  layout rewrites, scheduled loops, vendor libraries where they win);
- **G1, deploy**: one shared library that runs from Python or C++ with the
  runtime alone, no compiler or framework inside;
- **G2, integrate**: put the compiled code back into your program, here as a
  ``torch.nn.Module``.

The flow this page follows::

    PyTorch model ─► import ─► IRModule ─► pipeline of passes ─► build ─► run (Python, C++, Torch)
    ONNX file ────┘                        (fuse, rewrite layouts,
                                            dispatch to libraries,
                                            schedule loops, lower)

Every step below runs when the documentation is built, and its numbers are
printed: the difference from PyTorch and the time against PyTorch eager on
this machine (timings come from one process, with the same number of
threads; other work on the machine moves them).
"""

import os
import re
import tempfile
import warnings

import numpy as np
import torch

import kiln
import kiln.torch  # noqa: F401  (kiln.torch.compile; imports PyTorch)

tmp = tempfile.mkdtemp(prefix="kiln_quick_start_")


def show(func):
    """Print a function with its inline constants (the weights) elided."""
    print(re.sub(r"const\(\[[^)]*\]", "const([...]", str(func)))


######################################################################
# Import a model
# --------------
# A small convolutional network in PyTorch: two conv + batch-norm + relu
# blocks and a two-layer head, at batch 1.


class SmallCNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = torch.nn.Conv2d(3, 32, 3, padding=1), torch.nn.BatchNorm2d(32)
        self.conv2, self.bn2 = torch.nn.Conv2d(32, 64, 3, padding=1, stride=2), torch.nn.BatchNorm2d(64)
        self.fc1, self.fc2 = torch.nn.Linear(64 * 16 * 16, 128), torch.nn.Linear(128, 10)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(self.bn2(self.conv2(x)))
        return self.fc2(torch.relu(self.fc1(x.flatten(1))))


torch.manual_seed(0)
model = SmallCNN().eval()
example = torch.randn(1, 3, 32, 32)
with torch.no_grad():
    expected = model(example).numpy()

######################################################################
# ``kiln.frontend.from_torch`` exports the model with ``torch.export`` and
# imports it: one ``relax`` function of Kiln's ops, every shape known, the
# weights bound as constants.

mod = kiln.frontend.from_torch(model, [((1, 3, 32, 32), "float32")])
show(mod["main"])

######################################################################
# The same network saved as ONNX imports with ``kiln.frontend.from_onnx``
# (the C++ importer), into the same kind of module.

onnx_path = os.path.join(tmp, "small_cnn.onnx")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    torch.onnx.export(model, (example,), onnx_path, input_names=["x"], dynamo=False)
onnx_mod = kiln.frontend.from_onnx(onnx_path)
print("ONNX import, ops:", sorted(set(re.findall(r"= (\w+)\(", str(onnx_mod["main"])))))

######################################################################
# Apply a pipeline
# ----------------
# A **pipeline** is a plain list of passes. The ``"default"`` one for
# ``llvm`` (this CPU) normalises the graph, rewrites convolutions to a
# blocked layout and packs matmul weights (**layout rewrite**), legalizes
# each op into a loop program, folds what is constant, **fuses** ops into
# kernels, gives each kernel a default **schedule** (tiling, vectorization,
# parallel loops) and lowers memory.

pipeline = kiln.pipeline.get("default", "llvm")
print(pipeline)

######################################################################
# Applied to the module it gives another module: the graph now calls fused
# kernels with ``call_tir``, and the second convolution works on blocked
# tensors (``layout_transform``, a ``..._blocked`` weight folded at compile
# time).

lowered = pipeline(mod)
show(lowered["main"])
kernels = sorted(name for name in lowered.functions if name != "main")
print(len(kernels), "kernels:", ", ".join(kernels))

######################################################################
# One of them, the first convolution fused with its bias, batch norm and
# relu: loops that are split, vectorized and run in parallel.

conv_kernel = next(k for k in kernels if k.startswith("fused_conv2d_"))
print(f"# {conv_kernel}, its first 30 lines")
print("\n".join(str(lowered[conv_kernel]).splitlines()[:30]), "\n  ...")

######################################################################
# Build and run from Python
# -------------------------
# ``kiln.compile`` runs a pipeline (the default one when given none) and
# builds: LLVM compiles the kernels for this CPU and the graph becomes
# bytecode for Kiln's virtual machine. The VM takes NumPy arrays (or DLPack
# tensors) and returns ``kiln.nd`` arrays.

ex = kiln.compile(mod, target="llvm")
vm = kiln.VirtualMachine(ex, kiln.cpu())
x = example.numpy()
got = vm["main"](x).numpy()
print(f"PyTorch import: max |kiln - torch| = {np.abs(got - expected).max():.2e}")
np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)

onnx_vm = kiln.VirtualMachine(kiln.compile(onnx_mod, target="llvm"), kiln.cpu())
got_onnx = onnx_vm["main"](x).numpy()
print(f"ONNX import:    max |kiln - torch| = {np.abs(got_onnx - expected).max():.2e}")
np.testing.assert_allclose(got_onnx, expected, rtol=1e-4, atol=1e-4)

######################################################################
# Its speed, timed the way Kiln's benchmarks time (warm-up, then the median
# of repeats), beside PyTorch eager on the same input and thread count.

torch.set_num_threads(kiln.num_threads())
args = [kiln.nd.array(x)]


def kiln_ms(ex):
    return kiln.VirtualMachine(ex, kiln.cpu()).time_evaluator("main", number=20, repeat=5)(*args).median * 1e3


with torch.no_grad():
    eager_ms = kiln.time_evaluator(lambda: model(example), number=20, repeat=5)().median * 1e3
default_ms = kiln_ms(ex)
print(f"batch 1, {kiln.num_threads()} threads: kiln (default pipeline) {default_ms:.3f} ms, "
      f"PyTorch eager {eager_ms:.3f} ms ({eager_ms / default_ms:.2f}x)")

######################################################################
# Run from C++
# ------------
# ``export_library`` writes one shared library holding the bytecode, the
# kernels and the weights. ``kiln.load`` reads it back here; a C++ program
# loads it with the runtime library alone (``libkiln_runtime``: no compiler,
# no LLVM, no Python).

lib_path = os.path.join(tmp, "small_cnn.so")
ex.export_library(lib_path)
vm_lib = kiln.VirtualMachine(kiln.load(lib_path), kiln.cpu())
np.testing.assert_allclose(vm_lib["main"](x).numpy(), got)
print(f"exported {os.path.getsize(lib_path)} bytes; reloaded, same output")

######################################################################
# The C++ side, from ``examples/deploy_cpp/main.cc`` (built and run against
# a Python-compiled model by ``tests/python/e2e/test_deploy_cpp.py``; its
# README shows the CMake lines):
#
# .. literalinclude:: /../examples/deploy_cpp/main.cc
#    :language: cpp
#    :start-at: Module lib = Module::Load
#    :end-at: Print("output", out);
#    :dedent: 4

######################################################################
# Customise the pipeline
# ----------------------
# Everything Kiln does to a model is an IRModule transformation, so a pass
# of your own splices into any standard pipeline. Here, a **dispatch to a
# library** in a few lines: every float32 ``matmul(x, w) + b`` (the linear
# layers of the head) becomes a call of OpenBLAS's GEMM, a runtime function
# called by name through ``call_dps_packed``; the rest stays with Kiln's
# kernels. (``docs/how_to/dispatch_to_library.py`` goes further, with
# oneDNN and the built-in ``DispatchToLibrary``.)

from kiln import relax  # noqa: E402
from kiln.relax import op  # noqa: E402
from kiln.relax.pattern import is_op, library_available, rewrite_call, wildcard  # noqa: E402

a, w, b = wildcard(), wildcard(), wildcard()
matmul_add = is_op("relax.add")(is_op("relax.matmul")(a, w), b).has_dtype("float32")


@kiln.transform.function_pass(opt_level=0)
def matmul_to_openblas(func, mod, ctx):
    """add(matmul(a, w), b) -> call_dps_packed("kiln.contrib.openblas.matmul", a, w, b)"""

    def rewrite(call, m):
        gemm = relax.ExternFunc("kiln.contrib.openblas.matmul")
        return op.call_dps_packed(gemm, relax.Tuple([m[a], m[w], m[b]]), sinfo_args=[call.struct_info])

    return rewrite_call(matmul_add, rewrite, func)


show(matmul_to_openblas(mod)["main"])

######################################################################
# Composed with the default pipeline: before ``ConvertConvLayout``, so the
# op calls it leaves are rewritten, legalized, fused and scheduled as usual.
# Whether a library pays is measured, not assumed: at batch 1 the head is a
# matrix-vector product, and the library call also takes the bias + relu
# out of Kiln's fused kernel.

if library_available("openblas"):
    custom = kiln.pipeline.get("default", "llvm").insert_before("ConvertConvLayout", matmul_to_openblas)
    ex_blas = kiln.compile(mod, target="llvm", pipeline=custom)
    got_blas = kiln.VirtualMachine(ex_blas, kiln.cpu())["main"](x).numpy()
    blas_ms = kiln_ms(ex_blas)
    print(f"with OpenBLAS for the head: max |kiln - torch| = {np.abs(got_blas - expected).max():.2e}, "
          f"{blas_ms:.3f} ms against {default_ms:.3f} ms for the default pipeline: "
          f"{'it pays' if blas_ms < default_ms else 'Kiln fused kernels win here'}")
    np.testing.assert_allclose(got_blas, expected, rtol=1e-4, atol=1e-4)
else:
    print("this build of Kiln has no OpenBLAS: the pass is shown, not run")

######################################################################
# Standard pipelines
# ------------------
# ``"zero"`` legalizes each op into a kernel of its own and does nothing
# more: the reference for numbers. Against it, what fusion, layout rewrite
# and scheduling buy on this model:

zero = kiln.pipeline.get("zero", "llvm")
print(zero)
ex_zero = kiln.compile(mod, target="llvm", pipeline=zero)
got_zero = kiln.VirtualMachine(ex_zero, kiln.cpu())["main"](x).numpy()
np.testing.assert_allclose(got_zero, expected, rtol=1e-4, atol=1e-4)
zero_kernels = [name for name in ex_zero.mod.functions if name != "main"]
zero_ms = kiln_ms(ex_zero)
print(f"zero:    {len(zero_kernels):2d} kernels, {zero_ms:8.3f} ms")
print(f"default: {len(kernels):2d} kernels, {default_ms:8.3f} ms ({zero_ms / default_ms:.1f}x faster)")
print("pipelines:", ", ".join(kiln.pipeline.list_pipelines()))

######################################################################
# Integrate: the compiled model as a Torch module
# -----------------------------------------------
# ``kiln.torch.compile`` imports, compiles and wraps a model in one call; the
# result is a ``torch.nn.Module`` whose forward runs Kiln's code, tensors
# crossing by DLPack without copies. It drops into PyTorch code where the
# model was. (``kiln.torch.as_torch_module`` wraps a VM or a loaded library
# the same way, and ``torch.compile(model, backend="kiln")`` works too.)

fast = kiln.torch.compile(model, (example,))
print(fast, "is a torch.nn.Module:", isinstance(fast, torch.nn.Module))
with torch.no_grad():
    out = fast(example)
    fast_ms = kiln.time_evaluator(lambda: fast(example), number=20, repeat=5)().median * 1e3
print(f"kiln.torch.compile: max |kiln - torch| = {(out - torch.from_numpy(expected)).abs().max():.2e}, "
      f"{fast_ms:.3f} ms vs eager {eager_ms:.3f} ms")
np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-4)

######################################################################
# What to read next
# -----------------
# How-To guides, one task each:
#
# - :doc:`/_generated/how_to/import_pytorch` and
#   :doc:`/_generated/how_to/import_onnx`: importers, symbolic shapes, what
#   is supported;
# - :doc:`/_generated/how_to/apply_default_optimization`: the default
#   pipeline, pass by pass;
# - :doc:`/_generated/how_to/dispatch_to_library`: OpenBLAS and oneDNN;
# - :doc:`/_generated/how_to/customize_operators`: your own ops and kernels
#   (``call_tir``, ``call_dps_packed``);
# - :doc:`/_generated/how_to/construct_nn_module`: models written with
#   ``kiln.nn``;
# - :doc:`/_generated/how_to/optimize_gemm`: a schedule by hand.
#
# Deep dives, how it works: :doc:`/deep_dive/architecture`,
# :doc:`/deep_dive/ir_module`, :doc:`/deep_dive/passes`,
# :doc:`/deep_dive/fusion`, :doc:`/deep_dive/compile`,
# :doc:`/deep_dive/runtime`. And :doc:`/reference/compatibility`: which
# feature works on which target, from the last test run.
