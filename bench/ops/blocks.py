"""Kiln against PyTorch eager and torch.compile (Inductor) on blocks of a
model and single ops, on the same inputs, in one process, with the same
number of threads: a 3-layer MLP (batch 1 and 32), a ResNet bottleneck
block, a BERT-base encoder layer, softmax and layer_norm rows.

    .venv/bin/python bench/ops/blocks.py [--quick] [--pipeline zero|default|none]
        [--threads 2] [--only SUBSTRING] [--no-inductor] [--check-only] [--profile]

Every workload is built twice from the same weights (bench/ops/models/) and
Kiln's output is checked against torch's first (max abs error above 1e-3
fails the run). Then the systems take turns, after warm-up: each round times
one batch of calls of each; the median round's time per call is reported.
Writes bench/results/ops.{json,md} (--quick: tiny sizes, ops_quick.*; with
--only, only where --out says).

Kiln compiles with plain `kiln.compile(mod)`, the default pipeline, unless
--pipeline names one of kiln.pipeline ("none": plain kiln.compile too)."""

import argparse
import json
import os
import sys
import time
from pathlib import Path


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few repeats (smoke run)")
    parser.add_argument("--pipeline", choices=["zero", "default", "none"], default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", default="", help="run the workloads whose name contains this")
    parser.add_argument("--no-inductor", action="store_true", help="skip torch.compile")
    parser.add_argument("--check-only", action="store_true", help="check Kiln against torch, time nothing")
    parser.add_argument("--profile", action="store_true", help="print Kiln's time per kernel for each workload")
    parser.add_argument("--repeat", type=int, default=None, help="timed batches per system (default 25, quick 5)")
    parser.add_argument("--batch-ms", type=float, default=None, help="length of one timed batch (default 40 ms)")
    parser.add_argument("--out", default=None, help="results path without suffix (default bench/results/ops)")
    return parser.parse_args(argv)


# Threads are fixed before kiln and torch start their pools.
if __name__ == "__main__":
    ARGS = parse_args()
    os.environ["KILN_NUM_THREADS"] = str(ARGS.threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(ARGS.threads))

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import kiln  # noqa: E402
import models  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 1e-3


def workloads(quick: bool):
    """The workloads as thunks that build them (one at a time: the weights of
    the full sizes take memory)."""
    if quick:
        return [
            lambda: models.mlp(1, (64, 128, 128, 10)),
            lambda: models.mlp(4, (64, 128, 128, 10)),
            lambda: models.bottleneck(channels=32, width=8, size=8),
            lambda: models.bert_layer(seq=16, hidden=64, heads=4, ffn=256),
            lambda: models.softmax_rows(8, 64),
            lambda: models.layer_norm_rows(8, 48),
        ]
    return [
        lambda: models.mlp(1),
        lambda: models.mlp(32),
        lambda: models.bottleneck(),
        lambda: models.bert_layer(),
        lambda: models.softmax_rows(128, 1024),
        lambda: models.softmax_rows(4096, 1024),
        lambda: models.layer_norm_rows(128, 768),
        lambda: models.layer_norm_rows(4096, 768),
    ]


def compile_kiln(mod, pipeline=None):
    """kiln.compile(mod), or with kiln.pipeline.get(pipeline, "llvm")."""
    if pipeline in (None, "none"):
        return kiln.compile(mod)
    if not hasattr(kiln, "pipeline"):
        raise SystemExit(f"blocks.py: --pipeline {pipeline}: this Kiln has no kiln.pipeline yet")
    return kiln.compile(mod, pipeline=kiln.pipeline.get(pipeline, "llvm"))


def run_torch(fn, inputs):
    import torch

    with torch.inference_mode():
        return fn(*inputs).numpy()


def check(w, vm, torch_inputs):
    """Kiln's output against eager torch's; raises when they differ by more
    than TOLERANCE. Returns the max abs error."""
    got = vm["main"](*w.inputs).numpy()
    want = run_torch(w.torch_module, torch_inputs)
    if got.shape != want.shape:
        raise AssertionError(f"{w.name}: kiln gives shape {got.shape}, torch {want.shape}")
    err = float(np.max(np.abs(got.astype(np.float64) - want)))
    if not np.isfinite(err) or err > TOLERANCE:
        raise AssertionError(f"{w.name}: kiln differs from torch by {err:.3g} (max abs; tolerance {TOLERANCE})")
    return err


def calls_per_batch(seconds_per_call, batch_ms):
    return max(1, int(batch_ms * 1e-3 / max(seconds_per_call, 1e-9)))


def kiln_batches(vm, args, batch_ms):
    """A callable timing one batch of calls of vm["main"] (seconds per call)."""
    once = vm.time_evaluator("main", number=1, repeat=3)(*args).median
    timer = vm.time_evaluator("main", number=calls_per_batch(once, batch_ms), repeat=1)
    return lambda: timer(*args).median


def torch_batches(fn, inputs, batch_ms):
    """A callable timing one batch of calls of fn (seconds per call), after
    warm-up."""
    import torch

    def batch(number):
        with torch.inference_mode():
            start = time.perf_counter()
            for _ in range(number):
                fn(*inputs)
            return (time.perf_counter() - start) / number

    batch(3)
    number = calls_per_batch(batch(1), batch_ms)
    return lambda: batch(number)


def median_ms(batches, repeat):
    """Medians (ms per call) of `repeat` rounds; each round times one batch of
    every system in turn, after a pause that lets the threads the previous
    one left spinning (OpenMP's, Kiln's pool) go to sleep, so that load on
    the machine that comes and goes hits every system alike."""
    times = {name: [] for name in batches}
    for _ in range(repeat):
        for name, batch in batches.items():
            time.sleep(0.01)
            times[name].append(batch())
    return {name: float(np.median(t)) * 1e3 for name, t in times.items()}


def run(args):
    import torch

    torch.set_num_threads(args.threads)
    repeat = args.repeat or (5 if args.quick else 25)
    batch_ms = args.batch_ms or (10.0 if args.quick else 40.0)
    rows = []
    for make in workloads(args.quick):
        w = make()
        if args.only and args.only not in w.name:
            continue
        start = time.perf_counter()
        vm = kiln.VirtualMachine(compile_kiln(w.kiln_module, args.pipeline), kiln.cpu())
        compile_s = time.perf_counter() - start
        torch_inputs = [torch.from_numpy(a) for a in w.inputs]
        row = {"name": w.name, "kind": w.kind, "max_abs_err": check(w, vm, torch_inputs), "kiln_compile_s": compile_s}
        if args.check_only:
            print(f"{w.name:44s} ok, max abs err {row['max_abs_err']:.2e}")
            rows.append(row)
            continue
        if args.profile:
            print(w.name)
            print(vm.profile("main", *w.inputs))
        kiln_args = [kiln.nd.array(a) for a in w.inputs]
        batches = {"kiln_ms": kiln_batches(vm, kiln_args, batch_ms),
                   "eager_ms": torch_batches(w.torch_module, torch_inputs, batch_ms)}
        row["inductor_ms"] = None
        if not args.no_inductor:
            compiled = torch.compile(w.torch_module, backend="inductor")
            start = time.perf_counter()
            got = run_torch(compiled, torch_inputs)
            row["inductor_compile_s"] = time.perf_counter() - start
            row["inductor_err"] = float(np.max(np.abs(got - run_torch(w.torch_module, torch_inputs))))
            batches["inductor_ms"] = torch_batches(compiled, torch_inputs, batch_ms)
        row.update(median_ms(batches, repeat))
        print(format_row(row), flush=True)
        rows.append(row)
    return rows


def speedup(row, peer):
    return row[peer] / row["kiln_ms"] if row.get(peer) else None


HEADER = ("workload", "kiln ms", "eager ms", "inductor ms", "eager/kiln", "inductor/kiln", "max err")


def format_row(row):
    f = lambda v, spec: format(v, spec) if v is not None else "-"  # noqa: E731
    return (f"{row['name']:44s} {row['kiln_ms']:9.3f} {row['eager_ms']:9.3f} {f(row['inductor_ms'], '11.3f'):>11s}"
            f" {f(speedup(row, 'eager_ms'), '9.2f'):>9s}x {f(speedup(row, 'inductor_ms'), '11.2f'):>11s}x"
            f" {row['max_abs_err']:9.1e}")


def write_results(rows, args, out):
    meta = {"threads": args.threads, "pipeline": args.pipeline or "kiln.compile default",
            "repeat": args.repeat or (5 if args.quick else 25), "quick": args.quick,
            "torch": __import__("torch").__version__, "kiln": kiln.__version__,
            "load_average_after": os.getloadavg()[0], "cpus": os.cpu_count()}
    for row in rows:
        row["eager_over_kiln"] = speedup(row, "eager_ms")
        row["inductor_over_kiln"] = speedup(row, "inductor_ms")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")
    f = lambda v, spec: format(v, spec) if v is not None else "-"  # noqa: E731
    lines = [f"Kiln vs PyTorch {meta['torch']} eager and torch.compile (Inductor), {args.threads} threads, "
             f"one process; median per call (ms). Kiln: {meta['pipeline']}. Ratios above 1: Kiln is faster. "
             f"Load average after the run: {meta['load_average_after']:.2f} on {meta['cpus']} CPUs.", "",
             "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for r in rows:
        lines.append(f"| {r['name']} | {r['kiln_ms']:.3f} | {r['eager_ms']:.3f} | {f(r['inductor_ms'], '.3f')} | "
                     f"{f(r['eager_over_kiln'], '.2f')} | {f(r['inductor_over_kiln'], '.2f')} | "
                     f"{r['max_abs_err']:.1e} |")
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")


def main(args):
    if not args.check_only:
        if os.getloadavg()[0] > 0.5:
            print(f"blocks.py: load average {os.getloadavg()[0]:.2f}: other work on the machine skews the figures")
        print(f"threads {args.threads}; kiln: {args.pipeline or 'kiln.compile default'}")
        print(" ".join(f"{h:>11s}" if i else f"{h:44s}" for i, h in enumerate(HEADER)))
    rows = run(args)
    if args.check_only or (args.only and not args.out):
        return 0
    out = Path(args.out) if args.out else ROOT / "bench/results" / ("ops_quick" if args.quick else "ops")
    write_results(rows, args, out)
    print(f"blocks.py: wrote {out}.json, {out}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(ARGS))
