#!/usr/bin/env bash
# Runs a benchmark suite side by side with its peers and writes its results
# to bench/results/<suite>.json and .md.
#   scripts/bench.sh runtime   empty parallel region: Kiln's pool vs OpenMP
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
  *)
    echo "usage: scripts/bench.sh runtime" >&2
    exit 2
    ;;
esac
