"""What the reader is shown when several passages of one section rank: the passages, or their section.

AutoMergingRetriever's rule (replace the passages by their parent when more than `merge_ratio` of its
passages were retrieved) buys coherence with characters: measured on three corpora, a merged section
cost the reader more than it gave (see README, "Retrieval on other people's notes"). So a section
replaces its passages only when it is short (at most `merge_max_chars`: little more than one passage to
read); otherwise the passages stay what is shown and each carries its section's span as context
(`Hit.section_start`, `Hit.section_end`) for a reader or a writer that wants the surroundings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

NodeToHit = Callable[..., Any]


def merge_into_sections(
    hits: list[Any],
    reader: Any,
    to_hit: NodeToHit,
    *,
    ratio: float,
    max_chars: int | None = None,
) -> list[Any]:
    """Hits with a section in place of its passages where more than `ratio` of them were retrieved and
    the section is at most `max_chars` long (None: any length); every note passage gets its section span."""
    by_parent: dict[str, list[Any]] = defaultdict(list)
    for hit in hits:
        if hit.kind == "code":  # a code hit stays its own symbol: the file as a whole cites nothing precise
            continue
        parent = reader.parent_id(hit.node_id)
        if parent is not None:
            by_parent[parent].append(hit)

    sections = dict(zip(by_parent, reader.get_nodes(list(by_parent)), strict=True)) if by_parent else {}
    merged: dict[str, Any] = {}
    absorbed: set[str] = set()
    for parent, children in by_parent.items():
        section = sections[parent]
        start, end = int(section.metadata["start"]), int(section.metadata["end"])
        for child in children:
            child.section_start, child.section_end = start, end
        siblings = reader.child_ids(parent)
        if len(siblings) < 2 or len(children) / len(siblings) <= ratio:
            continue
        if max_chars is not None and end - start > max_chars:
            continue
        dense_scores = [c.dense_score for c in children if c.dense_score is not None]
        merged[children[0].node_id] = to_hit(
            section,
            score=float(np.mean([c.score for c in children])),
            dense_score=max(dense_scores) if dense_scores else None,
        )
        absorbed.update(c.node_id for c in children)

    out = [merged.get(h.node_id, h) for h in hits if h.node_id not in absorbed or h.node_id in merged]
    return sorted(out, key=lambda h: -h.score)


def ranked_ids(hits: Sequence[Any]) -> list[str]:
    return [h.node_id for h in hits]
