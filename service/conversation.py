"""Follow-up questions: rewrite a question that leans on earlier turns into one retrieval can use.

"how is it merged at inference time?" retrieves nothing useful alone; with the conversation's topic words
("lora") added it does. A rule, not an LLM call, so rewriting costs nothing and never invents:

- a question that refers back ("it", "that", "there", "the two", "the first one") or names no topic of its
  own is a follow-up; one that names a topic the notes hold and refers to nothing ("so what is gradient
  boosting?"), or a word they lack ("what is a black hole?" over notes on stars), is a new question, left
  alone however it starts;
- a follow-up carries the conversation's topic words, not the last turn's whole text: the two rarest key
  words of the last user turn and, while that turn was a follow-up itself, of the turns before it back to
  the one that set the topic (a chain of "it"s keeps its subject: "why does that save memory?" after
  "how is it merged?" after "what is LoRA?" searches with "lora").

The assistant's answers are not read: their rarest words, carried too, lowered dev MRR@10 (0.80 -> 0.77).
Measured on hand-written conversations (eval/followups.py, eval/datasets/followups_*.jsonl).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from core.settings import LimitSettings
from core.terms import key_stems
from core.text import content_words, stem
from retrieval.terms import TermRarity

# words that point back at something earlier; "that" only where no noun precedes it ("data that is..."). Not
# "there" that says something exists ("is there a closed form ...?", "there are"), "one" that is no pronoun
# ("one-hot encoding", "one layer"), nor "such as": each made a self-contained question carry the last topic
BACK_REFERENCE = re.compile(
    r"\b(it|its|it's|itself|this|these|those|they|them|their|he|she|him|her|"
    r"the two|both|the (?:first|second|third|last|other) ones?|which ones?|the former|the latter|the same|"
    r"such(?!\s+as\b)|(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )there(?!\s+(?:is|are|was|were|exists?)\b|'s\b))\b",
    re.I,
)
DEICTIC_THAT = re.compile(
    r"(^|[^\w\s]|\b(?:is|does|do|did|was|about|with|for|of|in|on|why|how|what|use|like))\s*that\b", re.I
)
MIN_TOPIC_IDF = 1.0  # a stem in a third of the passages or more (idf < 1) names no topic of its own
CARRIED_TURN_TERMS = 2  # the rarest key words of each user turn a follow-up carries (dev: 4 words drift)
MAX_CARRIED = 8  # a long chain of follow-ups carries no more than this
# what is read of an earlier turn: no question is longer (a 20,000-character history turn was read whole)
MAX_TURN_CHARS: int = LimitSettings.model_fields["max_question_chars"].default


def refers_back(question: str) -> bool:
    """Whether the question points at something said before ("how is it merged?", "why does that help?")."""
    return bool(BACK_REFERENCE.search(question) or DEICTIC_THAT.search(question))


def own_topic(question: str, rarity: TermRarity | None = None) -> bool:
    """Whether the question names a topic: a key word that is rare in the notes or that they lack ("what is a
    black hole?" over notes on stars is a new question, whose answer is an abstention, not the last topic's
    passage); any key word, without the notes' counts. In a folder of 4 passages or fewer no stem reaches
    MIN_TOPIC_IDF, so there a stem in one passage is rare enough."""
    stems = key_stems(question)
    if rarity is None:
        return bool(stems)
    rare = min(MIN_TOPIC_IDF, rarity.one_passage)
    return any(rarity.idf.get(s, rarity.unseen) >= rare for s in stems)


def is_follow_up(question: str, rarity: TermRarity | None = None) -> bool:
    """A question that refers back, or names no topic of its own."""
    return refers_back(question) or not own_topic(question, rarity)


def key_words(text: str, rarity: TermRarity | None, n: int) -> list[str]:
    """The text's n rarest topic words the notes hold (in text order; the first n without counts)."""
    seen: dict[str, str] = {}
    for w in content_words(text):
        seen.setdefault(stem(w), w)
    if rarity is None:
        return list(seen.values())[:n]
    held = [(s, w) for s, w in seen.items() if rarity.idf.get(s, 0.0) > 0.0]
    rarest = {s for s, _ in sorted(held, key=lambda sw: -rarity.idf[sw[0]])[:n]}
    return [w for s, w in held if s in rarest]


def topic_words(history: Sequence[dict[str, Any]], rarity: TermRarity | None = None) -> list[str]:
    """The conversation's topic as of its last turn: the rarest key words of the last user turn and, while
    those turns were follow-ups themselves, of the turns before, back to the one that set the topic."""
    users = [str(t["content"])[:MAX_TURN_CHARS] for t in history if t.get("role") == "user" and t.get("content")]
    words: list[str] = []
    for question in reversed(users):
        words += key_words(question, rarity, CARRIED_TURN_TERMS)
        if len(words) >= MAX_CARRIED or not is_follow_up(question, rarity):
            break
    return list(dict.fromkeys(words))[:MAX_CARRIED]


def rewrite_query(question: str, history: Sequence[dict[str, Any]] = (), rarity: TermRarity | None = None) -> str:
    """The retrieval query for `question`: itself, or, for a follow-up, itself and the conversation's topic
    words; `rarity` (the notes' term counts) tells a topic word from a common one."""
    question = question.strip()
    if not history or not is_follow_up(question, rarity):
        return question
    own = key_stems(question)
    carried = [w for w in topic_words(history, rarity) if stem(w) not in own]
    return f"{question} {' '.join(carried)}".strip()
