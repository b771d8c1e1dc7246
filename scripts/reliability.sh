#!/usr/bin/env bash
# The whole reliability campaign (tests/reliability, the long `exhaustive` runs included), then
# docs/RELIABILITY.md from the figures it recorded. `make test` runs only the short versions.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
rm -f artifacts/reliability/figures.json
.venv/bin/python -m pytest -q --durations=15 tests/reliability -m "exhaustive or not exhaustive" "$@"
.venv/bin/python -m tests.reliability.report
