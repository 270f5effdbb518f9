#!/usr/bin/env bash
# Runs a benchmark suite side by side with its peers and writes its results
# to bench/results/<suite>.json and .md.
#   scripts/bench.sh runtime           empty parallel region: Kiln's pool vs OpenMP
#   scripts/bench.sh gemm [--quick]    float32 GEMM: Kiln vs OpenBLAS vs oneDNN, 1 and 2
#                                      threads (also gemm_peak.json and gemm.png); --quick
#                                      runs 256 and 512 only and writes gemm_quick.*
#   scripts/bench.sh ops [--quick]     blocks and row ops: Kiln vs PyTorch eager and
#                                      torch.compile, 2 threads (bench/ops/blocks.py);
#                                      --quick runs tiny sizes and writes ops_quick.*
#   scripts/bench.sh dispatch [--quick]  MLP and conv stack: default pipeline with dispatch to
#                                      OpenBLAS / oneDNN vs Kiln's own kernels, 2 threads
#                                      (bench/dispatch/dispatch.py); --quick writes dispatch_quick.*
#   scripts/bench.sh models [--quick] [--models a,b] [--batches 1,8]
#                                      whole models (resnet18/50, mobilenet_v2, BERT-base, GPT-2,
#                                      MLP), batch 1 and 8, 2 threads: Kiln vs PyTorch eager,
#                                      Inductor, ONNX Runtime and Apache TVM, with compile times
#                                      (bench/models/bench_models.py; writes models.{json,md,png});
#                                      --quick: MLP and resnet18 at batch 1, models_quick.*
# The gemm suite builds with ninja in build/ when it is configured, else with
# scripts/build.sh; with KILN_BUILD_LOCK set it builds under `flock` of that file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
suite=${1:-}
case "$suite" in
  runtime)
    scripts/build.sh >/dev/null
    mkdir -p bench/results
    rows=()
    for threads in 1 2; do
      out=$(build/bin/bench_parallel_launch "$threads" 31)
      echo "$out" | grep -v '^{'
      rows+=("$(echo "$out" | grep '^{')")
    done
    (IFS=,; echo "[${rows[*]}]") | .venv/bin/python -c '
import json, sys
rows = json.load(sys.stdin)
json.dump(rows, open("bench/results/runtime.json", "w"), indent=1)
with open("bench/results/runtime.md", "w") as f:
    f.write("| threads | kiln (ns) | openmp (ns) | kiln / openmp |\n|---|---|---|---|\n")
    for r in rows:
        f.write("| %d | %.1f | %.1f | %.2f |\n" % (r["threads"], r["kiln_ns"], r["openmp_ns"], r["ratio"]))
print(open("bench/results/runtime.md").read())'
    ;;
  gemm)
    quick=0
    case "${2:-}" in
      "") ;;
      --quick) quick=1 ;;
      *) echo "usage: scripts/bench.sh gemm [--quick]" >&2; exit 2 ;;
    esac
    # Build, then run a private copy of the program and Kiln's libraries, so
    # that a rebuild of build/ during the run cannot swap them underneath it.
    snap=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench-gemm.XXXXXX")
    trap 'rm -rf "$snap"' EXIT
    if [[ -n "${KILN_BUILD_LOCK:-}" ]]; then exec 9>>"$KILN_BUILD_LOCK"; flock 9; fi
    if [[ -f build/build.ninja ]]; then
      log=$(ninja -C build bench_gemm 2>&1) || { echo "$log" | tail -40 >&2; exit 1; }
    else
      scripts/build.sh >/dev/null
    fi
    [[ -x build/bin/bench_gemm ]] || { echo "bench.sh: build/bin/bench_gemm was not built (OpenBLAS and oneDNN: scripts/deps.sh)" >&2; exit 1; }
    cp build/bin/bench_gemm build/lib/libkiln.so build/lib/libkiln_runtime.so "$snap"/
    if [[ -n "${KILN_BUILD_LOCK:-}" ]]; then flock -u 9; exec 9>&-; fi
    bench_gemm() { LD_LIBRARY_PATH="$snap${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$snap/bench_gemm" "$@"; }
    mkdir -p bench/results
    # m x n x k. Squares, then shapes from models: BERT-base linear layers at
    # 1 token and at sequence 128 (768 <-> 3072 is the MLP), and ResNet 3x3
    # convolutions as im2col GEMMs (pixels x out channels x 9 in channels).
    if (( quick )); then
      shapes="256x256x256 512x512x512"; rounds=5; out=bench/results/gemm_quick
    else
      shapes="256x256x256 512x512x512 1024x1024x1024 2048x2048x2048
              1x768x3072 1x3072x768 128x768x768 128x3072x768 128x768x3072
              3136x64x576 196x256x2304 49x512x4608"
      rounds=15; out=bench/results/gemm
    fi
    raw=$out.jsonl.tmp; clock=$out.clock.tmp
    bench_gemm --clock >"$clock"
    : >"$raw"
    for threads in 1 2; do
      for shape in $shapes; do
        IFS=x read -r m n k <<<"$shape"
        # Every runtime gets the thread count from its variable too, so no
        # library even starts more threads than the run uses.
        OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads KILN_NUM_THREADS=$threads \
          bench_gemm "$m" "$n" "$k" "$threads" --rounds "$rounds" >>"$raw"
      done
    done
    .venv/bin/python bench/gemm/report.py --raw "$raw" --clock "$clock" --out "$out"
    rm -f "$raw" "$clock"
    echo "bench.sh: wrote $out.json, ${out}_peak.json, $out.md, $out.png"
    if (( ! quick )); then
      # The How-To's schedule, step by step, at 1024 (its full mode).
      echo "bench.sh: docs/how_to/optimize_gemm.py in full mode"
      KILN_DOCS_MODE=full .venv/bin/python docs/how_to/optimize_gemm.py | grep "GFLOP/s" | tail -7
    fi
    ;;
  ops)
    case "${2:-}" in
      "" | --quick) ;;
      *) echo "usage: scripts/bench.sh ops [--quick]" >&2; exit 2 ;;
    esac
    KILN_NUM_THREADS=2 .venv/bin/python bench/ops/blocks.py --threads 2 ${2:-}
    ;;
  dispatch)
    case "${2:-}" in
      "" | --quick) ;;
      *) echo "usage: scripts/bench.sh dispatch [--quick]" >&2; exit 2 ;;
    esac
    KILN_NUM_THREADS=2 OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=passive \
      .venv/bin/python bench/dispatch/dispatch.py ${2:-}
    ;;
  models)
    shift
    KILN_NUM_THREADS=2 TVM_NUM_THREADS=2 OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 \
      .venv/bin/python bench/models/bench_models.py --threads 2 "$@"
    ;;
  *)
    echo "usage: scripts/bench.sh runtime | gemm [--quick] | ops [--quick] | dispatch [--quick]" \
         "| models [--quick] [--models a,b] [--batches 1,8]" >&2
    exit 2
    ;;
esac
