#!/usr/bin/env bash
# Installs what Kiln needs and is missing: Debian packages with apt, then the
# venv .venv (from the machine's python3) with requirements.txt. Idempotent:
# a second run installs nothing and takes about a second.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

apt_packages=(
  llvm-16-dev libzstd-dev          # code generation, JIT, NVPTX
  libprotobuf-dev protobuf-compiler  # ONNX import
  libopenblas-dev libdnnl-dev      # library dispatch and reference kernels
  libgtest-dev libgmock-dev libbenchmark-dev
  ninja-build ccache pkg-config
  doxygen chromium                 # the C++ API reference, the docs' browser check
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "deps: creating .venv"
  python3 -m venv .venv
fi
# Reinstall only when requirements.txt changed since the last successful run.
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "deps: installing Python requirements"
  # (pip warns about every local index folder a package is missing from: noise)
  .venv/bin/python -m pip install -q --upgrade pip 2> >(grep -v "is ignored: it is neither" >&2)
  .venv/bin/python -m pip install -q -r requirements.txt 2> >(grep -v "is ignored: it is neither" >&2)
  echo "$want" > "$stamp"
fi
