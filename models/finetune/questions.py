"""Questions as a person types them, made by rule from a seed's flashcard question or section title.

The service is asked "what's lora?" or "how does dropout work?", not the notes' own flashcard line, so
training on the notes' wording alone taught the model to expect (and echo) it. A seed becomes a few
questions from four template families, "what is X", "explain X", "how does X work" and "why use X",
where X is the topic its title or question names; questions that name no single topic are reworded
by a small list of colloquial rewrites instead.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from models.finetune.seeds import Seed

FAMILIES: dict[str, tuple[str, ...]] = {
    "what": ("what is {x}?", "what's {x}?", "what does {x} mean?"),
    "what_plural": ("what are {x}?", "what are {x} exactly?"),
    "explain": ("explain {x}", "can you explain {x}?", "explain {x} to me"),
    "how": ("how does {x} work?",),
    "how_plural": ("how do {x} work?",),
    "why": ("why use {x}?", "why would I use {x}?", "what is {x} good for?"),
    "about": ("what do my notes say about {x}?", "tell me about {x}"),
    "vs": (
        "what's the difference between {a} and {b}?",
        "how do {a} and {b} differ?",
        "{a} vs {b}, what's the difference?",
    ),
}
# the notes' own question forms that name one topic, and the family each asks in
TOPIC_QUESTIONS = (
    (re.compile(r"^(?:what|who)(?: is|'s) (?:the |a |an )?(?P<x>[^,?]+?)\??$", re.I), "what"),
    (re.compile(r"^(?:what|who) are (?:the |some )?(?P<x>[^,?]+?)\??$", re.I), "what_plural"),
    (re.compile(r"^(?:explain|describe|define) (?:the |a |an )?(?P<x>[^,?]+?)\??$", re.I), "explain"),
    (re.compile(r"^how (?:does|do) (?P<x>[^,?]+?) works?(?: in [^,?]+)?\??$", re.I), "how"),
    (re.compile(r"^why (?:use|the need for|do we need|is there a need for) (?P<x>[^,?]+?)\??$", re.I), "why"),
)
# colloquial rewrites for questions that name no single topic (and spelling people type)
REWRITES = (
    (r"^how to\b", "how do I"),
    (r"^what type of\b", "what kind of"),
    (r"^name\b", "list"),
    (r"^why is there a need for\b", "why do we need"),
    (r"^why the need for\b", "why do we need"),
    (r"^what are the ways to\b", "how can I"),
    (r"^when to use\b", "when should I use"),
    (r"^what is the con of\b", "what's the downside of"),
    (r"^what is\b", "what's"),
    (r"\bregularisation\b", "regularization"),
    (r"\boptimisation\b", "optimization"),
    (r"\bnormalise\b", "normalize"),
    (r"\bnormalisation\b", "normalization"),
    (r"\bNN\b", "neural networks"),
    (r"\beg\.\s*", "e.g. "),
    (r"\bdyou\b", "do you"),
)
LIST_LIKE = frozenset(
    [
        "advantages",
        "advantage",
        "pro",
        "con",
        "pros",
        "cons",
        "drawbacks",
        "disadvantages",
        "benefits",
        "steps",
        "strategies",
        "list",
        "types",
        "impact",
        "purpose",
        "common",
        "other",
        "specific",
        "uses",
        "usecases",
    ]
)
_VS = re.compile(r"^(?P<a>.+?)\s+(?:vs\.?|versus)\s+(?P<b>.+)$", re.I)
_CITATION_PARENS = re.compile(r"\s*\([^)]*\d{4}[^)]*\)")
_PURPOSE = re.compile(r"\b(because|helps?|allows?|so that|avoid|reduce|speeds?|prevents?|save|better|faster)\b", re.I)
_QUESTION_START = re.compile(r"^(what|why|how|when|which|who|is|are|does|do|can|should|will)\b", re.I)


def casual(term: str) -> str:
    """'Batch Size' -> 'batch size', 'Swin Transformer' -> 'swin transformer'; 'LoRA', 'CLIP' stay."""
    term = _CITATION_PARENS.sub("", term).strip()
    return " ".join(w.lower() if w[:1].isupper() and w[1:].islower() else w for w in term.split())


def topic_of(seed: Seed) -> tuple[str, str] | None:
    """(topic, family the notes ask it in) or None when the question names no single topic."""
    if seed.topic:
        return seed.topic, "title"
    question = " ".join(seed.question.split())
    for pattern, family in TOPIC_QUESTIONS:
        if (m := pattern.match(question)) and 1 <= len(m.group("x").split()) <= 5:
            return m.group("x"), family
    return None


def spellings(topic: str, rng: random.Random) -> str:
    """'Stochastic Gradient Descent (SGD)' is asked as the full name, the name alone or 'SGD'."""
    topic = casual(topic)
    m = re.match(r"^(?P<name>[^()]+?)\s*\((?P<short>[^()]{2,12})\)$", topic)
    if m:
        return casual(rng.choice([topic, m.group("name"), m.group("short")]))
    return topic


def _families(topic: str, asked_as: str, answer: str) -> list[str]:
    """Template families that fit the topic, the one the notes asked in first."""
    words = topic.lower().split()
    plural = asked_as == "what_plural" or (
        asked_as == "title"
        and len(words) <= 3
        and words[-1].endswith("s")
        and not words[-1].endswith(("ss", "us", "is"))
    )
    if words[0] in LIST_LIKE or " and " in f" {topic.lower()} ":
        return ["about", "explain"]
    fams = ["what_plural" if plural else "what", "explain"]
    if len(words) <= 4 and not words[0].endswith("ing"):
        fams.append("how_plural" if plural else "how")
        if asked_as == "why" or _PURPOSE.search(answer):
            fams.append("why")
    first = {"title": fams[0], "what": "what", "what_plural": "what_plural"}.get(asked_as, asked_as)
    return [first] + [f for f in fams if f != first]


def rewrite(question: str) -> str:
    """The notes' question in the words a person would type: rewrites applied, lower case, '?' ended."""
    text = " ".join(question.split()).rstrip(" ?")
    for pattern, repl in REWRITES:
        text = re.sub(pattern, repl, text, flags=re.I if pattern.startswith("^") else 0)
    text = casual(text)
    return text + "?" if _QUESTION_START.match(text) else text


def paraphrases(seed: Seed, rng: random.Random, n: int = 2) -> list[str]:
    """Up to n distinct questions for the seed, one per template family where it can, none of them its
    exact line in the notes ("What is CNN?" is asked as "explain CNN" and "how does CNN work?")."""
    found = topic_of(seed)
    notes_line = _norm(seed.question)
    if found is None:
        return [rewrite(seed.question)]
    topic, asked_as = found
    if m := _VS.match(_CITATION_PARENS.sub("", topic)):
        a, b = casual(m.group("a")), casual(m.group("b"))
        candidates = [t.format(a=a, b=b) for t in rng.sample(FAMILIES["vs"], k=len(FAMILIES["vs"]))]
    else:
        fams = _families(topic, asked_as, seed.answer)
        order = [fams[0], *rng.sample(fams[1:], k=len(fams) - 1)]
        per_family = [rng.sample(FAMILIES[f], k=len(FAMILIES[f])) for f in order]
        # the first template of every family, then the second ones: families vary before wordings do
        candidates = [
            t.format(x=spellings(topic, rng)) for rank in range(3) for ts in per_family for t in ts[rank:][:1]
        ]
    unique = [q for q in dict.fromkeys(candidates) if _norm(q) != notes_line]
    return unique[:n] or [rewrite(seed.question)]


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def topic_questions(topic: str, rng: random.Random, n: int = 2) -> list[str]:
    """n questions about a topic the notes do not cover, from the same template families."""
    fams = rng.sample(["what", "explain", "how", "why"], k=min(n, 4))
    return [rng.choice(FAMILIES[f]).format(x=topic) for f in fams]


def mentions(text: str, terms: Sequence[str]) -> bool:
    """Whether any term occurs in text as whole words, case-insensitively ('ppo' is not in 'support')."""
    return any(re.search(rf"(?<![\w]){re.escape(t)}(?![\w])", text, re.I) for t in terms)
