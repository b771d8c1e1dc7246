"""README's evaluation section is replaced between its markers and nowhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.readme import END, START, update_readme

RETRIEVAL = {
    "mrr@10": 0.5,
    "ndcg@10": 0.5,
    "recall@1": 0.25,
    "recall@5": 0.75,
    "recall@10": 1.0,
    "reading_cost_median": 1200.0,
}
REPORT = {
    "n_questions": 4,
    "default_system": "bm25",
    "systems": {"bm25": {"retrieval": RETRIEVAL, "latency_ms": {"retrieval_p50": 3.0, "answer_p50": None}}},
    "abstain_threshold": {
        "chosen": 0.3,
        "abstention_accuracy": 0.9,
        "false_abstain_rate": 0.1,
        "current": 0.3,
    },
}

CASES = [
    ("# T\n\n<!-- usage -->\n\n" + START + "\n\n<!-- model-report -->\n", True),  # the skeleton's lone marker
    ("# T\n\n" + START + "\nold table\n" + END + "\n\n<!-- model-report -->\n", True),  # a previous section
    ("# T\n\n<!-- model-report -->\n", False),  # nowhere to write
]


@pytest.mark.parametrize(("before", "ok"), CASES)
def test_update_readme(tmp_path: Path, before: str, ok: bool) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(before)
    if not ok:
        with pytest.raises(ValueError, match="no <!-- eval-report --> marker"):
            update_readme(readme, REPORT, "eval/reports/latest")
        return
    update_readme(readme, REPORT, "eval/reports/latest")
    after = readme.read_text()
    assert after.count(START) == 1 and after.count(END) == 1
    assert "old table" not in after
    assert "| bm25 | 0.500 | 0.500 | 0.250 | 0.750 | 1.000 | 1200 | 3.0 |" in after
    assert after.startswith("# T\n") and after.endswith("<!-- model-report -->\n")
    # regenerating is idempotent
    update_readme(readme, REPORT, "eval/reports/latest")
    assert readme.read_text() == after
