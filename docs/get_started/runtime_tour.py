"""
A tour of Kiln's runtime
========================

Kiln compiles models into executables that run on a small runtime library,
``libkiln_runtime``, which holds no compiler. This tour shows the pieces of
that runtime from Python: arrays that share memory with NumPy and PyTorch,
functions that cross between Python and C++, a compiled module loaded from a
shared library, the thread pool, and the timer that benchmarks use.

The Quick Start shows the compiler that produces such executables; this
tour stays with the runtime underneath.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import torch

import kiln

print("kiln", kiln.__version__, "| threads:", kiln.num_threads())

######################################################################
# Arrays
# ------
# ``kiln.nd.array`` copies; ``kiln.from_dlpack`` shares memory with the
# producer, so a write on one side is visible on the other.

x = kiln.nd.array(np.arange(6, dtype="float32").reshape(2, 3))
print(x.shape, x.dtype, x.device)

t = torch.zeros(4)
shared = kiln.from_dlpack(t)
t[1] = 3.0
assert shared.numpy()[1] == 3.0
back = torch.from_dlpack(shared)  # and back into PyTorch, still no copy
assert back.data_ptr() == t.data_ptr()

######################################################################
# Functions across languages
# --------------------------
# A Python function registered by name is callable from C++ (and from
# compiled code); C++ errors arrive in Python as ``kiln.Error``.


@kiln.register_func("tour.scale")
def scale(arr, factor):
    return kiln.nd.array(arr.numpy() * factor)


call_global = kiln.get_global_func("testing.call_global")  # a C++ caller
y = call_global("tour.scale", x, 10.0)
np.testing.assert_allclose(y.numpy(), x.numpy() * 10)

try:
    kiln.nd.empty((2, -1), "float32")
except kiln.Error as err:
    print("kiln.Error:", str(err).splitlines()[0])

######################################################################
# A compiled module
# -----------------
# Compiled code is a shared library whose functions follow the C calling
# convention of ``include/kiln/runtime/c_api.h``. Here the library comes from
# a small C file; later it comes from Kiln's code generator.

root = Path(kiln.__file__).resolve().parents[2]  # the repository (kiln is installed editable)
cc = os.environ.get("CC") or shutil.which("cc")
with tempfile.TemporaryDirectory() as tmp:
    lib = Path(tmp) / "library_module.so"
    subprocess.run([cc, "-O2", "-shared", "-fPIC", f"-I{root / 'include'}",
                    str(root / "tests/fixtures/c/library_module.c"), "-o", str(lib)], check=True)
    mod = kiln.load(str(lib))
    n = 1 << 20
    a = np.random.default_rng(0).standard_normal(n).astype("float32")
    out = np.empty_like(a)
    mod["add_one"](a, out)  # NumPy arrays go in without copies
    np.testing.assert_allclose(out, a + 1)

    ######################################################################
    # Timing
    # ------
    # ``kiln.time_evaluator`` warms up, then reports statistics over repeats.
    timer = kiln.time_evaluator(mod["add_one"], number=20, repeat=5)
    r = timer(a, out)
    gbps = 2 * a.nbytes / r.median / 1e9
    print(f"add_one over {n} floats: {r.median * 1e6:.1f} us median ({gbps:.1f} GB/s)")

print("runtime tour: OK")
