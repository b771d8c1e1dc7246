"""Sentence-window vectors (ingest.sentence_vectors): written with each generation, reused by incremental
ingest, gone with a crashed one, and used by retrieval without changing spans or the abstention cosine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.settings import RetrievalSettings
from ingest.pipeline import CorpusRoot, ingest_corpus
from ingest.sentence_vectors import META, VECTORS, window_texts
from ingest.store import GENERATIONS, current_generation, open_index
from retrieval.retriever import Retriever, ScopeSpan

BREAD = (
    "# Baking\n\n## Bread\n\n"
    "Bread dough rises because yeast ferments the sugars and releases carbon dioxide. Kneading develops\n"
    "gluten, which traps the gas. A hot oven sets the crumb before the loaf collapses. Salt slows the\n"
    "fermentation and tightens the dough. Steam in the first minutes keeps the crust soft, so the loaf can\n"
    "still expand in the oven.\n\n"
    "## Cake\n\nCake batter is leavened by baking powder instead of yeast.\n"
)
STEAM = "why spray water into the oven when the loaf goes in"


def test_window_texts_join_wrapped_lines_and_carry_the_section_path() -> None:
    text = "Kneading develops\ngluten. A hot oven sets\nthe crumb. Salt slows it down.\n- a list item here"
    got = window_texts(text, ["bake.md", "Baking", "Bread"], 2)
    assert got == [
        "Baking > Bread\nKneading develops gluten. A hot oven sets the crumb.",
        "Baking > Bread\nA hot oven sets the crumb. Salt slows it down.",
        "Baking > Bread\nSalt slows it down.\n- a list item here",
    ]
    assert window_texts("One sentence only, wrapped\nat the margin.", ["a.md"], 2) == []


@pytest.fixture
def bread_corpus(small_corpus: Path) -> Path:
    (small_corpus / "baking.md").write_text(BREAD, encoding="utf-8")
    return small_corpus


def test_generation_holds_windows_that_find_a_sentence_and_keep_spans_exact(
    bread_corpus: Path, tmp_path: Path, make_counting, embedder
) -> None:
    index = tmp_path / "index"
    first = make_counting()
    report = ingest_corpus([CorpusRoot(bread_corpus)], index, first, sentence_window=2)
    gen_dir = index / GENERATIONS / report.generation
    assert all((gen_dir / name).is_file() for name in (VECTORS, META))
    reader = open_index(index)
    assert reader.sentences is not None and len(reader.sentences) == report.sentence_windows
    assert set(reader.sentences.owners) == set(reader.leaf_ids)  # a one-sentence passage is its own window
    assert 0 < report.sentences_embedded < report.sentence_windows

    query = embedder.embed([STEAM])[0]
    ranked = reader.sentence_search(query, reader.leaf_ids)
    (best, window_cosine), *_ = ranked
    # each passage scored by its best window, every window read from the stored matrix
    matrix, owners = np.asarray(reader.sentences.matrix), reader.sentences.owners
    expected = {leaf: max(float(matrix[r] @ query) for r, o in enumerate(owners) if o == leaf) for leaf in set(owners)}
    assert [i for i, _ in ranked] == sorted(expected, key=lambda leaf: -expected[leaf])
    assert all(score == pytest.approx(expected[i], abs=1e-6) for i, score in ranked)
    assert reader.sentence_search(query, [best, "no-such-passage", best]) == [(best, window_cosine)]
    bread = reader.get_nodes([best])[0]
    assert "Steam in the first minutes" in bread.text
    assert window_cosine > float(reader.leaf_vectors([best])[0] @ query)  # the sentence is closer than the passage

    hits = Retriever(reader, embedder, RetrievalSettings(sentence_weight=0.5)).retrieve(STEAM, k=3, merge=False)
    assert hits[0].node_id == best
    for hit in hits:
        assert reader.source_text(hit.doc)[hit.start : hit.end] == hit.text
        assert hit.dense_score == pytest.approx(float(reader.leaf_vectors([hit.node_id])[0] @ query), abs=1e-5)
    scoped = Retriever(reader, embedder).retrieve(STEAM, k=3, scope=[ScopeSpan("optim.md")], merge=False)
    assert scoped and {h.doc for h in scoped} == {"optim.md"}
    before = reader.sentences.by_leaf()
    reader.close()

    again = make_counting()
    report2 = ingest_corpus([CorpusRoot(bread_corpus)], index, again, sentence_window=2)
    assert again.texts == [] and report2.sentences_embedded == 0  # unchanged passages keep their windows
    reader = open_index(index)
    after = reader.sentences.by_leaf()
    assert after.keys() == before.keys() and all(np.array_equal(after[i], before[i]) for i in before)
    reader.close()

    plain = ingest_corpus([CorpusRoot(bread_corpus)], tmp_path / "plain", make_counting(), sentence_window=0)
    reader = open_index(tmp_path / "plain")
    assert (
        plain.sentence_windows == 0
        and reader.sentences is None
        and reader.sentence_search(query, reader.leaf_ids) == []
    )
    assert Retriever(reader, embedder).retrieve(STEAM, k=3)  # a generation without windows still answers
    reader.close()


class FailsOnWindow:
    """The real embedder, crashing at the first sentence window of the bread passage (its lines joined)."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim

    def embed(self, texts, *, batch_size: int = 32) -> np.ndarray:
        if any("Kneading develops gluten" in t for t in texts):
            raise RuntimeError("simulated crash while embedding sentence windows")
        return self.inner.embed(texts, batch_size=batch_size)


def test_crash_while_embedding_windows_keeps_the_previous_generation(
    bread_corpus: Path, tmp_path: Path, make_counting, embedder
) -> None:
    index = tmp_path / "index"
    ingest_corpus([CorpusRoot(bread_corpus)], index, make_counting(), sentence_window=0)
    live = current_generation(index)
    (bread_corpus / "baking.md").write_text(BREAD + "\nRye bread needs a sourdough starter. It ferments slowly.\n")
    failing = FailsOnWindow(embedder)
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest_corpus([CorpusRoot(bread_corpus)], index, failing, sentence_window=2)
    assert current_generation(index) == live
    assert [p.name for p in (index / GENERATIONS).iterdir()] == [live]
    reader = open_index(index)
    assert reader.sentences is None  # still the generation written without windows
    reader.close()
