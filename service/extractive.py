"""The sentences of retrieved passages closest to a question: quoted, never generated.

Used by the answer pipeline when the model refuses although the notes match the question well, and by
eval as the extractive baseline a generator has to beat.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.cjk import reading_length
from core.formulas import MAX_FORMULA_CHARS
from core.settings import AnswerSettings
from core.text import CLAUSE_END, CLOSING_MARKS, IMAGE, sentence_spans, unwrapped
from retrieval.retriever import EmbedderLike, Hit, context_text
from retrieval.terms import TermRarity, key_stems
from service.latex_quotes import (
    BULLET,
    ENVIRONMENT,
    LIST_ENVIRONMENT,
    environment_edges,
    in_cut_formula,
    is_latex,
    list_item,
    typeset,
    without_comments,
)
from service.list_quotes import (
    MIN_SENTENCE_CHARS,
    cut_spans,
    led_list_end,
    list_body,
    parent_item,
    titled,
    without_marks,
)
from service.markup_quotes import as_read
from service.table_quotes import hit_table_lines, names_another_row, table_row
from service.title_answers import title_answers

# "- ", "• ", "3. ", a blockquote's "> " (never ">>> ", nor the comparison in "> 0.5 means positive"), a
# flashcard's "A: ": layout, not words of the answer
LIST_MARKER = re.compile(rf"(?:{BULLET}|>(?!\s*[\d.])|(?:A|Answer):)\s+")
# What structure cannot know. Code blocks are cut out by their spans (ingest.code_blocks: fences, literal blocks,
# <pre>, code cells; fences in plain text too), so "```" anywhere in a sentence no longer marks code (it dropped
# prose with inline ```./build.sh```). Left: a sentence that starts like a prompt (">>> ", "$ ") or like data
# ({, <, a [ that opens no Markdown link): plain-text notes declare no code, and JSON or a tag runs into prose.
CODE_OR_DATA = re.compile(r"^(?:>>>|\$ |[{<]|\[(?![^\]\n]*\]\())")
# A display formula on lines of its own ("$$\n...\n$$", "\\[ ... \\]", "\\begin{align} ... \\end{align}"): quoted
# whole or not at all, since a quote of its inside alone drops the delimiters the page typesets it by. Each
# alternative is bounded (MAX_FORMULA_CHARS), so 10,000 unclosed "\\begin{equation}" do not each scan the text
DISPLAY_MATH = re.compile(
    rf"\$\$.{{1,{MAX_FORMULA_CHARS - 4}}}?\$\$|\\\[.{{1,{MAX_FORMULA_CHARS - 4}}}?\\\]|{ENVIRONMENT}", re.S
)
# a description item's [label] that holds a word ("No pooling", "(a)") is quoted; "--" or "" only marks the item
LABEL_WORD = re.compile(r"\w")


Candidate = tuple[int, int, int]  # (hit index, start, end) of one answer sentence, offsets in the hit's text


@dataclass(frozen=True)
class Extract:
    """One sentence of hits[source]: its text and its [start, end) in the source document; `lead`: the
    [start, end) of the stub parent item it reads after ("staging: git reset ..."), cited as a span of its own
    because the sibling items between them are not said."""

    source: int
    start: int
    end: int
    text: str
    similarity: float
    lead: tuple[int, int] | None = None


def answer_spans(hit: Hit) -> list[tuple[int, int]]:
    """[start, end) in `hit.text` of the sentences that can answer: no question, no title, no heading, no
    code block, no code or data in plain text (`CODE_OR_DATA`), no "like this instead::" that only leads
    into a code block.

    The sentence closest to a question is too often the question itself (a flashcard's front) or the
    title above the answer, so a hit's context spans are cut out of its sentences (a heading run into
    the first sentence of a blog export leaves that sentence), and questions are dropped. Code blocks
    are cut out the same way: a comment line in a Markdown fence (`// GET https://...`, quoted on the
    gitlfs dev half) has none of `CODE_OR_DATA`'s marks, but structure inference knows it is code.
    """
    context = cut_spans(hit)
    if (body := list_body(hit, context)) is not None:
        return [body]
    return sentence_candidates(hit, context)


def sentence_candidates(hit: Hit, context: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """`answer_spans` of a passage that is not one short list: its table rows and sentences, `context` cut out."""
    tables = hit_table_lines(hit)  # a row is one candidate, measured as it reads (service.table_quotes)
    context = sorted([*context, *((t.start, t.end) for t in tables)])
    spans = [(t.start, t.end) for t in tables if t.reading and reading_length(t.reading) >= MIN_SENTENCE_CHARS]
    short: list[tuple[int, int]] = []  # pieces below MIN_SENTENCE_CHARS: a card's whole answer may be one ("Relu")
    for start, end in sentence_spans(unwrapped(hit.text)):  # a sentence of hard-wrapped prose is one candidate
        pieces, at = [], start
        for s, e in context:
            if s < end and at < e:
                pieces.append((at, max(at, s)))
                at = max(at, e)
        pieces.append((at, end))
        for s, e in pieces:
            raw = hit.text[s:e]
            piece, s = raw.strip(), s + len(raw) - len(raw.lstrip())
            if marker := LIST_MARKER.match(piece):  # quoted items are joined into prose: drop their markers
                piece, s = piece[marker.end() :], s + marker.end()
            if CODE_OR_DATA.search(piece) or piece.endswith("::"):  # "::" ends reST's lead-in to a code block
                continue
            if not IMAGE.sub("", piece).strip(" \t\n.,;:"):  # a piece that is only an image is no answer
                continue
            if piece.rstrip(CLOSING_MARKS).endswith("?"):
                continue
            (spans if reading_length(piece) >= MIN_SENTENCE_CHARS else short).append((s, s + len(piece)))
    # all that is said under a title or a card's question, unless it only leads in ("Options:")
    if not spans and len(short) == 1 and hit.context_spans and not hit.text[slice(*short[0])].endswith(":"):
        spans = short
    return whole_formulas(hit.text, sorted(spans), context, latex=is_latex(hit.doc))


def whole_formulas(
    text: str, spans: list[tuple[int, int]], cut: Sequence[tuple[int, int]] = (), *, latex: bool = False
) -> list[tuple[int, int]]:
    """Each span widened over the display formulas it cuts (`DISPLAY_MATH`), and over the one its unfinished
    sentence leads into ("The estimate is" + "$$...$$"); a span the formula before it went with starts after
    it. Cut spans (code: `echo $$`, headings) are blanked first; a "$$" pair that runs long is no formula.
    In a LaTeX document (`latex`), a span beside or holding an environment's `\\begin` or `\\end` that pairs
    with nothing (the passage ends inside the formula) is a line of a formula cut apart: dropped; another note
    that mentions `\\begin{align}` is only talking about it. An environment quoted alone takes the short
    unfinished line above it (`_short_lead_in`)."""
    masked = list(text)
    for a, b in cut:
        masked[max(a, 0) : b] = " " * (min(b, len(text)) - max(a, 0))
    plain = "".join(masked)
    formulas = list(DISPLAY_MATH.finditer(plain))
    blocks = [m.span() for m in formulas]
    environments = {m.start() for m in formulas if m.group("environment")}
    edges = environment_edges(plain, blocks) if latex else []
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if in_cut_formula(edges, start, end):
            continue
        for s, e in blocks:
            leads_in = end <= s and not text[end:s].strip() and not text[start:end].endswith((".", "!", "?", ";"))
            if (s < end and start < e) or leads_in:
                start, end = min(start, s), max(end, e)
        if start in environments:  # quoted alone so far: "The model is" above it was too short to be a candidate
            start = _short_lead_in(text, plain, start, out[-1][1] if out else 0, latex)
        if out and start < out[-1][1]:  # the formula went with the sentence before: this one starts after it
            start = end - len(text[out[-1][1] : end].lstrip())
            if reading_length(text[start:end]) < MIN_SENTENCE_CHARS:
                continue
        out.append((start, end))
    return out


def _short_lead_in(text: str, plain: str, start: int, floor: int, latex: bool) -> int:
    """Where the short unfinished sentence on the line right above the environment at `start` begins ("The model
    is", too short to be a candidate of its own: `MIN_SENTENCE_CHARS`), not before `floor`; `start` when there is
    none (a full stop, a cut span, a list item or a command there)."""
    line_end = text.rfind("\n", 0, start)
    if line_end < 0 or text[line_end + 1 : start].strip():
        return start
    line_start = text.rfind("\n", 0, line_end) + 1
    line = text[line_start:line_end]
    lead = line.strip()
    if (
        not lead
        or line_start < floor
        or plain[line_start:line_end] != line
        or lead.endswith((".", "!", "?", ";"))
        or lead.startswith("\\")
        or reading_length(lead) >= MIN_SENTENCE_CHARS
        or list_item(latex).fullmatch(line)
        or len(sentence_spans(lead)) != 1
    ):
        return start
    return line_start + len(line) - len(line.lstrip())


def quoted(raw: str, *, latex: bool = False) -> str:
    """A candidate as the answer shows it: a wrapped sentence on one line, a list's items without their
    bullets and joined by "; " ("BERT uses two losses: MLM; NSP"), or by a space after their own stop. From a
    LaTeX document (`latex`), `\\item` marks an item too, a description item reads "Label: text", LaTeX's
    formatting becomes the Markdown the answer is written in (`typeset`), and a display environment
    loses its `%` comments, as its lines are joined; a Markdown or Org note's marks are read where it is quoted
    (`markup_quotes.as_read`: "[[Note|alias]]" reads "alias"); any other note is quoted as written."""
    out = ""
    after_item = False
    item_line = list_item(latex)
    for line in (without_comments(raw) if latex else raw).splitlines():
        if latex and LIST_ENVIRONMENT.fullmatch(line):
            continue
        item = item_line.fullmatch(line)
        words = " ".join((item.group("text") if item else line).split())
        if not words:
            continue
        label = item.groupdict().get("label") if item else None
        if label and LABEL_WORD.search(label):
            words = " ".join(label.split()) + ": " + words
        joined = item and after_item and not out.endswith(CLAUSE_END)
        out += ("; " if joined else " " if out else "") + words
        after_item = item is not None
    return typeset(out) if latex else out


@dataclass(frozen=True)
class QuoteWeights:
    """How a candidate sentence is scored beside its cosine with the question (AnswerSettings.quote_*)."""

    passage: float = 0.0
    terms: float = 0.0
    context: float = 0.0
    rank: float = 0.0
    length: float = 0.0
    hedge_terms: float = 0.0  # the key-term share a sentence from another passage needs to join the quote
    margin: float = float("inf")  # how far below the first sentence's score a next one may be and still be quoted

    @classmethod
    def of(cls, config: AnswerSettings) -> QuoteWeights:
        return cls(
            config.quote_passage_weight,
            config.quote_term_weight,
            config.quote_context_weight,
            config.quote_rank_penalty,
            config.quote_length_weight,
            config.quote_hedge_terms,
            config.quote_margin,
        )


def said(text: str) -> str:
    """A sentence as read aloud: case and spacing do not make two quotes different."""
    return " ".join(text.lower().split())


def read_in_passage(embedder: EmbedderLike, hits: Sequence[Hit], candidates: Sequence[Candidate]) -> np.ndarray:
    """A vector per candidate sentence (`candidates` grouped by hit, in hit order, as `best_sentences` lists
    them), pooled from its passage's token vectors (late chunking): "One of the first popular solutions to
    this problem is called LSTM" alone does not say which problem; read in its passage it does. Against each
    sentence embedded alone: gold passage cited on the dev halves notes 0.75 -> 0.75, gitlfs 0.55 -> 0.62,
    pytutorial 0.34 -> 0.41; on the held-out notes test 0.686 -> 0.700 (ROUGE-L 0.366 -> 0.358, oracle
    0.736). A sentence past the model's max_seq_length is embedded alone."""
    spans = [[[(s, e)] for j, s, e in candidates if j == i] for i in range(len(hits))]
    _, pooled, covered = embedder.embed_late([hit.text for hit in hits], spans)
    vectors, ok = np.vstack(pooled), np.concatenate(covered)
    alone = np.flatnonzero(~ok)
    if alone.size:
        vectors[alone] = embedder.embed(
            [hits[candidates[k][0]].text[candidates[k][1] : candidates[k][2]] for k in alone]
        )
    return vectors


def best_sentences(
    question: str,
    hits: Sequence[Hit],
    embedder: EmbedderLike,
    n: int = 2,
    *,
    distinct_sources: bool = False,
    weights: QuoteWeights = QuoteWeights(),
    rarity: TermRarity | None = None,
    words: int = 0,
    aside: str = "",
) -> list[Extract]:
    """The `n` sentences of `hits` that best answer `question`, best first (one per hit if distinct).
    With `words` > 0 a sentence from another hit than the best one's is taken only while all fit in
    `words` words: a second passage is a hedge that a short answer can afford and a long one cannot. With
    `rarity`, such a sentence (with its titles) must also hold `weights.hedge_terms` of the question's key-term
    weight: in notes on many topics "Crème brûlée ... the crust is made with a torch" shares only "made" with
    "what are Saturn's rings made of?" and is no hedge for it.

    Candidates are answer sentences only (`answer_spans`): never a question or a title. A sentence scores
    its cosine with the question (read in its passage: `read_in_passage`), plus its passage's cosine (the
    sentence most like the question is often a near-paraphrase in the wrong passage, while the passage that
    holds the answer is the one most like the question as a whole), plus the share of the question's key
    terms, weighed by rarity, that its passage's titles hold and the share the sentence holds beyond them (a
    paraphrase keeps the rare terms: "LoRA", "rank"; a title's term is what every sentence under it is about,
    so it counts once), less a penalty per rank, plus a bonus for a full sentence over a list stub.
    Weights were chosen on the dev set. `aside`: what the question names only to set it aside ("besides dropout,
    what else ...": `service.question_parts`): its terms count against a sentence as the key terms count for it.
    """
    cuts = [cut_spans(hit) for hit in hits]
    bodies = [list_body(hit, cut) for hit, cut in zip(hits, cuts, strict=True)]  # a terse passage's one list
    spans = [[b] if b else sentence_candidates(h, c) for h, c, b in zip(hits, cuts, bodies, strict=True)]
    aside_stems = key_stems(aside) if aside else set()
    asked = key_stems(question) - aside_stems
    cited = [title_answers(question, hit, asked) for hit in hits]  # "(Lee and Park 2020)", a table of contents
    spans = [sorted({*found, *titles}) for found, titles in zip(spans, cited, strict=True)]
    candidates = [(i, s, e) for i, found in enumerate(spans) for s, e in found]
    if not candidates:
        return []
    terse_top = not any(i == 0 for i, _, _ in candidates)  # the best source has no sentence: bullets under a title
    sims = read_in_passage(embedder, hits, candidates) @ embedder.embed([question])[0]
    sims = sims + weights.passage * np.array([hits[i].dense_score or 0.0 for i, _, _ in candidates])
    sims = sims - weights.rank * np.array([i for i, _, _ in candidates], dtype=float)
    sims = sims + weights.length * np.array([min(e - s, 200) / 200 for _, s, e in candidates])
    named = np.ones(len(candidates), dtype=bool)  # whether a candidate and its titles name enough of the question
    row_named = np.zeros(len(candidates), dtype=bool)  # whether a candidate itself does (a table row: its entity)
    if rarity is not None:
        titles = np.array([rarity.shared(asked, context_text(hit)) for hit in hits])[[i for i, _, _ in candidates]]
        terms = np.array([rarity.shared(asked, hits[i].text[s:e]) for i, s, e in candidates])
        # a term the passage's titles hold is what each of its sentences is about: it scores once, with the titles,
        # when the question asks more than that ("what did Russia get at Vienna?" under "Congress of Vienna"); a
        # question the titles name whole ("what is LoRA?" under "LoRA") still meets it in the sentence that says it
        title_terms = [asked & rarity.stems_of(context_text(hit)) for hit in hits]
        title_terms = [held if asked - held else set() for held in title_terms]
        total = rarity.weight(asked) or 1.0
        untitled = np.array(  # a cited title is the title: its terms count in it
            [
                rarity.weight(
                    (asked - (set() if (s, e) in cited[i] else title_terms[i])) & rarity.stems_of(hits[i].text[s:e])
                )
                / total
                for i, s, e in candidates
            ]
        )
        sims += weights.terms * untitled + weights.context * titles
        # who and when, or what a note covers, are no key terms: a title that answers holds them, as no sentence does
        sims += weights.terms * np.array([(s, e) in cited[i] for i, s, e in candidates], dtype=float)
        if aside_stems and (aside_weight := rarity.weight(aside_stems)) > 0:
            repeated = [rarity.weight(aside_stems & rarity.stems_of(hits[i].text[s:e])) for i, s, e in candidates]
            sims -= weights.terms * np.array(repeated) / aside_weight
        row_named = terms >= weights.hedge_terms
        if rarity.weight(asked) > 0:  # a question whose words are everywhere in the notes sets no bar
            named = terms + titles >= weights.hedge_terms
    chosen: list[Extract] = []
    row_sources: set[int] = set()  # the passages a table row was quoted from
    rows_asked: set[str] = set()  # the question's terms that the quoted rows' first cells name
    for j in np.argsort(-sims, kind="stable"):
        i, s, e = candidates[int(j)]
        if distinct_sources and any(x.source == i for x in chosen):
            continue
        is_body, e, lead = bodies[i] == (s, e), led_list_end(hits[i], e), None
        table, latex = table_row(hits[i], s, e), is_latex(hits[i].doc)
        row = table.reading if table is not None else None
        # a question that names two rows' subjects ("compare Adam and RMSprop") asks about both
        subject = asked & key_stems(table.subject) if table is not None else set()
        if (
            table is not None
            and i in row_sources
            and not row_named[j]
            and not names_another_row(asked, hits[i], table, rows_asked, rarity)
        ):
            continue  # another row is another entity ("RMSprop" under "what lr does Adam use?"), not one asked
        raw = row or without_marks(hits[i], s, e)
        text = as_read(quoted(raw, latex=latex), hits[i].doc)
        if is_body:
            s, text = titled(hits[i], s, text)
        elif (parent := parent_item(hits[i], s)) is not None:  # a nested item reads after its parent "staging"
            said_lead = as_read(quoted(without_marks(hits[i], parent.text, parent.end), latex=latex), hits[i].doc)
            text, lead = f"{said_lead.rstrip(':')}: {text}", (hits[i].start + parent.text, hits[i].start + parent.end)
        if any(said(x.text) == said(text) for x in chosen):
            continue  # a flashcard kept twice in the notes: quote its answer once
        start, end = hits[i].start + s, hits[i].start + e
        reach = lead[0] if lead else start  # a nested item and its parent: two items under one parent read twice
        if any(x.source == i and (x.lead or (x.start,))[0] < end and reach < x.end for x in chosen):
            continue  # a list and one of its items, or its lead-in: quoted once
        if chosen and sims[j] < chosen[0].similarity - weights.margin:
            break  # far below the first, a sentence dilutes the answer more often than it adds the fact
        if chosen and i != chosen[0].source:  # a hedge from another passage
            if words and sum(len(x.text.split()) for x in chosen) + len(text.split()) > words:
                break
            if not named[j]:  # in notes on many topics, the runner-up passage may be about something else
                continue
        if not chosen and terse_top and not named[j]:
            continue  # then another note's sentence must name the question too: "What is Adam?" is no meander
        chosen.append(Extract(i, start, end, text, float(sims[j]), lead))
        if row is not None:
            row_sources.add(i)
            rows_asked |= subject
        if len(chosen) == n:
            break
    return chosen
