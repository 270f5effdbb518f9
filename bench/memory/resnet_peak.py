"""Peak memory of a ResNet-style stack with and without static memory
planning.

    .venv/bin/python bench/memory/resnet_peak.py [--blocks 6] [--size 56] [--channels 64]

The model repeats the pattern of tests/fixtures/conv_block.kir (conv3x3, batch
norm, relu, conv3x3, batch norm, residual add, relu) `blocks` times on a
1 x channels x size x size input. It is compiled twice, both times after
Normalize, LegalizeOps and DefaultSchedule: as it is (every intermediate
tensor allocated on its own and alive until main returns), and with
CallTIRRewrite + StaticPlanBlockMemory. Each runs once; the peak is the most
bytes of VM storage alive at once during the run
(kiln.runtime.memory_stats()). The two results must agree. Writes
bench/results/memory.json and memory.md.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

import kiln
from kiln import relax
from kiln.relax import op

T = kiln.transform
RESULTS = Path(__file__).resolve().parents[1] / "results"


def resnet_stack(blocks: int, channels: int, size: int):
    rng = np.random.default_rng(0)

    def const(*shape, scale=0.05):
        return relax.Constant((rng.standard_normal(shape) * scale).astype("float32"))

    x = relax.Var("x", relax.TensorStructInfo([1, channels, size, size], "float32"))
    bb = relax.BlockBuilder()
    bb.begin_function("main", [x], attrs={"global_symbol": "main"})
    bb.begin_dataflow_block()
    h = x
    for _ in range(blocks):
        skip = h
        for j in range(2):
            h = bb.emit(op.conv2d(h, const(channels, channels, 3, 3), padding=[1, 1]))
            var = relax.Constant(np.abs(rng.standard_normal(channels)).astype("float32") + 1)
            h = bb.emit(op.batch_norm(h, const(channels), const(channels), const(channels), var))
            if j == 0:
                h = bb.emit(op.relu(h))
        h = bb.emit(op.relu(op.add(h, skip)))
    out = bb.emit_output(h)
    bb.end_dataflow_block()
    bb.end_function(out)
    return bb.get_module()


def pipeline(plan: bool):
    passes = [T.Normalize(), T.LegalizeOps(), T.DefaultSchedule()]
    if plan:
        passes += [T.CallTIRRewrite(), T.StaticPlanBlockMemory()]
    return T.Sequential(passes)


def measure(mod, plan: bool, x):
    start = time.perf_counter()
    ex = kiln.compile(mod, target="llvm", pipeline=pipeline(plan))
    compile_s = time.perf_counter() - start
    vm = kiln.VirtualMachine(ex, kiln.cpu())
    vm["main"](x)  # warm: kernels loaded, pool filled
    kiln.runtime.reset_peak_memory()
    base = kiln.runtime.memory_stats()["live_bytes"]
    start = time.perf_counter()
    y = vm["main"](x).numpy()
    run_s = time.perf_counter() - start
    peak = kiln.runtime.memory_stats()["peak_bytes"] - base
    storages = ex.as_text().count("vm.builtin.alloc_storage(")  # call sites: one per storage token
    return y, peak, compile_s, run_s, storages


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=6)
    parser.add_argument("--size", type=int, default=56)
    parser.add_argument("--channels", type=int, default=64)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    mod = resnet_stack(args.blocks, args.channels, args.size)
    x = np.random.default_rng(1).standard_normal((1, args.channels, args.size, args.size)).astype("float32")
    y0, plain, c0, r0, _ = measure(mod, False, x)
    y1, planned, c1, r1, storages = measure(mod, True, x)
    max_err = float(np.max(np.abs(y0 - y1)))
    assert np.allclose(y0, y1, rtol=1e-5, atol=1e-5), f"planned and unplanned results differ (max err {max_err})"

    activation = 4 * args.channels * args.size * args.size
    result = {
        "model": f"{args.blocks} conv blocks, 1x{args.channels}x{args.size}x{args.size} float32",
        "blocks": args.blocks,
        "activation_bytes": activation,
        "peak_bytes_unplanned": plain,
        "peak_bytes_planned": planned,
        "ratio_planned_to_unplanned": planned / plain,
        "storage_tokens": storages,
        "max_abs_difference": max_err,
        "run_ms_unplanned": r0 * 1e3,
        "run_ms_planned": r1 * 1e3,
    }
    print(json.dumps(result, indent=2))
    if args.no_write:
        return
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "memory.json").write_text(json.dumps(result, indent=2) + "\n")
    mib = lambda b: b / 2**20  # noqa: E731
    (RESULTS / "memory.md").write_text(
        "# Peak VM memory with and without static memory planning\n\n"
        f"Model: {result['model']} (bench/memory/resnet_peak.py): the conv_block fixture's pattern "
        f"(conv3x3, batch norm, relu, conv3x3, batch norm, residual add, relu) repeated. Peak: the most bytes "
        "of VM storage alive at once during one run (`kiln.runtime.memory_stats()`), inputs and constants "
        "not counted. Both after Normalize, LegalizeOps, DefaultSchedule; planned adds CallTIRRewrite and "
        "StaticPlanBlockMemory.\n\n"
        "| | peak bytes | MiB | activations (one tensor = 1) |\n|---|---|---|---|\n"
        f"| unplanned | {plain} | {mib(plain):.1f} | {plain / activation:.1f} |\n"
        f"| planned | {planned} | {mib(planned):.1f} | {planned / activation:.1f} |\n\n"
        f"Planned / unplanned: {planned / plain:.3f} ({storages} storage tokens). "
        f"Results identical (max abs difference {max_err:.1e}).\n"
    )
    print("wrote", RESULTS / "memory.json", "and", RESULTS / "memory.md")


if __name__ == "__main__":
    main()
