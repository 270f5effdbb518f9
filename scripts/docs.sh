#!/usr/bin/env bash
# Builds the documentation into docs/_build/html, running every tutorial.
# Warnings are errors. `--full` runs slow tutorials at full size (CI uses
# the short mode). Assumes scripts/build.sh has run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=short
[ "${1:-}" = "--full" ] && mode=full
# A clean build: sphinx-gallery skips tutorials whose source did not change.
rm -rf docs/_build docs/_generated
KILN_DOCS_MODE=$mode .venv/bin/python -m sphinx -W --keep-going -q -b html docs docs/_build/html
echo "docs: built docs/_build/html ($mode mode)"
