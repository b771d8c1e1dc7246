"""Milvus's own BM25 over our Unicode tokens: a CJK bigram stays one term, so it ranks as the embedded BM25 does."""

from __future__ import annotations

from pathlib import Path

from core.settings import StoreSettings
from ingest.milvus_store import analyzed_text
from ingest.pipeline import CorpusRoot, ingest_corpus
from ingest.store import open_index

NOTES = {
    "matcha.md": "# 抹茶\n\n抹茶は粉末にした緑茶です。茶筅で点てて飲みます。\n",
    "sencha.md": "# 煎茶\n\n煎茶は蒸した茶葉を揉んで乾かした緑茶です。急須で淹れます。\n",
    "bayes.md": "# Classifiers\n\nThe naïve Bayes classifier assumes independent features.\n",
}
QUERIES = [("抹茶の点て方", "matcha.md"), ("急須で淹れるお茶", "sencha.md"), ("naive bayes", "bayes.md")]


def test_cjk_bigrams_and_folded_words_are_spelled_whole() -> None:
    assert analyzed_text("抹茶 naïve np.dot") == "_62b9__8336_ naive np_2e_dot np dot"


def test_milvus_finds_cjk_and_accented_notes_like_the_embedded_store(tmp_path: Path, embedder) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for name, text in NOTES.items():
        (notes / name).write_text(text)
    store = StoreSettings(backend="milvus", milvus_uri=str(tmp_path / "milvus.db"), collection_prefix="u")
    ingest_corpus([CorpusRoot(notes)], tmp_path / "embedded", embedder)
    ingest_corpus([CorpusRoot(notes)], tmp_path / "milvus", embedder, store=store)
    embedded, milvus = open_index(tmp_path / "embedded"), open_index(tmp_path / "milvus", store)
    try:
        for query, doc in QUERIES:
            for reader in (embedded, milvus):
                (best, _), *_ = reader.bm25_search(query, 3)
                assert reader.get_nodes([best])[0].metadata["doc"] == doc, (reader.store_name, query)
        assert milvus.term_stems == embedded.term_stems
    finally:
        embedded.close()
        milvus.close()
