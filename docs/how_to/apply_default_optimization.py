"""
Apply default tensor program optimization
=========================================

``kiln.compile(mod)`` makes a model fast without any tuning: it runs the
``"default"`` pipeline, a list of passes that folds constant work into
constants, moves convolutions into a blocked layout, fuses chains of ops
into single kernels, gives every kernel a rule-based schedule and lets
intermediate buffers share memory. This guide opens that pipeline up:
**S0** runs it pass by pass on a small CNN and prints the module between
steps, **S1** measures what fusion, the layout pass and the default
schedules each buy on that CNN and on an MLP, **S2** splices a pass of your
own into the pipeline and says when to tune instead.

The documentation build runs it on small inputs (``KILN_DOCS_MODE=short``);
``scripts/docs.sh --full`` uses larger ones.
"""

import os

import numpy as np
import torch

import kiln
from kiln import relax
from kiln.relax import op

full = os.environ.get("KILN_DOCS_MODE", "short") == "full"
rng = np.random.default_rng(0)

######################################################################
# S0: the elements
# ----------------
# A model: two 3x3 convolutions with bias, ReLU and a residual add, then a
# global average pool and a linear classifier, built with the
# ``BlockBuilder``. The weights are constants bound in the module, as the
# importers leave them.

C, HW = (64, 56) if full else (32, 28)


def const(*shape):
    return relax.Constant((rng.standard_normal(shape) * 0.1).astype("float32"))


def small_cnn():
    x = relax.Var("x", relax.TensorStructInfo([1, C, HW, HW], "float32"))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x], attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    h = bb.emit(op.relu(op.add(op.conv2d(x, const(C, C, 3, 3), padding=[1, 1]), const(1, C, 1, 1))))
    h = bb.emit(op.add(op.conv2d(h, const(C, C, 3, 3), padding=[1, 1]), const(1, C, 1, 1)))
    h = bb.emit(op.relu(op.add(h, x)))
    h = bb.emit(op.reshape(op.mean(h, axis=[2, 3]), relax.ShapeExpr([1, C])))
    out = bb.emit_output(op.linear(h, const(10, C), const(10)))
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


cnn = small_cnn()
print(cnn["main"])

######################################################################
# The pipeline is a list of passes, each an IRModule-to-IRModule function
# with a name; ``kiln.pipeline.get`` returns it for a target, and printing
# it shows the order. The file behind it, ``src/transform/pipeline/default.cc``,
# reads the same way top to bottom.

pipeline = kiln.pipeline.get("default", target="llvm")
print(pipeline)

######################################################################
# Running the passes one at a time shows what each one does. ``show``
# prints the graph function and the list of kernels (tir functions) after
# a pass that changed the module.


def kernels(mod):
    return sorted(name for name, f in mod.functions.items() if isinstance(f, kiln.tir.PrimFunc))


def show(step, mod):
    print(f"==== after {step}: {len(kernels(mod))} kernels {kernels(mod)}")
    print(mod["main"])


mod = cnn
for p in pipeline:
    new = p(mod)
    if new.script() != mod.script() and p.name in {"ConvertConvLayout", "LegalizeOps", "FoldConstant", "FuseTIR",
                                                   "StaticPlanBlockMemory"}:
        show(p.name, new)
    mod = new

######################################################################
# What each step did:
#
# * ``ConvertConvLayout`` put the convolutions in the blocked layout
#   ``NCHW{c}c``: channels split into blocks as wide as a vector register,
#   so the inner loop of a convolution is one vector of output channels. A
#   ``layout_transform`` goes in front of the first convolution and after
#   the last; between the two convolutions the bias, ReLU and residual add
#   stay blocked, so there is nothing to convert back and forth.
# * ``LegalizeOps`` turned each op into ``call_tir`` of a loop program
#   written with the compute DSL.
# * ``FoldConstant`` ran the weight layout transforms once, at compile time,
#   with Kiln itself: the weights are now constants in the blocked layout.
# * ``FuseTIR`` (after ``AnnotateTIROpPattern`` and ``FuseOps``) merged each
#   convolution with its bias, ReLU and residual add into one kernel.
# * ``DefaultSchedule`` (no printout: it changes the kernels, not the graph)
#   gave each kernel the schedule of its pattern. The chosen rule is an
#   attribute of the kernel:

for name in kernels(mod):
    print(f"{name:40s} rule: {mod[name].attrs.get('tir.schedule_rule', '-')}")

######################################################################
# * ``StaticPlanBlockMemory`` gave the intermediate tensors storage that
#   tensors whose lifetimes do not overlap share: ``memory.alloc_storage``
#   blocks and ``memory.alloc_tensor`` views of them.
#
# ``kiln.compile`` with the same pipeline builds the kernels with LLVM and
# the graph into bytecode for the virtual machine. The result matches
# PyTorch running the same weights:

x_np = rng.standard_normal((1, C, HW, HW)).astype("float32")
ex = kiln.compile(cnn, target="llvm", pipeline=kiln.pipeline.get("default"))
vm = kiln.VirtualMachine(ex, kiln.cpu())
got = vm["main"](x_np).numpy()
want = kiln.compile(cnn, target="llvm", pipeline=kiln.pipeline.get("zero"))
want = kiln.VirtualMachine(want, kiln.cpu())["main"](x_np).numpy()
np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
print("max abs difference from the unoptimized build:", float(np.abs(got - want).max()))

######################################################################
# S1: transformations and their effect
# ------------------------------------
# Each variant below is the default pipeline with one part taken out, so
# the difference in time is what that part buys. ``"zero"`` is the bottom
# line: each op a kernel of its own and no schedules at all. The MLP is a
# 3-layer 1024-wide network at batch 32.


def without(*names):
    p = kiln.pipeline.get("default")
    for n in names:
        p.remove_pass(n)
    return p


def mlp():
    width, batch = (1024, 32) if full else (512, 16)
    x = relax.Var("x", relax.TensorStructInfo([batch, width], "float32"))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x], attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    h = x
    for _ in range(2):
        h = bb.emit(op.relu(op.linear(h, const(width, width), const(width))))
    out = bb.emit_output(op.linear(h, const(10, width), const(10)))
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module(), (batch, width)


mlp_mod, mlp_shape = mlp()
models = {"small CNN": (cnn, x_np), "MLP": (mlp_mod, rng.standard_normal(mlp_shape).astype("float32"))}
variants = {
    "zero (legalize only)": kiln.pipeline.get("zero"),
    "default - schedules": without("DefaultSchedule"),
    "default - fusion": without("FuseOps", "FuseTIR"),
    "default - conv layout": without("ConvertConvLayout"),
    "default": kiln.pipeline.get("default"),
}
table = {}
for model_name, (model, arg) in models.items():
    ref = None
    for variant, p in variants.items():
        vm = kiln.VirtualMachine(kiln.compile(model, target="llvm", pipeline=p), kiln.cpu())
        out = vm["main"](arg).numpy()
        ref = out if ref is None else ref
        np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4)
        number = 1 if variant.startswith(("zero", "default - schedules")) else 10
        table[model_name, variant] = vm.time_evaluator("main", number=number, repeat=3)(arg).median * 1e3

torch.set_num_threads(kiln.num_threads() if hasattr(kiln, "num_threads") else 2)
print(f"{'variant':24s}" + "".join(f"{m:>14s}" for m in models))
for variant in variants:
    print(f"{variant:24s}" + "".join(f"{table[m, variant]:11.3f} ms" for m in models))

######################################################################
# Reading the table: the default schedules are the largest step (loop
# programs straight from the compute DSL run one scalar at a time);
# fusion removes the round trips through memory between a convolution or
# matmul and its bias, activation and residual add, and the kernels'
# launches; the blocked layout lets the convolution's inner loop be a
# vector of output channels with the weights read in order. The MLP has no
# convolution, so the layout pass changes nothing there.

######################################################################
# S2: how it fits the overall flow
# --------------------------------
# A pipeline is a plain list: a pass of your own goes anywhere in it. Here,
# a model whose GELU may use the cheaper tanh approximation: a small
# mutator rewrites ``gelu`` before legalization, and everything after it
# (fusion, schedules, memory planning) applies to the result as usual.


class TanhGelu(relax.ExprMutator):
    def visit_call_(self, call):
        call = super().visit_call_(call)
        if call.op == relax.get_op("gelu"):
            return op.gelu(call.args[0], approximate="tanh")
        return call


@kiln.transform.function_pass(opt_level=0)
def tanh_gelu(func, mod, ctx):
    """Uses the tanh approximation for every GELU."""
    return TanhGelu(mod).visit_expr(func)


x = relax.Var("x", relax.TensorStructInfo([64, 256], "float32"))
bb = relax.BlockBuilder()
bb.begin_function("main", [x], attrs={"global_symbol": "main"})
bb.begin_dataflow_block()
y = bb.emit_output(op.gelu(op.linear(x, const(256, 256), const(256))))
bb.end_dataflow_block()
bb.end_function(y)
ffn = bb.get_module()

p = kiln.pipeline.get("default", target="llvm")
p.insert_before("LegalizeOps", tanh_gelu)
print(p)
ex = kiln.compile(ffn, target="llvm", pipeline=p)
arg = rng.standard_normal((64, 256)).astype("float32")
got = kiln.VirtualMachine(ex, kiln.cpu())["main"](arg).numpy()
exact = kiln.VirtualMachine(kiln.compile(ffn), kiln.cpu())["main"](arg).numpy()
print("tanh GELU vs exact GELU, max abs difference:", float(np.abs(got - exact).max()))

######################################################################
# When to use what. The default pipeline is the starting point for every
# model: it needs no search and compiles in seconds. Tune instead (a later
# guide) when a kernel dominates the profile (``vm.profile("main", x)``
# lists time per kernel) and its default schedule is far from the
# machine's peak, typically unusual shapes; dispatch to a library when a
# library is known to be better for a pattern. Both compose with this
# pipeline the same way as the pass above: by editing the list.

print(kiln.VirtualMachine(ex, kiln.cpu()).profile("main", arg))
