"""ConvertConvLayout and the blocked layouts it uses: layout_transform and
the blocked conv2d (dense and depthwise) against NumPy / PyTorch, a
MobileNetV2 block kept blocked through its depthwise conv, a conv -> bias -> relu -> conv ->
residual add chain compiled converted and unconverted, the fixture
conv_block.kir, and the pass's options."""

from pathlib import Path

import numpy as np
import pytest
import torch

import kiln
from kiln import relax, transform
from kiln.relax import op

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def tensor(name, shape):
    return relax.Var(name, relax.TensorStructInfo(list(shape), "float32"))


def single_call_module(make_call, shapes):
    params = [tensor(f"x{i}", s) for i, s in enumerate(shapes)]
    bb = relax.BlockBuilder()
    bb.begin_function("main", params, attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    out = bb.emit_output(bb.emit(make_call(*params)))
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


def run(mod, *args, pipeline=None, config=None):
    with transform.PassContext(config=config or {}):
        vm = kiln.VirtualMachine(kiln.compile(mod, target="llvm", pipeline=pipeline), kiln.cpu())
    return vm["main"](*[kiln.nd.array(a) for a in args]).numpy()


def run_converted(mod, *args, convert=True, block=0):
    """The default pipeline with ConvertConvLayout before LegalizeOps (where
    it is not there already; FoldConstant after LegalizeOps folds the weights'
    transforms), the pass on or off."""
    p = kiln.pipeline.get("default", "llvm")
    if "ConvertConvLayout" not in p.names:
        p.insert_before("LegalizeOps", transform.ConvertConvLayout())
    config = {"relax.convert_conv_layout.disable": not convert}
    if block:
        config["relax.convert_conv_layout.block"] = block
    return run(mod, *args, pipeline=p, config=config)


def nchwc(x, b):
    """NCHW -> NCHW<b>c in NumPy."""
    n, c, h, w = x.shape
    return x.reshape(n, c // b, b, h, w).transpose(0, 1, 3, 4, 2)


def oihw_io(w, bi, bo):
    """OIHW -> OIHW<bi>i<bo>o in NumPy."""
    o, i, kh, kw = w.shape
    return w.reshape(o // bo, bo, i // bi, bi, kh, kw).transpose(0, 2, 4, 5, 3, 1)


def count_calls(mod, op_name):
    text = str(mod["main"])
    return text.count(f"= {op_name}(")


# ---- layout_transform ----


@pytest.mark.parametrize(
    "shape, src, dst, ref",
    [
        ((2, 32, 5, 3), "NCHW", "NCHW16c", lambda x: nchwc(x, 16)),
        ((2, 32, 5, 3), "NCHW", "NHWC", lambda x: x.transpose(0, 2, 3, 1)),
        ((1, 4, 5, 3, 8), "NCHW8c", "NCHW", lambda x: x.transpose(0, 1, 4, 2, 3).reshape(1, 32, 5, 3)),
        ((1, 2, 5, 3, 16), "NCHW16c", "NCHW8c",
         lambda x: nchwc(x.transpose(0, 1, 4, 2, 3).reshape(1, 32, 5, 3), 8)),
        ((32, 16, 3, 3), "OIHW", "OIHW8i16o", lambda w: oihw_io(w, 8, 16)),
        ((32, 1, 1), "CHW", "CHW8c", lambda b: b.reshape(4, 8, 1, 1).transpose(0, 2, 3, 1)),
    ],
)
def test_layout_transform_matches_numpy(shape, src, dst, ref):
    x = np.random.default_rng(0).standard_normal(shape).astype("float32")
    mod = single_call_module(lambda a: op.layout_transform(a, src_layout=src, dst_layout=dst), [shape])
    np.testing.assert_array_equal(run(mod, x), ref(x))


def test_layout_transform_errors_name_the_axis():
    with pytest.raises(kiln.Error, match="axis C has extent 24, not a multiple of its block 16"):
        single_call_module(lambda a: op.layout_transform(a, src_layout="NCHW", dst_layout="NCHW16c"), [(1, 24, 4, 4)])
    with pytest.raises(kiln.Error, match="have different axes"):
        single_call_module(lambda a: op.layout_transform(a, src_layout="NCHW", dst_layout="NCDW"), [(1, 24, 4, 4)])


# ---- blocked conv2d ----


@pytest.mark.parametrize(
    "c, o, hw, k, stride, pad, dil, bi, bo",
    [
        (32, 32, 10, 3, 1, 1, 1, 16, 16),
        (16, 32, 9, 3, 2, 1, 1, 8, 16),
        (32, 16, 7, 1, 1, 0, 1, 16, 8),
        (8, 8, 11, 3, 1, 2, 2, 8, 8),
    ],
)
def test_blocked_conv2d_matches_torch(c, o, hw, k, stride, pad, dil, bi, bo):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, c, hw, hw + 1)).astype("float32")
    w = (rng.standard_normal((o, c, k, k)) * 0.2).astype("float32")
    ref = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), stride=stride, padding=pad,
                                     dilation=dil).numpy()
    xb, wb = nchwc(x, bi), oihw_io(w, bi, bo)
    mod = single_call_module(
        lambda a, b: op.conv2d(a, b, strides=[stride], padding=[pad], dilation=[dil], data_layout=f"NCHW{bi}c",
                               kernel_layout=f"OIHW{bi}i{bo}o", out_layout=f"NCHW{bo}c"),
        [xb.shape, wb.shape])
    for pipeline in (kiln.pipeline.get("zero"), kiln.pipeline.get("default")):
        np.testing.assert_allclose(run(mod, xb, wb, pipeline=pipeline), nchwc(ref, bo), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "c, hw, stride, pad, dil, b",
    [
        (32, 10, 1, 1, 1, 16),
        (48, 9, 2, 1, 1, 8),
        (64, 14, 1, 2, 2, 16),
        (16, 7, 2, 0, 1, 16),
    ],
)
def test_blocked_depthwise_conv2d_matches_torch(c, hw, stride, pad, dil, b):
    """groups = channels: data NCHW<b>c, kernel OIHW1i<b>o, result NCHW<b>c;
    with the default pipeline it takes the blocked conv schedule."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, c, hw, hw + 1)).astype("float32")
    w = (rng.standard_normal((c, 1, 3, 3)) * 0.2).astype("float32")
    ref = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), stride=stride, padding=pad,
                                     dilation=dil, groups=c).numpy()
    xb, wb = nchwc(x, b), oihw_io(w, 1, b)
    assert wb.shape == (c // b, 1, 3, 3, 1, b)
    mod = single_call_module(
        lambda a, k: op.conv2d(a, k, strides=[stride], padding=[pad], dilation=[dil], groups=c,
                               data_layout=f"NCHW{b}c", kernel_layout=f"OIHW1i{b}o", out_layout=f"NCHW{b}c"),
        [xb.shape, wb.shape])
    for pipeline in (kiln.pipeline.get("zero"), kiln.pipeline.get("default")):
        np.testing.assert_allclose(run(mod, xb, wb, pipeline=pipeline), nchwc(ref, b), rtol=1e-4, atol=1e-4)
    lowered = kiln.pipeline.get("default", "llvm")(mod)
    rules = [f.attrs.get("tir.schedule_rule") for f in lowered.functions.values() if isinstance(f, kiln.tir.PrimFunc)]
    assert "conv_blocked" in rules, rules


def test_blocked_depthwise_conv2d_errors():
    data, weight = (1, 2, 8, 8, 16), (2, 1, 3, 3, 1, 16)
    cases = [
        (dict(groups=32, kernel_layout="OIHW16i16o"), weight, "takes kernel_layout OIHW1i<b>o"),
        (dict(groups=32, kernel_layout="OIHW1i8o", out_layout="NCHW8c"), (4, 1, 3, 3, 1, 8),
         "with <b> the data's block 16"),
        (dict(groups=16, kernel_layout="OIHW1i16o"), weight, "must be depthwise"),
        (dict(groups=32, kernel_layout="OIHW1i16o"), (2, 2, 3, 3, 1, 16), "input-channel blocks of a depthwise"),
    ]
    for attrs, wshape, message in cases:
        with pytest.raises(kiln.Error, match=message):
            single_call_module(lambda a, k: op.conv2d(a, k, padding=[1], data_layout="NCHW16c", **attrs),
                               [data, wshape])


def test_blocked_conv2d_takes_the_blocked_schedule():
    mod = single_call_module(
        lambda a, b: op.conv2d(a, b, padding=[1], data_layout="NCHW16c", kernel_layout="OIHW16i16o"),
        [(1, 4, 14, 14, 16), (4, 4, 3, 3, 16, 16)])
    lowered = kiln.pipeline.get("default", "llvm")(mod)
    rules = [f.attrs.get("tir.schedule_rule") for f in lowered.functions.values() if isinstance(f, kiln.tir.PrimFunc)]
    assert rules == ["conv_blocked"]


# ---- the pass ----


def residual_chain(c=32, hw=12, seed=2):
    """conv -> bias -> relu -> conv -> add(x), weights and bias constants."""
    rng = np.random.default_rng(seed)
    w1 = (rng.standard_normal((c, c, 3, 3)) * 0.1).astype("float32")
    b1 = rng.standard_normal((1, c, 1, 1)).astype("float32")
    w2 = (rng.standard_normal((c, c, 3, 3)) * 0.1).astype("float32")
    b2 = rng.standard_normal((c, 1, 1)).astype("float32")
    x = tensor("x", (1, c, hw, hw))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x], attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    h = bb.emit(op.conv2d(x, relax.Constant(w1), padding=[1]))
    h = bb.emit(op.add(h, relax.Constant(b1)))
    h = bb.emit(op.relu(h))
    h = bb.emit(op.conv2d(h, relax.Constant(w2), padding=[1]))
    h = bb.emit(op.add(h, relax.Constant(b2)))
    out = bb.emit_output(op.add(h, x))
    bb.end_dataflow_block()
    bb.end_function(out)

    def reference(xv):
        t = torch.from_numpy
        y = torch.relu(torch.nn.functional.conv2d(t(xv), t(w1), padding=1) + t(b1))
        return (torch.nn.functional.conv2d(y, t(w2), padding=1) + t(b2) + t(xv)).numpy()

    return bb.get_module(), reference


def test_chain_stays_blocked_between_convs():
    mod, _ = residual_chain()
    out = transform.FoldConstant()(transform.ConvertConvLayout()(transform.Normalize()(mod)))
    # The input goes in once, the result comes out once; the weights' and
    # biases' transforms were folded into constants.
    assert count_calls(out, "layout_transform") == 2
    assert count_calls(out, "conv2d") == 2
    assert "data_layout=\"NCHW16c\"" in str(out) or "data_layout=\"NCHW8c\"" in str(out)


@pytest.mark.parametrize("block", [0, 8, 16])
def test_chain_converted_matches_unconverted(block):
    mod, reference = residual_chain()
    x = np.random.default_rng(3).standard_normal((1, 32, 12, 12)).astype("float32")
    plain = run_converted(mod, x, convert=False)
    blocked = run_converted(mod, x, block=block)
    np.testing.assert_allclose(blocked, plain, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(blocked, reference(x), rtol=1e-4, atol=1e-4)


def test_mixed_blocks_match_unconverted():
    """24 -> 48 -> 40 channels with block 16: blocks of 8 where 16 does not
    divide, so the convs take NCHW8c -> NCHW16c -> NCHW8c."""
    rng = np.random.default_rng(7)
    w1 = (rng.standard_normal((48, 24, 3, 3)) * 0.1).astype("float32")
    w2 = (rng.standard_normal((40, 48, 1, 1)) * 0.1).astype("float32")
    x = tensor("x", (2, 24, 9, 9))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x], attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    h = bb.emit(op.relu(op.conv2d(x, relax.Constant(w1), padding=[1])))
    out = bb.emit_output(op.conv2d(h, relax.Constant(w2)))
    bb.end_dataflow_block()
    bb.end_function(out)
    mod = bb.get_module()
    with transform.PassContext(config={"relax.convert_conv_layout.block": 16}):
        text = str(transform.ConvertConvLayout()(mod))
    assert 'kernel_layout="OIHW8i16o"' in text and 'kernel_layout="OIHW16i8o"' in text
    xv = rng.standard_normal((2, 24, 9, 9)).astype("float32")
    np.testing.assert_allclose(run_converted(mod, xv, block=16), run_converted(mod, xv, convert=False), rtol=1e-4,
                               atol=1e-4)


def test_fixture_conv_block_converted_matches_unconverted():
    mod = kiln.parse((FIXTURES / "conv_block.kir").read_text())
    x = np.random.default_rng(4).standard_normal((1, 16, 32, 32)).astype("float32")
    converted = transform.ConvertConvLayout()(transform.Normalize()(mod))
    assert count_calls(converted, "conv2d") == 2 and count_calls(converted, "batch_norm") == 0
    # In once, out once: conv, batch_norm, relu, conv, batch_norm, add(x), relu stay blocked.
    folded = transform.DeadCodeElimination()(transform.FoldConstant()(converted))
    assert count_calls(folded, "layout_transform") == 2
    blocked = run_converted(mod, x, block=8)
    np.testing.assert_allclose(blocked, run_converted(mod, x, convert=False), rtol=1e-4, atol=1e-4)


def test_transform_pairs_cancel():
    x = tensor("x", (1, 16, 4, 4))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x], attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    t = bb.emit(op.layout_transform(x, src_layout="NCHW", dst_layout="NCHW8c"))
    back = bb.emit(op.layout_transform(t, src_layout="NCHW8c", dst_layout="NCHW"))
    out = bb.emit_output(op.relu(back))
    bb.end_dataflow_block()
    bb.end_function(out)
    after = transform.DeadCodeElimination()(transform.ConvertConvLayout()(bb.get_module()))
    assert count_calls(after, "layout_transform") == 0
    assert "relu(x)" in str(after)


def mobilenet_block(c=32, hw=12, expand=2, seed=8):
    """MobileNetV2's inverted residual: 1x1 expand -> relu6 -> depthwise 3x3
    -> relu6 -> 1x1 project -> add(x), constants."""
    rng = np.random.default_rng(seed)
    ce = c * expand
    w1 = (rng.standard_normal((ce, c, 1, 1)) * 0.2).astype("float32")
    wd = (rng.standard_normal((ce, 1, 3, 3)) * 0.3).astype("float32")
    w2 = (rng.standard_normal((c, ce, 1, 1)) * 0.2).astype("float32")
    x = tensor("x", (1, c, hw, hw))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x], attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    h = bb.emit(op.clip(op.conv2d(x, relax.Constant(w1)), min=0.0, max=6.0))
    h = bb.emit(op.clip(op.conv2d(h, relax.Constant(wd), padding=[1], groups=ce), min=0.0, max=6.0))
    h = bb.emit(op.conv2d(h, relax.Constant(w2)))
    out = bb.emit_output(op.add(h, x))
    bb.end_dataflow_block()
    bb.end_function(out)

    def reference(xv):
        t, f = torch.from_numpy, torch.nn.functional
        y = torch.clamp(f.conv2d(t(xv), t(w1)), 0, 6)
        y = torch.clamp(f.conv2d(y, t(wd), padding=1, groups=ce), 0, 6)
        return (f.conv2d(y, t(w2)) + t(xv)).numpy()

    return bb.get_module(), reference


def test_depthwise_conv_stays_blocked_in_a_mobilenet_block():
    mod, reference = mobilenet_block()
    with transform.PassContext(config={"relax.convert_conv_layout.block": 16}):
        converted = transform.ConvertConvLayout()(transform.Normalize()(mod))
    assert 'kernel_layout="OIHW1i16o"' in str(converted), str(converted)
    folded = transform.DeadCodeElimination()(transform.FoldConstant()(converted))
    # In once, out once: the depthwise conv no longer goes back to NCHW.
    assert count_calls(folded, "layout_transform") == 2, str(folded)
    x = np.random.default_rng(9).standard_normal((1, 32, 12, 12)).astype("float32")
    for block in (8, 16):
        np.testing.assert_allclose(run_converted(mod, x, block=block), reference(x), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(run_converted(mod, x, convert=False), reference(x), rtol=1e-4, atol=1e-4)


def test_skips_grouped_and_indivisible_convs_and_can_be_disabled():
    for make, shapes in [
        (lambda a, b: op.conv2d(a, b, groups=2), [(1, 32, 8, 8), (32, 16, 3, 3)]),
        (lambda a, b: op.conv2d(a, b, groups=32), [(1, 32, 8, 8), (64, 1, 3, 3)]),  # a channel multiplier of 2
        (lambda a, b: op.conv2d(a, b), [(1, 10, 8, 8), (32, 10, 3, 3)]),
        (lambda a, b: op.conv2d(a, b, data_layout="NHWC", kernel_layout="HWIO"), [(1, 8, 8, 32), (3, 3, 32, 32)]),
    ]:
        mod = single_call_module(make, shapes)
        kiln.ir.assert_structural_equal(transform.ConvertConvLayout()(mod), mod)
    mod = single_call_module(lambda a, b: op.conv2d(a, b), [(1, 32, 8, 8), (32, 32, 3, 3)])
    with transform.PassContext(config={"relax.convert_conv_layout.disable": True}):
        kiln.ir.assert_structural_equal(transform.ConvertConvLayout()(mod), mod)
    with transform.PassContext(config={"relax.convert_conv_layout.block": 8}):
        assert "NCHW8c" in str(transform.ConvertConvLayout()(mod))


def test_blocked_schedule_folds_bias_relu_and_residual():
    """What fusion makes of conv -> bias -> relu -> add(residual) in NCHW8c,
    written with te: the conv_blocked rule takes it and folds the three
    elementwise stages into the register tile's write-back."""
    from kiln.tir import te

    land = kiln.tir.logical_and
    n, cb, hw, b = 1, 2, 9, 8
    data = te.placeholder((n, cb, hw, hw, b), "float32", name="data")
    weight = te.placeholder((cb, cb, 3, 3, b, b), "float32", name="weight")
    bias = te.placeholder((1, cb, 1, 1, b), "float32", name="bias")
    res = te.placeholder((n, cb, hw, hw, b), "float32", name="res")
    pad = te.compute(
        (n, cb, hw + 2, hw + 2, b),
        lambda i, c, y, x, k: kiln.tir.if_then_else(
            land(land(y >= 1, y < hw + 1), land(x >= 1, x < hw + 1)), data[i, c, y - 1, x - 1, k], 0.0),
        name="pad")
    rc, rh, rw, ri = (te.reduce_axis((0, cb), "rc"), te.reduce_axis((0, 3), "rh"), te.reduce_axis((0, 3), "rw"),
                      te.reduce_axis((0, b), "ri"))
    conv = te.compute(
        (n, cb, hw, hw, b),
        lambda i, o, y, x, k: te.sum(pad[i, rc, y + rh, x + rw, ri] * weight[o, rc, rh, rw, ri, k],
                                     axis=[rc, rh, rw, ri]),
        name="conv")
    biased = te.compute(conv.shape, lambda i, o, y, x, k: conv[i, o, y, x, k] + bias[0, o, 0, 0, k], name="biased")
    relu = te.compute(conv.shape, lambda i, o, y, x, k: kiln.tir.max(biased[i, o, y, x, k], 0.0), name="relu")
    out = te.compute(conv.shape, lambda i, o, y, x, k: relu[i, o, y, x, k] + res[i, o, y, x, k], name="out")
    func = te.create_prim_func([data, weight, bias, res, out])
    mod = transform.DefaultSchedule()(kiln.IRModule({"main": func}))
    scheduled = mod["main"]
    assert scheduled.attrs["tir.schedule_rule"] == "conv_blocked"
    for stage in ("biased", "relu"):
        assert f'block "{stage}"' not in str(scheduled), f"{stage} was not folded into the write-back"

    rng = np.random.default_rng(5)
    x = rng.standard_normal((n, cb * b, hw, hw)).astype("float32")
    w = (rng.standard_normal((cb * b, cb * b, 3, 3)) * 0.2).astype("float32")
    bv = rng.standard_normal((1, cb * b, 1, 1)).astype("float32")
    r = rng.standard_normal((n, cb * b, hw, hw)).astype("float32")
    t = torch.from_numpy
    want = (torch.relu(torch.nn.functional.conv2d(t(x), t(w), padding=1) + t(bv)) + t(r)).numpy()
    rt = kiln.build(mod, target="llvm")
    args = [kiln.nd.array(a) for a in (nchwc(x, b), oihw_io(w, b, b), nchwc(bv, b), nchwc(r, b))]
    args.append(kiln.nd.array(np.zeros((n, cb, hw, hw, b), "float32")))
    rt["main"](*args)
    np.testing.assert_allclose(args[-1].numpy(), nchwc(want, b), rtol=1e-4, atol=1e-4)


def test_weight_parameter_transform_is_lifted():
    """A weight passed as a parameter: its layout_transform moves into
    main_transform_params with LiftTransformParams, run once."""
    x, w = tensor("x", (1, 16, 6, 6)), tensor("w", (16, 16, 3, 3))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x, w], attrs={"global_symbol": "main", "num_input": 1})
    bb.begin_dataflow_block()
    out = bb.emit_output(op.relu(op.conv2d(x, w, padding=[1])))
    bb.end_dataflow_block()
    bb.end_function(out)
    p = kiln.pipeline.get("default", "llvm")
    if "ConvertConvLayout" not in p.names:
        p.insert_before("LegalizeOps", transform.ConvertConvLayout())
    if "LiftTransformParams" not in p.names:
        p.insert_after("LegalizeOps", transform.LiftTransformParams())
    with transform.PassContext(config={"relax.convert_conv_layout.block": 8}):
        vm = kiln.VirtualMachine(kiln.compile(bb.get_module(), target="llvm", pipeline=p), kiln.cpu())
    rng = np.random.default_rng(6)
    xv = rng.standard_normal((1, 16, 6, 6)).astype("float32")
    wv = (rng.standard_normal((16, 16, 3, 3)) * 0.2).astype("float32")
    params = vm["main_transform_params"](kiln.nd.array(wv))
    assert [tuple(a.shape) for a in params] == [(2, 2, 3, 3, 8, 8)]
    got = vm["main"](kiln.nd.array(xv), *params).numpy()
    want = torch.relu(torch.nn.functional.conv2d(torch.from_numpy(xv), torch.from_numpy(wv), padding=1)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def resnet_stem(seed=10):
    """ResNet's stem: conv 7x7 / 2 of the image's 3 channels -> batch_norm ->
    relu -> max_pool 3x3 / 2 -> conv 3x3, constants."""
    rng = np.random.default_rng(seed)
    w1 = (rng.standard_normal((32, 3, 7, 7)) * 0.1).astype("float32")
    gamma, beta = rng.uniform(0.5, 1.5, 32).astype("float32"), rng.standard_normal(32).astype("float32")
    mean, var = rng.standard_normal(32).astype("float32"), rng.uniform(0.5, 2.0, 32).astype("float32")
    w2 = (rng.standard_normal((32, 32, 3, 3)) * 0.1).astype("float32")
    x = tensor("x", (2, 3, 40, 40))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x], attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    h = bb.emit(op.conv2d(x, relax.Constant(w1), strides=[2], padding=[3]))
    h = bb.emit(op.batch_norm(h, *(relax.Constant(a) for a in (gamma, beta, mean, var)), axis=1, epsilon=1e-5))
    h = bb.emit(op.relu(h))
    h = bb.emit(op.max_pool2d(h, pool_size=[3], strides=[2], padding=[1]))
    out = bb.emit_output(op.conv2d(h, relax.Constant(w2), padding=[1]))
    bb.end_dataflow_block()
    bb.end_function(out)

    def reference(xv):
        t, f = torch.from_numpy, torch.nn.functional
        y = f.conv2d(t(xv), t(w1), stride=2, padding=3)
        y = torch.relu(f.batch_norm(y, t(mean), t(var), t(gamma), t(beta), eps=1e-5))
        return f.conv2d(f.max_pool2d(y, 3, stride=2, padding=1), t(w2), padding=1).numpy()

    return bb.get_module(), reference


def test_image_channels_form_one_block_and_the_pool_stays_blocked():
    """3 input channels (fewer than half a block): the stem conv reads
    NCHW3c with an OIHW3i16o kernel, and max_pool2d between the convs takes
    layout NCHW16c: one transform in (of the image), one out."""
    mod, reference = resnet_stem()
    with transform.PassContext(config={"relax.convert_conv_layout.block": 16}):
        converted = transform.ConvertConvLayout()(transform.Normalize()(mod))
    text = str(converted)
    assert 'data_layout="NCHW3c"' in text and 'kernel_layout="OIHW3i16o"' in text, text
    assert 'layout="NCHW16c"' in text.split("max_pool2d(")[1].split("\n")[0], text
    folded = transform.DeadCodeElimination()(transform.FoldConstant()(converted))
    assert count_calls(folded, "layout_transform") == 2, str(folded)
    x = np.random.default_rng(11).standard_normal((2, 3, 40, 40)).astype("float32")
    for block in (8, 16):
        np.testing.assert_allclose(run_converted(mod, x, block=block), reference(x), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("pool", ["max", "avg"])
def test_blocked_pool_matches_torch(pool):
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 32, 11, 11)).astype("float32")
    make = op.max_pool2d if pool == "max" else op.avg_pool2d
    mod = single_call_module(lambda a: make(a, pool_size=[3], strides=[2], padding=[1], layout="NCHW8c"), [nchwc(x, 8).shape])
    f = torch.nn.functional.max_pool2d if pool == "max" else torch.nn.functional.avg_pool2d
    kwargs = {} if pool == "max" else {"count_include_pad": False}
    want = f(torch.from_numpy(x), 3, stride=2, padding=1, **kwargs).numpy()
    for pipeline in (kiln.pipeline.get("zero"), kiln.pipeline.get("default")):
        np.testing.assert_allclose(run(mod, nchwc(x, 8), pipeline=pipeline), nchwc(want, 8), rtol=1e-5, atol=1e-5)
