"""BM25 over the same leaves FAISS holds, with a tokenizer that keeps code and math searchable.

Study notes mix prose with identifiers (`np.dot`, `cudnnHandle_t`, `as_strided`) and math (`x^2`,
`W_0`, `\\Delta`). Each such token is indexed whole *and* split into its parts, so both "as_strided"
and "strided" match. Built once at ingest and pickled; a query never rebuilds it.

Scores are rank-bm25's BM25Okapi, bit for bit, but read from postings (per token: the rows that hold it
and their term weights, computed once) instead of `get_scores`, which looks every token of a query up in
every passage's dict: 46.6 ms a query at 10,000 passages and linear in their number.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import regex
from rank_bm25 import BM25Okapi

import core.cjk
import core.text
from core.cjk import CJK_LETTER, cjk_grams
from core.text import STOPWORDS, fold, plain
from ingest.rules_digest import source_digest

log = logging.getLogger("notecite")

# words of any script as core.text reads them (a CJK run apart: its bigrams), joined by . ^ into identifiers
_WORD = rf"[\w--{CJK_LETTER}]+"
_TOKEN = regex.compile(rf"(?V1)(?P<cjk>{CJK_LETTER}+)|\\?{_WORD}(?:[.^]{_WORD})*")
# _TOKEN on ASCII text, where it is exactly this (the retrieval was tuned on these tokens), and faster
_ASCII_TOKEN = re.compile(r"\\?\w+(?:[.^]\w+)*")
_PARTS = re.compile(r"[._^\\]+")
# split camelCase and ACRONYMWord boundaries, but leave "LoRA" and "ReLU" whole
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z][a-z])|(?<=[A-Z])(?=[A-Z][a-z])")


# tokenized into the digest of a generation's inputs (ingest.pipeline.inputs_digest): an index whose BM25 was
# built under other token rules is rebuilt, not searched with query tokens it never holds
TOKEN_PROBE = "LoRA's np.dot(x^2) as_strided \\Delta cudnnHandle_t: Crème naïve ＧＰＵ x² 抹茶の点て方 한국어 ชาไทย"


def tokenize(text: str) -> list[str]:
    """Folded tokens (core.text.fold); compound identifiers and math yield the whole token plus its pieces,
    a run of CJK letters its bigrams (core.text.cjk_grams).

    >>> tokenize("np.dot of crème ＧＰＵ 抹茶です")
    ['np.dot', 'np', 'dot', 'creme', 'gpu', '抹茶', '茶で', 'です']
    """
    tokens: list[str] = []
    for match in _ASCII_TOKEN.finditer(text) if text.isascii() else _TOKEN.finditer(plain(text)):
        if match.lastgroup == "cjk":
            tokens.extend(cjk_grams(match.group().casefold()))
            continue
        raw = match.group()
        whole = fold(raw)
        if whole in STOPWORDS:
            continue
        tokens.append(whole)
        if raw.startswith("\\"):
            tokens.append(whole[1:])
        pieces: list[str] = []
        for part in _PARTS.split(raw):
            if not part:
                continue
            pieces.append(fold(part))
            camel = [c for c in _CAMEL.split(part) if c]
            if len(camel) > 1:
                pieces.extend(fold(c) for c in camel)
        tokens.extend(p for p in dict.fromkeys(pieces) if p != whole and p != whole.lstrip("\\"))
    return tokens


# the code of this module and of the core.text and core.cjk rules it calls, as this process loaded it (read at
# import: a server left running after a git pull must not record the new code's digest for its old tokens)
_TOKEN_CODE = source_digest([Path(m) for m in (__file__, core.text.__file__, core.cjk.__file__)], ["regex"])


def token_rules() -> str:
    """Digest of everything a text's tokens depend on besides the text: the probe's tokens, the tokenizer's code,
    the regex library and the Unicode tables. A new index takes a previous one's token counts only when this is
    the same, so changed rules tokenize every text."""
    return hashlib.sha256("\0".join(tokenize(TOKEN_PROBE)).encode() + b"\0" + _TOKEN_CODE.encode()).hexdigest()


def text_key(text: str) -> bytes:
    """What a passage's token counts are found by in the next generation: a digest of its text."""
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def _tokens_of(counts: Mapping[str, int]) -> list[str]:
    """A token list that BM25Okapi counts into exactly `counts`, in the same key order (so its document
    frequencies, idf and their float sums come out bit for bit as from the text's own tokens)."""
    return [token for token, freq in counts.items() for _ in range(freq)]


Postings = dict[str, tuple[np.ndarray, np.ndarray]]  # token -> (rows holding it, its BM25 weight in each)


def postings(bm25: BM25Okapi) -> Postings:
    """Each token's rows and weights, as BM25Okapi.get_scores computes them (same operations, same order),
    so a query's scores are the same sums of the same float64 terms."""
    rows: dict[str, list[int]] = {}
    freqs: dict[str, list[int]] = {}
    for row, counts in enumerate(bm25.doc_freqs):
        for token, freq in counts.items():
            rows.setdefault(token, []).append(row)
            freqs.setdefault(token, []).append(freq)
    doc_len = np.array(bm25.doc_len)
    out: Postings = {}
    for token, where in rows.items():
        at = np.array(where, dtype=np.int64)
        q_freq = np.array(freqs[token])
        norm = bm25.k1 * (1 - bm25.b + bm25.b * doc_len[at] / bm25.avgdl)
        out[token] = (at, (bm25.idf.get(token) or 0) * (q_freq * (bm25.k1 + 1) / (q_freq + norm)))
    return out


class BM25Index:
    """BM25Okapi plus the node id of each row, scored from postings. Each row's text digest and the token rules
    are kept too, so the next ingest tokenizes only the texts this index does not hold."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str], previous: BM25Index | None = None) -> None:
        self.ids = list(ids)
        self.token_rules = token_rules()
        self.text_keys = [text_key(t) for t in texts]
        known = previous.counts_by_text(self.token_rules) if previous is not None else {}
        corpus = [
            _tokens_of(counts) if (counts := known.get(key)) is not None else tokenize(text)
            for key, text in zip(self.text_keys, texts, strict=True)
        ]
        self.tokenized = sum(key not in known for key in self.text_keys)  # texts tokenized to build it
        # BM25Okapi divides by the corpus size; an empty index simply answers nothing
        self._bm25 = BM25Okapi(corpus) if any(corpus) else None
        self._postings = postings(self._bm25) if self._bm25 is not None else {}

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25Okapi.get_scores(terms): one pass over the postings of each query token, in order."""
        if not hasattr(self, "_postings"):  # pickled before postings were stored: built on first use
            self._postings = postings(self._bm25) if self._bm25 is not None else {}
        scores = np.zeros(len(self.ids))
        for term in terms:
            hit = self._postings.get(term)
            if hit is not None:
                scores[hit[0]] += hit[1]
        return scores

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top-k (node id, score) with a positive score, best first."""
        terms = tokenize(query)
        if self._bm25 is None or not terms or k <= 0:
            return []
        scores = self.scores(terms)
        rows = np.flatnonzero(scores > 0)
        if len(rows) > k:  # those tied with the k-th best or better, ordered as a stable sort of all would
            kth = np.partition(scores[rows], len(rows) - k)[len(rows) - k]
            rows = rows[scores[rows] >= kth]
        top = rows[np.argsort(-scores[rows], kind="stable")][:k]
        return [(self.ids[i], float(scores[i])) for i in top]

    def vocabulary(self) -> frozenset[str]:
        """Every token the indexed passages contain."""
        return frozenset(self._bm25.idf) if self._bm25 is not None else frozenset()

    def counts_by_text(self, rules: str) -> dict[bytes, dict[str, int]]:
        """Each indexed text's token counts by its digest, when it was tokenized under `rules`; {} otherwise
        (an index pickled before digests were kept, or built under other token rules)."""
        if getattr(self, "token_rules", None) != rules or self._bm25 is None:
            return {}
        return dict(zip(self.text_keys, self._bm25.doc_freqs, strict=True))

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


def previous_index(gen_dir: Path) -> BM25Index | None:
    """The BM25 of the live generation beside `gen_dir` (index_dir/generations/<id>, being written), whose token
    counts the new one takes for the texts both hold; None when there is none or it cannot be read (a Milvus
    generation, a damaged file): then every text is tokenized."""
    from ingest.store import current_generation  # ingest.store imports this module

    live = current_generation(gen_dir.parent.parent)
    if live is None or live == gen_dir.name:
        return None
    try:
        return BM25Index.load(gen_dir.parent / live / "bm25.pkl")
    except FileNotFoundError:  # a generation whose leaves are in Milvus
        return None
    except Exception as exc:  # noqa: BLE001 - an unreadable old BM25 only means every text is tokenized
        log.warning("the previous BM25 index cannot be read (%s); every passage is tokenized again", exc)
        return None
