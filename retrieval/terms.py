"""How rare each word stem is in one index generation: what makes a question's key term key.

The extractive writer weighs the question's words a sentence shares by their rarity, so "LoRA" and
"rank" count and "model" barely does. Computed from the passages themselves (any store, any corpus):
ingest counts the stems once per generation (core.terms, stored beside it); a generation written before
that is counted here on first use.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, Protocol

from core.terms import TermCounts, key_stems

__all__ = ["PassageSource", "TermRarity", "key_stems"]

# texts whose key stems are kept per generation: a query boosts its 20 best passages and the abstention
# check reads them again, and stemming them anew each time was ~4 ms of a ~20 ms hybrid query at the seed
# notes' size; a passage ranked once is mostly ranked again. 4,096 texts of ~1 KB: a few MB at most.
STEMS_CACHED = 4096


def frozen_key_stems(text: str) -> frozenset[str]:
    return frozenset(key_stems(text))


class PassageSource(Protocol):
    leaf_ids: list[str]

    def get_nodes(self, ids: Sequence[str]) -> list[Any]: ...


class TermRarity:
    """The idf per stem over the leaf passages; a stem the notes never use counts as the rarest."""

    def __init__(self, counts: TermCounts) -> None:
        """From stem counts: those ingest stored with the generation, or `of_passages`."""
        self.counts = counts  # the abstain check re-weighs a folder of few passages (service.abstain)
        n, df = counts.passages, counts.df
        # Robertson-Sparck Jones idf: a stem in half the passages or more says nothing about the topic
        self.idf = {s: max(0.0, math.log((n - f + 0.5) / (f + 0.5))) for s, f in df.items()}
        self.unseen = math.log((n + 0.5) / 0.5)
        # a stem in one passage: the rarest the notes hold (below 1.0 in a folder of 4 passages or fewer)
        self.one_passage = max(0.0, math.log((n - 0.5) / 1.5)) if n else 0.0
        self.stems_of = lru_cache(maxsize=STEMS_CACHED)(frozen_key_stems)  # per instance: one per generation
        self._at_least: dict[int, TermRarity] = {}  # copies weighed as a larger folder, kept with this generation

    @classmethod
    def of_passages(cls, passages: Iterable[str]) -> TermRarity:
        return cls(TermCounts.count(passages))

    @classmethod
    def of_index(cls, reader: PassageSource, batch: int = 2048) -> TermRarity:
        """Every leaf passage read back from the docstore: the fallback for generations without counts."""
        ids = list(reader.leaf_ids)
        texts = (node.text for i in range(0, len(ids), batch) for node in reader.get_nodes(ids[i : i + batch]))
        return cls.of_passages(texts)

    def at_least(self, passages: int) -> TermRarity:
        """These counts weighed as in a folder of `passages` passages at least, the others holding none of its stems:
        in a folder of one or two passages every stem is in half of them or more, and idf weighs it 0 (the abstain
        check, service.abstain). Kept on this instance, so it lives and goes with its index generation."""
        if self.counts.passages >= passages:
            return self
        if passages not in self._at_least:
            self._at_least[passages] = TermRarity(TermCounts(passages, self.counts.df))
        return self._at_least[passages]

    def weight(self, stems: Iterable[str]) -> float:
        return sum(self.idf.get(s, self.unseen) for s in stems)

    def shared(self, question: set[str], text: str) -> float:
        """Share of the question's key-term weight that `text` contains: 1.0 when it holds every key term."""
        total = self.weight(question)
        return self.weight(question & self.stems_of(text)) / total if total else 0.0
