"""Whole models, float32, a fixed number of threads (2), in one run: Kiln
(kiln.compile, the default pipeline, no tuning) vs PyTorch eager vs
torch.compile (Inductor, CPU) vs ONNX Runtime vs Apache TVM (its default
pipeline, no tuning) on resnet18, resnet50, mobilenet_v2, the BERT-base
encoder at seq 128, the GPT-2 decoder (prefill of 128 tokens) and the MLP, at
batch 1 and 8, with compile times.

    .venv/bin/python bench/models/bench_models.py [--quick] [--models a,b]
        [--batches 1,8] [--threads 2] [--peers onnxruntime,tvm] [--no-inductor]
        [--check-only] [--repeat N] [--batch-ms MS] [--tvm-timeout S] [--out PATH]

For every model and batch: the model is built once (bench/models/zoo.py,
random weights) and run eagerly for the reference outputs. Kiln imports it
with kiln.frontend.from_torch (the torch path, static shapes) and compiles it
(kiln_compile_s: import + compile); its output is checked against eager's
(max abs error, stored; above 1e-3 the row is flagged). Inductor's compile
time is its first call (caches off, after a warm-up of Inductor itself on a
tiny module). The model is exported with torch.export for the
peers; a child process (bench/models/peer.py) exports it to ONNX, and the
ONNX Runtime session runs in this process. Kiln, eager, Inductor and ONNX
Runtime are then timed taking turns round by round (bench/ops/blocks.py's
helpers: after warm-up, `repeat` rounds of a batch of calls about `batch-ms`
long each; the median round's time per call). TVM runs after them in a child
process (peer.py: it carries its own LLVM), timed alike, with a time limit
(--tvm-timeout, 600 s for import, build and timing; a batch that TVM's time
per call at a smaller batch says would not fit is not run). A peer that fails or times out is null, with the reason in the row's `notes`;
nothing crashes the run.

Writes bench/results/models.{json,md,png} (--quick: the MLP and resnet18 at
batch 1, few repeats, models_quick.*; --models or --batches other than the
defaults: models_partial.*, unless --out says)."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ALL_MODELS = ["resnet18", "resnet50", "mobilenet_v2", "bert_base", "gpt2", "mlp"]
PEERS = ["onnxruntime", "tvm"]
TOLERANCE = 1e-3


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the MLP and resnet18 at batch 1, few repeats")
    ap.add_argument("--models", default=None, help=f"comma-separated, of {','.join(ALL_MODELS)}")
    ap.add_argument("--batches", default=None, help="comma-separated batch sizes (default 1,8)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--peers", default=",".join(PEERS), help="child-process peers to run ('' for none)")
    ap.add_argument("--no-inductor", action="store_true", help="skip torch.compile")
    ap.add_argument("--check-only", action="store_true", help="check Kiln against eager, time nothing")
    ap.add_argument("--repeat", type=int, default=None, help="timed rounds (default 10, quick 3)")
    ap.add_argument("--batch-ms", type=float, default=None, help="length of one timed batch (default 200, quick 20)")
    ap.add_argument("--tvm-timeout", type=float, default=600.0, help="seconds for TVM's import, build and timing")
    ap.add_argument("--ort-timeout", type=float, default=600.0, help="seconds for ONNX Runtime's export and timing")
    ap.add_argument("--out", default=None, help="results path without suffix")
    args = ap.parse_args(argv)
    args.model_list = (args.models.split(",") if args.models else (["mlp", "resnet18"] if args.quick else ALL_MODELS))
    unknown = [m for m in args.model_list if m not in ALL_MODELS]
    if unknown:
        ap.error(f"--models: unknown {', '.join(unknown)}; known: {', '.join(ALL_MODELS)}")
    args.batch_list = [int(b) for b in args.batches.split(",")] if args.batches else ([1] if args.quick else [1, 8])
    args.peer_list = [p for p in args.peers.split(",") if p]
    bad = [p for p in args.peer_list if p not in PEERS]
    if bad:
        ap.error(f"--peers: unknown {', '.join(bad)}; known: {', '.join(PEERS)}")
    args.repeat = args.repeat or (3 if args.quick else 10)
    args.batch_ms = args.batch_ms or (20.0 if args.quick else 200.0)
    if args.out is None:
        default = args.model_list == ALL_MODELS and args.batch_list == [1, 8]
        quick = args.quick and not args.models and not args.batches
        stem = "models_quick" if quick else "models" if default else "models_partial"
        args.out = str(ROOT / "bench/results" / stem)
    return args


def pin_threads(threads):
    """Every runtime gets the thread count from its variable, before any
    starts its pool (Kiln's is sized when kiln is imported)."""
    for var in ("KILN_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TVM_NUM_THREADS"):
        os.environ[var] = str(threads)


if __name__ == "__main__":
    ARGS = parse_args()
    pin_threads(ARGS.threads)

sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "bench" / "ops"))

import numpy as np  # noqa: E402

import blocks  # noqa: E402  (bench/ops/blocks.py: compile_kiln and the timing helpers)
import kiln  # noqa: E402
import peer  # noqa: E402
import report  # noqa: E402
import zoo  # noqa: E402


def reason(e):
    """An exception in one line for a row's notes."""
    text = str(e).strip()
    return f"{type(e).__name__}: {text.splitlines()[0][:200] if text else ''}"


def as_list(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def max_abs_err(outs, refs):
    if len(outs) != len(refs):
        raise AssertionError(f"{len(outs)} outputs, eager gives {len(refs)}")
    err = 0.0
    for o, r in zip(outs, refs):
        if tuple(o.shape) != tuple(r.shape):
            raise AssertionError(f"output shape {tuple(o.shape)}, eager gives {tuple(r.shape)}")
        err = max(err, float(np.max(np.abs(o.astype(np.float64) - r))))
    return err


def eager_outputs(model, inputs):
    import torch

    with torch.inference_mode():
        return [o.numpy() for o in as_list(model(*inputs))]


def kiln_import_compile(model, specs):
    """(VirtualMachine, seconds): kiln.frontend.from_torch + kiln.compile."""
    start = time.perf_counter()
    mod = kiln.frontend.from_torch(model, specs)
    vm = kiln.VirtualMachine(blocks.compile_kiln(mod), kiln.cpu())
    return vm, time.perf_counter() - start


def check_kiln(name, batch):
    """The correctness part alone: builds `name` at `batch`, imports and
    compiles it with Kiln and returns the max abs error against eager."""
    model, specs, inputs = zoo.build(name, batch)
    vm, _ = kiln_import_compile(model, specs)
    got = [o.numpy() for o in as_list(vm["main"](*[x.numpy() for x in inputs]))]
    return max_abs_err(got, eager_outputs(model, inputs))


def run_peer(which, program, data, folder, args, timeout):
    """bench/models/peer.py `which` in a child process: its result dict (ms
    None and notes on failure or timeout)."""
    out = Path(folder) / f"{which}.json"
    cmd = [sys.executable, str(HERE / "peer.py"), which, str(program), str(data), str(out),
           "--threads", str(args.threads), "--repeat", str(args.repeat), "--batch-ms", str(args.batch_ms),
           "--min-seconds", "0.2" if args.quick else "2"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=dict(os.environ))
    except subprocess.TimeoutExpired:
        return {"ms": None, "notes": f"{which}: timed out after {timeout:.0f} s (import, build and timing)"}
    if out.exists():
        return json.loads(out.read_text())
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
    return {"ms": None, "notes": f"{which}: child exited {proc.returncode}: {tail[0][:200]}"}


def export_program(model, inputs, refs, folder):
    """folder/program.pt2 (torch.export) and folder/data.npz (inputs, eager
    outputs) for the peers."""
    import torch

    ep = torch.export.export(model, tuple(inputs))
    torch.export.save(ep, str(Path(folder) / "program.pt2"))
    arrays = {f"in{i}": x.numpy() for i, x in enumerate(inputs)}
    arrays.update({f"out{i}": r for i, r in enumerate(refs)})
    np.savez(Path(folder) / "data.npz", **arrays)
    return Path(folder) / "program.pt2", Path(folder) / "data.npz"


# model: (batch, seconds per call, compile seconds) of TVM's last run on it.
TVM_SECONDS = {}


def tvm_over_limit(name, batch, args):
    """A note when TVM at a smaller batch of `name` ran so slowly that this
    batch would not finish in --tvm-timeout (time per call scaled by the
    batch), else None."""
    if "tvm" not in args.peer_list or name not in TVM_SECONDS:
        return None
    b0, seconds, compile_s = TVM_SECONDS[name]
    if b0 >= batch:
        return None
    expected = seconds * batch / b0
    if expected + compile_s < args.tvm_timeout:
        return None
    return (f"tvm: not run: {seconds:.0f} s per call at batch {b0}, about {expected:.0f} s at batch {batch}, "
            f"over the {args.tvm_timeout:.0f} s limit (--tvm-timeout)")


def bench_one(name, batch, args):
    import torch

    row = {"model": name, "batch": batch, "threads": args.threads, "kiln_ms": None, "torch_eager_ms": None,
           "inductor_ms": None, "onnxruntime_ms": None, "tvm_ms": None, "kiln_compile_s": None,
           "inductor_compile_s": None, "tvm_compile_s": None, "onnxruntime_session_s": None,
           "onnx_export_s": None, "kiln_max_abs_err": None, "flagged": False}
    notes = []
    model, specs, inputs = zoo.build(name, batch)
    refs = eager_outputs(model, inputs)
    batches = {"torch_eager_ms": blocks.torch_batches(model, inputs, args.batch_ms)} if not args.check_only else {}

    vm = None
    try:
        vm, row["kiln_compile_s"] = kiln_import_compile(model, specs)
        arrays = [x.numpy() for x in inputs]
        got = [o.numpy() for o in as_list(vm["main"](*arrays))]
        row["kiln_max_abs_err"] = max_abs_err(got, refs)
        if not np.isfinite(row["kiln_max_abs_err"]) or row["kiln_max_abs_err"] > TOLERANCE:
            row["flagged"] = True
            notes.append(f"kiln: max abs err {row['kiln_max_abs_err']:.3g} > {TOLERANCE}")
        if not args.check_only:
            batches["kiln_ms"] = blocks.kiln_batches(vm, [kiln.nd.array(a) for a in arrays], args.batch_ms)
    except Exception as e:
        traceback.print_exc()
        notes.append(f"kiln: {reason(e)}")
    if args.check_only:
        row["notes"] = "; ".join(notes)
        return row

    if not args.no_inductor:
        try:
            torch._dynamo.reset()
            compiled = torch.compile(model, backend="inductor")
            start = time.perf_counter()
            got = eager_outputs(compiled, inputs)
            row["inductor_compile_s"] = time.perf_counter() - start
            row["inductor_max_abs_err"] = max_abs_err(got, refs)
            batches["inductor_ms"] = blocks.torch_batches(compiled, inputs, args.batch_ms)
        except Exception as e:
            traceback.print_exc()
            notes.append(f"inductor: {reason(e)}")

    with tempfile.TemporaryDirectory(prefix="kiln-bench-models-") as folder:
        program = data = None
        if args.peer_list:
            try:
                program, data = export_program(model, inputs, refs, folder)
            except Exception as e:
                traceback.print_exc()
                notes.append(f"torch.export (for the peers): {reason(e)}")
        if program is not None and "onnxruntime" in args.peer_list:
            try:
                r = run_peer("onnx-export", program, data, folder, args, args.ort_timeout)
                if r.get("export_s") is None:
                    raise RuntimeError(r.get("notes", "no model.onnx"))
                row["onnx_export_s"] = r["export_s"]
                start = time.perf_counter()
                session = peer.onnxruntime_session(Path(folder) / "model.onnx", args.threads)
                row["onnxruntime_session_s"] = time.perf_counter() - start
                feed = {i.name: x.numpy() for i, x in zip(session.get_inputs(), inputs)}
                ort_call = lambda *_: session.run(None, feed)  # noqa: E731
                row["onnxruntime_max_abs_err"] = max_abs_err(ort_call(), refs)
                batches["onnxruntime_ms"] = blocks.torch_batches(ort_call, inputs, args.batch_ms)
            except Exception as e:
                traceback.print_exc()
                notes.append(f"onnxruntime: {reason(e)}")

        row.update(blocks.median_ms(batches, args.repeat))
        del vm, batches

        skip = tvm_over_limit(name, batch, args)
        if skip:
            notes.append(skip)
        elif program is not None and "tvm" in args.peer_list:
            r = run_peer("tvm", program, data, folder, args, args.tvm_timeout)
            if r.get("ms"):
                TVM_SECONDS[name] = (batch, r["ms"] * 1e-3, r.get("compile_s") or 0.0)
            row["tvm_ms"], row["tvm_compile_s"] = r.get("ms"), r.get("compile_s")
            if r.get("max_abs_err") is not None:
                row["tvm_max_abs_err"] = r["max_abs_err"]
            if r.get("notes"):
                notes.append(r["notes"])
    row["notes"] = "; ".join(notes)
    return row


def main(args):
    import torch

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    # Inductor's compile time is a cold compile: no cached graphs or kernels
    # from an earlier run.
    torch._inductor.config.force_disable_caches = True
    if not args.no_inductor and not args.check_only:
        # Dynamo's and Inductor's one-off start (imports, worker pool) is not
        # the first model's compile time.
        eager_outputs(torch.compile(torch.nn.Linear(4, 4).eval()), [torch.ones(2, 4)])
        torch._dynamo.reset()
    if os.getloadavg()[0] > 0.5 and not args.check_only:
        print(f"bench_models.py: load average {os.getloadavg()[0]:.2f}: other work on the machine skews the figures")
    rows = []
    for name in args.model_list:
        for batch in args.batch_list:
            start = time.perf_counter()
            row = bench_one(name, batch, args)
            row["wall_s"] = time.perf_counter() - start
            rows.append(row)
            print(report.format_row(row), flush=True)
    if args.check_only:
        return 0 if all(r["kiln_max_abs_err"] is not None and not r["flagged"] for r in rows) else 1
    meta = {"threads": args.threads, "repeat": args.repeat, "batch_ms": args.batch_ms, "quick": args.quick,
            "kiln": getattr(kiln, "__version__", "?"), "torch": torch.__version__,
            "load_average_after": os.getloadavg()[0], "cpus": os.cpu_count()}
    for module in ("onnxruntime", "tvm"):
        try:
            meta[module] = subprocess.run([sys.executable, "-c", f"import {module}; print({module}.__version__)"],
                                          capture_output=True, text=True, timeout=120).stdout.strip() or "absent"
        except Exception:
            meta[module] = "absent"
    out = Path(args.out)
    report.write(rows, meta, out)
    print(f"bench_models.py: wrote {out}.json, {out}.md, {out}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(ARGS))
