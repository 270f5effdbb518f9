"""
Support customized operators
============================

When a model needs a computation Kiln has no op for, there are three ways
to add it, from the most local to the most general: a loop program of your
own called with ``call_tir``, a function registered by name and called with
``call_dps_packed`` (C++, or NumPy while prototyping), and a new op in the
registry that every model, importer and pass then sees. **S0** shows the
elements, **S1** writes rotary position embedding (RoPE, as in Llama) each
way and measures it against NumPy and against the same model written with
built-in ops, **S2** compiles the model through the default pipeline and
says when to use which.

The documentation build runs 256 positions (``KILN_DOCS_MODE=short``);
``scripts/docs.sh --full`` runs 2048.
"""

import os
import timeit

import numpy as np

import kiln
from kiln import relax, tir
from kiln.relax import op
from kiln.tir import te

full = os.environ.get("KILN_DOCS_MODE", "short") == "full"
S, H, D = (2048, 32, 128) if full else (256, 8, 64)  # positions, heads, head size
HALF = D // 2
rng = np.random.default_rng(0)

######################################################################
# S0: the elements
# ----------------
# A relax function calls three kinds of things. An **op** from the
# registry (``relax.add``) is what models are written in; ``LegalizeOps``
# turns each op call into a ``call_tir`` of a **PrimFunc**, a loop program
# in the same module; ``call_tir(@f, (args...), out_sinfo)`` is
# destination-passing: the caller allocates the output and the PrimFunc
# writes it. ``call_dps_packed("name", (args...), out_sinfo)`` calls a
# function found by name in the runtime registry at run time, in the same
# destination-passing style. Here is one op legalized:

x = relax.Var("x", relax.TensorStructInfo([4, 8], "float32"))
bb = relax.BlockBuilder()
bb.begin_function("main", [x], attrs={"global_symbol": "main"})
y = bb.emit(op.silu(x))
bb.end_function(y)
print(kiln.transform.LegalizeOps()(bb.get_module()))

######################################################################
# Each op's registry entry holds its argument and attribute names, its
# struct-info inference (output shape and dtype, with errors for bad
# input), its legalization and its pattern kind, which fusion reads.

silu = relax.get_op("relax.silu")
print(silu, silu.arg_names, silu.pattern, "-", silu.description)
print(len(relax.list_ops()), "ops registered")

######################################################################
# S1: transformations and their effect
# ------------------------------------
# **A loop program with call_tir.** RoPE rotates each pair of features
# (d, d + D/2) of a query or key vector by an angle that grows with the
# position: ``out = x * cos + rotate_half(x) * sin`` with
# ``rotate_half(x)[d] = -x[d + D/2]`` for the first half and ``x[d - D/2]``
# for the second, ``cos`` and ``sin`` tables of shape (positions, D). In
# the compute DSL it is one ``te.compute``; the sequence length is a
# symbolic size ``s``.


def rope_kernel():
    s = tir.SizeVar("s")
    x = te.placeholder((s, H, D), "float32", name="x")
    cos = te.placeholder((s, D), "float32", name="cos")
    sin = te.placeholder((s, D), "float32", name="sin")

    def rope(i, h, d):
        rotated = tir.if_then_else(d < HALF, -x[i, h, d + HALF], x[i, h, d - HALF])
        return x[i, h, d] * cos[i, d] + rotated * sin[i, d]

    return te.create_prim_func([x, cos, sin, te.compute((s, H, D), rope, name="rope")])


kernel = rope_kernel()
print(kernel)

######################################################################
# The same kernel can be written in the text format, by hand or starting
# from the DSL's printout. A block declares the regions it reads: for ``x``
# the hull of its three reads, ``vd - D/2`` to ``vd + D/2``. Parsed, it is
# the same function:

kernel_text = f"""
module {{
  prim @rope(x: Buffer((s, {H}, {D}), float32), cos: Buffer((s, {D}), float32), sin: Buffer((s, {D}), float32),
             out: Buffer((s, {H}, {D}), float32)) {{
    block "root" {{
      for i in range(s) {{
        for h in range({H}) {{
          for d in range({D}) {{
            block "rope" {{
              vi = spatial(s, i)
              vh = spatial({H}, h)
              vd = spatial({D}, d)
              reads(x[vi, vh, vd - {HALF}:+{D + 1}], cos[vi, vd], sin[vi, vd])
              writes(out[vi, vh, vd])
              out[vi, vh, vd] = (x[vi, vh, vd] * cos[vi, vd]
                + if_then_else(vd < {HALF}, 0.0 - x[vi, vh, vd + {HALF}], x[vi, vh, vd - {HALF}]) * sin[vi, vd])
            }}
          }}
        }}
      }}
    }}
  }}
}}
"""
print("text == DSL:", kiln.ir.structural_equal(kiln.parse(kernel_text)["rope"], kernel))

######################################################################
# A model calls it: ``bb.add_function`` puts the PrimFunc in the module
# and ``op.call_tir`` calls it with the output's struct info. To measure
# the op itself the model is RoPE of ``q`` alone (in a transformer it sits
# between the query projection and attention).

T = lambda *shape: relax.TensorStructInfo(list(shape), "float32")  # noqa: E731


def rope_model(emit_rope):
    """main(q: (s, H, D), cos, sin: (s, D)) = emit_rope(bb, q, cos, sin)."""
    s = tir.SizeVar("s")
    q, cos, sin = relax.Var("q", T(s, H, D)), relax.Var("cos", T(s, D)), relax.Var("sin", T(s, D))
    bb = relax.BlockBuilder()
    call = emit_rope(bb)
    bb.begin_function("main", [q, cos, sin], attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    out = bb.emit_output(call(q, cos, sin, T(s, H, D)))
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


def with_call_tir(prim_func):
    def emit_rope(bb):
        gv = bb.add_function(prim_func, "rope")
        return lambda q, cos, sin, out: op.call_tir(gv, relax.Tuple([q, cos, sin]), sinfo_args=[out])

    return emit_rope


print(rope_model(with_call_tir(kernel))["main"])

######################################################################
# The same model with built-in ops: two slices, a negation, a concat and
# broadcasting multiplies, and NumPy's version for the reference.


def with_builtin_ops(bb):
    def emit(q, cos, sin, out):
        x1 = op.strided_slice(q, axes=[2], begin=[0], end=[HALF])
        x2 = op.strided_slice(q, axes=[2], begin=[HALF], end=[D])
        rotated = op.concat(relax.Tuple([op.neg(x2), x1]), axis=2)
        return op.add(op.multiply(q, op.expand_dims(cos, axis=[1])), op.multiply(rotated, op.expand_dims(sin, axis=[1])))

    return emit


def numpy_rope(x, cos, sin, out=None):
    rotated = np.concatenate([-x[..., HALF:], x[..., :HALF]], axis=-1)
    if out is None:
        out = np.empty_like(x)
    np.add(x * cos[:, None], rotated * sin[:, None], out=out)
    return out


freq = 10000.0 ** (-np.arange(0, D, 2) / D)
angle = np.arange(S)[:, None] * np.concatenate([freq, freq])[None, :]
cos_np, sin_np = np.cos(angle).astype("float32"), np.sin(angle).astype("float32")
q_np = rng.standard_normal((S, H, D)).astype("float32")
want = numpy_rope(q_np, cos_np, sin_np)

######################################################################
# **Scheduling the kernel.** A PrimFunc from the DSL is plain loops. A
# schedule transforms them without changing what they compute:
# ``kiln.tir.Schedule`` by hand, or the rule-based default schedule the
# pipeline applies to every kernel. Here by hand: positions and heads fused
# into one parallel loop, the head dimension vectorized.

sch = kiln.tir.Schedule(kernel)
i, h, d = sch.get_loops(sch.get_block("rope"))
sch.parallel(sch.fuse(i, h))
sch.vectorize(d)
print(sch.trace)
scheduled = sch.mod["main"]
print("default rule for the kernel:", kiln.tir.schedule.default_schedule(kernel).rule)

######################################################################
# A kernel you scheduled yourself should say so with the function
# attribute ``tir.is_scheduled``: the default schedule leaves it alone, and
# fusion keeps it whole (its pattern counts as opaque; fusing it would make
# a new kernel that gets the default schedule instead of yours).


def with_attrs(f, attrs):
    return tir.PrimFunc([b for _, b in f.buffer_map], f.body, attrs={**f.attrs, **attrs})


hand = with_attrs(scheduled, {"tir.is_scheduled": True})

######################################################################
# **call_dps_packed with a NumPy function.** ``kiln.register_func`` makes
# a Python function callable by name from compiled code. Arguments and the
# output arrive as ``kiln.nd.NDArray``; ``np.from_dlpack`` views them as
# NumPy arrays without copying, so the function writes the output in place.


@kiln.register_func("demo.numpy_rope", override=True)
def numpy_rope_packed(x, cos, sin, out):
    numpy_rope(np.from_dlpack(x), np.from_dlpack(cos), np.from_dlpack(sin), out=np.from_dlpack(out))


def with_call_dps_packed(bb):
    f = relax.ExternFunc("demo.numpy_rope")
    return lambda q, cos, sin, out: op.call_dps_packed(f, relax.Tuple([q, cos, sin]), sinfo_args=[out])


######################################################################
# **A new op when needed.** When RoPE should be an op like any other (in
# several models, written in text, produced by an importer, fused with its
# neighbours) register it: struct-info inference, a legalization to a
# kernel with the compute DSL (``relax.call_te``), the pattern kind. After
# that ``op.custom.rope`` exists and the op parses in text.


def infer_rope(call):
    x, cos = (a.struct_info for a in call.args[:2])
    if x.ndim != 3 or cos.ndim != 2 or x.dtype != cos.dtype:
        raise ValueError(f"expected x (s, heads, dim) and tables (s, dim) of one dtype, got {x} and {cos}")
    return x


def legalize_rope(bb, call):
    def compute(x, cos, sin):
        half = x.shape[2] // 2

        def f(i, h, d):
            rotated = tir.if_then_else(d < half, -x[i, h, d + half], x[i, h, d - half])
            return x[i, h, d] * cos[i, d] + rotated * sin[i, d]

        return te.compute(x.shape, f, name="rope")

    return relax.call_te(bb, call, "rope", compute)


if "custom.rope" in [o.name for o in relax.list_ops()]:
    relax.remove_op("custom.rope")  # running the guide twice in one process
relax.register_op("custom.rope", args=["x", "cos", "sin"], infer=infer_rope, legalize=legalize_rope,
                  pattern="injective", description="rotary position embedding (rotate half)")


def with_op(bb):
    return lambda q, cos, sin, out: op.custom.rope(q, cos, sin)


print(rope_model(with_op)["main"])

######################################################################
# Every version against NumPy, and timed: each model compiled with the
# default pipeline and run on the VM.

versions = {
    "built-in ops": rope_model(with_builtin_ops),
    "call_tir, DSL kernel": rope_model(with_call_tir(kernel)),
    "call_tir, hand-scheduled": rope_model(with_call_tir(hand)),
    "call_dps_packed, NumPy": rope_model(with_call_dps_packed),
    "new op custom.rope": rope_model(with_op),
}
args = [kiln.nd.array(a) for a in (q_np, cos_np, sin_np)]
numpy_rope(q_np, cos_np, sin_np)  # warm up
times = {"NumPy": min(timeit.repeat(lambda: numpy_rope(q_np, cos_np, sin_np), number=20, repeat=5)) / 20 * 1e3}
for name, model in versions.items():
    vm = kiln.VirtualMachine(kiln.compile(model), kiln.cpu())
    np.testing.assert_allclose(vm["main"](*args).numpy(), want, rtol=1e-5, atol=1e-5)
    times[name] = vm.time_evaluator("main", number=20, repeat=5)(*args).median * 1e3
print(f"RoPE of ({S}, {H}, {D}) float32, {kiln.num_threads()} threads")
for name, ms in times.items():
    print(f"  {name:28s} {ms:8.3f} ms   {times['NumPy'] / ms:5.1f}x NumPy")

######################################################################
# Reading the table (figures from one run; on a busy machine they move):
#
# * The DSL kernel, the new op and the built-in version end as the same
#   kind of kernel: fusion merges the slices, negation, concat and
#   multiplies of the built-in version into one injective kernel
#   (``fused_expand_dims_multiply_strided_slice_neg_etc``), and every
#   version gets the default injective schedule: all loops fused into one
#   parallel loop over vectors of 16 lanes. NumPy makes a temporary array
#   for each step and runs on one core; how far behind it falls depends on
#   the machine and its memory allocator (10 to 100 times here).
# * The hand schedule gives each parallel iteration a whole head (64
#   lanes) instead of a quarter, so less time goes to scheduling parallel
#   work and to the index arithmetic of split loops: it is the fastest.
# * The NumPy function through ``call_dps_packed`` costs what NumPy costs,
#   plus the call into Python: good for trying an idea inside a compiled
#   model, not for keeping.

######################################################################
# S2: how it fits the overall flow
# --------------------------------
# The default pipeline treats a ``call_tir`` of your kernel like the ones
# ``LegalizeOps`` makes: ``AnnotateTIROpPattern`` reads its pattern
# (injective for RoPE), ``FuseOps`` and ``FuseTIR`` merge it with its
# neighbours, ``DefaultSchedule`` schedules the result. In a model where the
# query comes out of a projection and a reshape, the reshape, RoPE and what
# follows become one kernel:

s = tir.SizeVar("s")
xv, wv = relax.Var("x", T(s, H * D)), relax.Var("w", T(H * D, H * D))
cv, sv = relax.Var("cos", T(s, D)), relax.Var("sin", T(s, D))
bb = relax.BlockBuilder()
rope_gv = bb.add_function(kernel, "rope")
bb.begin_function("main", [xv, wv, cv, sv], attrs={"global_symbol": "main"})
bb.begin_dataflow_block()
qv = bb.emit(op.reshape(op.matmul(xv, wv), relax.ShapeExpr([s, H, D])))
rv = bb.emit(op.call_tir(rope_gv, relax.Tuple([qv, cv, sv]), sinfo_args=[T(s, H, D)]))
yv = bb.emit_output(op.add(op.reshape(rv, relax.ShapeExpr([s, H * D])), xv))
bb.end_dataflow_block()
bb.end_function(yv)
block = bb.get_module()

pipeline = kiln.pipeline.get("default", "llvm")
lowered = pipeline(block)
print([name for name, f in lowered.functions.items() if isinstance(f, tir.PrimFunc)])
print(lowered["main"])

n = 64  # positions: the sequence length is symbolic
x_np = rng.standard_normal((n, H * D)).astype("float32")
w_np = (rng.standard_normal((H * D, H * D)) / np.sqrt(H * D)).astype("float32")
vm = kiln.VirtualMachine(kiln.compile(block, target="llvm", pipeline=pipeline), kiln.cpu())
got = vm["main"](x_np, w_np, cos_np[:n], sin_np[:n]).numpy()
ref = numpy_rope((x_np @ w_np).reshape(n, H, D), cos_np[:n], sin_np[:n]).reshape(n, H * D) + x_np
np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)
print("max abs difference from NumPy:", float(np.abs(got - ref).max()))

######################################################################
# When to use which:
#
# * **call_tir** with your own PrimFunc: one model needs one computation
#   the ops do not express well, or you want to control its loops. The
#   kernel is part of the module: it is fused, scheduled (or keeps your
#   schedule when marked), compiled for any target and exported with the
#   model.
# * **call_dps_packed**: the computation exists already as a C++ function
#   (``KILN_REGISTER_FUNCTION`` in a library loaded at run time) or a NumPy
#   prototype (``kiln.register_func``). The compiler sees only the call: no
#   fusion across it, and the function must be registered in every process
#   that runs the model (a missing one is an error naming it when the call
#   runs). A Python function also holds the GIL while it runs.
# * **a new op** (``kiln.relax.register_op`` from Python, ``RegisterOp``
#   in C++): the computation is part of your vocabulary, across models and
#   importers; it gets struct-info checks at each call, prints and parses,
#   and its legalization can be overridden per target with
#   ``kiln.relax.register_legalize``. More work once, then it is like a
#   built-in op.
