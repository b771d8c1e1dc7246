"""Fusion by hand-computed cases; hybrid retrieval and merging on the real index of the notes."""

from __future__ import annotations

import pytest

from core.settings import RetrievalSettings
from retrieval.retriever import Retriever, hit_from_node, reciprocal_rank_fusion
from service.runtime import Runtime

RRF_CASES = [
    # a: 1/(60+1) + 1/(60+2) = 0.016393 + 0.016129 = 0.032522; b: 1/(60+2) + 1/(60+1) the same -> tie, by id
    ([["a", "b"], ["b", "a"]], None, [("a", 0.032522), ("b", 0.032522)]),
    # c only in the second list at rank 1: 1/61 = 0.016393; a: 1/61 + 1/63 = 0.032266
    ([["a"], ["c", "x", "a"]], None, [("a", 0.032266), ("c", 0.016393), ("x", 0.016129)]),
    # weights scale each list: a = 2/61 = 0.032787, b = 0.5/61 = 0.008197
    ([["a"], ["b"]], [2.0, 0.5], [("a", 0.032787), ("b", 0.008197)]),
]


@pytest.mark.parametrize(("rankings", "weights", "expected"), RRF_CASES)
def test_reciprocal_rank_fusion_matches_hand_computation(rankings, weights, expected) -> None:
    fused = reciprocal_rank_fusion(rankings, k=60, weights=weights)
    assert [(i, round(s, 6)) for i, s in fused] == expected


def test_params_reject_bad_values() -> None:
    with pytest.raises(ValueError, match="merge_ratio"):
        RetrievalSettings(merge_ratio=0)
    with pytest.raises(ValueError, match="candidate_k"):
        RetrievalSettings(candidate_k=0)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_lora_question_finds_a_lora_passage_first(runtime: Runtime, mode: str) -> None:
    hits = runtime.served.retriever.retrieve("what does LoRA keep frozen", mode=mode, k=5)
    assert hits, mode
    assert "lora" in (hits[0].text + " ".join(hits[0].breadcrumbs)).lower(), hits[0]


def test_every_hit_is_an_exact_span_of_its_source(runtime: Runtime) -> None:
    for query in ["vanishing gradient", "as_strided patches", "how do I code a GRU cell", "BLEU brevity"]:
        for hit in runtime.served.retriever.retrieve(query, k=10):
            assert runtime.served.reader.source_text(hit.doc)[hit.start : hit.end] == hit.text


def test_kind_filter_returns_only_code(runtime: Runtime) -> None:
    hits = runtime.served.retriever.retrieve("GRU cell update gate", kind="code", merge=False, k=3)
    assert hits and all(h.kind == "code" and h.symbol and h.line_start for h in hits)


def test_merge_replaces_most_children_by_their_section(runtime: Runtime) -> None:
    retriever = runtime.served.retriever
    reader = runtime.served.reader
    notes = [n.node_id for n in reader.get_nodes(reader.leaf_ids) if n.metadata["kind"] == "note"]
    sections = {reader.parent_id(i) for i in notes} - {None}
    section_id = next(s for s in sorted(sections) if len(reader.child_ids(s)) >= 3)
    children = reader.get_nodes(reader.child_ids(section_id))
    hits = [hit_from_node(node, score=1.0 / (rank + 1)) for rank, node in enumerate(children)]

    # all passages matched: 3/3 > 0.5, and a section of any length may replace them: one hit, the section
    merging = Retriever(reader, retriever.embedder, retriever.params.model_copy(update={"merge_max_chars": 10**9}))
    (merged,) = merging.merge_into_sections(hits)
    assert merged.node_id == section_id and merged.level == "section"
    assert merged.start <= min(h.start for h in hits) and merged.end >= max(h.end for h in hits)
    assert merged.score == pytest.approx(sum(h.score for h in hits) / len(hits))

    # one passage of three: 1/3 <= 0.5, left as it is
    assert merging.merge_into_sections(hits[:1]) == hits[:1]

    # the service's default (merge_max_chars 0) shows the passages and offers their section as context
    kept = retriever.merge_into_sections(hits)
    assert [h.node_id for h in kept] == [h.node_id for h in hits]
    assert all((h.section_start, h.section_end) == (merged.start, merged.end) for h in kept)


def test_code_hits_are_never_merged_into_their_module(runtime: Runtime) -> None:
    reader = runtime.served.reader
    code = [n for n in reader.get_nodes(reader.leaf_ids) if n.metadata["kind"] == "code"]
    module = reader.parent_id(code[0].node_id)
    siblings = reader.get_nodes(reader.child_ids(module))
    hits = [hit_from_node(node, score=1.0) for node in siblings]
    assert {h.node_id for h in runtime.served.retriever.merge_into_sections(hits)} == {h.node_id for h in hits}
