"""What a question is about, by its shape: the noun phrase after "what is", "how does", "why are" ...

"How does SimCLR build positive pairs?" is about SimCLR; "how do I convert my history?" names no subject but
the asker. The abstain decision reads it (`service.abstain`): a subject the notes never name is a question
they cannot answer, however close the rest of its words come to them. English question frames only; any other
question has no subject here, and nothing changes for it (the abstain rule reads only ASCII words of a subject:
"What is градиентный спуск?" has an English frame, but no one-key typo of a Russian word can be told there).
"""

from __future__ import annotations

import re

from core.text import WH_WORDS

_WH = "|".join(sorted(WH_WORDS))
_AUX = r"is|are|was|were|does|do|did|can|could|should|would|will|has|have"
# "what is", "what's", "how exactly does"; "how many ... are" is not read: a wh-word, at most one adverb, an auxiliary
QUESTION_SHAPE = re.compile(
    rf"\s*(?:(?:{_WH})(?:\s+(?:exactly|much|many|else))?\s+(?:{_AUX})|what['’]?s)\s+(?P<rest>.*)", re.I | re.S
)
# the subject is the asker, not a topic: "how do I ...", "what can we ..."
ASKER = frozenset(["i", "you", "we", "they", "it", "one", "he", "she", "me", "us"])
DETERMINER = frozenset(["a", "an", "the", "this", "that", "these", "those", "my", "our", "your", "its", "their"])
# words that end a noun phrase (as does a determiner after it, which opens the object): prepositions,
# conjunctions, clause words, and the verbs a question's frame puts after its subject ("how does X work")
_PHRASE_END = (
    "in on at for with to from by of into over under about than as and or but if when while whereas because so "
    "which that who whom whose where why how what work works mean means differ do does did actually really usually "
    "typically"
)
PHRASE_END = frozenset(_PHRASE_END.split())
WORD = re.compile(r"[\w][\w'-]*")


def question_subject(question: str) -> str:
    """The subject of a wh-question, without its determiner; "" when the question has no such shape or its
    subject is the asker.

    >>> question_subject("How does SimCLR build positive pairs from augmented views?")
    'SimCLR build positive pairs'
    >>> question_subject("what is a metaclass and when would I want one?")
    'metaclass'
    >>> question_subject("how do I convert the history of my repo?"), question_subject("Explain mixup.")
    ('', '')
    """
    shape = QUESTION_SHAPE.match(question)
    if shape is None:
        return ""
    words = WORD.findall(shape.group("rest"))
    if not words or words[0].lower() in ASKER:
        return ""
    if words[0].lower() in DETERMINER:
        words = words[1:]
    subject: list[str] = []
    for word in words:
        if word.lower() in PHRASE_END or (subject and word.lower() in DETERMINER):  # "the", "a": the object
            break
        subject.append(word)
    return " ".join(subject)
