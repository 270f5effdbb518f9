"""Default schedules on legalized ops: a representative call of every relax op
family is legalized, scheduled by ``kiln.transform.DefaultSchedule``, built
with LLVM and compared with NumPy or PyTorch. Each case also names the rule
that must take its kernel (conv, conv_depthwise, matmul, reduction,
layout_transform, injective), and the
scheduled kernel's loops must run in parallel or as vectors where the rule
promises it."""

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from legalize_util import kernel_of, legalize_call

import kiln
from kiln import relax, tir
from kiln.relax import op

rng = np.random.default_rng(5)
DT = kiln.DataType


def rand(*shape, dtype="float32", lo=-1.0, hi=1.0):
    if np.issubdtype(np.dtype(dtype), np.integer):
        return rng.integers(-4, 5, size=shape).astype(dtype)
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def torch_ref(f, *arrays, **kwargs):
    args = [torch.from_numpy(np.ascontiguousarray(a)) if isinstance(a, np.ndarray) else a for a in arrays]
    out = f(*args, **kwargs)
    return [o.numpy() for o in out] if isinstance(out, tuple) else out.numpy()


def schedule_and_run(make_call, inputs, specs=None, out_specs=None):
    """Legalizes make_call over the inputs (NumPy arrays; `specs` may give
    symbolic shapes instead), schedules the kernel with DefaultSchedule and
    runs it. Returns the rule, the scheduled PrimFunc and the outputs."""
    mod = legalize_call(make_call, specs or [(a.shape, str(a.dtype)) for a in inputs])
    scheduled = kiln.transform.DefaultSchedule()(mod)
    name, prim = kernel_of(scheduled)
    if out_specs is None:
        sinfo = mod["main"].ret_struct_info
        fields = sinfo.fields if isinstance(sinfo, relax.TupleStructInfo) else [sinfo]
        out_specs = [([int(d.value) for d in s.shape], s.dtype) for s in fields]
    outs = [kiln.nd.array(np.zeros(shape, dtype)) for shape, dtype in out_specs]
    rt = kiln.build(kiln.IRModule({name: prim}), target="llvm", name=name)
    args = [kiln.nd.array(np.require(a, requirements="C")) for a in inputs]
    rt[name](*args[: len(prim.params) - len(outs)], *outs)  # ones_like's kernel takes no input
    results = [o.numpy() for o in outs]
    return prim.attrs.get("tir.schedule_rule"), prim, (results if len(results) > 1 else results[0])


def loop_kinds(prim):
    return set(re.findall(r"in (parallel|vectorized|unrolled)\(", str(prim)))


def check(got, want, rtol=1e-5, atol=1e-5):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype.kind in "biu":
        np.testing.assert_array_equal(got, want.astype(got.dtype))
    else:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def shape_expr(*dims):
    return relax.ShapeExpr(list(dims))


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


x2 = rand(64, 256)
x4 = rand(2, 16, 14, 14)
w3 = rand(32, 16, 3, 3)
idx = rng.integers(0, 64, size=(40,)).astype("int64")

# (id, make_call, inputs, reference, rule, loop kinds the schedule must use, rtol)
CASES = [
    # elementwise and broadcast
    ("add_broadcast", op.add, [x2, rand(256)], lambda a, b: a + b, "injective", {"parallel", "vectorized"}, 1e-6),
    ("gelu", lambda a: op.gelu(a, approximate="tanh"), [x2], gelu_tanh, "injective", {"parallel"}, 1e-5),
    ("exp", op.exp, [x2], np.exp, "injective", {"parallel"}, 1e-6),
    ("astype", lambda a: op.astype(a, dtype=DT("int32")), [rand(64, 256, lo=-50, hi=50)],
     lambda a: a.astype("int32"), "injective", {"vectorized"}, 0),
    ("where", op.where, [rand(64, 256) > 0, x2, rand(256)], np.where, "injective", {"vectorized"}, 0),
    ("broadcast_to", lambda a: op.broadcast_to(a, shape_expr(128, 256)), [rand(1, 256)],
     lambda a: np.broadcast_to(a, (128, 256)), "injective", {"parallel", "vectorized"}, 0),
    # create
    ("full", lambda: op.full(shape_expr(128, 256), fill_value=2.5), [], lambda: np.full((128, 256), 2.5, "float32"),
     "injective", {"parallel", "vectorized"}, 0),
    ("ones_like", lambda a: op.ones_like(a), [x2], np.ones_like, "injective", {"parallel"}, 0),
    ("tril", lambda a: op.tril(a, k=1), [rand(128, 128)], lambda a: np.tril(a, 1), "injective", set(), 0),
    # reductions
    ("sum_rows", lambda a: op.sum(a, axis=[1]), [rand(128, 1024)], lambda a: a.sum(1), "reduction",
     {"parallel", "vectorized"}, 1e-4),
    ("max_cols", lambda a: op.max(a, axis=[0]), [rand(512, 64)], lambda a: a.max(0), "reduction",
     {"parallel", "vectorized"}, 0),
    ("mean_hw_keepdims", lambda a: op.mean(a, axis=[2, 3], keepdims=True), [rand(2, 32, 16, 16)],
     lambda a: a.mean((2, 3), keepdims=True), "reduction", {"vectorized"}, 1e-4),
    ("argmax", lambda a: op.argmax(a, axis=1), [rand(64, 100)], lambda a: a.argmax(1), "reduction", set(), 0),
    ("variance", lambda a: op.variance(a, axis=[1]), [rand(64, 512)], lambda a: a.var(1), "reduction", set(), 1e-4),
    # softmax
    ("softmax", lambda a: op.softmax(a, axis=-1), [rand(128, 1024)], lambda a: torch_ref(F.softmax, a, dim=-1),
     "reduction", {"parallel", "vectorized"}, 1e-5),
    ("log_softmax_cols", lambda a: op.log_softmax(a, axis=0), [rand(64, 48)],
     lambda a: torch_ref(F.log_softmax, a, dim=0), "reduction", set(), 1e-5),
    # norms
    ("layer_norm", lambda a, g, b: op.layer_norm(a, g, b), [rand(128, 768), rand(768), rand(768)],
     lambda a, g, b: torch_ref(F.layer_norm, a, (768,), g, b), "reduction", {"parallel", "vectorized"}, 1e-4),
    ("rms_norm", lambda a, w: op.rms_norm(a, w), [rand(8, 4, 256), rand(256)],
     lambda a, w: a / np.sqrt((a * a).mean(-1, keepdims=True) + 1e-5) * w, "reduction", {"vectorized"}, 1e-4),
    ("group_norm", lambda a, g, b: op.group_norm(a, g, b, num_groups=4), [rand(2, 16, 8, 8), rand(16), rand(16)],
     lambda a, g, b: torch_ref(F.group_norm, a, 4, g, b), "reduction", set(), 1e-4),
    ("batch_norm", lambda *a: op.batch_norm(*a), [x4, rand(16), rand(16), rand(16), rand(16, lo=0.5, hi=2.0)],
     lambda x, g, b, m, v: torch_ref(lambda t, g, b, m, v: F.batch_norm(t, m, v, g, b), x, g, b, m, v), None, set(),
     1e-5),
    # matrix products
    ("matmul", op.matmul, [rand(256, 128), rand(128, 192)], np.matmul, "matmul", {"parallel", "vectorized",
                                                                                    "unrolled"}, 1e-4),
    ("batch_matmul", op.matmul, [rand(4, 32, 64), rand(4, 64, 48)], np.matmul, "matmul", {"parallel", "vectorized"},
     1e-4),
    ("matmul_broadcast_batch", op.matmul, [rand(2, 1, 24, 16), rand(3, 16, 40)], np.matmul, "matmul", {"vectorized"},
     1e-4),
    ("linear", op.linear, [rand(64, 128), rand(96, 128), rand(96)], lambda x, w, b: x @ w.T + b, "matmul",
     {"vectorized", "unrolled"}, 1e-4),
    ("linear_gemv", op.linear, [rand(1, 512), rand(256, 512)], lambda x, w: x @ w.T, "reduction", {"vectorized"},
     1e-4),
    ("linear_gemv_bias", op.linear, [rand(1, 512), rand(256, 512), rand(256)], lambda x, w, b: x @ w.T + b,
     "reduction", {"parallel"}, 1e-4),
    ("einsum_matmul", lambda a, b: op.einsum(relax.Tuple([a, b]), subscripts="ij,jk->ik"), [rand(64, 32), rand(32, 48)],
     lambda a, b: a @ b, "matmul", {"vectorized"}, 1e-4),
    ("einsum_batched", lambda a, b: op.einsum(relax.Tuple([a, b]), subscripts="bij,bkj->bik"),
     [rand(3, 16, 32), rand(3, 48, 32)], lambda a, b: np.einsum("bij,bkj->bik", a, b), "matmul", {"vectorized"}, 1e-4),
    # convolutions
    ("conv2d", lambda d, w: op.conv2d(d, w, padding=[1, 1, 1, 1]), [x4, w3],
     lambda d, w: torch_ref(F.conv2d, d, w, padding=1), "conv", {"parallel", "vectorized", "unrolled"}, 1e-4),
    ("conv2d_strided_nhwc", lambda d, w: op.conv2d(d, w, strides=[2, 2], data_layout="NHWC", kernel_layout="HWIO"),
     [rand(1, 15, 15, 8), rand(3, 3, 8, 16)],
     lambda d, w: torch_ref(F.conv2d, d.transpose(0, 3, 1, 2), w.transpose(3, 2, 0, 1), stride=2).transpose(0, 2, 3, 1),
     "conv", {"vectorized"}, 1e-4),
    ("conv2d_depthwise", lambda d, w: op.conv2d(d, w, padding=[1, 1, 1, 1], groups=16), [x4, rand(16, 1, 3, 3)],
     lambda d, w: torch_ref(F.conv2d, d, w, padding=1, groups=16), "conv_depthwise", {"vectorized"}, 1e-4),
    ("conv1d", lambda d, w: op.conv1d(d, w, padding=[2, 2]), [rand(2, 8, 30), rand(16, 8, 5)],
     lambda d, w: torch_ref(F.conv1d, d, w, padding=2), "conv", {"vectorized"}, 1e-4),
    ("conv2d_transpose", lambda d, w: op.conv2d_transpose(d, w, strides=[2, 2], padding=[1, 1, 1, 1]),
     [rand(1, 16, 7, 7), rand(16, 32, 3, 3)],
     lambda d, w: torch_ref(F.conv_transpose2d, d, w, stride=2, padding=1), "conv", {"vectorized"}, 1e-4),
    # pooling
    ("max_pool2d", lambda d: op.max_pool2d(d, pool_size=[2, 2], strides=[2, 2]), [rand(2, 16, 28, 28)],
     lambda d: torch_ref(F.max_pool2d, d, 2, 2), "reduction", {"parallel"}, 0),
    ("avg_pool2d_padded", lambda d: op.avg_pool2d(d, pool_size=[3, 3], padding=[1, 1, 1, 1]), [x4],
     lambda d: torch_ref(F.avg_pool2d, d, 3, 1, 1, count_include_pad=False), "reduction", set(), 1e-5),
    ("adaptive_avg_pool2d", lambda d: op.adaptive_avg_pool2d(d, output_size=[1, 1]), [rand(1, 64, 7, 7)],
     lambda d: torch_ref(F.adaptive_avg_pool2d, d, 1), "reduction", set(), 1e-5),
    # manipulate
    ("reshape", lambda a: op.reshape(a, newshape=[128, 128]), [x2], lambda a: a.reshape(128, 128), "injective",
     {"vectorized"}, 0),
    ("permute_dims", lambda a: op.permute_dims(a, axes=[0, 2, 3, 1]), [rand(2, 64, 14, 14)],
     lambda a: a.transpose(0, 2, 3, 1), "layout_transform", {"vectorized", "unrolled"}, 0),
    ("concat", lambda a, b: op.concat(relax.Tuple([a, b]), axis=1), [x2, rand(64, 128)],
     lambda a, b: np.concatenate([a, b], 1), "injective", {"parallel", "vectorized"}, 0),
    ("split", lambda a: op.split(a, sections=2, axis=1), [x2], lambda a: np.split(a, 2, 1), "injective",
     {"vectorized"}, 0),
    ("strided_slice", lambda a: op.strided_slice(a, axes=[1], begin=[1], end=[255], strides=[2]), [x2],
     lambda a: a[:, 1:255:2], "injective", set(), 0),
    ("tile", lambda a: op.tile(a, repeats=[2, 3]), [rand(64, 64)], lambda a: np.tile(a, (2, 3)), "injective",
     {"parallel", "vectorized"}, 0),
    ("repeat", lambda a: op.repeat(a, repeats=2, axis=1), [x2], lambda a: np.repeat(a, 2, 1), "injective",
     {"parallel"}, 0),
    ("expand_dims", lambda a: op.expand_dims(a, axis=[1]), [x2], lambda a: a[:, None], "injective", set(), 0),
    # index
    ("take", lambda a, i: op.take(a, i, axis=0), [x2, idx], lambda a, i: np.take(a, i, 0), "injective",
     {"vectorized"}, 0),
    ("gather_elements", lambda a, i: op.gather_elements(a, i, axis=1), [x2, rng.integers(0, 256, (64, 32))],
     lambda a, i: np.take_along_axis(a, i, 1), "injective", set(), 0),
    ("scatter_elements", lambda a, i, u: op.scatter_elements(a, i, u, axis=1),
     [x2, np.stack([rng.permutation(256)[:8] for _ in range(64)]), rand(64, 8)],
     lambda a, i, u: torch_ref(lambda t, j, v: t.scatter(1, j, v), a, i, u), None, set(), 0),
    # image
    ("resize2d", lambda a: op.resize2d(a, relax.ShapeExpr([28, 28]), method="bilinear"), [x4],
     lambda a: torch_ref(F.interpolate, a, size=(28, 28), mode="bilinear", align_corners=False), "injective",
     {"vectorized"}, 1e-5),
    # cumsum, topk
    ("cumsum", lambda a: op.cumsum(a, axis=1), [rand(16, 128)], lambda a: np.cumsum(a, 1), "reduction",
     {"vectorized"}, 1e-4),
    ("topk", lambda a: op.topk(a, k=4, axis=1), [rand(16, 64)],
     lambda a: list(torch_ref(lambda t: torch.topk(t, 4, 1), a)), "reduction", set(), 0),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_op_family(case):
    _, make_call, inputs, reference, rule, kinds, rtol = case
    got_rule, prim, got = schedule_and_run(make_call, inputs)
    if rule is not None:
        assert got_rule == rule, (got_rule, prim.attrs)
    assert "tir.schedule_fallback" not in prim.attrs, prim.attrs["tir.schedule_fallback"]
    assert kinds <= loop_kinds(prim), (kinds, str(prim))
    want = reference(*inputs)
    if isinstance(want, list):
        for g, w in zip(got, want):
            check(g, w, rtol=rtol, atol=rtol)
    else:
        check(got, want, rtol=rtol, atol=rtol)


def test_symbolic_batch_matmul_and_linear():
    n = tir.SizeVar("n")
    specs = [((n, 16, 32), "float32"), ((32, 48), "float32")]
    for size in (1, 3):
        a, b = rand(size, 16, 32), rand(32, 48)
        rule, prim, got = schedule_and_run(op.matmul, [a, b], specs, [((size, 16, 48), "float32")])
        assert rule == "matmul"
        check(got, a @ b, rtol=1e-4, atol=1e-4)
    specs = [((n, 64), "float32"), ((96, 64), "float32"), ((96,), "float32")]
    for size in (1, 7, 40):
        x, w, bias = rand(size, 64), rand(96, 64), rand(96)
        rule, prim, got = schedule_and_run(op.linear, [x, w, bias], specs, [((size, 96), "float32")])
        assert rule == "matmul"
        check(got, x @ w.T + bias, rtol=1e-4, atol=1e-4)


def test_symbolic_rows_of_softmax_and_layer_norm():
    n = tir.SizeVar("n")
    for size in (1, 5):
        x = rand(size, 256)
        rule, _, got = schedule_and_run(lambda a: op.softmax(a), [x], [((n, 256), "float32")], [((size, 256),
                                                                                                  "float32")])
        assert rule == "reduction"
        check(got, torch_ref(F.softmax, x, dim=-1), rtol=1e-5, atol=1e-6)
        g, b = rand(256), rand(256)
        rule, _, got = schedule_and_run(lambda a, gg, bb: op.layer_norm(a, gg, bb), [x, g, b],
                                        [((n, 256), "float32"), ((256,), "float32"), ((256,), "float32")],
                                        [((size, 256), "float32")])
        check(got, torch_ref(F.layer_norm, x, (256,), g, b), rtol=1e-4, atol=1e-4)


def test_hand_scheduled_functions_are_left_alone():
    mod = legalize_call(op.matmul, [((64, 64), "float32"), ((64, 64), "float32")])
    name, prim = kernel_of(mod)
    by_hand = tir.PrimFunc([b for _, b in prim.buffer_map], prim.body, attrs={"tir.is_scheduled": True})
    _, kept = kernel_of(kiln.transform.DefaultSchedule()(kiln.IRModule({name: by_hand})))
    assert str(kept) == str(by_hand)
    # A scheduled function carries the attribute: scheduling again changes nothing.
    _, once = kernel_of(kiln.transform.DefaultSchedule()(mod))
    assert once.attrs["tir.is_scheduled"] and once.attrs["tir.schedule_rule"] == "matmul"
    _, twice = kernel_of(kiln.transform.DefaultSchedule()(kiln.IRModule({name: once})))
    assert str(twice) == str(once)


def test_pass_is_registered():
    info = {p["name"]: p for p in kiln.transform.list_passes()}["DefaultSchedule"]
    assert info["opt_level"] == 1
    assert "Opt level 1" in kiln.transform.DefaultSchedule.__doc__
