"""Grading a typed answer against a card's answer: embedding similarity plus the share of the card's key
terms the answer contains, combined as score = W * similarity + (1 - W) * key_terms.

The weight and the two thresholds (again below PARTIAL, hard below CORRECT, good above) were chosen by
`calibrate` on the hand-labelled answers in grading_labels.jsonl (written for this, not taken from anyone's
notes); `notecite quiz --calibrate` reruns the choice and a test checks the constants are its result.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.text import content_words, stem
from retrieval.retriever import EmbedderLike

LABELS_PATH = Path(__file__).with_name("grading_labels.jsonl")
# chosen by calibrate() on grading_labels.jsonl (42 answers): 3-way accuracy 0.833 (chance: 0.33)
WEIGHT = 0.85
PARTIAL = 0.5
CORRECT = 0.6
TEX_COMMAND = re.compile(r"\\[A-Za-z]+")
VERDICT_RATING = {"wrong": "again", "partial": "hard", "correct": "good"}


@dataclass(frozen=True)
class Grade:
    verdict: str  # "correct", "partial" or "wrong"
    rating: str  # the FSRS rating it implies: "good", "hard" or "again"
    score: float
    similarity: float
    key_terms: float  # share of the card answer's key terms found in the answer
    found: list[str]
    missing: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def key_words(text: str) -> dict[str, str]:
    """The answer's content words, once per stem in order: {stem: the word as written}. TeX commands
    (`\\varepsilon`, `\\mathcal`) are markup, not terms: nobody types them as an answer."""
    words: dict[str, str] = {}
    for word in content_words(TEX_COMMAND.sub(" ", text)):
        words.setdefault(stem(word), word)
    return words


def key_terms(text: str) -> list[str]:
    """The answer's content words, stemmed, once each in order."""
    return list(key_words(text))


def features(answer: str, reference: str, embedder: EmbedderLike) -> tuple[float, float, list[str], list[str]]:
    """(similarity, share of key terms said, the key words said, the key words missing): words as the card's
    answer writes them ("hypothesis"), never their stems ("hypothesi"), since the page shows them."""
    vectors = embedder.embed([answer, reference])
    similarity = float(np.clip(vectors[0] @ vectors[1], 0.0, 1.0))
    terms = key_words(reference)
    said = set(key_terms(answer))
    found = [word for term, word in terms.items() if term in said]
    recall = len(found) / len(terms) if terms else 0.0
    return similarity, recall, found, [word for term, word in terms.items() if term not in said]


def verdict_for(score: float, partial: float = PARTIAL, correct: float = CORRECT) -> str:
    return "correct" if score >= correct else "partial" if score >= partial else "wrong"


def grade(answer: str, reference: str, embedder: EmbedderLike) -> Grade:
    if not answer.strip():
        return Grade("wrong", "again", 0.0, 0.0, 0.0, [], list(key_words(reference).values()))
    similarity, recall, found, missing = features(answer, reference, embedder)
    score = WEIGHT * similarity + (1 - WEIGHT) * recall
    verdict = verdict_for(score)
    return Grade(
        verdict, VERDICT_RATING[verdict], round(score, 4), round(similarity, 4), round(recall, 4), found, missing
    )


def load_labels(path: Path = LABELS_PATH) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def calibrate(labels: list[dict[str, str]], embedder: EmbedderLike) -> dict[str, float]:
    """The weight and thresholds (on a 0.05 grid) with the best 3-way accuracy; ties go to the first found."""
    feats = [features(row["answer"], row["reference"], embedder)[:2] for row in labels]
    grid = [round(x * 0.05, 2) for x in range(21)]
    best = {"accuracy": -1.0}
    for weight, partial, correct in itertools.product(grid, grid, grid):
        if partial >= correct:
            continue
        hits = sum(
            verdict_for(weight * sim + (1 - weight) * rec, partial, correct) == row["label"]
            for (sim, rec), row in zip(feats, labels, strict=True)
        )
        accuracy = hits / len(labels)
        if accuracy > best["accuracy"]:
            best = {"weight": weight, "partial": partial, "correct": correct, "accuracy": round(accuracy, 3)}
    return best
