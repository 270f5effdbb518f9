"""Report of the GEMM benchmark: reads the JSON lines that bench_gemm printed
(one record per shape and thread count) and the clock it measured, and writes
<out>.json (the list of records), <out>_peak.json (the peak and how it was
computed), <out>.md (a table) and <out>.png (GFLOP/s per shape, one panel per
thread count, with the peak as a line).

    report.py --raw gemm.jsonl.tmp --clock clock.json.tmp --out bench/results/gemm
"""

import argparse
import json

FLOP_PER_CYCLE = 32  # FP32 per core: Zen 4 retires two 256-bit FMAs a cycle (16 lanes x 2 FLOP)


def load_records(path):
    records = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                records.append(json.loads(line))
    if not records:
        raise SystemExit(f"report.py: no records in {path}")
    return records


def peak_info(records, clock):
    """Per thread count: the best clock measured with that many cores busy
    (interference only slows a measurement), and the peak from it."""
    clocks = {}
    for t in sorted({r["threads"] for r in records}):
        seen = [r["clock_ghz"] for r in records if r["threads"] == t]
        if clock.get(f"clock_ghz_{t}"):
            seen.append(clock[f"clock_ghz_{t}"])
        clocks[t] = max(seen)
    return {
        "flop_per_cycle_per_core": FLOP_PER_CYCLE,
        "clock_ghz": {str(t): round(c, 3) for t, c in clocks.items()},
        "peak_gflops": {str(t): round(FLOP_PER_CYCLE * c * t, 1) for t, c in clocks.items()},
        "method": (
            "peak = 32 FP32 FLOP/cycle/core (Zen 4: two 256-bit FMA pipes; AVX-512 is double-pumped) "
            "x clock x threads. The clock is measured by bench_gemm with a chain of dependent integer adds "
            "(one per cycle) running on that many threads at once; the figure is the best of all the "
            "measurements of this run with that thread count (one per benchmark process plus a "
            "`bench_gemm --clock` run), since other work on the machine only makes a measurement slower."
        ),
    }


def shape_label(r):
    return f'{r["m"]}x{r["n"]}x{r["k"]}'


def write_markdown(path, records, peak):
    peaks = peak["peak_gflops"]
    lines = [
        "# float32 GEMM: Kiln vs OpenBLAS vs oneDNN (GFLOP/s, medians)",
        "",
        "| m | n | k | threads | kiln | openblas | onednn | kiln / best library | kiln % of peak | best library % of peak |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in records:
        best = max(r["openblas"], r["onednn"])
        p = peaks[str(r["threads"])]
        lines.append(
            f'| {r["m"]} | {r["n"]} | {r["k"]} | {r["threads"]} | {r["kiln"]:.1f} | {r["openblas"]:.1f} | '
            f'{r["onednn"]:.1f} | {r["kiln"] / best:.2f} | {100 * r["kiln"] / p:.0f}% | {100 * best / p:.0f}% |'
        )
    clocks = ", ".join(f"{ghz} GHz on {t} thread{'s' if t != '1' else ''}" for t, ghz in peak["clock_ghz"].items())
    peak_text = ", ".join(f"{v} GFLOP/s on {t} thread{'s' if t != '1' else ''}" for t, v in peaks.items())
    lines += [
        "",
        f"Peak: {peak_text} (measured clock: {clocks}). {peak['method']}",
        "",
        "- Shapes are m x n x k: C[m, n] = A[m, k] x B[k, n], row-major, C overwritten; GFLOP/s = 2mnk / time.",
        "- onednn is the better of `dnnl_sgemm` and the matmul primitive (plain layouts, created once);"
        " both are in gemm.json (`onednn_sgemm`, `onednn_matmul`).",
        "- Kiln's kernel is a tir::Schedule of the te matmul (bench/gemm/kiln_gemm.cc); its time includes"
        " copying the panels of B it packs, on every call (nothing is pre-packed); its result and"
        " oneDNN's are checked against OpenBLAS's before timing.",
        "- Each implementation runs on exactly `threads` threads (Kiln's pool size, openblas_set_num_threads,"
        " omp_set_num_threads for oneDNN's OpenMP runtime). Rounds alternate between implementations in one"
        " process, each batch after a pause that lets the previous library's spinning threads sleep; figures"
        " are medians over rounds.",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def write_chart(path, records, peak):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    threads = sorted({r["threads"] for r in records})
    impls = [("kiln", "Kiln", "#d95f02"), ("openblas", "OpenBLAS", "#1b9e77"), ("onednn", "oneDNN", "#7570b3")]
    shapes = []
    for r in records:
        if shape_label(r) not in shapes:
            shapes.append(shape_label(r))
    fig, axes = plt.subplots(len(threads), 1, figsize=(max(8, 1.1 * len(shapes) + 2), 4.2 * len(threads)), squeeze=False)
    width = 0.8 / len(impls)
    for ax, t in zip(axes[:, 0], threads):
        by_shape = {shape_label(r): r for r in records if r["threads"] == t}
        xs = list(range(len(shapes)))
        for i, (key, name, color) in enumerate(impls):
            ys = [by_shape[s][key] if s in by_shape else 0 for s in shapes]
            ax.bar([x + (i - 1) * width for x in xs], ys, width, label=name, color=color)
        p = peak["peak_gflops"][str(t)]
        ax.axhline(p, color="black", linestyle="--", linewidth=1)
        ax.text(len(shapes) - 0.5, p, f"peak {p:.0f}", ha="right", va="bottom", fontsize=8)
        ax.set_xticks(xs)
        ax.set_xticklabels(shapes, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("GFLOP/s")
        ax.set_ylim(0, p * 1.12)
        ax.set_title(f"float32 GEMM (m x n x k), {t} thread{'s' if t > 1 else ''}")
        ax.legend(loc="upper left", fontsize=8, ncol=3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--raw", required=True, help="bench_gemm's stdout, one JSON record per line")
    ap.add_argument("--clock", help="bench_gemm --clock's output")
    ap.add_argument("--out", required=True, help="output path without extension")
    args = ap.parse_args()

    records = load_records(args.raw)
    clock = {}
    if args.clock:
        with open(args.clock) as f:
            clock = json.loads(f.read().strip() or "{}")
    peak = peak_info(records, clock)
    for r in records:  # one peak for the whole run
        r["peak"] = peak["peak_gflops"][str(r["threads"])]
        r["kiln_pct_peak"] = round(100 * r["kiln"] / r["peak"], 1)
    with open(args.out + ".json", "w") as f:
        json.dump(records, f, indent=1)
    with open(args.out + "_peak.json", "w") as f:
        json.dump(peak, f, indent=1)
    write_markdown(args.out + ".md", records, peak)
    write_chart(args.out + ".png", records, peak)
    with open(args.out + ".md") as f:
        print(f.read())


if __name__ == "__main__":
    main()
