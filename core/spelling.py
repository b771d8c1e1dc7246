"""Another spelling of a notes word: whether a word the notes lack is a slip of the keyboard or a closed-up
compound of words they hold.

A question's word that occurs nowhere in the notes is evidence they do not cover it ("SimCLR", "mixup"),
unless it is a typo of a word they do use ("adma" for "adam", "dropuot" for "dropout") or their words written
together ("multihead" for "multi-head", "selfattention", "lowrank"): such a word must not make the service
abstain. A name made of two notes words ("BERTScore" over notes on BERT and scores) reads as a compound too:
the cost of never abstaining wrongly on a student's spelling.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator

LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


def one_edit(word: str) -> Iterator[str]:
    """Every string one deletion, swap of neighbours, replacement or insertion away from `word` (lowercase
    ASCII letters and digits; a word of another script has none of the last two)."""
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            yield head + tail[1:]
        if len(tail) > 1:
            yield head + tail[1] + tail[0] + tail[2:]
        for c in LETTERS:
            if tail:
                yield head + c + tail[1:]
            yield head + c + tail


def is_misspelling(word: str, known: Container[str], key: Callable[[str], str] = str) -> bool:
    """Whether `word` is one edit (`one_edit`) from a word whose `key` (a stem, say) is in `known`. Words of
    under 4 letters are not read as typos: "gan" is one edit from "can" and "man"."""
    return len(word) >= 4 and any(key(w) in known for w in one_edit(word) if w)


def is_compound(word: str, known: Container[str], key: Callable[[str], str] = str) -> bool:
    """Whether `word` is two words whose `key` is in `known`, written together, each of 3 letters or more:
    "multihead" (multi + head), "layernorm" (layer + norm); "mixup" is not (mix + up: "up" is too short to tell)."""
    return any(key(word[:i]) in known and key(word[i:]) in known for i in range(3, len(word) - 2))


def is_other_spelling(word: str, known: Container[str], key: Callable[[str], str] = str) -> bool:
    """A typo (`is_misspelling`) or a closed-up compound (`is_compound`) of the notes' words."""
    return is_misspelling(word, known, key) or is_compound(word, known, key)
