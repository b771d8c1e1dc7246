"""docs/RELIABILITY.md from the figures the reliability tests recorded (artifacts/reliability/figures.json).

Run by scripts/reliability.sh after the whole campaign; `python -m tests.reliability.report` redraws it.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime

from tests.reliability.conftest import FIGURES, REPO_ROOT

OUT = REPO_ROOT / "docs" / "RELIABILITY.md"
AREAS = {
    "api_fuzz": "Schemathesis over the OpenAPI schema (every operation, valid and invalid input)",
    "loaders": "Adversarial files and Hypothesis bytes through every loader and structure inference",
    "access": "Path traversal on sources and upload names, keys, CORS, headers",
    "crash": "kill -9 of ingests at every phase, full disks, a server killed mid-upload",
    "concurrency": "Asks and searches while uploads, re-ingests and deletes switch generations",
    "load": "16 concurrent clients (short run)",
    "load_60s": "16 concurrent clients for 60 s",
    "memory": "RSS after warm-up, 16 clients (short run)",
    "memory_10k": "Server RSS over 10,000 requests after warm-up (a server process of its own)",
    "memory_leak_control": "The same memory check over a server that leaks 10 KB per request (must fail it)",
    "limits": "Rate limit from one address",
}
REQUEST_KEYS = ("requests",)
INPUT_KEYS = ("inputs", "requests", "kills", "full_disk", "server_kills", "ingests")


def total(areas: dict[str, dict[str, int]], key: str) -> int:
    return sum(counts.get(key, 0) for counts in areas.values())


def render(figures: dict) -> str:
    areas, notes = figures["areas"], figures["notes"]
    crashes = total(areas, "kills") + total(areas, "full_disk") + total(areas, "server_kills")
    errors = total(areas, "errors")
    peak = max(
        [float(v) for n in notes.values() for k, v in n.items() if k.startswith("peak") and isinstance(v, int | float)],
        default=0.0,
    )
    long = sorted(set(notes.get("long_runs", {})) | {a for a in ("load_60s", "memory_10k") if a in areas})
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    long_runs = f"with the long runs {', '.join(long)}" if long else "the short runs only"
    lines = [
        "# Reliability and security campaign",
        "",
        "Regenerate with `scripts/reliability.sh` (runs every test in `tests/reliability`, the long",
        "`exhaustive` ones included, then writes this file). `make test` runs the short versions.",
        "",
        f"Last run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, {long_runs};",
        f"{os.cpu_count()} cores, load average {load} (1, 5, 15 min) when it ended.",
        "",
        "| figure | value |",
        "| --- | ---: |",
        f"| HTTP requests sent | {total(areas, 'requests'):,} |",
        f"| files and byte strings tried on the loaders | {total(areas, 'inputs'):,} |",
        f"| crashes survived (kill -9 of an ingest, full disks, server killed mid-upload) | {crashes:,} |",
        f"| errors seen (5xx, wrong bodies, a span from another generation) | {errors:,} |",
        f"| 429s from the rate limit (counted apart, not errors) | {total(areas, 'rate_limited'):,} |",
        f"| peak RSS of the process under test | {peak:,.0f} MB |",
        "",
        "## By area",
        "",
        "| area | what | counts |",
        "| --- | --- | --- |",
    ]
    for area, counts in sorted(areas.items()):
        shown = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in sorted(counts.items()))
        lines.append(f"| {area} | {AREAS.get(area, '')} | {shown} |")
    if notes:
        lines += ["", "## Measurements", "", "| run | values |", "| --- | --- |"]
        for area, values in sorted(notes.items()):
            if area == "long_runs":
                continue
            shown = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(values.items()) if k != "curve")
            lines.append(f"| {area} | {shown} |")
    lines += curve_table(notes.get("memory_10k", {}).get("curve"))
    lines += ["", (REPO_ROOT / "tests" / "reliability" / "FINDINGS.md").read_text().strip(), ""]
    return "\n".join(lines)


def curve_table(curve: list[list[float]] | None) -> list[str]:
    """The server's RSS every 1,000 requests of the long memory run: whether growth levels off."""
    if not curve:
        return []
    lines = ["", "### Server RSS during the 10,000 requests", "", "| requests after warm-up | RSS MB | growth MB |"]
    lines.append("| ---: | ---: | ---: |")
    lines += [f"| {n:,} | {mb:,.1f} | {mb - curve[0][1]:+.1f} |" for n, mb in curve]
    return lines


def main() -> int:
    if not FIGURES.exists():
        print(f"no figures at {FIGURES}: run scripts/reliability.sh", file=sys.stderr)
        return 1
    OUT.write_text(render(json.loads(FIGURES.read_text())))
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
