"""Key-stem counts are stored with the index generation at ingest and read at open (issue 15): the
rarity the answer writer uses is the same as reading every passage, and older generations still work."""

from __future__ import annotations

import json

import pytest

from core.terms import TERM_COUNTS_FILE, TermCounts
from ingest.pipeline import CorpusRoot, ingest_corpus
from ingest.store import open_index
from models.embedder import load_embedder
from retrieval.retriever import Retriever
from retrieval.terms import TermRarity

NOTES = {
    "lora.md": "# LoRA\n\nLoRA freezes the base model and trains a low-rank update of rank r.\n",
    "adam.md": "# Adam\n\nAdam keeps moving averages of the gradient of the model.\n",
    "dropout.md": "# Dropout\n\nDropout zeroes random units of the model while training.\n",
    "pooling.md": "# Pooling\n\nMax pooling keeps the largest value in each window.\n",
    "gru.md": "# GRU\n\nA GRU cell gates how much of its state to keep.\n",
}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("terms")
    for name, text in NOTES.items():
        (root / "notes").mkdir(exist_ok=True)
        (root / "notes" / name).write_text(text)
    ingest_corpus([CorpusRoot(root / "notes")], root / "index", load_embedder())
    return root / "index"


def test_ingest_stores_the_counts_and_open_reads_them(index_dir) -> None:
    reader = open_index(index_dir)
    stored = json.loads((reader.path / TERM_COUNTS_FILE).read_text())
    assert stored["passages"] == len(reader.leaf_ids) and stored["df"]["lora"] >= 1
    assert reader.term_counts == TermCounts(stored["passages"], stored["df"])
    rarity = Retriever(reader, load_embedder()).term_rarity
    scanned = TermRarity.of_index(reader)
    assert rarity.idf == scanned.idf and rarity.unseen == scanned.unseen
    assert rarity.idf["lora"] > rarity.idf.get("model", 0.0)


def test_a_generation_without_counts_reads_its_passages(index_dir) -> None:
    reader = open_index(index_dir)
    expected = Retriever(reader, load_embedder()).term_rarity.idf
    (reader.path / TERM_COUNTS_FILE).unlink()  # as written before the file existed
    older = open_index(index_dir)
    assert older.term_counts is None
    assert Retriever(older, load_embedder()).term_rarity.idf == expected


def test_counts_made_under_other_stemming_rules_are_not_used(index_dir) -> None:
    path = open_index(index_dir).path / TERM_COUNTS_FILE
    TermCounts(3, {"lora": 1}).save(path)
    assert TermCounts.load(path) == TermCounts(3, {"lora": 1})
    stored = json.loads(path.read_text())
    path.write_text(json.dumps({**stored, "probe": ["run", "model"]}))  # what another stemmer would have kept
    assert TermCounts.load(path) is None and open_index(index_dir).term_counts is None
