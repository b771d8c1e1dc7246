"""Incremental ingest, generations, crash safety and the ingest lock, on a small corpus of real files."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from ingest import faiss_index
from ingest.pipeline import CorpusRoot, ingest_corpus
from ingest.store import GENERATIONS, current_generation, ingest_lock, open_index

QUERIES = ["which weights does LoRA keep frozen", "running averages of the gradient", "max pooling window"]


def snapshot(index_dir: Path, embedder) -> list[list[tuple[str, float]]]:
    """Dense and BM25 answers to a few queries: what 'answers searches identically' compares."""
    reader = open_index(index_dir)
    out = []
    for query in QUERIES:
        out.append([(i, round(s, 5)) for i, s in reader.dense_search(embedder.embed([query])[0], 5)])
        out.append([(i, round(s, 5)) for i, s in reader.bm25_search(query, 5)])
    reader.close()
    return out


def leaf_ids_of(index_dir: Path, doc: str) -> set[str]:
    reader = open_index(index_dir)
    ids = {i for i in reader.node_ids(doc) if reader.get_nodes([i])[0].metadata["level"] == "passage"}
    reader.close()
    return ids


def test_unchanged_folder_embeds_nothing(small_corpus: Path, tmp_path: Path, make_counting) -> None:
    index = tmp_path / "index"
    first = make_counting()
    report = ingest_corpus([CorpusRoot(small_corpus)], index, first)
    assert report.files == 3 and report.embedded == report.passages > 0
    assert len(first.texts) == report.embedded + report.sentences_embedded  # passages, then their sentence windows
    before = open_index(index)
    again = make_counting()
    report2 = ingest_corpus([CorpusRoot(small_corpus)], index, again)
    assert again.texts == [] and report2.embedded == report2.sentences_embedded == 0 and report2.removed == 0
    after = open_index(index)
    # nothing changed, so nothing is written: the live generation is what this ingest would have made
    assert after.generation == before.generation == report2.generation
    assert [p.name for p in (index / GENERATIONS).iterdir()] == [before.generation]
    assert report2.passages == report.passages and report2.sentence_windows == report.sentence_windows
    # one changed setting (the sentence window) is a new generation, its passage vectors reused
    third = make_counting()
    report3 = ingest_corpus([CorpusRoot(small_corpus)], index, third, sentence_window=3)
    assert report3.generation != before.generation and report3.embedded == 0 and third.texts
    new = open_index(index).vectors()
    old = before.vectors()
    assert all(np.array_equal(old[i], new[i]) for i in old)


def test_changed_file_reembeds_only_its_chunks(small_corpus: Path, tmp_path: Path, make_counting) -> None:
    index = tmp_path / "index"
    ingest_corpus([CorpusRoot(small_corpus)], index, make_counting())
    unchanged = leaf_ids_of(index, "lora.txt") | leaf_ids_of(index, "sub/cnn.txt")
    (small_corpus / "optim.md").write_text("# Optimizers\n\n## RMSprop\n\nRMSprop divides by a running RMS.\n")
    counting = make_counting()
    report = ingest_corpus([CorpusRoot(small_corpus)], index, counting)
    new_optim = leaf_ids_of(index, "optim.md")
    assert report.embedded == len(new_optim) == 1
    assert len(counting.texts) == 1 + report.sentences_embedded  # the new passage, then its sentence windows
    assert "RMSprop divides by a running RMS." in counting.texts[0]
    assert leaf_ids_of(index, "lora.txt") | leaf_ids_of(index, "sub/cnn.txt") == unchanged
    reader = open_index(index)
    assert reader.bm25_search("momentum", 5) == []  # the old version of optim.md is gone everywhere
    assert reader.source_text("optim.md").startswith("# Optimizers\n\n## RMSprop")


def test_deleted_file_leaves_faiss_bm25_and_docstore(
    small_corpus: Path, tmp_path: Path, make_counting, embedder
) -> None:
    index = tmp_path / "index"
    ingest_corpus([CorpusRoot(small_corpus)], index, make_counting())
    gone = leaf_ids_of(index, "sub/cnn.txt")
    assert open_index(index).bm25_search("pooling", 5)
    (small_corpus / "sub" / "cnn.txt").unlink()
    report = ingest_corpus([CorpusRoot(small_corpus)], index, make_counting())
    assert report.removed == 1 and report.embedded == 0 and report.files == 2
    reader = open_index(index)
    assert not gone & set(reader.leaf_ids)
    assert not gone & {i for i, _ in reader.dense_search(embedder.embed(["max pooling window"])[0], 100)}
    assert reader.bm25_search("pooling", 5) == []
    assert "sub/cnn.txt" not in {d.doc for d in reader.documents()} and reader.source_text("sub/cnn.txt") is None
    assert reader.node_ids("sub/cnn.txt") == []
    with pytest.raises(KeyError):
        reader.get_nodes(sorted(gone))


def test_crash_mid_ingest_keeps_previous_generation(
    small_corpus: Path, tmp_path: Path, make_counting, embedder
) -> None:
    index = tmp_path / "index"
    ingest_corpus([CorpusRoot(small_corpus)], index, make_counting())
    live = current_generation(index)
    before = snapshot(index, embedder)
    opened = open_index(index)
    (small_corpus / "lora.txt").write_text("LoRA\nCompletely rewritten notes about adapters.\n")
    (small_corpus / "new.txt").write_text("Dropout\nDropout zeroes activations at random during training.\n")
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest_corpus([CorpusRoot(small_corpus)], index, make_counting(fail_after=1))
    assert current_generation(index) == live
    assert [p.name for p in (index / GENERATIONS).iterdir()] == [live]  # no half-written generation left
    assert snapshot(index, embedder) == before
    assert opened.bm25_search("dropout", 3) == []  # an open reader never sees a partial ingest


def test_readers_keep_their_generation_and_old_ones_are_collected(
    small_corpus: Path, tmp_path: Path, make_counting
) -> None:
    index = tmp_path / "index"
    ingest_corpus([CorpusRoot(small_corpus)], index, make_counting())
    old_reader = open_index(index)
    old_leaves = old_reader.leaf_ids
    for i in range(3):
        (small_corpus / "lora.txt").write_text(f"LoRA\nVersion {i} of the notes about rank {i}.\n")
        ingest_corpus([CorpusRoot(small_corpus)], index, make_counting())
    gens = sorted(p.name for p in (index / GENERATIONS).iterdir())
    assert len(gens) == 2 and gens[-1] == current_generation(index)
    # the first generation's files are gone, yet its reader still answers from what it loaded
    assert old_reader.generation not in gens
    hit = old_reader.bm25_search("pretrained weight matrix frozen", 1)[0][0]
    assert hit in old_leaves and "frozen" in old_reader.get_nodes([hit])[0].text


def test_two_ingests_never_interleave(small_corpus: Path, tmp_path: Path, make_counting) -> None:
    index = tmp_path / "index"
    done = threading.Event()
    with ingest_lock(index):
        worker = threading.Thread(
            target=lambda: (ingest_corpus([CorpusRoot(small_corpus)], index, make_counting()), done.set())
        )
        worker.start()
        time.sleep(1.0)
        assert not done.is_set() and current_generation(index) is None  # waiting for the lock
    worker.join(timeout=120)
    assert done.is_set() and current_generation(index) is not None


def test_hnsw_above_threshold_finds_the_same_passage(
    small_corpus: Path, tmp_path: Path, make_counting, embedder
) -> None:
    ingest_corpus([CorpusRoot(small_corpus)], tmp_path / "flat", make_counting())
    ingest_corpus([CorpusRoot(small_corpus)], tmp_path / "hnsw", make_counting(), hnsw_threshold=1)
    flat, hnsw = open_index(tmp_path / "flat"), open_index(tmp_path / "hnsw")
    assert not faiss_index.is_hnsw(flat.leaves.faiss) and faiss_index.is_hnsw(hnsw.leaves.faiss)
    query = embedder.embed(["which weights does LoRA keep frozen"])[0]
    top_flat, top_hnsw = flat.dense_search(query, 3), hnsw.dense_search(query, 3)
    assert [i for i, _ in top_flat] == [i for i, _ in top_hnsw]
    assert flat.get_nodes([top_flat[0][0]])[0].metadata["doc"] == "lora.txt"
    assert 0.3 < top_flat[0][1] <= 1.0 + 1e-5


def test_flat_index_goes_to_gpus_when_faiss_sees_them(monkeypatch: pytest.MonkeyPatch) -> None:
    moved: list[object] = []
    monkeypatch.setattr(faiss_index, "gpu_count", lambda: 1)
    monkeypatch.setattr(faiss_index.faiss, "index_cpu_to_all_gpus", lambda i: moved.append(i) or i, raising=False)
    vectors = np.eye(4, dtype=np.float32)
    flat = faiss_index.build_dense_index(vectors, hnsw_threshold=100)
    hnsw = faiss_index.build_dense_index(vectors, hnsw_threshold=1)
    assert faiss_index.for_search(flat) is flat and moved == [flat]
    assert faiss_index.for_search(hnsw) is hnsw and moved == [flat]  # HNSW has no GPU version: stays on CPU
    monkeypatch.setattr(faiss_index, "gpu_count", lambda: 0)
    assert faiss_index.for_search(flat) is flat and moved == [flat]


def test_several_roots_in_one_index(small_corpus: Path, tmp_path: Path, make_counting, fixtures_dir: Path) -> None:
    uploads = tmp_path / "uploads"
    (uploads / "deep").mkdir(parents=True)
    (uploads / "deep" / "page.html").write_text((fixtures_dir / "page.html").read_text())
    code = tmp_path / "code"
    code.mkdir()
    (code / "module.py").write_text((fixtures_dir / "module.py").read_text())
    roots = [
        CorpusRoot(small_corpus),
        CorpusRoot(uploads, prefix="uploads/"),
        CorpusRoot(code, prefix="reference/", kind="code"),
        CorpusRoot(tmp_path / "not-yet", prefix="later/", optional=True),  # a missing optional root is fine
    ]
    report = ingest_corpus(roots, tmp_path / "index", make_counting())
    reader = open_index(tmp_path / "index")
    kinds = {d.doc: d.kind for d in reader.documents()}
    assert kinds == {
        "lora.txt": "note",
        "optim.md": "note",
        "sub/cnn.txt": "note",
        "uploads/deep/page.html": "note",
        "reference/module.py": "code",
    }
    assert report.files == 5
    manifest = json.loads((tmp_path / "index" / GENERATIONS / reader.generation / "manifest.json").read_text())
    assert manifest == {d.doc: d.sha256 for d in reader.documents()}
    html = reader.source_text("uploads/deep/page.html")
    for node in reader.get_nodes(reader.node_ids("uploads/deep/page.html")):
        assert html[node.metadata["start"] : node.metadata["end"]] == node.text


def test_failed_write_and_killed_ingest_leave_no_debris(
    small_corpus: Path, tmp_path: Path, make_counting, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = tmp_path / "index"
    ingest_corpus([CorpusRoot(small_corpus)], index, make_counting())
    live = current_generation(index)
    (small_corpus / "new.txt").write_text("Dropout\nDropout zeroes activations at random during training.\n")

    def broken_save(self, path: Path) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr("ingest.store.BM25Index.save", broken_save)
        with pytest.raises(OSError, match="disk full"):
            ingest_corpus([CorpusRoot(small_corpus)], index, make_counting())
    assert current_generation(index) == live
    assert [p.name for p in (index / GENERATIONS).iterdir()] == [live]  # the half-written one was removed
    debris = index / GENERATIONS / "000099-killed"  # what `kill -9` during a write leaves: no meta.json
    debris.mkdir()
    (debris / "vectors.npy").write_bytes(b"partial")
    report = ingest_corpus([CorpusRoot(small_corpus)], index, make_counting())
    assert sorted(p.name for p in (index / GENERATIONS).iterdir()) == sorted([live, report.generation])
    assert open_index(index).bm25_search("dropout", 1)
