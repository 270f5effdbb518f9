"""Blocked convolution layout against NCHW: conv2d compiled through the
default pipeline as written (NCHW, the "conv" rule), after ConvertConvLayout
(NCHW<b>c, the "conv_blocked" rule; whole model, so the input's and output's
layout_transform are included), the blocked kernel alone (inputs already
blocked), and PyTorch eager, timed side by side in one run (medians).

    KILN_NUM_THREADS=2 .venv/bin/python bench/ops/conv_layout.py [--threads N] [--repeat R]

Nothing is asserted besides the results agreeing."""

import argparse
import os
import sys
import time

import numpy as np

import kiln
from kiln import relax, transform
from kiln.relax import op

CASES = [
    # name, data shape, weight shape, padding
    ("conv2d 3x3 64->64 1x64x56x56", (1, 64, 56, 56), (64, 64, 3, 3), 1),
    ("conv2d 1x1 256->64 1x256x56x56", (1, 256, 56, 56), (64, 256, 1, 1), 0),
]


def module(make, params):
    bb = relax.BlockBuilder()
    bb.begin_function("main", params, attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    out = bb.emit_output(bb.emit(make(*params)))
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


def var(name, shape):
    return relax.Var(name, relax.TensorStructInfo(list(shape), "float32"))


def vm_ms(mod, pipeline, args, repeat):
    vm = kiln.VirtualMachine(kiln.compile(mod, target="llvm", pipeline=pipeline), kiln.cpu())
    nd = [kiln.nd.array(a) for a in args]
    out = vm["main"](*nd).numpy()
    return vm.time_evaluator("main", number=10, repeat=repeat)(*nd).median * 1e3, out


def torch_ms(fn, repeat, number=10):
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return float(np.median(times)) * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=int(os.environ.get("KILN_NUM_THREADS", os.cpu_count() or 1)))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--block", type=int, default=16, help="channels per block (16: AVX-512 float32, 8: AVX2)")
    args = parser.parse_args()
    os.environ["KILN_NUM_THREADS"] = str(args.threads)
    import torch

    torch.set_num_threads(args.threads)
    pipeline = kiln.pipeline.get("default", "llvm")
    if "ConvertConvLayout" not in pipeline.names:
        pipeline.insert_before("LegalizeOps", transform.ConvertConvLayout())
    rng = np.random.default_rng(0)
    print(f"threads: {args.threads}, medians of {args.repeat} x 10 runs (ms)")
    print(f"{'op':32s} {'NCHW':>8s} {'blocked':>8s} {'kernel':>8s} {'torch':>8s}  GFLOP/s (kernel)")
    for name, dshape, wshape, pad in CASES:
        x = rng.uniform(-1, 1, size=dshape).astype("float32")
        w = rng.uniform(-1, 1, size=wshape).astype("float32")
        flop = 2 * np.prod(wshape) * dshape[2] * dshape[3]
        mod = module(lambda a: op.conv2d(a, relax.Constant(w), padding=[pad]), [var("x", dshape)])
        with transform.PassContext(config={"relax.convert_conv_layout.disable": True}):
            t_nchw, y_nchw = vm_ms(mod, pipeline, [x], args.repeat)
        with transform.PassContext(config={"relax.convert_conv_layout.block": args.block}):
            t_conv, y_conv = vm_ms(mod, pipeline, [x], args.repeat)
        np.testing.assert_allclose(y_conv, y_nchw, rtol=1e-3, atol=1e-3)
        b = args.block
        c, o = dshape[1], wshape[0]
        xb = x.reshape(1, c // b, b, *dshape[2:]).transpose(0, 1, 3, 4, 2).copy()
        wb = w.reshape(o // b, b, c // b, b, *wshape[2:]).transpose(0, 2, 4, 5, 3, 1).copy()
        kmod = module(lambda a, k: op.conv2d(a, k, padding=[pad], data_layout=f"NCHW{b}c",
                                             kernel_layout=f"OIHW{b}i{b}o"), [var("x", xb.shape), var("w", wb.shape)])
        t_kernel, _ = vm_ms(kmod, kiln.pipeline.get("default", "llvm"), [xb, wb], args.repeat)
        tx, tw = torch.from_numpy(x), torch.from_numpy(w)
        t_torch = torch_ms(lambda: torch.nn.functional.conv2d(tx, tw, padding=pad), args.repeat)
        print(f"{name:32s} {t_nchw:8.3f} {t_conv:8.3f} {t_kernel:8.3f} {t_torch:8.3f}  {flop / t_kernel / 1e6:7.1f}")
    residual_block(pipeline, rng, args, torch)
    return 0


def residual_block(pipeline, rng, args, torch):
    """A ResNet basic block, 64 channels at 56x56: conv3x3 + bias, relu,
    conv3x3 + bias, add(x), relu; the layout transforms are paid once."""
    c, hw = 64, 56
    ws = [rng.uniform(-0.1, 0.1, size=(c, c, 3, 3)).astype("float32") for _ in range(2)]
    bs = [rng.uniform(-1, 1, size=(1, c, 1, 1)).astype("float32") for _ in range(2)]
    x = rng.uniform(-1, 1, size=(1, c, hw, hw)).astype("float32")

    def block(a):
        h = op.relu(op.add(op.conv2d(a, relax.Constant(ws[0]), padding=[1]), relax.Constant(bs[0])))
        h = op.add(op.conv2d(h, relax.Constant(ws[1]), padding=[1]), relax.Constant(bs[1]))
        return op.relu(op.add(h, a))

    mod = module(block, [var("x", x.shape)])
    with transform.PassContext(config={"relax.convert_conv_layout.disable": True}):
        t_nchw, y_nchw = vm_ms(mod, pipeline, [x], args.repeat)
    with transform.PassContext(config={"relax.convert_conv_layout.block": args.block}):
        t_conv, y_conv = vm_ms(mod, pipeline, [x], args.repeat)
    np.testing.assert_allclose(y_conv, y_nchw, rtol=1e-3, atol=1e-3)
    tx = torch.from_numpy(x)
    tw, tb = [torch.from_numpy(w) for w in ws], [torch.from_numpy(b) for b in bs]
    conv = torch.nn.functional.conv2d

    def ref():
        h = torch.relu(conv(tx, tw[0], padding=1) + tb[0])
        return torch.relu(conv(h, tw[1], padding=1) + tb[1] + tx)

    t_torch = torch_ms(ref, args.repeat)
    flop = 2 * 2 * c * c * 9 * hw * hw
    print(f"{'basic block 64ch 56x56':32s} {t_nchw:8.3f} {t_conv:8.3f} {'-':>8s} {t_torch:8.3f}  "
          f"{flop / t_conv / 1e6:7.1f} (blocked)")


if __name__ == "__main__":
    sys.exit(main())
