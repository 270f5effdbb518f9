"""Library dispatch vs Kiln's own kernels, same run, same thread count: an MLP
(1024 wide, 3 linear + relu layers, batch 32 and 128) and a ResNet-style conv
stack (3x3 conv + bias + relu, three times, 64 channels at 56x56 and 128 at
28x28), compiled with the default pipeline with no dispatch, with
dispatch=["openblas"] and with dispatch=["onednn"]. Writes
bench/results/dispatch.json and .md (median milliseconds and ratios).

    KILN_NUM_THREADS=2 OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 python bench/dispatch/dispatch.py [--quick]
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

# oneDNN's OpenMP threads wait passively between calls: spinning, they fight
# Kiln's pool and any other load for the cores (tens of ms per call when a
# 2-core machine is busy). Read when libgomp loads, so before kiln.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

import kiln  # noqa: E402
from kiln import relax  # noqa: E402
from kiln.relax import op  # noqa: E402
from kiln.relax.pattern import library_available  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def tensor(shape):
    return relax.TensorStructInfo(list(shape), "float32")


def mlp(batch, width, layers=3):
    x = relax.Var("x", tensor((batch, width)))
    ws = [relax.Var(f"w{i}", tensor((width, width))) for i in range(layers)]
    bs = [relax.Var(f"b{i}", tensor((width,))) for i in range(layers)]
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x] + ws + bs, attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    h = x
    for i in range(layers):
        h = bb.emit(op.linear(h, ws[i], bs[i]))
        if i + 1 < layers:
            h = bb.emit(op.relu(h))
    out = bb.emit_output(h)
    bb.end_dataflow_block()
    bb.end_function(out)
    shapes = [(batch, width)] + [(width, width)] * layers + [(width,)] * layers
    return bb.get_module(), shapes


def conv_stack(channels, size, layers=3):
    x = relax.Var("x", tensor((1, channels, size, size)))
    ws = [relax.Var(f"w{i}", tensor((channels, channels, 3, 3))) for i in range(layers)]
    bs = [relax.Var(f"b{i}", tensor((1, channels, 1, 1))) for i in range(layers)]
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x] + ws + bs, attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    h = x
    for i in range(layers):
        h = bb.emit(op.relu(op.add(op.conv2d(h, ws[i], padding=[1, 1]), bs[i])))
    out = bb.emit_output(h)
    bb.end_dataflow_block()
    bb.end_function(out)
    shapes = [(1, channels, size, size)] + [(channels, channels, 3, 3)] * layers + [(1, channels, 1, 1)] * layers
    return bb.get_module(), shapes


def time_ms(f, args, min_seconds, min_runs=5):
    for _ in range(3):
        f(*args)
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        f(*args)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, short timing, results in dispatch_quick.*")
    opts = parser.parse_args()
    if opts.quick:
        models = [("mlp 256 batch 32", *mlp(32, 256)), ("conv 32ch 28x28", *conv_stack(32, 28))]
        seconds, out = 0.2, ROOT / "bench/results/dispatch_quick"
    else:
        models = [
            ("mlp 1024 batch 32", *mlp(32, 1024)),
            ("mlp 1024 batch 128", *mlp(128, 1024)),
            ("conv 64ch 56x56", *conv_stack(64, 56)),
            ("conv 128ch 28x28", *conv_stack(128, 28)),
        ]
        seconds, out = 1.0, ROOT / "bench/results/dispatch"
    variants = [("kiln", None)] + [(lib, [lib]) for lib in ("openblas", "onednn") if library_available(lib)]
    threads = int(os.environ.get("KILN_NUM_THREADS", "0")) or os.cpu_count()
    rng = np.random.default_rng(0)
    rows = []
    load_before = os.getloadavg()[0]
    for name, mod, shapes in models:
        args = [kiln.nd.array((rng.standard_normal(s) * 0.05).astype("float32")) for s in shapes]
        row = {"model": name, "threads": threads, "ms": {}, "dispatched": {}}
        ref = None
        for label, dispatch in variants:
            pipeline = kiln.pipeline.get("default", "llvm", dispatch=dispatch)
            graph = kiln.pipeline.Pipeline(pipeline[: pipeline.index_of("LegalizeOps")])(mod)
            row["dispatched"][label] = str(graph["main"]).count("call_dps_packed")
            f = kiln.VirtualMachine(kiln.compile(mod, target="llvm", pipeline=pipeline), kiln.cpu())["main"]
            result = f(*args).numpy()
            if ref is None:
                ref = result
            np.testing.assert_allclose(result, ref, rtol=1e-3, atol=1e-3)
            row["ms"][label] = round(time_ms(f, args, seconds), 4)
        row["kiln_over"] = {k: round(row["ms"]["kiln"] / v, 3) for k, v in row["ms"].items() if k != "kiln"}
        rows.append(row)
        print(f'{name}: ' + ", ".join(f"{k} {v:.3f} ms" for k, v in row["ms"].items()), flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(rows, indent=1) + "\n")
    libs = [label for label, _ in variants[1:]]
    lines = [
        f"# Library dispatch vs Kiln's own kernels ({threads} threads, median ms, same run)",
        "",
        "Default pipeline; `dispatch=[lib]` sends linear / conv2d (+ bias, + relu for oneDNN) to the library "
        "through call_dps_packed. `kiln / lib` > 1: the library is faster.",
        "",
        "| model | kiln | " + " | ".join(libs) + " | " + " | ".join(f"kiln / {lib}" for lib in libs) + " |",
        "|---" * (2 + 2 * len(libs)) + "|",
    ]
    load = f"Load average {load_before:.2f} before the run, {os.getloadavg()[0]:.2f} after ({os.cpu_count()} CPUs)"
    for r in rows:
        lines.append(
            f'| {r["model"]} | {r["ms"]["kiln"]:.3f} | '
            + " | ".join(f'{r["ms"][lib]:.3f} ({r["dispatched"][lib]} calls)' for lib in libs)
            + " | "
            + " | ".join(f'{r["kiln_over"][lib]:.2f}' for lib in libs)
            + " |"
        )
    lines += ["", load + (": other work on the machine skews the figures." if load_before > 0.5 else ".")]
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
