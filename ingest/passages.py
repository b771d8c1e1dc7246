"""Sections into passages: each section becomes a parent TextNode whose children are passages.

Passages are runs of whole sentences inside one section, sized for the embedder (MiniLM reads at most
256 word pieces, so a passage aims below that). Every node's text is the exact source slice
`[start, end)`: spans are trimmed by moving the bounds, never by editing the text.

A section's context (its title, headings, a flashcard's question: `Section.context`) never ends a
passage: it travels with the sentence after it, so a card's question and the start of its answer share
a passage, and every node records the context spans inside it as `context_spans`. Code blocks
(`Section.code`) cut nothing: a node records the ones inside it as `code_spans`, for the quoting writer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from core.text import STATEMENT_END
from ingest.schema import Kind, Level, NodeMeta, Section, SourceDoc, node_id
from ingest.sections import Span, clip_spans, trim_span

# CJK characters are one word piece each; \w+ would count a whole run of them as one word
_PIECE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|\w+|[^\w\s]")
Unit = tuple[int, int, int]  # (start, end, estimated tokens of its content) of a sentence, context glued on


@dataclass(frozen=True)
class PassageParams:
    """Passage sizes in (estimated) MiniLM word pieces."""

    max_tokens: int = field(default=240, metadata={"help": "hard cap; MiniLM truncates beyond 256"})
    min_tokens: int = field(default=128, metadata={"help": "a shorter tail joins the passage before it"})

    def __post_init__(self) -> None:
        if not 0 < self.min_tokens <= self.max_tokens:
            raise ValueError(f"need 0 < min_tokens <= max_tokens, got {self.min_tokens}, {self.max_tokens}")


def estimate_tokens(text: str) -> int:
    """Word pieces, estimated: words and punctuation marks, plus ~15% for sub-word splits."""
    return math.ceil(len(_PIECE.findall(text)) * 1.15)


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Trimmed `[s, e)` spans of the sentences in `text[start:end]`."""
    spans: list[tuple[int, int]] = []
    pos = start
    for match in STATEMENT_END.finditer(text, start, end):
        s, e = trim_span(text, pos, match.end())
        if e > s:
            spans.append((s, e))
        pos = match.end()
    s, e = trim_span(text, pos, end)
    if e > s:
        spans.append((s, e))
    return spans


def _split_long(text: str, span: tuple[int, int], max_tokens: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence at word boundaries into pieces that fit."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[span[0] : span[1]])]
    pieces: list[tuple[int, int]] = []
    first = 0
    tokens = 0
    for i, (ws, we) in enumerate(words):
        t = estimate_tokens(text[span[0] + ws : span[0] + we])
        if i > first and tokens + t > max_tokens:
            pieces.append((span[0] + words[first][0], span[0] + words[i - 1][1]))
            first, tokens = i, 0
        tokens += t
    pieces.append((span[0] + words[first][0], span[0] + words[-1][1]))
    return pieces


def _sentence_units(text: str, start: int, end: int, max_tokens: int) -> list[Unit]:
    """(start, end, tokens) of each sentence, over-long ones cut into pieces that fit."""
    units: list[Unit] = []
    for span in sentence_spans(text, start, end):
        t = estimate_tokens(text[span[0] : span[1]])
        parts = _split_long(text, span, max_tokens) if t > max_tokens else [span]
        units.extend((s, e, estimate_tokens(text[s:e])) for s, e in parts)
    return units


def _glue_context(units: list[Unit], context: Sequence[Span]) -> list[Unit]:
    """Join each unit that ends in context (a title, a card's question) to the unit after it, so no
    passage ends on it. The context costs nothing against the passage size: a card whose answer fits
    in a passage stays one passage with its question, however long the question is."""
    out: list[Unit] = []
    pending: Unit | None = None  # ends in context: waits for what follows
    for i, unit in enumerate(units):
        if pending is not None:
            unit, pending = (pending[0], unit[1], unit[2]), None
        if i + 1 < len(units) and any(s < unit[1] <= e for s, e in context):
            pending = unit
        else:
            out.append(unit)
    return out if pending is None else [*out, pending]


def _glue_whole(units: list[Unit], whole: Sequence[Span], max_tokens: int) -> list[Unit]:
    """The units that overlap one `whole` span (a display formula, the line leading into it) as one unit, when
    they fit in a passage together: no passage then ends inside the formula. One too long is left to be cut."""
    out: list[Unit] = []
    i = 0
    for s, e in whole:
        while i < len(units) and units[i][1] <= s:
            out.append(units[i])
            i += 1
        j = i
        while j < len(units) and units[j][0] < e:
            j += 1
        tokens = sum(t for _, _, t in units[i:j])
        if j - i > 1 and tokens <= max_tokens:
            out.append((units[i][0], units[j - 1][1], tokens))
            i = j
    return out + units[i:]


def passage_spans(
    text: str,
    start: int,
    end: int,
    params: PassageParams,
    context: Sequence[Span] = (),
    whole: Sequence[Span] = (),
) -> list[tuple[int, int]]:
    """Group a section's sentences into passages of similar size, none above `max_tokens` tokens of
    content (context lines ride along for free: see `_glue_context`); no passage ends inside a `whole` span
    that fits in one (`_glue_whole`)."""
    units = _sentence_units(text, start, end, params.max_tokens)
    if whole:
        units = _glue_whole(units, clip_spans(whole, start, end), params.max_tokens)
    if context:
        units = _glue_context(units, clip_spans(context, start, end))
    if not units:
        return []
    total = sum(t for _, _, t in units)
    goal = total / max(1, math.ceil(total / params.max_tokens))  # even sizes beat a full one + a stub
    passages: list[tuple[int, int]] = []
    first, tokens = 0, 0
    for i, (_, _, t) in enumerate(units):
        if i > first and (tokens + t > params.max_tokens or tokens >= goal):
            passages.append((units[first][0], units[i - 1][1]))
            first, tokens = i, 0
        tokens += t
    passages.append((units[first][0], units[-1][1]))
    if len(passages) > 1 and estimate_tokens(text[passages[-1][0] : passages[-1][1]]) < params.min_tokens:
        merged = (passages[-2][0], passages[-1][1])
        if estimate_tokens(text[merged[0] : merged[1]]) <= params.max_tokens * 1.5:
            passages[-2:] = [merged]
    return passages


def make_node(
    source: SourceDoc, section: Section, level: Level, start: int, end: int, kind: Kind | None = None
) -> TextNode:
    """A TextNode for `source.text[start:end]` whose id is stable across ingests of the same bytes."""
    meta: NodeMeta = {
        "doc": source.doc,
        "breadcrumbs": list(section.breadcrumbs),
        "start": start,
        "end": end,
        "kind": kind or source.kind,
        "level": level,
    }
    if section.context:
        meta["context_spans"] = [list(span) for span in clip_spans(section.context, start, end)]
    if code := clip_spans(section.code, start, end):
        meta["code_spans"] = [list(span) for span in code]
    if section.rows is not None:  # kept when empty: "no row here" is not "rows unknown" (an older index)
        meta["row_spans"] = [list(span) for span in clip_spans(section.rows, start, end)]
    if section.rows is not None and section.cell_breaks is not None:
        meta["cell_break_spans"] = [list(span) for span in clip_spans(section.cell_breaks, start, end)]
    if section.symbol is not None:
        meta["symbol"] = section.symbol
    if section.line_start is not None and section.line_end is not None:
        meta["line_start"] = section.line_start
        meta["line_end"] = section.line_end
    keys = list(meta)
    return TextNode(
        id_=node_id(source.doc, source.sha256, level, start, end),
        text=source.text[start:end],
        metadata=dict(meta),
        excluded_embed_metadata_keys=keys,
        excluded_llm_metadata_keys=keys,
    )


def link(parent: TextNode, children: Sequence[TextNode]) -> None:
    """Record PARENT/CHILD both ways, so either end can walk the hierarchy."""
    parent.relationships[NodeRelationship.CHILD] = [RelatedNodeInfo(node_id=c.node_id) for c in children]
    for child in children:
        child.relationships[NodeRelationship.PARENT] = RelatedNodeInfo(node_id=parent.node_id)


def section_nodes(
    source: SourceDoc, sections: Sequence[Section], params: PassageParams | None = None
) -> list[TextNode]:
    """Section nodes followed by their passages (document order); passages are the leaves."""
    params = params or PassageParams()
    nodes: list[TextNode] = []
    for section in sections:
        start, end = trim_span(source.text, section.start, section.end)
        if end <= start:
            continue
        parent = make_node(source, section, "section", start, end)
        children = [
            make_node(source, section, "passage", s, e)
            for s, e in passage_spans(source.text, start, end, params, section.context, section.formulas)
        ]
        link(parent, children)
        nodes.append(parent)
        nodes.extend(children)
    return nodes


def leaves(nodes: Sequence[TextNode]) -> list[TextNode]:
    return [n for n in nodes if n.metadata["level"] == "passage"]
