#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: C++ (ctest), the C++
# runtime tests again under AddressSanitizer + UndefinedBehaviorSanitizer,
# Python (pytest), and the executable docs. Exits non-zero when anything fails.
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

echo "== Documentation (every tutorial runs; warnings are errors)"
scripts/docs.sh

echo "== Python tests (pytest)"
.venv/bin/python -m pytest -q tests/python
