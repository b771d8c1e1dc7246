"""What a question is about, by its shape: the noun phrase after "what is", "how does", "why are" ...

"How does SimCLR build positive pairs?" is about SimCLR; "how do I convert my history?" names no subject but
the asker. The abstain decision reads it (`service.abstain`): a subject the notes never name is a question
they cannot answer, however close the rest of its words come to them. English question frames only; any other
question has no subject here, and nothing changes for it (the abstain rule reads only ASCII words of a subject:
"What is градиентный спуск?" has an English frame, but no one-key typo of a Russian word can be told there).
"""

from __future__ import annotations

import itertools
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
# what follows a phrasal verb before its object: "get rid of X", "set up X", "turn off X"
PARTICLE = frozenset(["rid", "of", "up", "out", "off", "away", "down", "around"])
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
    return noun_phrase(words)


def asked_object(question: str) -> str:
    """What the asker asks about: the noun phrase after the verb of "how do I ...", without its determiner; ""
    for any other question.

    >>> asked_object("how do I avoid SettingWithCopyWarning?"), asked_object("how can I get rid of the warning?")
    ('SettingWithCopyWarning', 'warning')
    >>> asked_object("how do I build a C extension with setuptools?"), asked_object("what is a metaclass?")
    ('C extension', '')
    """
    shape = QUESTION_SHAPE.match(question)
    words = WORD.findall(shape.group("rest")) if shape else []
    if len(words) < 3 or words[0].lower() not in ASKER:
        return ""
    rest = list(itertools.dropwhile(lambda w: w.lower() in PARTICLE, words[2:]))  # "get rid of", "set up"
    return noun_phrase(rest)


def noun_phrase(words: list[str]) -> str:
    """The words up to the first that ends a noun phrase (`PHRASE_END`, or a determiner after the first word),
    without a leading determiner."""
    if words and words[0].lower() in DETERMINER:
        words = words[1:]
    phrase: list[str] = []
    for word in words:
        if word.lower() in PHRASE_END or (phrase and word.lower() in DETERMINER):  # "the", "a": the object
            break
        phrase.append(word)
    return " ".join(phrase)
