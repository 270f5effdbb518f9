#!/usr/bin/env bash
# Installs what is missing, builds, and runs the Quick Start.
#
# The Quick Start (docs/get_started/quick_start.py; the same file is a page of
# the documentation and runs in CI) imports a small CNN from PyTorch and from
# ONNX, shows the default pipeline's fusion and layout rewrite, builds and
# runs it, exports it for C++, splices a dispatch-to-OpenBLAS pass into the
# default pipeline, compares the zero and default pipelines and wraps the
# model as a torch.nn.Module. Every result is checked against PyTorch (the
# script fails otherwise) and the latencies are printed beside PyTorch eager.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/deps.sh
scripts/build.sh
echo
echo "== Quick Start (docs/get_started/quick_start.py)"
echo
.venv/bin/python docs/get_started/quick_start.py
