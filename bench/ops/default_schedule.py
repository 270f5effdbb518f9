"""Default schedules against no schedule: a few ops legalized, built once as
they are and once after kiln.transform.DefaultSchedule, timed side by side in
one run (medians), with PyTorch on the same inputs for reference.

    .venv/bin/python bench/ops/default_schedule.py [--threads N] [--repeat R]

Prints one line per op: milliseconds unscheduled, scheduled, PyTorch, the
speedup of the default schedule and its GFLOP/s (or GB/s for memory-bound
ops). Nothing is asserted."""

import argparse
import os
import sys
import time

import numpy as np

import kiln
from kiln import relax
from kiln.relax import op


def legalize(make_call, arg_specs):
    params = [relax.Var(f"x{i}", relax.TensorStructInfo(list(s), d)) for i, (s, d) in enumerate(arg_specs)]
    bb = relax.BlockBuilder()
    bb.begin_function("main", params)
    bb.begin_dataflow_block()
    out = bb.emit_output(bb.emit(make_call(*params)))
    bb.end_dataflow_block()
    bb.end_function(out)
    return kiln.transform.LegalizeOps()(bb.get_module())


def kernel(mod):
    (name, prim), = [(n, f) for n, f in mod.functions.items() if isinstance(f, kiln.tir.PrimFunc)]
    return name, prim


def median_ms(fn, args, number, repeat):
    timer = kiln.time_evaluator(fn, number=number, repeat=repeat)
    return timer(*args).median * 1e3


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


CASES = [
    # name, call, input shapes, work (flop or bytes), unit, torch reference
    ("matmul 256x256x256", op.matmul, [(256, 256), (256, 256)], 2 * 256**3, "GFLOP/s",
     lambda t, a, b: t.matmul(a, b)),
    ("softmax rows 128x1024", lambda x: op.softmax(x, axis=-1), [(128, 1024)], 2 * 4 * 128 * 1024, "GB/s",
     lambda t, x: t.softmax(x, -1)),
    ("layer_norm 128x768", lambda x, g, b: op.layer_norm(x, g, b), [(128, 768), (768,), (768,)],
     2 * 4 * 128 * 768, "GB/s", lambda t, x, g, b: t.nn.functional.layer_norm(x, (768,), g, b)),
    ("conv2d 1x64x56x56 3x3", lambda x, w: op.conv2d(x, w, padding=[1, 1, 1, 1]), [(1, 64, 56, 56), (64, 64, 3, 3)],
     2 * 64 * 64 * 9 * 56 * 56, "GFLOP/s", lambda t, x, w: t.nn.functional.conv2d(x, w, padding=1)),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=int(os.environ.get("KILN_NUM_THREADS", os.cpu_count() or 1)))
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    os.environ["KILN_NUM_THREADS"] = str(args.threads)
    try:
        import torch

        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    rng = np.random.default_rng(0)
    print(f"threads: {args.threads}, medians of {args.repeat} runs (ms)")
    print(f"{'op':24s} {'unscheduled':>12s} {'default':>9s} {'torch':>9s} {'speedup':>8s}  throughput")
    for name, make_call, shapes, work, unit, ref in CASES:
        mod = legalize(make_call, [(s, "float32") for s in shapes])
        kname, prim = kernel(mod)
        scheduled_mod = kiln.transform.DefaultSchedule()(mod)
        _, scheduled = kernel(scheduled_mod)
        rule = scheduled.attrs.get("tir.schedule_rule", "none")
        inputs = [rng.uniform(-1, 1, size=s).astype("float32") for s in shapes]
        out_sinfo = mod["main"].ret_struct_info
        out_shape = [int(d.value) for d in out_sinfo.shape]
        results, times = [], []
        for f, number in ((prim, 1), (scheduled, 10)):
            rt = kiln.build(kiln.IRModule({kname: f}), target="llvm", name=kname)
            nd_args = [kiln.nd.array(a) for a in inputs] + [kiln.nd.array(np.zeros(out_shape, "float32"))]
            rt[kname](*nd_args)
            results.append(nd_args[-1].numpy())
            times.append(median_ms(rt[kname], nd_args, number, max(3, args.repeat // (1 if number > 1 else 3))))
        np.testing.assert_allclose(results[1], results[0], rtol=1e-3, atol=1e-4)
        t_ms = float("nan")
        if torch is not None:
            tin = [torch.from_numpy(a) for a in inputs]
            t_ms = torch_ms(lambda: ref(torch, *tin), args.repeat)
        rate = work / (times[1] * 1e-3) / 1e9
        print(f"{name:24s} {times[0]:12.3f} {times[1]:9.3f} {t_ms:9.3f} {times[0] / times[1]:7.1f}x  "
              f"{rate:7.1f} {unit} ({rule})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
