"""The results of bench/models/bench_models.py: <out>.json (the list of
records, one per model and batch), <out>.md (a table of latencies, ratios to
Kiln, compile times and the geometric means) and <out>.png (per model and
batch, each system's latency relative to PyTorch eager)."""

import json
import math
import os
from pathlib import Path

# (record key, label, colour) of every system, eager first.
SYSTEMS = [("torch_eager_ms", "PyTorch eager", "#7f7f7f"), ("kiln_ms", "Kiln", "#d95f02"),
           ("inductor_ms", "Inductor", "#1b9e77"), ("onnxruntime_ms", "ONNX Runtime", "#7570b3"),
           ("tvm_ms", "TVM", "#e7298a")]
PEERS = [key for key, _, _ in SYSTEMS if key != "kiln_ms"]


def _f(value, spec):
    return format(value, spec) if value is not None else "-"


def ratio(row, peer):
    """peer's latency over Kiln's (above 1: Kiln is faster), or None."""
    return row[peer] / row["kiln_ms"] if row.get(peer) and row.get("kiln_ms") else None


def geomean_ratio(rows, peer):
    values = [ratio(r, peer) for r in rows if ratio(r, peer)]
    return (math.exp(sum(math.log(v) for v in values) / len(values)), len(values)) if values else (None, 0)


def format_row(row):
    """One line for the console."""
    times = " ".join(f"{label.split()[-1][:8]} {_f(row.get(key), '.2f')}" for key, label, _ in SYSTEMS)
    compile_s = f"compile kiln {_f(row.get('kiln_compile_s'), '.1f')} s"
    if row.get("inductor_compile_s") is not None or row.get("tvm_compile_s") is not None:
        compile_s += (f", inductor {_f(row.get('inductor_compile_s'), '.1f')} s,"
                      f" tvm {_f(row.get('tvm_compile_s'), '.1f')} s")
    err = f"kiln err {_f(row.get('kiln_max_abs_err'), '.1e')}{' FLAGGED' if row.get('flagged') else ''}"
    notes = f"  [{row['notes']}]" if row.get("notes") else ""
    return f"{row['model']:12s} b{row['batch']:<2d} ms: {times}; {compile_s}; {err}{notes}"


def write_markdown(path, rows, meta):
    header = ["model", "batch", "kiln ms", "eager ms", "inductor ms", "onnxruntime ms", "tvm ms",
              "eager/kiln", "inductor/kiln", "ort/kiln", "tvm/kiln",
              "kiln compile s", "inductor compile s", "tvm compile s", "kiln max err"]
    lines = [f"Whole models, float32, {meta['threads']} threads, median latency per call (ms). Kiln "
             f"{meta['kiln']} (kiln.compile, default pipeline, no tuning) vs PyTorch {meta['torch']} eager and "
             f"torch.compile (Inductor), ONNX Runtime {meta.get('onnxruntime', '?')} and Apache TVM "
             f"{meta.get('tvm', '?')} (default pipeline, no tuning). Ratios above 1: Kiln is faster. Kiln, eager, "
             f"Inductor and ONNX Runtime take turns in one process; TVM runs in a child "
             f"process after them. Kiln compile = from_torch + kiln.compile; Inductor = its first call; TVM = "
             f"import + build. OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')} for all. "
             f"Load average after the run: {meta['load_average_after']:.2f} on {meta['cpus']} CPUs.", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        flag = " (!)" if r.get("flagged") else ""
        lines.append(
            f"| {r['model']} | {r['batch']} | {_f(r.get('kiln_ms'), '.2f')} | {_f(r.get('torch_eager_ms'), '.2f')} | "
            f"{_f(r.get('inductor_ms'), '.2f')} | {_f(r.get('onnxruntime_ms'), '.2f')} | "
            f"{_f(r.get('tvm_ms'), '.2f')} | "
            + " | ".join(_f(ratio(r, p), ".2f") for p in PEERS) + " | "
            f"{_f(r.get('kiln_compile_s'), '.1f')} | {_f(r.get('inductor_compile_s'), '.1f')} | "
            f"{_f(r.get('tvm_compile_s'), '.1f')} | {_f(r.get('kiln_max_abs_err'), '.1e')}{flag} |")
    means = [geomean_ratio(rows, p) for p in PEERS]
    lines.append("| geometric mean | | | | | | | " + " | ".join(
        f"{_f(g, '.2f')} ({n})" if g else "-" for g, n in means) + " | | | | |")
    noted = [r for r in rows if r.get("notes")]
    if noted:
        lines += ["", "Notes:", ""] + [f"- {r['model']} b{r['batch']}: {r['notes']}" for r in noted]
    if any(r.get("flagged") for r in rows):
        lines += ["", "(!) Kiln's output differs from eager PyTorch by more than 1e-3 (max abs error)."]
    Path(path).write_text("\n".join(lines) + "\n")


def write_chart(path, rows):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [r for r in rows if r.get("torch_eager_ms")]
    fig, ax = plt.subplots(figsize=(max(7.0, 1.3 * len(groups) + 2), 4.8))
    width = 0.8 / len(SYSTEMS)
    xs = range(len(groups))
    for i, (key, label, color) in enumerate(SYSTEMS):
        ys = [r[key] / r["torch_eager_ms"] if r.get(key) else float("nan") for r in groups]
        offsets = [x + (i - (len(SYSTEMS) - 1) / 2) * width for x in xs]
        ax.bar(offsets, ys, width, label=label, color=color)
        for x, y, r in zip(offsets, ys, groups):
            if not r.get(key):
                ax.text(x, 1.0, "n/a", ha="center", va="bottom", fontsize=6, rotation=90)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xticks(list(xs))
    ax.set_xticklabels([f"{r['model']}\nbatch {r['batch']}" for r in groups], fontsize=8)
    ax.set_ylabel("latency / PyTorch eager (log; lower is faster)")
    threads = groups[0]["threads"] if groups else "?"
    ax.set_title(f"Whole models, float32, {threads} threads: latency relative to PyTorch eager")
    ax.legend(fontsize=8, ncol=len(SYSTEMS), loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(rows, meta, out):
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    Path(f"{out}.json").write_text(json.dumps(rows, indent=1) + "\n")
    write_markdown(f"{out}.md", rows, meta)
    write_chart(f"{out}.png", rows)
