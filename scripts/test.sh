#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: C++ (ctest), the C++
# runtime tests again under AddressSanitizer + UndefinedBehaviorSanitizer,
# Python (pytest), the executable docs, and checks of the built site. Exits
# non-zero when anything fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/deps.sh
scripts/build.sh

echo "== C++ tests (ctest)"
ctest --test-dir build --output-on-failure -j "$(nproc)"

echo "== C++ tests under ASan + UBSan (build-asan/)"
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/kiln-ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}  # relative paths: clones share the cache
.venv/bin/cmake -S . -B build-asan -G Ninja -DCMAKE_MAKE_PROGRAM="$root/.venv/bin/ninja" \
  -DKILN_SANITIZE=ON -DKILN_BUILD_COMPILER=ON -DKILN_BUILD_BENCH=OFF -DKILN_WERROR=ON \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" >/dev/null  # -g1: line tables for reports, cheaper to build
.venv/bin/cmake --build build-asan
ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)"

echo "== Python tests (pytest)"
# Before the docs: the run writes build/compat.json, which the compatibility
# page renders. Tests of the built site (marker built_docs) run after it.
.venv/bin/python -m pytest -q tests/python -m "not built_docs"

echo "== Documentation (every tutorial runs; warnings are errors)"
scripts/docs.sh

echo "== The built site (links, notebooks, headless Chromium)"
.venv/bin/python -m pytest -q tests/python -m built_docs
