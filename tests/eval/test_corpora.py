"""Dev corpora other people wrote: fetched from Debian packages, questions valid, halves apart, eval runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.settings import get_settings
from eval.corpora import CORPORA, fetch
from eval.corpus_eval import corpus_tables, run_corpus, write_corpora_report
from eval.dataset import validate
from notecite.cli import app

needs_apt = pytest.mark.skipif(shutil.which("apt-get") is None, reason="corpora come from Debian packages")


@pytest.fixture(scope="module")
def corpus_dirs() -> dict[str, Path]:
    cache = get_settings().cache_dir
    return {name: fetch(name, cache) for name in CORPORA}


@needs_apt
@pytest.mark.parametrize("name", list(CORPORA))
def test_questions_are_valid_and_halves_apart(name: str, corpus_dirs: dict[str, Path]) -> None:
    corpus = CORPORA[name]
    dev, test = (validate(corpus.dataset(s), corpus_dirs[name]) for s in ("dev", "test"))
    assert len(dev) + len(test) >= 40
    assert {q.kind for q in dev} == {q.kind for q in test} == {"fact", "unanswerable"}
    assert not {q.question for q in dev} & {q.question for q in test}
    quotes = [{(g.doc, g.quote) for q in half for g in q.relevant} for half in (dev, test)]
    assert not quotes[0] & quotes[1]


@needs_apt
def test_run_corpus_scores_both_halves(tmp_path: Path, corpus_dirs: dict[str, Path]) -> None:
    run = run_corpus("gitlfs", ("bm25", "hybrid+merge"), limit=4, log=lambda _: None)
    assert run.n_questions == {"dev": 4, "test": 4}
    for split in ("dev", "test"):
        for scores in run.scores[split].values():
            assert 0 <= scores["mrr@10"] <= 1 and scores["recall@10"] >= scores["recall@1"]
            assert scores["retrieval_p50_ms"] > 0
    assert run.scores["dev"]["bm25"]["mrr@10"] > 0  # four plain questions: BM25 finds some
    for split in ("dev", "test"):  # the quoting writer answered every question of both halves
        answers = run.answers[split]
        assert 0 < answers["rougeL"] <= 1 and 0 < answers["oracle_rougeL"] <= 1 and answers["answer_p50_ms"] > 0
        assert 0 <= answers["gold_cited"] <= 1 and 0 <= answers["abstention_accuracy"] <= 1
    paths = write_corpora_report([run], tmp_path)
    assert "**gitlfs** (test half, 4 questions)" in paths[1].read_text()
    assert "| gitlfs | test | 4 | " in paths[1].read_text()
    assert corpus_tables([run], "dev")[4].startswith("| bm25 |")


def test_unknown_corpus_is_an_error_line() -> None:
    result = CliRunner().invoke(app, ["eval", "--corpus", "nope"])
    assert result.exit_code == 1 and "unknown corpus nope" in result.output
