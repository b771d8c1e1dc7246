"""Incremental ingest of a changing folder: a renamed file and the untouched passages of an edited one keep
their vectors (their ids change with the doc name and sha256, their text does not); an ingest that has to wait
for another one says so."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from ingest.pipeline import CorpusRoot, ingest_corpus
from ingest.store import current_generation, ingest_lock, open_index


def passages(index: Path, doc: str) -> dict[str, np.ndarray]:
    """Text -> stored vector of each passage of `doc` in the live generation."""
    reader = open_index(index)
    ids = [i for i in reader.node_ids(doc) if reader.get_nodes([i])[0].metadata["level"] == "passage"]
    vectors = dict(zip(ids, reader.leaf_vectors(ids), strict=True))
    out = {node.text: vectors[node.node_id] for node in reader.get_nodes(ids)}
    reader.close()
    return out


def test_renamed_and_edited_files_embed_only_new_text(small_corpus: Path, tmp_path: Path, make_counting) -> None:
    index = tmp_path / "index"
    ingest_corpus([CorpusRoot(small_corpus)], index, make_counting())
    cnn_before, optim_before = passages(index, "sub/cnn.txt"), passages(index, "optim.md")
    assert len(optim_before) == 2
    moved = small_corpus / "moved dir" / "pooling notes.txt"
    moved.parent.mkdir()
    (small_corpus / "sub" / "cnn.txt").rename(moved)
    optim = small_corpus / "optim.md"
    # two sentences: the section has windows besides the one that is its whole passage (that one takes its vector)
    rmsprop = "\n## RMSprop\n\nRMSprop divides each step by a running RMS. It adapts the step of every weight.\n"
    optim.write_text(optim.read_text() + rmsprop)

    counting, stages = make_counting(), []
    report = ingest_corpus([CorpusRoot(small_corpus)], index, counting, progress=lambda *done: stages.append(done))

    assert report.removed == 1 and report.embedded == 1  # the RMSprop passage, nothing else
    assert all("RMSprop" in text for text in counting.texts)
    assert len(counting.texts) == 1 + report.sentences_embedded
    # each embedding stage reports its progress (the sentence windows were silent: most of a first ingest)
    assert report.sentences_embedded > 0
    assert stages[-2:] == [("embed", 1, 1), ("windows", report.sentences_embedded, report.sentences_embedded)]
    cnn_after, optim_after = passages(index, "moved dir/pooling notes.txt"), passages(index, "optim.md")
    assert cnn_after.keys() == cnn_before.keys()
    assert all(np.array_equal(cnn_after[t], cnn_before[t]) for t in cnn_before)
    assert all(np.array_equal(optim_after[t], optim_before[t]) for t in optim_before)
    reader = open_index(index)
    hit = reader.get_nodes([reader.bm25_search("largest activation feature map", 1)[0][0]])[0]
    source = reader.source_text(hit.metadata["doc"])
    assert hit.metadata["doc"] == "moved dir/pooling notes.txt"
    assert source[hit.metadata["start"] : hit.metadata["end"]] == hit.text  # cited to the character
    assert reader.node_ids("sub/cnn.txt") == []


def test_an_ingest_waiting_for_the_lock_says_who_holds_it(
    small_corpus: Path, tmp_path: Path, make_counting, caplog: pytest.LogCaptureFixture
) -> None:
    index = tmp_path / "index"
    done = threading.Event()
    with caplog.at_level(logging.WARNING, logger="notecite"), ingest_lock(index):
        worker = threading.Thread(
            target=lambda: (ingest_corpus([CorpusRoot(small_corpus)], index, make_counting()), done.set())
        )
        worker.start()
        for _ in range(100):
            if caplog.records:
                break
            threading.Event().wait(0.05)
        assert not done.is_set() and current_generation(index) is None
        assert [r.getMessage() for r in caplog.records] == [
            f"{index} is being changed by pid {os.getpid()}; waiting for it to finish"
        ]
    worker.join(timeout=120)
    assert done.is_set() and current_generation(index) is not None


def test_two_files_whose_names_read_alike_are_both_accounted_for(tmp_path: Path, make_counting) -> None:
    """b"caf\\xe9.md" (a Windows zip's Latin-1 name) reads as "café.md": the second was dropped without a word."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "café.md").write_text("# Café\n\nEspresso is brewed under pressure.\n")
    latin1 = os.fsencode(notes) + b"/caf\xe9.md"
    with open(latin1, "wb") as f:
        f.write(b"# Caf\xe9\n\nA latte adds steamed milk.\n")
    report = ingest_corpus([CorpusRoot(notes)], tmp_path / "index", make_counting())
    assert report.files == 1
    [(doc, why)] = report.skipped
    assert doc == "café.md" and "same name as" in why and "rename one" in why
    assert "caf\\xe9.md" in why and why.encode()  # the raw byte shown: a lone surrogate breaks JSON responses
