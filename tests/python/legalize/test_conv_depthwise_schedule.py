"""The depthwise conv rule and the layout transform rule of the default
schedule: depthwise convolutions (groups == channels, NCHW and NHWC, strides 1
and 2, a batch-norm + clip epilogue, a symbolic batch) and copies that
transpose (layout_transform to and from NCHW16c, permute_dims) are taken by
their rule, run in vectors (and in parallel where large enough), and match
PyTorch / NumPy."""

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from legalize_util import kernel_of, legalize_call

import kiln
from kiln import relax, tir
from kiln.relax import op

rng = np.random.default_rng(11)


def rand(*shape):
    return rng.uniform(-1, 1, size=shape).astype("float32")


def schedule(mod):
    name, prim = kernel_of(kiln.transform.DefaultSchedule()(mod))
    assert "tir.schedule_fallback" not in prim.attrs, prim.attrs["tir.schedule_fallback"]
    return name, prim


def run(name, prim, inputs, out_shape):
    out = kiln.nd.array(np.zeros(out_shape, "float32"))
    rt = kiln.build(kiln.IRModule({name: prim}), target="llvm", name=name)
    rt[name](*[kiln.nd.array(np.ascontiguousarray(a)) for a in inputs], out)
    return out.numpy()


def loop_kinds(prim):
    return set(re.findall(r"in (parallel|vectorized|unrolled)\(", str(prim)))


@pytest.mark.parametrize("channels,size,stride", [(32, 28, 1), (32, 28, 2), (24, 7, 1), (16, 112, 2)])
def test_depthwise_nchw(channels, size, stride):
    x, w = rand(2, channels, size, size), rand(channels, 1, 3, 3)
    mod = legalize_call(lambda d, k: op.conv2d(d, k, strides=[stride, stride], padding=[1, 1, 1, 1], groups=channels),
                        [(x.shape, "float32"), (w.shape, "float32")])
    name, prim = schedule(mod)
    assert prim.attrs["tir.schedule_rule"] == "conv_depthwise"
    kinds = {"vectorized", "parallel"} if size >= 28 else {"vectorized"}  # 7 x 7: too little work to share
    assert kinds <= loop_kinds(prim), str(prim)
    want = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), stride=stride, padding=1, groups=channels).numpy()
    np.testing.assert_allclose(run(name, prim, [x, w], want.shape), want, rtol=1e-4, atol=1e-4)


def test_depthwise_nhwc_vectorizes_channels():
    x, w = rand(1, 10, 10, 32), rand(3, 3, 1, 32)
    mod = legalize_call(
        lambda d, k: op.conv2d(d, k, padding=[1, 1, 1, 1], groups=32, data_layout="NHWC", kernel_layout="HWIO"),
        [(x.shape, "float32"), (w.shape, "float32")])
    name, prim = schedule(mod)
    assert prim.attrs["tir.schedule_rule"] == "conv_depthwise"
    assert "vectorized" in loop_kinds(prim)
    want = F.conv2d(torch.from_numpy(x.transpose(0, 3, 1, 2)), torch.from_numpy(w.transpose(3, 2, 0, 1)), padding=1,
                    groups=32).numpy().transpose(0, 2, 3, 1)
    np.testing.assert_allclose(run(name, prim, [x, w], want.shape), want, rtol=1e-4, atol=1e-4)


def test_grouped_conv_with_several_channels_per_group_is_not_depthwise():
    x, w = rand(1, 16, 8, 8), rand(16, 4, 3, 3)
    mod = legalize_call(lambda d, k: op.conv2d(d, k, padding=[1, 1, 1, 1], groups=4),
                        [(x.shape, "float32"), (w.shape, "float32")])
    name, prim = schedule(mod)
    assert prim.attrs["tir.schedule_rule"] != "conv_depthwise"
    want = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1, groups=4).numpy()
    np.testing.assert_allclose(run(name, prim, [x, w], want.shape), want, rtol=1e-4, atol=1e-4)


class DepthwiseBlock(torch.nn.Module):
    def __init__(self, c, stride):
        super().__init__()
        self.conv = torch.nn.Conv2d(c, c, 3, stride, 1, groups=c, bias=False)
        self.bn = torch.nn.BatchNorm2d(c)

    def forward(self, x):
        return F.relu6(self.bn(self.conv(x)))


@pytest.mark.parametrize("stride", [1, 2])
def test_depthwise_with_batch_norm_and_clip_symbolic_batch(stride):
    torch.manual_seed(0)
    model = DepthwiseBlock(48, stride).eval()
    with torch.no_grad():
        model.bn.running_mean.uniform_(-0.5, 0.5)
        model.bn.running_var.uniform_(0.5, 2.0)
    mod = kiln.frontend.from_torch(model, [(("batch", 48, 28, 28), "float32")])
    # The default pipeline keeps the depthwise conv blocked (NCHW16c, the
    # conv_blocked rule); with ConvertConvLayout off it stays NCHW and takes
    # the depthwise rule.
    for disable, rule in [(False, "conv_blocked"), (True, "conv_depthwise")]:
        with kiln.transform.PassContext(config={"relax.convert_conv_layout.disable": disable}):
            text = str(kiln.pipeline.get("default", "llvm")(mod))
            ex = kiln.compile(mod, target="llvm")
        assert f'"tir.schedule_rule": "{rule}"' in text
        vm = kiln.VirtualMachine(ex, kiln.cpu())
        for batch in (1, 3):
            x = torch.randn(batch, 48, 28, 28)
            with torch.no_grad():
                want = model(x).numpy()
            np.testing.assert_allclose(vm["main"](x.numpy()).numpy(), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("src,dst,shape", [
    ("NCHW16c", "NCHW", (2, 3, 14, 14, 16)),
    ("NCHW", "NCHW16c", (2, 48, 14, 14)),
    ("NCHW8c", "NCHW", (1, 2, 7, 56, 8)),
])
def test_layout_transform_in_tiles(src, dst, shape):
    x = rand(*shape)
    mod = legalize_call(lambda a: op.layout_transform(a, src_layout=src, dst_layout=dst), [(x.shape, "float32")])
    name, prim = schedule(mod)
    assert prim.attrs["tir.schedule_rule"] == "layout_transform"
    assert {"vectorized", "unrolled"} <= loop_kinds(prim), str(prim)
    if src == "NCHW":
        b = int(dst[4:-1])
        n, c, h, w = shape
        want = x.reshape(n, c // b, b, h, w).transpose(0, 1, 3, 4, 2)
    else:
        n, cb, h, w, b = shape
        want = x.transpose(0, 1, 4, 2, 3).reshape(n, cb * b, h, w)
    np.testing.assert_array_equal(run(name, prim, [x], want.shape), want)


def test_layout_transform_symbolic_batch():
    n = tir.SizeVar("n")
    mod = legalize_call(lambda a: op.layout_transform(a, src_layout="NCHW16c", dst_layout="NCHW"),
                        [((n, 2, 7, 28, 16), "float32")])
    name, prim = schedule(mod)
    assert prim.attrs["tir.schedule_rule"] == "layout_transform"
    rt = kiln.build(kiln.IRModule({name: prim}), target="llvm", name=name)
    for batch in (1, 3):
        x = rand(batch, 2, 7, 28, 16)
        out = kiln.nd.array(np.zeros((batch, 32, 7, 28), "float32"))
        rt[name](kiln.nd.array(x), out)
        np.testing.assert_array_equal(out.numpy(), x.transpose(0, 1, 4, 2, 3).reshape(batch, 32, 7, 28))


def test_copy_along_the_same_innermost_axis_stays_injective():
    x = rand(2, 8, 6, 32)
    mod = legalize_call(lambda a: op.permute_dims(a, axes=[0, 2, 1, 3]), [(x.shape, "float32")])
    name, prim = schedule(mod)
    assert prim.attrs["tir.schedule_rule"] == "injective"
    np.testing.assert_array_equal(run(name, prim, [x], (2, 6, 8, 32)), x.transpose(0, 2, 1, 3))
