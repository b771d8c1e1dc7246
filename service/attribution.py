"""Attribute each answer sentence to the sources that support it.

A small LLM cites loosely, so its [n] markers are checked: a marker whose source does not support its
sentence is moved to the source that does, or dropped; a sentence no source supports is flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from core.text import split_sentences, strip_markers, with_markers
from retrieval.retriever import EmbedderLike


@dataclass
class AnsweredSentence:
    """One sentence of the answer as shown: its text (markers corrected) and the sources behind it."""

    text: str
    citations: list[int] = field(default_factory=list)
    supported: bool = True
    support: float = 0.0  # best cosine between the sentence and a source
    separator: str = " "  # what followed the sentence in the answer: a space or line breaks

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def drop_repeats(split: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Small models loop; a sentence said once already adds nothing the second time."""
    seen: set[str] = set()
    out = []
    for sentence, separator in split:
        key = " ".join(strip_markers(sentence)[0].lower().split())
        if key not in seen:
            seen.add(key)
            out.append((sentence, separator))
    return out


def attribute(
    answer: str,
    sources: Sequence[str],
    embedder: EmbedderLike,
    *,
    threshold: float = 0.45,
) -> list[AnsweredSentence]:
    """Check every sentence of `answer` against the numbered `sources` (numbered from 1).

    A source supports a sentence when their embeddings' cosine reaches `threshold`. Markers the model
    wrote are kept when their source supports the sentence; otherwise the best supporting source is
    cited instead; a sentence with no supporting source keeps no marker and is flagged unsupported.
    """
    split = drop_repeats(split_sentences(answer))
    sentences = [sentence for sentence, _ in split]
    if not sentences or not sources:
        return [AnsweredSentence(text=s, supported=False, separator=sep) for s, sep in split]
    bare = [strip_markers(s) for s in sentences]
    vectors = embedder.embed([text or s for (text, _), s in zip(bare, sentences, strict=True)] + list(sources))
    sims = vectors[: len(sentences)] @ vectors[len(sentences) :].T  # (S, N)

    out: list[AnsweredSentence] = []
    for (text, markers), row, (_, separator) in zip(bare, sims, split, strict=True):
        supporting = [int(i) + 1 for i in np.flatnonzero(row >= threshold)]
        kept = [n for n in dict.fromkeys(markers) if n in supporting]
        if not kept and supporting:
            kept = [int(np.argmax(row)) + 1]
        shown = with_markers(text, kept)
        out.append(
            AnsweredSentence(shown, citations=kept, supported=bool(kept), support=float(row.max()), separator=separator)
        )
    return out


def join_sentences(sentences: Sequence[AnsweredSentence]) -> str:
    """The answer text as the model laid it out, with the corrected markers."""
    return "".join(s.text + s.separator for s in sentences).strip()
