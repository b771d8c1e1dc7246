"""Hybrid retrieval: dense (FAISS) and BM25 rankings fused by Reciprocal Rank Fusion, a boost for the share of
the question's rare terms a passage holds, then the merge rule (`retrieval.merge`): passages carry their
section as context, and a short section may replace them.

Every hit is a span of a source file, so whatever is retrieved can be cited to the character.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Literal, Protocol

import numpy as np

from core.settings import RetrievalSettings
from retrieval.merge import merge_into_sections
from retrieval.terms import TermRarity, key_stems

Mode = Literal["hybrid", "dense", "bm25"]


class IndexReaderLike(Protocol):
    """The part of ingest's IndexReader that retrieval reads."""

    def dense_search(self, query_vec: np.ndarray, k: int) -> list[tuple[str, float]]: ...
    def bm25_search(self, query: str, k: int) -> list[tuple[str, float]]: ...
    def get_nodes(self, ids: Sequence[str]) -> list[Any]: ...
    def parent_id(self, node_id: str) -> str | None: ...
    def child_ids(self, node_id: str) -> list[str]: ...
    def leaf_vectors(self, ids: Sequence[str]) -> np.ndarray: ...
    def node_ids(self, doc: str | None = None) -> list[str]: ...
    def __len__(self) -> int: ...
    @property
    def leaf_ids(self) -> list[str]: ...
    @property
    def term_stems(self) -> frozenset[str]: ...


class EmbedderLike(Protocol):
    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray: ...

    def embed_late(
        self, texts: Sequence[str], spans: Sequence[Sequence[Sequence[tuple[int, int]]]], *, batch_size: int = 32
    ) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]: ...


@dataclass
class Hit:
    """One retrieved span: a passage, a merged section, or a code symbol."""

    node_id: str
    doc: str
    kind: str
    breadcrumbs: list[str]
    start: int
    end: int
    text: str
    score: float
    dense_score: float | None = None
    level: str = "passage"
    symbol: str | None = None
    line_start: int | None = None
    line_end: int | None = None
    # [start, end) spans (absolute, like start/end) of the titles, headings and flashcard questions in
    # `text`: context for the reader, never an answer. A merged section carries its own (all of them).
    context_spans: list[tuple[int, int]] = field(default_factory=list)
    # [start, end) spans (absolute) of the code blocks in `text` (ingest.code_blocks): read, never quoted
    code_spans: list[tuple[int, int]] = field(default_factory=list)
    # [start, end) spans (absolute) of the lines the loader wrote as table rows (HTML, Word); None where it says
    # nothing (other formats, older indexes): their rows are read from the text's pipes (service.table_quotes)
    row_spans: list[tuple[int, int]] | None = None
    # [start, start + 1) (absolute) of each "|" the loader wrote between two cells of those rows; None where it
    # says nothing (an index built before the loaders marked cells: the rows' cells are read from " | ")
    cell_break_spans: list[tuple[int, int]] | None = None
    # the section a passage belongs to (set when merging was asked for): context to offer, not shown text
    section_start: int | None = None
    section_end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def context_text(hit: Hit) -> str:
    """What a passage is about, as its notes say: breadcrumbs plus its titles and flashcard questions."""
    spans = " ".join(hit.text[s - hit.start : e - hit.start] for s, e in hit.context_spans)
    return " ".join([*hit.breadcrumbs, spans])


@dataclass(frozen=True)
class ScopeSpan:
    """Part of the notes a question is limited to: a whole document, or a span of it (a section)."""

    doc: str
    start: int | None = None
    end: int | None = None

    def covers(self, doc: str, start: int, end: int) -> bool:
        if doc != self.doc:
            return False
        return self.start is None or self.end is None or (start < self.end and end > self.start)


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], *, k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1.

    RRF needs no score calibration between BM25 and cosine, which is why it is the default fusion.
    """
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = defaultdict(float)
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, node_id in enumerate(ranking, start=1):
            scores[node_id] += weight / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def hit_from_node(node: Any, score: float, dense_score: float | None = None) -> Hit:
    meta = node.metadata
    return Hit(
        node_id=node.node_id,
        doc=meta["doc"],
        kind=meta.get("kind", "note"),
        breadcrumbs=list(meta.get("breadcrumbs", [])),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=node.text,
        score=float(score),
        dense_score=dense_score,
        level=meta.get("level", "passage"),
        symbol=meta.get("symbol"),
        line_start=meta.get("line_start"),
        line_end=meta.get("line_end"),
        context_spans=[(int(s), int(e)) for s, e in meta.get("context_spans", [])],  # older indexes: none
        code_spans=[(int(s), int(e)) for s, e in meta.get("code_spans", [])],  # older indexes: none
        row_spans=None if (rows := meta.get("row_spans")) is None else [(int(s), int(e)) for s, e in rows],
        cell_break_spans=None if (cut := meta.get("cell_break_spans")) is None else [(int(s), int(e)) for s, e in cut],
    )


class Retriever:
    """Ranks the index's passages for a query; one instance per open index generation."""

    def __init__(self, reader: IndexReaderLike, embedder: EmbedderLike, params: RetrievalSettings | None = None):
        self.reader = reader
        self.embedder = embedder
        self.params = params or RetrievalSettings()

    @cached_property
    def term_rarity(self) -> TermRarity:
        """How rare each stem is in this generation's passages: from the counts ingest stored with it, or,
        for a generation written before those, by reading every passage on first use."""
        counts = getattr(self.reader, "term_counts", None)
        return TermRarity(counts) if counts is not None else TermRarity.of_index(self.reader)

    def retrieve(
        self,
        query: str,
        *,
        mode: Mode = "hybrid",
        merge: bool = True,
        k: int = 10,
        kind: str | None = None,
        scope: Sequence[ScopeSpan] | None = None,
    ) -> list[Hit]:
        """Top-k hits for `query`; `kind` ("note" or "code") keeps only that corpus, `scope` only the
        passages inside those documents or sections (searched exhaustively: nothing outside can rank)."""
        p = self.params
        # a kind filter is applied after the search, so over-fetch to keep k hits of that kind
        fetch = max(p.candidate_k, k) * (4 if kind else 1)
        allowed = self.scoped_leaves(scope) if scope else None
        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        sentences: list[str] = []
        query_vec = None
        if mode in ("hybrid", "dense"):
            query_vec = self.embedder.embed([query])[0]
            if allowed is None:
                dense = self.reader.dense_search(query_vec, fetch)
            elif allowed:
                cosines = (self.reader.leaf_vectors(allowed) @ query_vec).tolist()
                dense = sorted(zip(allowed, cosines, strict=True), key=lambda item: -item[1])[:fetch]
        if mode in ("hybrid", "bm25"):
            n_lexical = fetch if allowed is None else len(self.reader)
            lexical = [(i, s) for i, s in self.reader.bm25_search(query, n_lexical) if s > 0]
            if allowed is not None:
                inside = set(allowed)
                lexical = [(i, s) for i, s in lexical if i in inside][:fetch]
        if query_vec is not None:
            candidates = allowed if allowed is not None else [i for i, _ in dense + lexical]
            sentences = self.sentence_ranking(query_vec, candidates)[:fetch]

        if mode == "hybrid":
            fused = reciprocal_rank_fusion(
                [[i for i, _ in dense], [i for i, _ in lexical], sentences],
                k=p.rrf_k,
                weights=[p.dense_weight, p.bm25_weight, p.sentence_weight],
            )
        elif sentences:  # dense: a passage ranked by its own vector and by its best sentence window
            fused = reciprocal_rank_fusion(
                [[i for i, _ in dense], sentences], k=p.rrf_k, weights=[p.dense_weight, p.sentence_weight]
            )
        else:
            fused = dense or lexical
        if kind is None:
            fused = fused[: 2 * k]  # room for merging; the rest could never reach the top k
        cosine = dict(dense)
        missing = [i for i, _ in fused if i not in cosine]
        if missing and query_vec is not None:
            # BM25 hits have no cosine; take it from the stored vectors so abstention has one scale
            cosine.update(zip(missing, (self.reader.leaf_vectors(missing) @ query_vec).tolist(), strict=True))

        nodes = self.reader.get_nodes([i for i, _ in fused])
        hits = [hit_from_node(n, s, cosine.get(n.node_id)) for n, (_, s) in zip(nodes, fused, strict=True)]
        if kind:
            hits = [h for h in hits if h.kind == kind][: 2 * k]
        if mode == "hybrid" and p.term_weight:
            hits = self.boost_key_terms(query, hits)
        if merge:
            hits = self.merge_into_sections(hits)
        return hits[:k]

    def sentence_ranking(self, query_vec: np.ndarray, candidates: list[str]) -> list[str]:
        """`candidates` (the dense and BM25 ones, or a scope's passages) by their best sentence window
        (ingest.sentence_vectors), best first: one vector stands for a whole passage, so a question about one
        of its sentences may not find it by that vector (dev halves, notes/gitlfs/pytutorial hybrid MRR@10
        with this ranking at weight 0.5: README). Only candidates are scored: searching every window ranked
        the same top 10 on the dev halves, at 5.9 ms a query at 100k passages (docs/SCALE.md). Its cosine
        never becomes a hit's dense_score: abstention keeps the passage cosine's scale."""
        search = getattr(self.reader, "sentence_search", None)  # readers of other stores may have none
        if not self.params.sentence_weight or search is None or not candidates:
            return []
        return [i for i, _ in search(query_vec, candidates)]

    def boost_key_terms(self, query: str, hits: list[Hit]) -> list[Hit]:
        """Add term_weight x the share of the query's key-term weight (by rarity) that each hit and its titles
        hold, and re-rank: the passage naming the question's rare terms ("LightGBM", "U-Net") goes first
        although the fused rankings disagree about it (dev halves, notes/gitlfs/pytutorial MRR@10:
        0.865/0.682/0.720 -> 0.898/0.813/0.743)."""
        asked = key_stems(query)
        for hit in hits:
            hit.score += self.params.term_weight * self.term_rarity.shared(asked, f"{hit.text} {context_text(hit)}")
        return sorted(hits, key=lambda h: -h.score)

    def scoped_leaves(self, scope: Sequence[ScopeSpan]) -> list[str]:
        """Ids of the passages (and code symbols) inside any span of `scope`."""
        leaves = set(self.reader.leaf_ids)
        out: list[str] = []
        for doc in dict.fromkeys(s.doc for s in scope):
            ids = [i for i in self.reader.node_ids(doc) if i in leaves]
            for node in self.reader.get_nodes(ids):
                meta = node.metadata
                if any(s.covers(meta["doc"], int(meta["start"]), int(meta["end"])) for s in scope):
                    out.append(node.node_id)
        return out

    def merge_into_sections(self, hits: list[Hit]) -> list[Hit]:
        """A short section replaces its passages when more than merge_ratio of them were retrieved;
        otherwise passages stay and carry their section's span (`retrieval.merge`)."""
        return merge_into_sections(
            hits, self.reader, hit_from_node, ratio=self.params.merge_ratio, max_chars=self.params.merge_max_chars
        )
