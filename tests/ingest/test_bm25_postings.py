"""BM25 from postings scores exactly as rank-bm25's BM25Okapi.get_scores, and ranks as a stable sort of them.

The service's BM25 reads each query token's postings instead of every passage's dict (364 ms -> 0.4 ms a
query at 100,000 passages); its scores must not move, or the fusion and the dev-set figures would.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from eval.ingest_bench import passage_texts
from ingest.bm25 import BM25Index, tokenize

QUERIES = [
    "what does LoRA keep frozen",
    "lora lora rank rank rank",  # repeated tokens add again, in order
    "as_strided np.dot cudnnHandle_t",
    "nothing zzzunknown here",
    "the",  # only a stop word: no terms
    "gradient",  # in many passages: more ties than k
]


@pytest.fixture(scope="module")
def index(notes_dir) -> BM25Index:
    texts = passage_texts(notes_dir)
    return BM25Index([f"p{i}" for i in range(len(texts))], texts)


def okapi_ranking(index: BM25Index, query: str, k: int) -> list[tuple[str, float]]:
    scores = np.asarray(index._bm25.get_scores(tokenize(query)))
    top = np.argsort(-scores, kind="stable")[:k]
    return [(index.ids[i], float(scores[i])) for i in top if scores[i] > 0]


@pytest.mark.parametrize("query", QUERIES)
def test_scores_and_ranking_equal_rank_bm25(index: BM25Index, query: str) -> None:
    terms = tokenize(query)
    assert np.array_equal(index.scores(terms), np.asarray(index._bm25.get_scores(terms)))
    for k in (1, 5, 40, len(index.ids) + 3):
        assert index.search(query, k) == okapi_ranking(index, query, k)


def test_an_index_pickled_before_postings_builds_them_on_first_search(index: BM25Index) -> None:
    older = pickle.loads(pickle.dumps(index))
    del older._postings
    older = pickle.loads(pickle.dumps(older))
    assert not hasattr(older, "_postings")
    assert older.search(QUERIES[0], 10) == index.search(QUERIES[0], 10)
