"""BM25 over the same leaves FAISS holds, with a tokenizer that keeps code and math searchable.

Study notes mix prose with identifiers (`np.dot`, `cudnnHandle_t`, `as_strided`) and math (`x^2`,
`W_0`, `\\Delta`). Each such token is indexed whole *and* split into its parts, so both "as_strided"
and "strided" match. Built once at ingest and pickled; a query never rebuilds it.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from core.text import STOPWORDS

_TOKEN = re.compile(r"\\?\w+(?:[.^]\w+)*")
_PARTS = re.compile(r"[._^\\]+")
# split camelCase and ACRONYMWord boundaries, but leave "LoRA" and "ReLU" whole
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z][a-z])|(?<=[A-Z])(?=[A-Z][a-z])")


def tokenize(text: str) -> list[str]:
    """Lowercased tokens; compound identifiers and math yield the whole token plus its pieces."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        raw = match.group()
        whole = raw.lower()
        if whole in STOPWORDS:
            continue
        tokens.append(whole)
        if raw.startswith("\\"):
            tokens.append(whole[1:])
        pieces: list[str] = []
        for part in _PARTS.split(raw):
            if not part:
                continue
            pieces.append(part.lower())
            camel = [c for c in _CAMEL.split(part) if c]
            if len(camel) > 1:
                pieces.extend(c.lower() for c in camel)
        tokens.extend(p for p in dict.fromkeys(pieces) if p != whole and p != whole.lstrip("\\"))
    return tokens


class BM25Index:
    """BM25Okapi plus the node id of each row."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        self.ids = list(ids)
        corpus = [tokenize(t) for t in texts]
        # BM25Okapi divides by the corpus size; an empty index simply answers nothing
        self._bm25 = BM25Okapi(corpus) if any(corpus) else None

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top-k (node id, score) with a positive score, best first."""
        terms = tokenize(query)
        if self._bm25 is None or not terms or k <= 0:
            return []
        scores = np.asarray(self._bm25.get_scores(terms))
        top = np.argsort(-scores, kind="stable")[:k]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def vocabulary(self) -> frozenset[str]:
        """Every token the indexed passages contain."""
        return frozenset(self._bm25.idf) if self._bm25 is not None else frozenset()

    def save(self, path: Path) -> None:
        with open(path, "wb") as fh:
            pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def load(path: Path) -> BM25Index:
        with open(path, "rb") as fh:
            index = pickle.load(fh)
        if not isinstance(index, BM25Index):
            raise TypeError(f"{path} does not hold a BM25Index")
        return index
