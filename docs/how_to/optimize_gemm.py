"""
Optimize GEMM on CPU
====================

A float32 matrix multiplication ``C = A @ B`` is the kernel that decides the
speed of most models. This guide takes the plain three-loop program that the
compute DSL writes for it and transforms it, one schedule primitive at a
time, into a kernel that keeps its accumulators in AVX-512 registers and runs
on every core, measuring GFLOP/s after each step beside OpenBLAS (through
NumPy) in the same run.

The guide has three parts: **S0** the elements (blocks, loops, buffers, the
schedule and its trace), **S1** the transformations and what each one buys,
**S2** how the tuned kernel enters a model.

It runs on 256 x 256 matrices in the documentation build (``KILN_DOCS_MODE=short``)
and on 1024 x 1024 with ``scripts/docs.sh --full``; ``scripts/bench.sh gemm``
measures the same schedule on more shapes against OpenBLAS and oneDNN.
"""

import os
import time

import numpy as np

import kiln
from kiln.tir import te
from kiln.tir.schedule import Schedule, Trace

full = os.environ.get("KILN_DOCS_MODE", "short") == "full"
M = N = K = 1024 if full else 256

######################################################################
# S0: the elements
# ----------------
# The compute DSL describes *what* to compute: ``C[i, j]`` is the sum over
# ``k`` of ``A[i, k] * B[k, j]``. ``create_prim_func`` turns it into a tir
# ``PrimFunc``: buffers for the parameters, and loops around one **block**,
# the unit a schedule moves around. The block names its iteration variables
# (``v_i0`` and ``v_i1`` spatial, ``v_k`` a reduction), the regions it reads
# and writes, and an ``init`` that runs before the first reduction step.

a = te.placeholder((M, K), "float32", name="A")
b = te.placeholder((K, N), "float32", name="B")
k = te.reduce_axis((0, K), name="k")
c = te.compute((M, N), lambda i, j: te.sum(a[i, k] * b[k, j], axis=k), name="C")
gemm = te.create_prim_func([a, b, c])
print(gemm)

######################################################################
# A ``Schedule`` holds the program being transformed and hands out handles:
# ``get_block`` for a block, ``get_loops`` for the loops around it. Every
# primitive checks that it keeps the program's meaning and refuses
# otherwise, e.g. running the reduction loop in parallel would race on the
# accumulator:

sch = Schedule(gemm)
i, j, kk = sch.get_loops(sch.get_block("C"))
try:
    sch.parallel(kk)
except kiln.Error as err:
    print(err)

######################################################################
# Measuring. Each step is built with LLVM for this CPU, checked against
# NumPy, and timed with ``kiln.time_evaluator`` (median of repeats).
# ``gflops`` is ``2 * M * N * K`` over the median time.

rng = np.random.default_rng(0)
x_np = rng.random((M, K), dtype=np.float32)
y_np = rng.random((K, N), dtype=np.float32)
want = x_np @ y_np
x, y = kiln.nd.array(x_np), kiln.nd.array(y_np)
results = []


def measure(label, mod):
    rt = kiln.build(mod, target="llvm")
    z = kiln.nd.array(np.zeros((M, N), "float32"))
    rt["main"](x, y, z)
    np.testing.assert_allclose(z.numpy(), want, rtol=1e-4)
    timer = kiln.time_evaluator(rt["main"], number=3 if full else 10, repeat=5)
    seconds = timer(x, y, z).median
    results.append((label, 2 * M * N * K / seconds / 1e9))
    print(f"{label:28s} {results[-1][1]:7.1f} GFLOP/s")
    return rt


def numpy_gflops():
    times = []
    for _ in range(5):
        start = time.perf_counter()
        x_np @ y_np
        times.append(time.perf_counter() - start)
    return 2 * M * N * K / np.median(times) / 1e9


measure("naive (i, j, k)", gemm)

######################################################################
# S1: transformations and their effect
# ------------------------------------
# **Tiling and loop order.** The naive order walks ``B`` by columns in the
# innermost loop: every step touches a new cache line. Split ``i`` and ``j``
# into tiles of 8 rows and 32 columns and put the reduction between the tile
# loops and the tile: ``(j0, i0, k, i1, j1)``. The innermost loop now reads
# 32 consecutive floats of a row of ``B`` and updates a 8 x 32 tile of ``C``.

MR, NR = 8, 32
sch = Schedule(gemm)
block = sch.get_block("C")
i, j, kk = sch.get_loops(block)
i0, i1 = sch.split(i, factors=[None, MR])
j0, j1 = sch.split(j, factors=[None, NR])
sch.reorder(j0, i0, kk, i1, j1)
measure("tiled", sch.mod)

######################################################################
# **Vectorize and unroll.** ``j1`` runs 32 independent columns: as vector
# code it is two 16-lane FMAs. Unrolling ``i1`` gives 8 independent rows, so
# 16 FMAs can be in flight, which hides their latency.

sch.vectorize(j1)
sch.unroll(i1)
measure("+ vectorize j1, unroll i1", sch.mod)

######################################################################
# **Pack the weight panel.** ``cache_read`` copies ``B`` into a new buffer
# that the block reads instead; ``compute_at`` moves the copy under ``j0``,
# so it copies only the ``K x 32`` panel that the tile loops use. The
# lowering shrinks the buffer to that panel: rows of 32 consecutive floats,
# read in order, with no cache-set conflicts from the large row stride of
# ``B``. (``transform_layout`` expresses the same packing on a whole weight,
# e.g. ``lambda k, n: (n // 32, k, n % 32)`` for a constant weight packed
# once at compile time.)

packed = sch.cache_read(block, 1, "global")
sch.compute_at(packed, j0)
sch.vectorize(sch.get_loops(packed)[-1])  # the copy moves 32 floats at a time
measure("+ packed B panel", sch.mod)

######################################################################
# **Accumulate in registers.** ``cache_write`` makes the block accumulate
# into a ``local`` buffer and adds a block that writes it back to ``C``;
# ``reverse_compute_at`` moves the write-back under ``i0``, so the local
# buffer is one 8 x 32 tile. ``decompose_reduction`` moves the zeroing of the
# tile out of the ``k`` loop. With every index constant after unrolling, LLVM
# keeps the tile in 16 zmm registers for the whole ``k`` loop.

local = sch.cache_write(block, 0, "local")
sch.reverse_compute_at(local, i0)
sch.decompose_reduction(block, kk)
rt = measure("+ accumulator in registers", sch.mod)

######################################################################
# **Parallel.** The ``j0`` panels are independent: run them on the
# runtime's thread pool (``KILN_NUM_THREADS`` sets its size).

sch.parallel(j0)
rt = measure("+ parallel j0", sch.mod)

######################################################################
# The inner loop of the result, from the generated assembly: broadcasts of
# ``A``, two loads of the packed panel, and 16 ``vfmadd231ps`` on zmm
# registers per step of ``k``.

asm = rt.get_source("asm")
print("zmm FMAs in the kernel:", asm.count("vfmadd231ps") - asm.count("vfmadd231ps\t%ymm"))

######################################################################
# The whole sequence is the schedule's **trace**. It prints as text and
# replays on a fresh schedule, which is how a tuned schedule is saved and
# applied again:

print(sch.trace)
replayed = Schedule(gemm)
Trace.from_text(str(sch.trace)).apply_to(replayed)
assert kiln.ir.structural_equal(replayed.mod, sch.mod)

######################################################################
# Every step, beside OpenBLAS (NumPy's ``@``) measured in the same run:

results.append(("OpenBLAS (numpy)", numpy_gflops()))
import matplotlib.pyplot as plt  # noqa: E402

fig, ax = plt.subplots(figsize=(7, 3))
labels = [r[0] for r in results]
ax.barh(labels[::-1], [r[1] for r in results][::-1], color=["#888"] + ["#c63"] * (len(labels) - 1))
ax.set_xlabel(f"GFLOP/s, {M}x{N}x{K} float32")
fig.tight_layout()
for label, g in results:
    print(f"{label:28s} {g:7.1f} GFLOP/s")

######################################################################
# S2: how it fits the overall flow
# --------------------------------
# A scheduled kernel is an ordinary tir function: put it in an IRModule next
# to a model's graph, and a relax function calls it in destination-passing
# style with ``call_tir``. Passes leave a function they did not make alone,
# so the default build keeps the hand-written schedule and schedules
# everything else by its rules.

kernel = str(sch.mod).replace("prim @main", "prim @gemm").rstrip()
assert kernel.endswith("}")
model = kiln.parse(
    kernel[:-1]
    + f"""
  func @main(x: Tensor(({M}, {K}), float32), w: Tensor(({K}, {N}), float32)) -> Tensor(({M}, {N}), float32) {{
    y: Tensor(({M}, {N}), float32) = call_tir(@gemm, (x, w), sinfo_args=[Tensor(({M}, {N}), float32)])
    return y
  }}
}}
"""
)
print(model["main"])

######################################################################
# The default pipeline (``kiln.pipeline.get("default", "llvm")``, what
# ``kiln.compile`` runs when given none) legalizes, fuses and schedules the
# graph's own ops; a function whose blocks a schedule has already
# restructured is left as it is. The executable runs on the virtual
# machine, and the hand-scheduled kernel is the one it calls:

pipeline = kiln.pipeline.get("default", target="llvm")
ex = kiln.compile(model, target="llvm", pipeline=pipeline)
vm = kiln.VirtualMachine(ex, kiln.cpu())
np.testing.assert_allclose(vm["main"](x, y).numpy(), want, rtol=1e-4, atol=1e-3)
seconds = vm.time_evaluator("main", number=3 if full else 10, repeat=5)(x, y).median
print(f"through the VM: {2 * M * N * K / seconds / 1e9:.1f} GFLOP/s")

######################################################################
# When to write a schedule by hand rather than call a library: when the
# kernel is fused with what surrounds it (a bias, an activation, a layout
# change) so that a library call would need extra passes over memory; when
# the shapes are unusual (skinny, batched, symbolic) and a library's
# heuristics do not fit; or on hardware a library does not cover. For a
# plain large GEMM a tuned library is a fine choice, and the "Dispatch to
# library" guide shows how to send such calls there.
