#!/usr/bin/env bash
# Installs what is missing, builds, and runs the Quick Start.
#
# The Quick Start compiles a model, runs it, checks it against PyTorch and
# prints its speed (docs/get_started/quick_start.py; the same file is a page
# of the documentation and runs in CI).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/deps.sh
scripts/build.sh
echo
echo "== Quick Start (docs/get_started/quick_start.py)"
echo
.venv/bin/python docs/get_started/quick_start.py
