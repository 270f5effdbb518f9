"""Rotary position embedding (RoPE, the "rotate half" form of Llama) three
ways for the custom-operator tests: a kernel written in the compute DSL, the
same kernel in the text format, and the model written with built-in ops.
The model: q = reshape(x @ w, (s, H, D)); rope(q, cos, sin); reshape back
and add x. The sequence length s is symbolic."""

import numpy as np

import kiln
from kiln import relax, tir
from kiln.relax import op
from kiln.tir import te

H, D = 4, 16  # heads, head size
HALF = D // 2


def rope_kernel(heads=H, dim=D):
    """out[i, h, d] = x[i, h, d] * cos[i, d] + rotate_half(x)[i, h, d] * sin[i, d],
    rotate_half(x)[..., d] = -x[..., d + D/2] for d < D/2, else x[..., d - D/2]."""
    s = tir.SizeVar("s")
    half = dim // 2
    x = te.placeholder((s, heads, dim), "float32", name="x")
    cos = te.placeholder((s, dim), "float32", name="cos")
    sin = te.placeholder((s, dim), "float32", name="sin")

    def rope(i, h, d):
        rotated = tir.if_then_else(d < half, -x[i, h, d + half], x[i, h, d - half])
        return x[i, h, d] * cos[i, d] + rotated * sin[i, d]

    out = te.compute((s, heads, dim), rope, name="rope")
    return te.create_prim_func([x, cos, sin, out])


# The same kernel and model in the text format. A block lists the regions it
# reads: for x, the hull of x[.., vd], x[.., vd + 8] and x[.., vd - 8] (what
# the compute DSL writes for the kernel above).
ROPE_TEXT = """
module {
  prim @rope(x: Buffer((s, 4, 16), float32), cos: Buffer((s, 16), float32), sin: Buffer((s, 16), float32),
             out: Buffer((s, 4, 16), float32)) {
    block "root" {
      for i in range(s) {
        for h in range(4) {
          for d in range(16) {
            block "rope" {
              vi = spatial(s, i)
              vh = spatial(4, h)
              vd = spatial(16, d)
              reads(x[vi, vh, vd - 8:+17], cos[vi, vd], sin[vi, vd])
              writes(out[vi, vh, vd])
              out[vi, vh, vd] = (x[vi, vh, vd] * cos[vi, vd]
                + if_then_else(vd < 8, 0.0 - x[vi, vh, vd + 8], x[vi, vh, vd - 8]) * sin[vi, vd])
            }
          }
        }
      }
    }
  }

  func @main(x: Tensor((s, 64), float32), w: Tensor((64, 64), float32), cos: Tensor((s, 16), float32),
             sin: Tensor((s, 16), float32)) -> Tensor((s, 64), float32) {
    attrs {"global_symbol": "main"}
    with dataflow {
      q = reshape(matmul(x, w), shape(s, 4, 16))
      r = call_tir(@rope, (q, cos, sin), sinfo_args=[Tensor((s, 4, 16), float32)])
      output y = add(reshape(r, shape(s, 64)), x)
    }
    return y
  }
}
"""


def tables(s, dim=D, base=10000.0):
    """cos and sin of position * frequency, (s, dim), each frequency twice."""
    freq = base ** (-np.arange(0, dim, 2, dtype="float64") / dim)
    angle = np.arange(s)[:, None] * np.concatenate([freq, freq])[None, :]
    return np.cos(angle).astype("float32"), np.sin(angle).astype("float32")


def numpy_rope(x, cos, sin, out=None):
    """RoPE of x (s, heads, dim) in NumPy; writes into `out` when given."""
    half = x.shape[-1] // 2
    rotated = np.concatenate([-x[..., half:], x[..., :half]], axis=-1)
    result = x * cos[:, None, :] + rotated * sin[:, None, :]
    if out is None:
        return result
    out[...] = result
    return out


def reference(x, w, cos, sin):
    s = x.shape[0]
    return numpy_rope((x @ w).reshape(s, H, D), cos, sin).reshape(s, H * D) + x


def _model(rope):
    """main(x, w, cos, sin) with rope(bb, q, cos, sin) -> the rotated q."""
    s = tir.SizeVar("s")
    T = lambda *shape: relax.TensorStructInfo(list(shape), "float32")  # noqa: E731
    x, w = relax.Var("x", T(s, H * D)), relax.Var("w", T(H * D, H * D))
    cos, sin = relax.Var("cos", T(s, D)), relax.Var("sin", T(s, D))
    bb = relax.BlockBuilder()
    rope_fn = rope(bb)
    bb.begin_function("main", [x, w, cos, sin], attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    q = bb.emit(op.reshape(op.matmul(x, w), relax.ShapeExpr([s, H, D])))
    r = rope_fn(bb, q, cos, sin, T(s, H, D))
    y = bb.emit_output(op.add(op.reshape(r, relax.ShapeExpr([s, H * D])), x))
    bb.end_dataflow_block()
    bb.end_function(y)
    return bb.get_module()


def model_call_tir(kernel):
    """The model calling `kernel` (a PrimFunc) with call_tir."""

    def rope(bb):
        gv = bb.add_function(kernel, "rope")
        return lambda bb, q, cos, sin, out: bb.emit(op.call_tir(gv, relax.Tuple([q, cos, sin]), sinfo_args=[out]))

    return _model(rope)


def model_call_dps_packed(func_name):
    """The model calling the registered function `func_name` with call_dps_packed."""

    def rope(bb):
        f = relax.ExternFunc(func_name)
        return lambda bb, q, cos, sin, out: bb.emit(op.call_dps_packed(f, relax.Tuple([q, cos, sin]), sinfo_args=[out]))

    return _model(rope)


def model_builtin():
    """The model with RoPE written with built-in ops."""

    def rope(bb):
        def emit(bb, q, cos, sin, out):
            x1 = op.strided_slice(q, axes=[2], begin=[0], end=[HALF])
            x2 = op.strided_slice(q, axes=[2], begin=[HALF], end=[D])
            rotated = op.concat(relax.Tuple([op.neg(x2), x1]), axis=2)
            c, sn = op.expand_dims(cos, axis=[1]), op.expand_dims(sin, axis=[1])
            return bb.emit(op.add(op.multiply(q, c), op.multiply(rotated, sn)))

        return emit

    return _model(rope)


def inputs(s, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((s, H * D)).astype("float32")
    w = (rng.standard_normal((H * D, H * D)) * 0.1).astype("float32")
    return (x, w, *tables(s))


def run(mod, args, pipeline=None):
    vm = kiln.VirtualMachine(kiln.compile(mod, pipeline=pipeline), kiln.cpu())
    return vm["main"](*args).numpy()
