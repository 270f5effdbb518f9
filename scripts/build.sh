#!/usr/bin/env bash
# Builds Kiln into build/ and installs the Python package into .venv in
# editable mode (pip + scikit-build-core driving CMake and Ninja, with ccache).
# One build directory serves the C++ tests, the `kiln` command and Python.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/kiln-ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}  # relative paths: clones share the cache
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
.venv/bin/python -m pip install -q --no-build-isolation --no-deps -e . 2> >(grep -v "is ignored: it is neither" >&2)
echo "build: done (build/, .venv: $(.venv/bin/python -c 'import kiln; print("kiln", kiln.__version__)'))"
