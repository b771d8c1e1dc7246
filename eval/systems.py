"""The systems one eval run compares, by name, and how each is built over one index.

Retrieval systems differ only in how they rank; answer systems share the service's default retrieval
(hybrid+merge) and differ in who writes the answer, so each table row changes one thing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from retrieval.retriever import Hit, Retriever

Search = Callable[[str, int, str], list[Hit]]  # (query, k, kind) -> hits

DEFAULT_SYSTEM = "hybrid+merge"


@dataclass(frozen=True)
class SystemSpec:
    name: str
    description: str
    retrieval: str  # the retrieval system whose hits it is scored on (itself for retrieval systems)
    answerer: str | None = None  # "lora" | "tuned" | "base" | "extractive"; None: retrieval only


SYSTEMS: dict[str, SystemSpec] = {
    s.name: s
    for s in (
        SystemSpec("bm25", "BM25 over passages", "bm25"),
        SystemSpec("dense", "MiniLM cosine over passages (FAISS)", "dense"),
        SystemSpec("hybrid", "dense + BM25 fused by Reciprocal Rank Fusion", "hybrid"),
        SystemSpec(
            "hybrid+merge",
            "hybrid, then the merge rule (retrieval/merge.py; by default passages stay and carry their section "
            "as context); answers: the model writer (LoRA-tuned model, guarded: a "
            "degenerate, echoing, uncited or unsupported answer is replaced by quotes)",
            "hybrid+merge",
            answerer="lora",
        ),
        SystemSpec(
            "llamaindex",
            "llama-index default: VectorStoreIndex over SentenceSplitter, same embedder",
            "llamaindex",
        ),
        SystemSpec(
            "hybrid+merge+tuned",
            "hybrid+merge; answers: the LoRA-tuned model alone, no guard",
            "hybrid+merge",
            "tuned",
        ),
        SystemSpec(
            "hybrid+merge+base",
            "hybrid+merge; answers: the base model, no adapter, no guard",
            "hybrid+merge",
            "base",
        ),
        SystemSpec(
            "hybrid+merge+extractive",
            "hybrid+merge; answers: the extractive writer, the service's default (the notes' sentences closest "
            "to the question, never a question or title line), cited to the sentence",
            "hybrid+merge",
            "extractive",
        ),
    )
}
RETRIEVAL_MODES: dict[str, tuple[str, bool]] = {
    "bm25": ("bm25", False),
    "dense": ("dense", False),
    "hybrid": ("hybrid", False),
    "hybrid+merge": ("hybrid", True),
}


def parse_systems(text: str | None, answers: bool) -> list[str]:
    """A comma-separated list (default: all); answer-only systems are dropped when answers are off,
    since without answers they would repeat hybrid+merge's row."""
    names = [s.strip() for s in (text or ",".join(SYSTEMS)).split(",") if s.strip()]
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        raise ValueError(f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}")
    if not answers:
        names = [n for n in names if SYSTEMS[n].retrieval == n]
    return list(dict.fromkeys(names))


def retriever_search(retriever: Retriever, mode: str, merge: bool) -> Search:
    def search(query: str, k: int, kind: str) -> list[Hit]:
        return retriever.retrieve(query, mode=mode, merge=merge and kind != "code", k=k, kind=kind)  # type: ignore[arg-type]

    return search


def describe(names: Sequence[str]) -> Mapping[str, str]:
    return {n: SYSTEMS[n].description for n in names}
