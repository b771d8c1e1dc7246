"""Which single-byte encoding a note that is not UTF-8 was saved in.

Windows-1252 is the default reading (ingest.loaders.decode_text): Western notes saved by Windows editors. A
Russian or Greek note saved the same way (Windows-1251, KOI8-R, Windows-1253) is also valid Windows-1252, but
reads as words no one writes: "Ïðèâåò" for "Привет", every letter of a word accented. Such a note is read in
the other encoding when that gives ordinary words instead. A rule about words, not a statistical detector:
charset_normalizer (installed with requests) reads short French and German notes as Windows-1250 and KOI8-R
as Shift-JIS, and Western text must keep reading as it did.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from itertools import islice

# the encodings editors on Windows and Unix save Cyrillic and Greek notes in, with the names a warning shows.
# Where two read equally well, the first wins
OTHER_SINGLE_BYTE = {"cp1251": "Windows-1251", "koi8_r": "KOI8-R", "cp1253": "Windows-1253"}
_LETTERS = re.compile(r"[^\W\d_]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# the Windows-1252 reading is replaced only when at least this share of its words with a non-ASCII letter
# are implausible, and by a reading in which at most `PLAUSIBLE` of them are
IMPLAUSIBLE = 0.5
PLAUSIBLE = 0.1
# a file has one encoding: its first words with a non-ASCII letter decide (all of a 2.7 MB Russian note took 20 s)
SAMPLE_WORDS = 2000


@cache
def _script(letter: str) -> str:
    return unicodedata.name(letter, "?").split(" ", 1)[0]  # LATIN, CYRILLIC, GREEK, ...


def _implausible(word: str) -> bool:
    """Letters of two scripts ("Crиme"), a capital after a lower-case letter ("пРИВЕТ"), or two or more Latin
    letters and none of them ASCII ("Ïðèâåò")."""
    if len({_script(c) for c in word}) > 1:
        return True
    if any(a.islower() and b.isupper() for a, b in zip(word, word[1:], strict=False)):
        return True
    return len(word) > 1 and _script(word[0]) == "LATIN" and not any(c.isascii() for c in word)


def implausible_share(text: str) -> float:
    """The share of the text's first `SAMPLE_WORDS` words with a non-ASCII letter that are `_implausible`
    (0.0 when none).

    >>> implausible_share("Crème brûlée à la carte"), implausible_share("Ïðèâåò, ìèð")
    (0.0, 1.0)
    """
    found = (m.group() for m in _LETTERS.finditer(text))
    words = list(islice((w for w in found if not w.isascii()), SAMPLE_WORDS))
    return sum(map(_implausible, words)) / len(words) if words else 0.0


def other_reading(data: bytes, western: str) -> tuple[str, str] | None:
    """(text, encoding name) of `data` in the encoding of `OTHER_SINGLE_BYTE` it reads best in, when its
    Windows-1252 reading `western` is mostly implausible words and that one is not; else None.

    >>> other_reading("Привет, мир".encode("cp1251"), "Привет, мир".encode("cp1251").decode("cp1252"))
    ('Привет, мир', 'Windows-1251')
    """
    if implausible_share(western) < IMPLAUSIBLE:
        return None
    readings: list[tuple[float, str, str]] = []
    for codec, name in OTHER_SINGLE_BYTE.items():
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):  # binary bytes read as letters would still hold control characters
            continue
        if (share := implausible_share(text)) <= PLAUSIBLE:
            readings.append((share, text, name))
    if not readings:
        return None
    _, text, name = min(readings, key=lambda r: r[0])  # min keeps the first of equal shares
    return text, name
