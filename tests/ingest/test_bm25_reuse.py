"""An incremental ingest tokenizes for BM25 only the passages whose text the live generation does not hold, and
its BM25 index is still exactly the one a full rebuild gives. Real files, the real embedder, real BM25."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.bm25 import BM25Index
from ingest.pipeline import CorpusRoot, ingest_corpus
from ingest.store import GENERATIONS, current_generation, open_index

NOTES = {
    "adam.md": "# Adam\n\nAdam keeps running averages of the gradient and of its square.\n\n"
    "## Bias correction\n\nEarly averages are divided by one minus beta_1^t. Without it the first steps are small.\n",
    "lora.md": "# LoRA\n\nLoRA keeps W_0 frozen and learns a low-rank update B A.\n\n"
    "## Rank\n\nThe rank r is much smaller than the hidden size; np.dot of A and B is cheap.\n",
    "cnn.md": "# Pooling\n\nMax pooling keeps the largest activation in each window of the feature map.\n",
    "matcha.md": "# 抹茶\n\n抹茶の点て方: 茶筅で素早く混ぜる。 Crème naïve matcha latte.\n",
}
QUERIES = ("adam gradient square", "np.dot rank", "抹茶の点て方", "beta_1^t bias", "matcha crème", "weight decay step")


def live_bm25(index: Path) -> BM25Index:
    return BM25Index.load(index / GENERATIONS / str(current_generation(index)) / "bm25.pkl")


def scores(index: Path) -> dict[str, list[tuple[str, float]]]:
    reader = open_index(index)
    out = {q: reader.bm25_search(q, 50) for q in QUERIES}
    reader.close()
    return out


def edit(notes: Path) -> None:
    """One file changed (a section added, one kept), one added, one removed."""
    (notes / "adam.md").write_text(NOTES["adam.md"] + "\n## AdamW\n\nAdamW decouples weight decay from the step.\n")
    (notes / "sgd.md").write_text("# SGD\n\nStochastic gradient descent takes a step against the gradient.\n")
    (notes / "cnn.md").unlink()


def test_incremental_bm25_equals_a_full_rebuild_and_tokenizes_only_new_text(
    tmp_path: Path, writer, make_counting
) -> None:
    notes = writer(tmp_path / "notes", NOTES)
    ingest_corpus([CorpusRoot(notes)], tmp_path / "inc", make_counting())
    first = live_bm25(tmp_path / "inc")
    assert first.tokenized == len(first.ids)  # nothing to take from: every text tokenized
    edit(notes)
    ingest_corpus([CorpusRoot(notes)], tmp_path / "inc", make_counting())
    ingest_corpus([CorpusRoot(notes)], tmp_path / "full", make_counting())
    inc, full = live_bm25(tmp_path / "inc"), live_bm25(tmp_path / "full")
    # the AdamW section (its passage and the note's whole-file text) and sgd.md are new; lora.md, matcha.md and
    # adam.md's unchanged sections take their counts from the previous generation
    new = [k for k in inc.text_keys if k not in set(first.text_keys)]
    assert 0 < inc.tokenized == len(new) < len(inc.ids)
    assert full.tokenized == len(full.ids)
    assert inc.ids == full.ids and inc.text_keys == full.text_keys
    assert inc._bm25.doc_freqs == full._bm25.doc_freqs
    assert [list(c) for c in inc._bm25.doc_freqs] == [list(c) for c in full._bm25.doc_freqs]  # same key order
    assert inc._bm25.idf == full._bm25.idf and list(inc._bm25.idf) == list(full._bm25.idf)
    assert inc._bm25.average_idf == full._bm25.average_idf and inc._bm25.avgdl == full._bm25.avgdl
    got, want = scores(tmp_path / "inc"), scores(tmp_path / "full")
    assert got == want and all(got[q] for q in QUERIES)
    a, b = open_index(tmp_path / "inc"), open_index(tmp_path / "full")
    assert a.term_counts == b.term_counts and a.term_stems == b.term_stems


@pytest.mark.parametrize("previous", ["other token rules", "pickled before text digests"])
def test_an_index_built_under_other_token_rules_is_tokenized_again(
    tmp_path: Path, writer, make_counting, previous: str
) -> None:
    notes = writer(tmp_path / "notes", NOTES)
    ingest_corpus([CorpusRoot(notes)], tmp_path / "index", make_counting())
    old = live_bm25(tmp_path / "index")
    if previous == "other token rules":  # what a changed tokenizer, word rule or Unicode table leaves behind
        old.token_rules = "rules of an older notecite"
    else:
        del old.token_rules, old.text_keys
    old.save(tmp_path / "index" / GENERATIONS / str(current_generation(tmp_path / "index")) / "bm25.pkl")
    edit(notes)
    ingest_corpus([CorpusRoot(notes)], tmp_path / "index", make_counting())
    ingest_corpus([CorpusRoot(notes)], tmp_path / "full", make_counting())
    again = live_bm25(tmp_path / "index")
    assert again.tokenized == len(again.ids)
    assert scores(tmp_path / "index") == scores(tmp_path / "full")


def test_a_failed_ingest_leaves_the_previous_bm25(tmp_path: Path, writer, make_counting) -> None:
    notes = writer(tmp_path / "notes", NOTES)
    ingest_corpus([CorpusRoot(notes)], tmp_path / "index", make_counting())
    live, before = current_generation(tmp_path / "index"), scores(tmp_path / "index")
    edit(notes)
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest_corpus([CorpusRoot(notes)], tmp_path / "index", make_counting(fail_after=0))
    assert current_generation(tmp_path / "index") == live and scores(tmp_path / "index") == before
