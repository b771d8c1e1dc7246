"""Which lines of a note's tables are context (a label, never quoted), as the real loader and markup rules mark
them: a table's header row and its rule, and nothing else. Expected spans written by hand."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders import load_file
from ingest.structure import infer_structure


def context_lines(tmp_path: Path, name: str, text: str) -> list[str]:
    """The text of each context span of a note, as structure inference hands them to passages."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    loaded = load_file(tmp_path / name, name)
    spans = sorted({span for section in infer_structure(loaded).sections for span in section.context})
    return [loaded.source.text[s:e] for s, e in spans]


def test_an_org_tables_mid_rule_leaves_the_body_row_above_it_quotable(tmp_path: Path) -> None:
    """Before, each rule took the row above it as context: "| Ridge | squared weights |" (over the mid-table rule)
    was never quoted. Only the first rule's row above is the header; a rule atop the table takes none."""
    org = (
        "* Regularization\n"
        "| Method | Penalty |\n|--------+---------|\n| Ridge | squared weights |\n|--------+---------|\n"
        "| Lasso | absolute weights |\n\n"
        "|---+---|\n| Kernel | Formula |\n|---+---|\n| Linear | x dot y |\n"
    )
    assert context_lines(tmp_path, "reg.org", org) == [
        "* Regularization",  # a heading over its section's first lines is context of it (ingest.sections)
        "| Method | Penalty |\n|--------+---------|",
        "|--------+---------|",
        "|---+---|",
        "| Kernel | Formula |\n|---+---|",
    ]


def test_a_tables_header_and_rule_in_an_obsidian_callout_are_context(tmp_path: Path) -> None:
    """Before, only the callout's title line was: `> |---|---|` was no rule (its "> " came first), so the header row
    and the rule were quoted as text."""
    note = (
        "# Training\n\nEach optimizer needs its own learning rate.\n\n"
        "> [!note] Optimizers\n> | Optimizer | lr |\n> |---|---|\n> | SGD | 1e-2 |\n> | Adam | 1e-3 |\n"
    )
    assert context_lines(tmp_path, "optim.md", note) == [
        "# Training",
        "> [!note] Optimizers",
        "> | Optimizer | lr |\n> |---|---|",
    ]
