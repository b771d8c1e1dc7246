"""The ingest's embedding call (ingest.embedding): a text the model would see as the same token ids as another
is embedded once, and an embedder's ingest path (bfloat16 batches where proven) is what ingest calls."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ingest.embedding import embed_distinct
from ingest.pipeline import CorpusRoot, ingest_corpus
from models.embedder import EQUIVALENT_COSINE, Embedder, load_embedder, min_cosine

SENTENCES = "Kneading develops gluten, which traps the gas. A hot oven sets the crumb before the loaf collapses."
WRAPPED = "Kneading develops gluten, which traps the gas.  A hot oven sets\nthe crumb before the loaf collapses."
OTHER = "Salt slows the fermentation and tightens the dough."


def test_texts_that_differ_only_in_whitespace_are_embedded_once(embedder: Embedder) -> None:
    before = embedder.texts_embedded
    vectors, embedded = embed_distinct([SENTENCES, OTHER, WRAPPED, SENTENCES], embedder)
    assert embedded == 2 and embedder.texts_embedded - before == 2  # SENTENCES (its wrapped twin too), OTHER
    assert np.array_equal(vectors[0], vectors[2]) and np.array_equal(vectors[0], vectors[3])
    # the vector is the one the model gives the wrapped text itself: the same token ids
    assert embedder.token_ids([SENTENCES]) == embedder.token_ids([WRAPPED])
    assert float(vectors[2] @ embedder.embed([WRAPPED])[0]) >= EQUIVALENT_COSINE


def test_a_text_tokenized_as_a_lent_one_takes_its_vector(embedder: Embedder) -> None:
    lent = np.full(embedder.dim, 1 / np.sqrt(embedder.dim), dtype=np.float32)  # any vector: it must be copied
    before = embedder.texts_embedded
    vectors, embedded = embed_distinct([WRAPPED, OTHER], embedder, same_text={SENTENCES: lent})
    assert embedded == 1 and embedder.texts_embedded - before == 1  # OTHER only
    assert np.array_equal(vectors[0], lent)


def test_case_or_words_that_differ_are_not_taken_for_the_same_text(embedder: Embedder) -> None:
    """Only whitespace is folded before the token ids decide: another word is another text."""
    changed = SENTENCES.replace("hot", "warm")
    _, embedded = embed_distinct([SENTENCES, changed, changed.replace(" ", "\n", 1)], embedder)
    assert embedded == 2


def test_ingest_embeds_through_the_bulk_path_within_the_equivalence_cosine(embedder: Embedder) -> None:
    texts = [SENTENCES, OTHER, "def f(x):\n    return x ** 2", "∆W = BA, rank r ≪ d"]
    vectors, _ = embed_distinct(texts, embedder)
    np.testing.assert_allclose(vectors, embedder.embed_bulk(texts), atol=1e-6)
    assert min_cosine(vectors, embedder.encode(texts)) >= EQUIVALENT_COSINE
    bf16 = load_embedder(bulk_bf16=True)  # NOTECITE_INGEST_BF16: ingest calls its bulk path
    vectors, _ = embed_distinct(texts, bf16)
    np.testing.assert_allclose(vectors, bf16.embed_bulk(texts), atol=1e-6)
    assert min_cosine(vectors, embedder.encode(texts)) >= EQUIVALENT_COSINE


def test_a_wrapped_two_sentence_passage_embeds_no_window(tmp_path: Path, embedder: Embedder) -> None:
    """Its one window is the passage unwrapped: the same token ids (before, it was embedded a second time)."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "bread.txt").write_text(WRAPPED + "\n", encoding="utf-8")
    before = embedder.texts_embedded
    report = ingest_corpus([CorpusRoot(notes)], tmp_path / "index", embedder, sentence_window=2)
    assert (report.passages, report.embedded, report.sentence_windows, report.sentences_embedded) == (1, 1, 1, 0)
    assert embedder.texts_embedded - before == 1
