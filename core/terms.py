"""Key stems and their document frequencies: counted once at ingest (stored with the index generation)
and read back by retrieval's TermRarity, so both sides must stem the same way. This is that one way."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Container, Iterable
from dataclasses import dataclass
from pathlib import Path

from core.text import content_words, stem

TERM_COUNTS_FILE = "term_counts.json"
# stored beside the counts: counts made under other word, stemming or stop-word rules would not match the
# stems of today's questions, so a file whose probe stems differ is ignored (and the passages are counted
# again). The accented and CJK words catch a change of the word rule, which ASCII words would not show
STEM_PROBE = (
    "Running models trained LoRA's ranks; the studies, classes and attention heads were quickly tuned: "
    "naïve crème 抹茶の点て方 什么是抹茶 김치는 무엇입니까 ชาไทยคืออะไร UnetGenerator"
)
# a name written as one camelCase word ("UnetGenerator", "BatchNorm") also names its parts, as BM25 reads it
# (ingest.bm25): "how does the unet generator keep spatial detail?" asks about it. "LoRA" and "ReLU" stay whole,
# and so does a name with a part under 4 letters ("ResNet" is no "net", "iPhone" no "phone")
CAMEL_WORD = re.compile(r"\b(?:[A-Z][a-z0-9]{3,}|[a-z][a-z0-9]{3,})(?:[A-Z][a-z0-9]{3,})+\b")
CAMEL_PART = re.compile(r"(?<=[a-z0-9])(?=[A-Z][a-z])")


def key_stems(text: str, known: Container[str] | None = None) -> set[str]:
    """The stems of a text's topic words (no function words, no question framing); with the notes' vocabulary
    `known`, a CJK run is read as the terms of it the notes use (`core.text.content_words`)."""
    parts = " ".join(CAMEL_PART.sub(" ", m.group()) for m in CAMEL_WORD.finditer(text))
    return {stem(w) for w in content_words(text, known) + content_words(parts)}


@dataclass(frozen=True)
class TermCounts:
    """How many passages there are and in how many of them each key stem occurs."""

    passages: int
    df: dict[str, int]

    @classmethod
    def count(cls, texts: Iterable[str]) -> TermCounts:
        df: Counter[str] = Counter()
        n = 0
        for text in texts:
            df.update(key_stems(text))
            n += 1
        return cls(n, dict(df))

    def save(self, path: Path) -> None:
        probe = sorted(key_stems(STEM_PROBE))
        path.write_text(json.dumps({"passages": self.passages, "probe": probe, "df": dict(sorted(self.df.items()))}))

    @classmethod
    def load(cls, path: Path) -> TermCounts | None:
        """The counts stored at `path`; None when the file is absent (a generation written before it existed)
        or was counted under other stemming rules."""
        try:
            raw = json.loads(path.read_text())
        except FileNotFoundError:
            return None
        if raw.get("probe") != sorted(key_stems(STEM_PROBE)):
            return None
        return cls(int(raw["passages"]), {str(k): int(v) for k, v in raw["df"].items()})
