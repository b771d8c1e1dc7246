"""`eval` end to end on a tiny notes dir: a real index, the real embedder, every retrieval system."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer

from eval.cli import eval_command, evaluate

DATA = Path(__file__).parent / "data"
RETRIEVAL_KEYS = {"mrr@10", "ndcg@10", "recall@1", "recall@5", "recall@10", "reading_cost_median"}
ANSWER_KEYS = {
    "bleu",
    "rouge1",
    "rouge2",
    "rougeL",
    "abstention_accuracy",
    "false_abstain_rate",
    "gold_cited",
    "citation_gold_precision",
    "token_f1",
    "exact_match",
    "code_citation_rate",
}


def _run(out: Path, systems: str | None, no_answers: bool) -> dict:
    evaluate(DATA / "tiny.jsonl", DATA / "notes", out, systems, no_answers, DATA / "code")
    return json.loads((out / "report.json").read_text())


@pytest.fixture(scope="module")
def retrieval_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("eval")
    return _run(out, None, no_answers=True), out


def test_report_shape(retrieval_report: tuple[dict, Path]) -> None:
    report, out = retrieval_report
    assert report["n_questions"] == 5
    assert report["default_system"] == "hybrid+merge"
    # answer-only systems would repeat hybrid+merge's retrieval, so --no-answers leaves them out
    assert set(report["systems"]) == {"bm25", "dense", "hybrid", "hybrid+merge", "llamaindex"}
    for system in report["systems"].values():
        assert set(system["retrieval"]) == RETRIEVAL_KEYS
        assert "answers" not in system
        assert set(system["latency_ms"]) == {"retrieval_p50", "answer_p50"}
        assert system["latency_ms"]["retrieval_p50"] > 0 and system["latency_ms"]["answer_p50"] is None
        assert all(0 <= system["retrieval"][k] <= 1 for k in RETRIEVAL_KEYS - {"reading_cost_median"})
    assert [q["id"] for q in report["questions"]] == ["t1", "t2", "t3", "t4", "t5"]
    for name in ("bm25", "dense", "hybrid", "hybrid+merge", "llamaindex"):
        assert "retrieved" in report["questions"][0]["systems"][name]
    for name in ("report.md", "retrieval_metrics.png", "latency.png"):
        assert (out / name).stat().st_size > 0


def test_tiny_notes_are_easy(retrieval_report: tuple[dict, Path]) -> None:
    # three short notes, one topic each: dense and hybrid find every gold quote in the top 5
    report, _ = retrieval_report
    for name in ("dense", "hybrid", "hybrid+merge"):
        assert report["systems"][name]["retrieval"]["recall@5"] == 1.0
    sweep = report["abstain_threshold"]
    assert 0 <= sweep["chosen"] <= 0.8 and len(sweep["sweep"]) == 81


def test_retrieved_spans_are_doc_spans(retrieval_report: tuple[dict, Path]) -> None:
    report, _ = retrieval_report
    for q in report["questions"]:
        for entry in q["systems"].values():
            for hit in entry["retrieved"]:
                text = (DATA / "notes" / hit["doc"]).read_text()
                assert 0 <= hit["start"] < hit["end"] <= len(text)


def test_extractive_answers(tmp_path: Path) -> None:
    report = _run(tmp_path, "hybrid+merge+extractive", no_answers=False)
    system = report["systems"]["hybrid+merge+extractive"]
    assert set(system["answers"]) >= ANSWER_KEYS
    assert system["answers"]["n_answered"] == 5
    assert system["answers"]["code_citation_rate"] == 1.0  # cites adam_step in reference/optim.py
    assert system["latency_ms"]["answer_p50"] > 0
    answer = report["questions"][0]["systems"]["hybrid+merge+extractive"]["answer"]
    assert not answer["abstained"] and answer["citations"][0]["doc"] == "garden.txt"


def test_bad_dataset_exits_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "x", "question": "q", "kind": "fact", "reference_answer": "a", '
        '"relevant": [{"doc": "garden.txt", "quote": "not in the note"}]}\n'
    )
    with pytest.raises(typer.Exit):
        eval_command(
            dataset=bad,
            notes=DATA / "notes",
            out=tmp_path / "o",
            systems="bm25",
            no_answers=True,
            code=DATA / "code",
            answer_sample=0,
            readme=None,
            corpus=None,
        )
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and f"{bad}:1:" in err and "\n" not in err


def test_report_json_round_trips(retrieval_report: tuple[dict, Path]) -> None:
    from eval.report import to_json

    report, _ = retrieval_report
    assert json.loads(to_json(report)) == report
