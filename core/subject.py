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
# "X differs from Y", "X compared to Y": the words that set the phrase before them beside the one after
_SIDE_BY_SIDE = frozenset(
    [("differ", "from"), ("differs", "from"), ("different", "from"), ("compared", "to"), ("compared", "with")]
)


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


def leading_phrase(question: str) -> str:
    """The noun phrase a question opens with when it has no wh-frame ("T5 main idea?" -> "T5 main idea", "ssim looks
    at what?" -> "ssim looks"), or, when "who" is its subject, its verb's object ("who wrote ViT?" -> "ViT", "who came
    up with dropout?" -> "dropout"); "" for a question with a wh-frame, whose subject `question_subject` reads."""
    if QUESTION_SHAPE.match(question):
        return ""
    words = WORD.findall(question)
    if len(words) > 2 and words[0].lower() == "who":
        words = list(itertools.dropwhile(lambda w: w.lower() in PARTICLE or w.lower() == "with", words[2:]))
    return noun_phrase(words)


def compared(question: str) -> list[str]:
    """The things a comparison question sets side by side, without their determiners: each side of "X vs Y"
    ("versus"), the two after "difference between X and Y" or "compare X with Y", and each side of "X differs
    from Y" / "X is different from Y" / "X compared to Y". Read clause by clause (a comma, colon or question mark
    ends one), so "rmsnorm vs layernorm, what does rmsnorm leave out?" compares rmsnorm and layernorm.

    >>> compared("dropconnect vs dropout?"), compared("what is the difference between TCP and UDP?")
    (['dropconnect', 'dropout'], ['TCP', 'UDP'])
    >>> compared("how does SGD differ from plain gradient descent?"), compared("what is dropout?")
    (['SGD', 'plain gradient descent'], [])
    """
    sides: list[str] = []
    for clause in re.split(r"[,;:?!()]", question):
        words = WORD.findall(clause)
        lower = [w.lower().rstrip(".") for w in words]
        for i, word in enumerate(lower):
            if word in ("vs", "versus"):
                sides += [_phrase_before(words[:i]), noun_phrase(words[i + 1 :])]
            elif word in ("between", "compare"):
                rest = lower[i + 1 :]
                cut = next((j for j, w in enumerate(rest) if w in ("and", "with", "to")), len(rest))
                sides += [noun_phrase(words[i + 1 : i + 1 + cut]), noun_phrase(words[i + 2 + cut :])]
            elif i and (lower[i - 1], word) in _SIDE_BY_SIDE:
                sides += [_phrase_before(words[: i - 1]), noun_phrase(words[i + 1 :])]
    return [side for side in dict.fromkeys(sides) if side]


def _phrase_before(words: list[str]) -> str:
    """The noun phrase that ends `words`: the words back to the first that ends a phrase, a question's frame
    ("what is", "how does"), a determiner or the asker."""
    stops = PHRASE_END | DETERMINER | ASKER | WH_WORDS | frozenset(_AUX.split("|"))
    phrase = list(itertools.takewhile(lambda w: w.lower() not in stops, reversed(words)))
    return " ".join(reversed(phrase))


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
