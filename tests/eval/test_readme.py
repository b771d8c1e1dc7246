"""README's evaluation section is replaced between its markers and nowhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.readme import END, START, update_readme
from eval.report import ORACLE

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
    "dataset": "eval/datasets/notes_test.jsonl",
    "default_system": "bm25",
    "systems": {"bm25": {"retrieval": RETRIEVAL, "latency_ms": {"retrieval_p50": 3.0, "answer_p50": None}}},
    "abstain_threshold": {
        "chosen": 0.3,
        "abstention_accuracy": 0.9,
        "false_abstain_rate": 0.1,
        "current": 0.3,
        "current_abstention_accuracy": 0.9,
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


ANSWERS = {
    "bleu": 0.1, "rouge1": 0.3, "rouge2": 0.1, "rougeL": 0.25, "token_f1": 0.3, "exact_match": 0.0,
    "abstention_accuracy": 0.9, "false_abstain_rate": 0.1, "gold_cited": 0.6, "citation_gold_precision": 0.4,
    "code_citation_rate": None, "degenerate": 0.0, "replaced": 0.5, "n_answered": 30,
}  # fmt: skip
ORACLE_ANSWERS = {
    "bleu": 0.2, "rouge1": 0.5, "rouge2": 0.3, "rougeL": 0.45, "token_f1": 0.5, "exact_match": 0.0, "n_answered": 30,
}  # fmt: skip


def test_answer_table_ends_with_the_oracle_row(tmp_path: Path) -> None:
    system = REPORT["systems"]["bm25"] | {"answers": ANSWERS, "latency_ms": {"retrieval_p50": 3.0, "answer_p50": 900.0}}
    report = REPORT | {"systems": {"bm25": system}, "oracle": {"name": ORACLE, "answers": ORACLE_ANSWERS}}
    readme = tmp_path / "README.md"
    readme.write_text(START + "\n")
    update_readme(readme, report, "eval/reports/latest")
    lines = readme.read_text().splitlines()
    header = next(line for line in lines if line.startswith("| system | answered |"))
    assert "| token_f1 | exact_match |" in header and "| gold_cited | citation_gold_precision |" in header
    assert "citation_precision |" not in header.replace("citation_gold_precision |", "")
    rows = [line for line in lines if line.startswith(("| bm25 | 30 |", f"| {ORACLE} |"))]
    assert rows == [
        "| bm25 | 30 | 0.100 | 0.300 | 0.100 | 0.250 | 0.300 | 0.000 | 0.900 | 0.100 | 0.600 | 0.400 | - "
        "| 0.000 | 0.500 | 900 |",
        f"| {ORACLE} | 30 | 0.200 | 0.500 | 0.300 | 0.450 | 0.500 | 0.000 | - | - | - | - | - | - | - | - |",
    ]
