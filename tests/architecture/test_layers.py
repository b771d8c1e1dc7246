"""Imports run down the layers, and modules stay small enough to hold in mind (issue 12)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# each package may import only the packages listed for it (and itself)
ALLOWED = {
    "core": set(),
    "reference": set(),
    "ingest": {"core"},
    "retrieval": {"core"},
    "models": {"core", "ingest", "retrieval"},
    "service": {"core", "ingest", "retrieval", "models"},
    "eval": {"core", "ingest", "retrieval", "models", "service"},
    "notecite": {"core", "ingest", "retrieval", "models", "service", "eval"},
}
MAX_LINES = 400


def our_imports(path: Path) -> set[str]:
    """Top-level packages of ours that a module imports, wherever the import statement sits."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in ALLOWED)
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_only_run_down(package: str) -> None:
    climbing = {
        f"{path.relative_to(ROOT)} imports {other}"
        for path in modules(package)
        for other in our_imports(path) - ALLOWED[package] - {package}
    }
    assert not climbing, sorted(climbing)


def test_the_checker_sees_a_climbing_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom service.answer import Answer\n\ndef f():\n    import eval.metrics\n")
    assert our_imports(module) == {"service", "eval"}


@pytest.mark.parametrize("package", ["core", "ingest", "retrieval", "models", "service", "eval", "notecite"])
def test_no_module_over_400_lines(package: str) -> None:
    long = {str(p.relative_to(ROOT)): n for p in modules(package) if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, long
