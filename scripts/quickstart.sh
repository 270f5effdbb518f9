#!/usr/bin/env bash
# Installs what is missing, builds, and runs the Quick Start.
#
# Kiln is being built from the runtime up. What exists today is the runtime
# (arrays, DLPack, functions, modules, threads, timing); the compiler that
# turns a model into an executable comes next. Until it lands this script runs
# the runtime tour in docs/get_started/runtime_tour.py and says so.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/deps.sh
scripts/build.sh
echo
echo "== Quick Start"
echo "Note: model compilation (import, pipelines, build) is not in Kiln yet;"
echo "this runs the runtime tour, the part of the Quick Start that exists today."
echo
.venv/bin/python docs/get_started/runtime_tour.py
