"""Org-mode metadata (a heading's planning line and its drawers) describes a heading: context, never a quote."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders import load_file
from ingest.structure import infer_structure

ORG = """#+TITLE: Astronomy
* TODO Buy a telescope
  DEADLINE: <2025-01-01 Wed>
  :PROPERTIES:
  :ID:       abc-123
  :END:
Refractors use lenses; reflectors use mirrors.
:not a drawer: stays text.
** Mounts
:LOGBOOK:
CLOSED: [2024-12-01]
:END:
A Dobsonian is a simple altazimuth mount.
:NOTES:
* Comets
A drawer left open is no drawer.
"""


def test_org_planning_lines_and_drawers_are_context(tmp_path: Path) -> None:
    (tmp_path / "sky.org").write_text(ORG)
    structure = infer_structure(load_file(tmp_path / "sky.org", "sky.org"))
    text = ORG
    contexts = {text[s:e] for section in structure.sections for s, e in section.context}
    assert "DEADLINE: <2025-01-01 Wed>" in contexts
    assert ":PROPERTIES:\n  :ID:       abc-123\n  :END:" in contexts
    assert ":LOGBOOK:\nCLOSED: [2024-12-01]\n:END:" in contexts
    quotable = [c for c in contexts if "Refractors" in c or "Dobsonian" in c or "not a drawer" in c or "open" in c]
    assert quotable == [], quotable
    assert [s.breadcrumbs[1:] for s in structure.sections if len(s.breadcrumbs) > 1] == [
        ("Buy a telescope",),
        ("Buy a telescope", "Mounts"),
        ("Comets",),
    ]
