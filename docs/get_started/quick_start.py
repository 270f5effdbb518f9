"""
Quick Start
===========

Machine-learning compilation turns a model into code made for one target:
Kiln reads the model into one IR, the **IRModule**, which holds the graph
(``relax`` functions) and, once lowered, the loop programs (``tir``
functions); it changes the module only through **passes**, and builds it into
an executable that runs on a small runtime from Python or C++. The same
abstraction answers three needs: make models fast (G0), deploy them (G1) and
plug compiled code back into your program (G2).

This first version of the Quick Start compiles a small model written in
Kiln's text format, runs it, checks it against PyTorch and measures it.
Importing from PyTorch and ONNX, the pipeline customisation walk-through and
the Torch integration join this page as those parts of Kiln land.
"""

import numpy as np
import torch

import kiln

######################################################################
# A model as an IRModule
# ----------------------
# A two-layer MLP with a symbolic batch ``n``: the graph is written with
# Kiln's ops (``linear``, ``relu``, ``softmax``); the shapes are checked and
# inferred as the text is parsed.

mod = kiln.parse(
    """
module {
  func @main(x: Tensor((n, 784), float32), w1: Tensor((512, 784), float32), b1: Tensor((512,), float32),
             w2: Tensor((10, 512), float32), b2: Tensor((10,), float32)) -> Tensor((n, 10), float32) {
    with dataflow {
      h: Tensor((n, 512), float32) = linear(x, w1, b1)
      a: Tensor((n, 512), float32) = relu(h)
      y: Tensor((n, 10), float32) = linear(a, w2, b2)
      output p: Tensor((n, 10), float32) = softmax(y, axis=-1)
    }
    return p
  }
}
"""
)
print(mod)

######################################################################
# Transform and build
# -------------------
# ``kiln.compile`` runs the passes that turn the graph into something a
# machine runs: every op is **legalized** into a loop program written with
# the compute DSL, each loop program gets a **default schedule** by its
# pattern (tiled and vectorized matmul, parallel rows for softmax), LLVM
# compiles the loops for this CPU, and the graph becomes **bytecode** for
# Kiln's virtual machine. Each step is an IRModule-to-IRModule pass; the
# lowered module shows the relax graph calling its kernels with ``call_tir``.

ex = kiln.compile(mod, target="llvm")
print(ex.mod["main"])

######################################################################
# Run it and check it against PyTorch
# -----------------------------------
# The virtual machine takes NumPy arrays (or ``kiln.nd`` arrays, or DLPack
# tensors) and returns ``kiln.nd`` arrays. The same weights in a PyTorch
# model give the reference.

torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10), torch.nn.Softmax(dim=-1)
).eval()
weights = [p.detach().numpy() for p in model.parameters()]  # w1, b1, w2, b2

vm = kiln.VirtualMachine(ex, kiln.cpu())
for batch in (1, 16):
    x = np.random.default_rng(batch).standard_normal((batch, 784), dtype=np.float32)
    got = vm["main"](x, *weights).numpy()
    with torch.no_grad():
        want = model(torch.from_numpy(x)).numpy()
    print(f"batch {batch:2d}: max |kiln - torch| = {np.abs(got - want).max():.2e}")
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)

######################################################################
# Its speed
# ---------
# ``vm.time_evaluator`` times a function the way Kiln's benchmarks do
# (warm-up, then the median of repeats), beside PyTorch eager on the same
# input and thread count.

x = np.random.default_rng(0).standard_normal((16, 784), dtype=np.float32)
args = [kiln.nd.array(a) for a in [x, *weights]]
kiln_ms = vm.time_evaluator("main", number=50, repeat=5)(*args).median * 1e3
torch.set_num_threads(kiln.num_threads())
with torch.no_grad():
    tx = torch.from_numpy(x)
    timer = kiln.time_evaluator(lambda: model(tx), number=50, repeat=5)
    torch_ms = timer().median * 1e3
print(f"MLP, batch 16: kiln {kiln_ms:.3f} ms, PyTorch eager {torch_ms:.3f} ms")

######################################################################
# Deploy
# ------
# ``export_library`` writes one shared library holding the bytecode and the
# kernels; it loads with ``kiln.load`` in a process that needs only Kiln's
# runtime (from C++: ``kiln::runtime::Module::Load`` and
# ``VirtualMachine::FromLibrary``).

import os  # noqa: E402
import tempfile  # noqa: E402

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "mlp.so")
    ex.export_library(path)
    vm2 = kiln.VirtualMachine(kiln.load(path), kiln.cpu())
    np.testing.assert_allclose(vm2["main"](x, *weights).numpy(), vm["main"](x, *weights).numpy())
    print("exported and reloaded:", os.path.getsize(path), "bytes")

######################################################################
# What to read next
# -----------------
# - How-To: *Optimize GEMM on CPU* (write a schedule by hand, step by step).
# - Deep dives: the IRModule, relax, tir and schedules, the text format,
#   passes, the runtime and virtual machine, from graph to executable.
