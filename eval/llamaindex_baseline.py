"""The outside baseline: llama-index's default pipeline over the same notes and the same embedder.

VectorStoreIndex over SentenceSplitter's defaults is what a reader following llama-index's starter
guide gets; only the embedding model is swapped for ours (and no LLM), so the comparison isolates our
structure-aware chunking, BM25 fusion and merging. Its nodes keep start_char_idx/end_char_idx into the
document text, which maps them back to doc spans for the span-overlap metrics.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from llama_index.core import Document, Settings, VectorStoreIndex
from llama_index.core.embeddings import BaseEmbedding
from llama_index.core.node_parser import SentenceSplitter
from pydantic import PrivateAttr

from retrieval.retriever import EmbedderLike, Hit


class WrappedEmbedding(BaseEmbedding):
    """Our Embedder as a llama-index embedding: same weights, same normalization."""

    _embedder: Any = PrivateAttr()

    def __init__(self, embedder: EmbedderLike, name: str = "all-MiniLM-L6-v2", **kwargs: Any) -> None:
        super().__init__(model_name=name, **kwargs)
        self._embedder = embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.embed([query])[0].tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embedder.embed([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed(texts).tolist()


class LlamaIndexBaseline:
    """Index `texts` (doc name -> source text) once; `search` returns Hits with doc spans."""

    def __init__(self, texts: Mapping[str, str], embedder: EmbedderLike, name: str = "all-MiniLM-L6-v2") -> None:
        Settings.llm = None  # retrieval only: nothing may reach for an OpenAI key
        self.texts = dict(texts)
        documents = [Document(text=text, id_=doc, metadata={"doc": doc}) for doc, text in self.texts.items()]
        self.index = VectorStoreIndex.from_documents(
            documents, embed_model=WrappedEmbedding(embedder, name), transformations=[SentenceSplitter()]
        )

    def search(self, query: str, k: int, kind: str = "note") -> list[Hit]:
        if kind != "note":
            return []  # the baseline indexes notes only
        results = self.index.as_retriever(similarity_top_k=k).retrieve(query)
        return [self._hit(r.node, r.score) for r in results]

    def _hit(self, node: Any, score: float | None) -> Hit:
        doc = node.metadata["doc"]
        start, end = node.start_char_idx, node.end_char_idx
        if start is None or end is None:  # not expected from SentenceSplitter; find the text instead
            start = max(0, self.texts[doc].find(node.text))
            end = start + len(node.text)
        return Hit(
            node_id=node.node_id,
            doc=doc,
            kind="note",
            breadcrumbs=[],
            start=start,
            end=end,
            text=node.text,
            score=float(score or 0.0),
            dense_score=float(score or 0.0),
        )
