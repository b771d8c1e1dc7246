"""The two questions a title answers: who wrote it and when, and what a note covers.

Titles are context, never an answer (service.extractive). That leaves "who wrote CenterMask?" with nothing to quote
but the sentences under "CenterMask (Lee and Park 2020)", and "which kinds of autodiff does the write-up go
through?" with nothing but its introduction, while the note's table of contents lists them. For these two kinds of
question, and only for them, the title that answers is a candidate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.terms import key_stems
from ingest.toc import toc_title
from retrieval.retriever import Hit

# "who wrote ...", "when did X come out", "what year was X published", "who's behind the swin paper": the author or
# the date is what is asked ("mask rcnn paper: authors and year?", "which paper introduced ViT?"). A bare "who"
# ("who uses the mask branch?") or "introduced" ("what branch was introduced in mask r-cnn?") is not enough
SOURCE_WORDS = re.compile(
    r"\b(?:wrote|written by|authored|who(?:'s| is| are| was| were)? behind|authors? of|(?:is|are|was|were) "
    r"(?:its|the|their) authors?|authors? and (?:the )?(?:year|date)|(?:year|date) and (?:the )?authors?)\b",
    re.I,
)
SOURCE_OPENING = re.compile(
    r"^\W*(?:who|when|(?:in )?(?:what|which) (?:year|papers?))\b.*\b(?:write|written|invent\w*|propos(?:e[sd]?|ing)|"
    r"introduc(?:e[sd]?|ing)|present(?:s|ed)?|credited|creat\w*|develop\w*|publish\w*|releas\w*|c[ao]me (?:out|up)|"
    r"made|behind|authors?)\b",
    re.I | re.S,
)
# the question's words that ask for the source, not what it is about: no name holds them ("which paper first proposed
# dropout?" is not about "First, Batch Normalization (Ioffe and Szegedy 2015)")
SOURCE_TERMS = frozenset(
    key_stems(
        "who when what which year years date paper papers work article wrote written write authors author authored "
        "behind first proposed propose introduced introduce presented present came come out up published publish "
        "released release developed develop invented invent credited credit created create made make"
    )
)
# an author-year citation closing a name: "(Lee and Park 2020)", "(Cheng, Schwing, and Kirillov 2021)",
# "(Liu et al. 2021)", after a name of up to 4 words that may carry its acronym ("Vision Transformer (ViT)")
AUTHORS = r"[A-Z][\w'-]+(?:,? (?:and |& )?[A-Z][\w'-]+)*(?: et al\.?)?"
CITED = rf"(?: \([A-Z][\w-]*\))? \({AUTHORS},? (?:19|20)\d\d[a-z]?\)"  # what follows a name: its acronym, the citation
CITATION = re.compile(rf"(?:[^\s()]+ ){{0,3}}[^\s()]+{CITED}")
# the same in running text, where the words before a citation are a sentence's: only a name's capitalised words, none
# ending a clause ("... into a Vision Transformer (Dosovitskiy et al. 2021)" cites "Vision Transformer", not "into a";
# "First, Batch Normalization (...)" cites "Batch Normalization")
NAME_WORD = r"[A-Z0-9](?:[^\s()]*[^\s(),:;.])?"
NAMED_CITATION = re.compile(rf"(?<![\w-])(?:{NAME_WORD} ){{0,3}}{NAME_WORD}{CITED}")
# "which kinds of autodiff does the write-up go through?", "what topics are in the optimisation notes?": a verb of
# covering and the note itself
COVERS = re.compile(
    r"\b(?:cover(?:s|ed)?|contents?|topics?|sections?|parts?|go(?:es)? through|walks? through|gets? into|"
    r"deals? with|talks? about|discuss(?:es)?|outline)\b",
    re.I,
)
NOTE = re.compile(r"\b(?:notes?|post|write-?up|article|page|intro|introduction|overview|chapter|tutorial|blog)\b", re.I)
# a table of contents as blog exports and documents write it, run into one line ("Table of Contents Introduction ...")
CONTENTS = re.compile(r"Table of Contents:?\s+", re.I)  # not a heading "Contents of a pointer file"
CONTENTS_WORDS = 40  # a contents line runs on into the note's first heading and sentence: its head is quoted


def asks_source(question: str) -> bool:
    """Whether the question asks who wrote something or when it appeared."""
    return SOURCE_WORDS.search(question) is not None or SOURCE_OPENING.search(question) is not None


def asks_contents(question: str) -> bool:
    """Whether the question asks what a note covers."""
    return COVERS.search(question) is not None and NOTE.search(question) is not None


def title_answers(question: str, hit: Hit, asked: set[str]) -> list[tuple[int, int]]:
    """[start, end) in `hit.text` of the titles that answer `question`: a name with its author-year citation that
    names one of the question's key stems `asked` (`cited_names`; in the titles or, citing it better, the text), or,
    for a question about what the note covers, its table of contents."""
    spans = cited_names(hit, asked, in_text=True) if asks_source(question) else []
    if not asks_contents(question):
        return spans
    for s, e in title_spans(hit):
        if m := CONTENTS.match(hit.text, s, e):
            words = list(re.finditer(r"\S+", hit.text[m.end() : e]))[:CONTENTS_WORDS]
            words = words[: contents_end([w.group() for w in words])]
            if words:
                spans.append((m.end(), m.end() + words[-1].end()))
    return spans


def contents_end(words: list[str]) -> int:
    """How many of a contents line's words list headings: up to the repeat of its first heading, which opens the
    body (`ingest.toc.toc_title`: "Introduction ... Usage Resources Introduction The story of ..."), or all. A repeat
    followed by the second heading again lists the headings a second time with their subheadings ("Introduction Text
    Preprocessing Tasks Introduction Text Preprocessing Character-level tokenization ..."): that list goes on."""
    first = toc_title(words).split()
    n = len(first)
    for j in range(1, len(words)):
        if words[j : j + n] == first:
            return len(words) if words[j + n : j + n + 1] == words[n : n + 1] else j
    return len(words)


def title_spans(hit: Hit) -> list[tuple[int, int]]:
    """The hit's context spans (its titles) as [start, end) in `hit.text`."""
    return [(max(a - hit.start, 0), min(b - hit.start, len(hit.text))) for a, b in hit.context_spans]


def cited_names(hit: Hit, asked: set[str], in_text: bool = False) -> list[tuple[int, int]]:
    """[start, end) in `hit.text` of the names with their author-year citation that hold the most of `asked` (a
    table of contents cites every paper of the note: "who wrote the vision transformer paper?" is not about "Swin
    Transformer (Liu et al. 2021)"), the words that ask for a source left out (`SOURCE_TERMS`): in the hit's titles
    and, `in_text`, its text too ("... into a Vision Transformer (Dosovitskiy et al. 2021)", `NAMED_CITATION`), a
    title winning a tie. A name starts at its first word the question holds ("Contents Introduction Mask R-CNN (He et
    al. 2018)" cites "Mask R-CNN"). Its acronym is no word of it: counted, "who released the original ViT and what
    was its design goal?" quoted "Vision Transformer (ViT) (Dosovitskiy et al. 2021)" over the sentence that answers."""
    topic = asked - SOURCE_TERMS
    found: list[tuple[int, int, int, int]] = []  # (words of `topic` the name holds, from a title, start, end)
    titled: list[tuple[int, int]] = []
    for s, e in title_spans(hit):
        if contents := CONTENTS.match(hit.text, s, e):
            s = contents.end()
        titled.append((s, e))
        found += [(held, 1, a, b) for held, a, b in named_in(hit.text, s, e, CITATION, topic)]
    if in_text:  # a sentence's citation must name all the question asks about: it cites in passing, a title on purpose
        found += [
            (held, 0, a, b)
            for held, a, b in named_in(hit.text, 0, len(hit.text), NAMED_CITATION, topic)
            if held == len(topic) and not any(s <= a < e for s, e in titled)
        ]
    best = max(((held, title) for held, title, _, _ in found), default=None)
    return [(a, b) for held, title, a, b in found if (held, title) == best]


def named_in(text: str, start: int, end: int, citation: re.Pattern[str], topic: set[str]) -> list[tuple[int, int, int]]:
    """(words of `topic` the name holds, start, end) of each citation in text[start:end] whose name holds any, the
    name starting at its first such word ("Contents Introduction Mask R-CNN" -> "Mask R-CNN")."""
    found = []
    for m in citation.finditer(text, start, end):
        name = m.group().split(" (")[0]  # the name, not its acronym, the authors or the year
        words = [w for w in re.finditer(r"\S+", name) if key_stems(w.group()) & topic]
        if words:
            found.append((len(key_stems(name) & topic), m.start() + words[0].start(), m.end()))
    return found


def cites_asked(question: str, hits: Sequence[Hit]) -> bool:
    """Whether the question asks who wrote something or when, and a title among `hits` cites it: the notes
    name its authors, however little else they say (the cosine of "who wrote CenterMask?" with a contents
    line of paper names is weak, and "wrote" is a word no note uses). A citation in running text is no such
    title: it answers only where the evidence answers anyway."""
    return asks_source(question) and any(cited_names(h, key_stems(question)) for h in hits if h.kind == "note")
