"""The Milvus leaf store against a real Milvus Lite: same ranking as FAISS + BM25, exact spans, generations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.settings import StoreSettings
from ingest.milvus_store import analyzed_text, client_for, spelled
from ingest.pipeline import CorpusRoot, ingest_corpus
from ingest.store import current_generation, open_index
from retrieval.retriever import Retriever

QUERIES = [
    "what does LoRA keep frozen",
    "why is fine tuning expensive",
    "reverse mode automatic differentiation",
    "what is cuDNN for",
]


@pytest.fixture(scope="module")
def milvus_index(embedded_notes_index, tmp_path_factory: pytest.TempPathFactory, embedder):
    """The embedded index copied, then re-ingested into Milvus: vectors are reused, nothing is embedded."""
    notes, embedded, _ = embedded_notes_index
    root = tmp_path_factory.mktemp("milvus")
    shutil.copytree(embedded, root / "index")
    store = StoreSettings(backend="milvus", milvus_uri=str(root / "milvus.db"), collection_prefix="t")
    report = ingest_corpus([CorpusRoot(notes)], root / "index", embedder, store=store)
    assert report.embedded == 0
    return notes, root / "index", store


def test_spelled_tokens_stay_whole_for_the_standard_analyzer() -> None:
    assert spelled("np.dot") == "np_2e_dot" and spelled("as_strided") == "as_strided"
    assert analyzed_text("Use np.dot in the code") == "use np_2e_dot np dot code"


def test_milvus_ranks_like_faiss_and_bm25_with_exact_spans(milvus_index, embedded_notes_index, embedder) -> None:
    _, milvus_dir, store = milvus_index
    embedded = open_index(embedded_notes_index[1])
    milvus = open_index(milvus_dir, store)
    assert milvus.store_name == "milvus" and embedded.store_name == "embedded" and len(milvus) == len(embedded)
    for query in QUERIES:
        vec = embedder.embed([query])[0]
        dense_m, dense_e = milvus.dense_search(vec, 10), embedded.dense_search(vec, 10)
        # both exact (flat) inner product: the same passages with the same cosines, up to ties in float32
        assert [s for _, s in dense_m] == pytest.approx([s for _, s in dense_e], abs=1e-4)
        cosine_e = dict(embedded.dense_search(vec, 20))
        assert all(abs(cosine_e.get(i, -2.0) - s) < 1e-4 for i, s in dense_m)
        bm25_m, bm25_e = milvus.bm25_search(query, 10), embedded.bm25_search(query, 10)
        assert bm25_m and bm25_m[0][0] == bm25_e[0][0]  # the same tokens; k1 differs (1.2 vs 1.5)
        assert len(bm25_m) == len(bm25_e)  # both answer only passages that share a term with the query
        assert len({i for i, _ in bm25_m[:5]} & {i for i, _ in bm25_e[:10]}) >= min(4, len(bm25_e))
    assert milvus.term_stems == embedded.term_stems
    hits = Retriever(milvus, embedder).retrieve("what does LoRA keep frozen", k=5)
    assert hits
    for hit in hits:
        assert milvus.source_text(hit.doc)[hit.start : hit.end] == hit.text
        assert hit.dense_score is not None
    ids = [i for i, _ in milvus.bm25_search("LoRA", 3)]
    assert milvus.leaf_vectors(ids) == pytest.approx(embedded.leaf_vectors(ids), abs=1e-6)


def test_generations_switch_the_alias_and_drop_old_collections(milvus_index, embedder) -> None:
    notes, index_dir, store = milvus_index
    client = client_for(store.milvus_uri, "")
    first = current_generation(index_dir)
    assert client.describe_alias("t_live")["collection_name"] == "t_" + first.replace("-", "_")

    (notes / "zz_dropout.txt").write_text("Dropout\nDropout zeroes random activations while training a network.\n")
    before = embedder.texts_embedded
    added = ingest_corpus([CorpusRoot(notes)], index_dir, embedder, store=store)
    assert 0 < added.embedded <= 3  # only the new file's passages (and their sentence windows)
    assert added.embedded + added.sentences_embedded == embedder.texts_embedded - before
    reader = open_index(index_dir, store)
    assert reader.generation == added.generation
    assert reader.get_nodes([reader.bm25_search("dropout zeroes", 1)[0][0]])[0].metadata["doc"] == "zz_dropout.txt"
    assert client.describe_alias("t_live")["collection_name"] == "t_" + added.generation.replace("-", "_")

    (notes / "zz_dropout.txt").unlink()
    removed = ingest_corpus([CorpusRoot(notes)], index_dir, embedder, store=store)
    assert removed.removed == 1 and removed.embedded == 0
    reader = open_index(index_dir, store)
    docs = {n.metadata["doc"] for n in reader.get_nodes([i for i, _ in reader.bm25_search("dropout zeroes", 20)])}
    assert "zz_dropout.txt" not in docs
    collections = set(client.list_collections())
    assert "t_" + added.generation.replace("-", "_") in collections  # the previous generation is kept
    assert "t_" + first.replace("-", "_") not in collections  # older ones are dropped with their directories


def test_hnsw_collection_finds_the_flat_top_hits(milvus_index, embedded_notes_index, embedder, tmp_path: Path) -> None:
    notes, embedded, _ = embedded_notes_index
    shutil.copytree(embedded, tmp_path / "index")
    store = milvus_index[2].model_copy(update={"collection_prefix": "h"})  # the same Milvus, another prefix
    ingest_corpus([CorpusRoot(notes)], tmp_path / "index", embedder, store=store, hnsw_threshold=1)
    reader, flat = open_index(tmp_path / "index", store), open_index(embedded)
    assert client_for(store.milvus_uri, "").describe_index(reader.leaves.collection, "vector")["index_type"] == "HNSW"
    vec = embedder.embed(["which weights does LoRA keep frozen"])[0]
    assert [i for i, _ in reader.dense_search(vec, 3)] == [i for i, _ in flat.dense_search(vec, 3)]
