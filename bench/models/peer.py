"""One peer (ONNX Runtime or Apache TVM, or the ONNX export alone) on one
exported model, in a child process of bench/models/bench_models.py, without
Kiln in the process: both
TVM and Kiln carry LLVM, and the ONNX exporter (onnxscript) imported beside
Kiln made Kiln's JIT-compiled code crash (tests/python/frontend/onnx_models.py).

    python bench/models/peer.py PEER PROGRAM.pt2 DATA.npz OUT.json
        [--threads 2] [--repeat 10] [--batch-ms 200] [--min-seconds 2] [--max-seconds 30]

PROGRAM.pt2 is the model as a torch.export ExportedProgram (torch.export.save)
at the batch of the row; DATA.npz holds the inputs (in0, in1, ...) and eager
PyTorch's outputs (out0, ...). The peer imports and builds the program (that
time is its compile time), checks its outputs against eager's (max abs
error), then times calls: after warm-up, `repeat` batches of calls each about
`batch-ms` long (at least `min-seconds` in all; once past `max-seconds`,
3 batches do; a first call longer than `max-seconds` is the time), and
reports the median time per call. OUT.json gets {"ms", "compile_s",
"max_abs_err", "notes"}; a failure writes {"ms": null, "notes": reason} and
exits 0.

    onnxruntime  torch.onnx.export (dynamo, opset 18) of the program into the
                 folder of OUT.json, InferenceSession with intra_op_num_threads=THREADS,
                 inter_op_num_threads=1, all graph optimizations; compile_s is
                 the session's creation (the export is timed apart: export_s).
    onnx-export  the export alone, to model.onnx beside OUT.json (bench_models.py
                 then runs the session in its own process, taking turns with
                 Kiln); OUT.json gets {"export_s"}.
    tvm          tvm.relax.frontend.torch.from_exported_program, tvm.compile
                 with target {"kind": "llvm", "mcpu": <host>, "num-cores":
                 THREADS} ("llvm -mcpu=<host>" in TVM 0.27's JSON form) and its
                 default pipeline, no tuning, run on relax.VirtualMachine;
                 TVM_NUM_THREADS is set by the parent. compile_s is import +
                 build. Where the torch frontend fails (GPT-2 in TVM 0.27), its
                 ONNX frontend (tvm.relax.frontend.onnx.from_onnx) on the ONNX
                 export, said in notes.
"""

import argparse
import json
import os
import sys
import time
import traceback
import warnings
from pathlib import Path

import numpy as np


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("peer", choices=["onnxruntime", "tvm", "onnx-export"])
    ap.add_argument("program")
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--batch-ms", type=float, default=200.0)
    ap.add_argument("--min-seconds", type=float, default=2.0)
    ap.add_argument("--max-seconds", type=float, default=30.0)
    return ap.parse_args(argv)


def median_ms(call, repeat, batch_ms, min_seconds, max_seconds, result):
    """Median over at least `repeat` batches (and `min_seconds` in all) of
    the time per call of `call`, in ms, after a warm-up call; past
    `max_seconds`, 3 batches are enough. A warm-up call longer than
    `max_seconds` is the time (a slow peer: said in result["notes"]). A batch
    is as many calls as fill about `batch_ms`."""
    start = time.perf_counter()
    call()
    first = time.perf_counter() - start
    if first > max_seconds:
        result["notes"] = f"timed once ({first:.0f} s per call)"
        return first * 1e3
    start = time.perf_counter()
    call()
    once = max(time.perf_counter() - start, 1e-9)
    number = max(1, int(batch_ms * 1e-3 / once))
    times, begin = [], time.perf_counter()
    while len(times) < repeat or time.perf_counter() - begin < min_seconds:
        if len(times) >= 3 and time.perf_counter() - begin > max_seconds:
            break  # a slow peer (seconds per call): 3 runs at least, not 10
        start = time.perf_counter()
        for _ in range(number):
            call()
        times.append((time.perf_counter() - start) / number)
    return float(np.median(times)) * 1e3


def max_abs_err(outs, refs):
    if len(outs) != len(refs):
        raise RuntimeError(f"{len(outs)} outputs, eager PyTorch gives {len(refs)}")
    err = 0.0
    for o, r in zip(outs, refs):
        if o.shape != r.shape:
            raise RuntimeError(f"output shape {o.shape}, eager PyTorch gives {r.shape}")
        err = max(err, float(np.max(np.abs(o.astype(np.float64) - r))))
    return err


def export_onnx(program, inputs, path):
    """torch.onnx.export (dynamo, opset 18) of the saved program to `path`;
    returns the seconds it took."""
    import torch

    ep = torch.export.load(program)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(ep, tuple(torch.from_numpy(x) for x in inputs), path, dynamo=True, opset_version=18,
                          verbose=False, optimize=True)
    return time.perf_counter() - start


def onnxruntime_session(path, threads):
    """An ONNX Runtime CPU session: `threads` intra-op threads, one inter-op
    thread, all graph optimizations."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def run_onnxruntime(program, inputs, args, result):
    path = os.path.join(os.path.dirname(os.path.abspath(args.out)), "model.onnx")
    result["export_s"] = export_onnx(program, inputs, path)
    if args.peer == "onnx-export":
        return None
    start = time.perf_counter()
    session = onnxruntime_session(path, args.threads)
    result["compile_s"] = time.perf_counter() - start
    names = [i.name for i in session.get_inputs()]
    if len(names) != len(inputs):
        raise RuntimeError(f"the ONNX model takes {len(names)} inputs, the program {len(inputs)}")
    feed = dict(zip(names, inputs))
    return lambda: session.run(None, feed)


def run_tvm(program, inputs, args, result):
    import torch

    import tvm
    from tvm import relax
    from tvm.relax.frontend.torch import from_exported_program
    from tvm.target import codegen

    target = tvm.target.Target({"kind": "llvm", "mcpu": codegen.llvm_get_system_cpu(), "num-cores": args.threads})
    result["target"] = str(target)
    ep = torch.export.load(program)
    start = time.perf_counter()
    try:
        executable = tvm.compile(from_exported_program(ep), target=target)
        result["compile_s"] = time.perf_counter() - start
    except Exception as e:  # TVM's ONNX frontend next (the ONNX file as ONNX Runtime gets it)
        traceback.print_exc()
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        result["frontend_notes"] = f"torch frontend failed ({type(e).__name__}: {first[:120]}); ONNX frontend used"
        import onnx
        from tvm.relax.frontend.onnx import from_onnx

        path = os.path.join(os.path.dirname(os.path.abspath(args.out)), "model.onnx")
        if not os.path.exists(path):
            result["export_s"] = export_onnx(program, inputs, path)
        start = time.perf_counter()
        executable = tvm.compile(from_onnx(onnx.load(path), keep_params_in_input=False), target=target)
        result["compile_s"] = time.perf_counter() - start
    vm = relax.VirtualMachine(executable, tvm.cpu())
    device_inputs = [tvm.runtime.tensor(x, tvm.cpu()) for x in inputs]
    main = vm["main"]

    def outputs():
        out = main(*device_inputs)
        return [o.numpy() for o in ([out] if isinstance(out, tvm.runtime.Tensor) else list(out))]

    call = lambda: main(*device_inputs)  # noqa: E731
    call.outputs = outputs
    return call


def main(args):
    result = {"ms": None, "compile_s": None, "max_abs_err": None, "notes": ""}
    try:
        data = np.load(args.data)
        inputs = [data[f"in{i}"] for i in range(sum(k.startswith("in") for k in data.files))]
        refs = [data[f"out{i}"] for i in range(sum(k.startswith("out") for k in data.files))]
        run = run_tvm if args.peer == "tvm" else run_onnxruntime
        call = run(args.program, inputs, args, result)
        if call is None:  # onnx-export: the file is the result
            result["notes"] = ""
            Path(args.out).write_text(json.dumps(result) + "\n")
            return 0
        outs = call.outputs() if hasattr(call, "outputs") else [np.asarray(o) for o in call()]
        result["max_abs_err"] = max_abs_err(outs, refs)
        result["ms"] = median_ms(call, args.repeat, args.batch_ms, args.min_seconds, args.max_seconds, result)
        said = [n for n in (result.pop("frontend_notes", ""), result["notes"]) if n]
        result["notes"] = f"{args.peer}: {'; '.join(said)}" if said else ""
    except Exception as e:  # a peer that fails is a null with its reason
        traceback.print_exc()
        result["ms"] = None
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        before = result.pop("frontend_notes", "")
        result["notes"] = f"{args.peer}: {before + '; then ' if before else ''}{type(e).__name__}: {first}"[:400]
    Path(args.out).write_text(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(parse_args()))
