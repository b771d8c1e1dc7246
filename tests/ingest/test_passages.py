"""Sections into passages: exact spans for every node, passages inside sections, stable ids."""

from __future__ import annotations

import html
import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from llama_index.core.schema import NodeRelationship

from ingest.docx import load_docx
from ingest.errors import SkippedFile
from ingest.html import load_html
from ingest.latex import latex_markup
from ingest.loaders import LoadedFile, load_file
from ingest.notebook import load_notebook
from ingest.passages import PassageParams, estimate_tokens, section_nodes
from ingest.schema import SourceDoc, sha256_bytes
from ingest.structure import infer_structure
from tests.ingest.docx_files import Block, docx_bytes

WORDS = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=12,
)
SENTENCE = st.lists(WORDS, min_size=1, max_size=40).map(" ".join).map(lambda s: s + ".")
LINE = st.one_of(
    SENTENCE,
    st.lists(SENTENCE, min_size=2, max_size=12).map(" ".join),  # long paragraph lines
    WORDS.map(lambda w: f"What is {w}?"),  # flashcard questions
    st.sampled_from(["LoRA", "Normalization", "Key Points", "Optimizer", "CNN"]),  # title-like lines
    WORDS.map(lambda w: f"# {w}"),
    WORDS.map(lambda w: f"## {w} heading"),
    WORDS.map(lambda w: f"- item {w}"),
    st.just("Table of Contents Intro Body Intro The body starts here."),
    st.just(""),
    st.just("   \t "),
    st.just("type"),
    st.sampled_from(["=====", "-----", "*****", "~~~", "```", "---", "+++", "title: Notes"]),  # adornments, fences
    WORDS.map(lambda w: f"* {w} :tag:"),  # Org heading, Markdown list item
    WORDS.map(lambda w: f".. note:: {w}"),  # reST directive
    st.sampled_from([".. _label:", ".. index:: single: x", "#+TITLE: Org notes", "[[Wiki Link]] and #tag"]),
    WORDS.map(lambda w: f"    {w} = 1"),  # indented code: Markdown, a reST literal block, an HTML <pre>
    WORDS.map(lambda w: f"For example {w}::"),  # reST literal block lead-in
    st.sampled_from(["```js", "~~~~", "#+BEGIN_SRC python", "#+END_SRC", ": output", ">>> x = 1", ".. code:: sh"]),
    WORDS.map(lambda w: f"\\section{{{w}}}"),  # LaTeX: headings, starred and with a short title, run-in
    WORDS.map(lambda w: f"\\subsection*[short]{{{w} title}}\\label{{sec:x}}"),
    WORDS.map(lambda w: f"\\paragraph{{{w}.}} Text runs on after it."),
    WORDS.map(lambda w: f"  \\item {w} % a comment"),
    st.sampled_from(["\\begin{document}", "\\end{document}", "\\documentclass{article}", "\\section{", "50\\% % c"]),
    st.sampled_from(["\\begin{verbatim}", "\\end{verbatim}", "\\begin{align}", "a &= b \\\\", "\\end{align}", "\\["]),
    st.sampled_from(["\\]", "\\begin{itemize}", "\\item[Label]", "\\input{other}", "\\title{Notes}", "%"]),
    st.sampled_from(["\\iffalse", "\\fi", "\\begin{frame}{Slide}", "\\frametitle{T}", "\\begin{comment}"]),
)
DOCUMENT = st.tuples(st.lists(LINE, min_size=1, max_size=60), st.sampled_from(["\n", "\r\n", "\n\n"]))


def nodes_for(text: str, fmt: str, params: PassageParams) -> list:
    data = text.encode("utf-8")
    loaded = LoadedFile(SourceDoc("doc.txt", text, sha256_bytes(data)), fmt)
    sections = infer_structure(loaded).sections
    nodes = section_nodes(loaded.source, sections, params)
    uncoded = section_nodes(loaded.source, [replace(s, code=()) for s in sections], params)
    assert [n.node_id for n in nodes] == [n.node_id for n in uncoded]  # code blocks cut no passage
    return nodes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT, st.sampled_from(["text", "markdown", "rst", "org", "latex"]), st.sampled_from([(8, 24), (128, 240)]))
def test_every_node_is_its_exact_source_slice(
    document: tuple[list[str], str], fmt: str, sizes: tuple[int, int]
) -> None:
    lines, newline = document
    text = newline.join(lines)
    # LaTeX prints only its body: the preamble and what follows \end{document} are no section's text
    content = text[slice(*latex_markup(text).body)] if fmt == "latex" else text
    nodes = nodes_for(text, fmt, PassageParams(min_tokens=sizes[0], max_tokens=sizes[1]))
    assert_exact_slices(text, nodes, content)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT, st.sampled_from(["ipynb", "html", "docx"]))
def test_extracted_formats_are_exact_slices_too(document: tuple[list[str], str], fmt: str) -> None:
    """Notebooks, HTML and Word documents serve extracted text: every node is an exact slice of that text."""
    lines, newline = document
    if fmt == "ipynb":
        cells = [{"cell_type": ("markdown", "code")[i % 2], "source": line} for i, line in enumerate(lines)]
        data = json.dumps({"cells": cells}).encode()
    elif fmt == "docx":
        data = docx_bytes([docx_block(i, line) for i, line in enumerate(lines)])
    else:
        tags = [("h2" if x.startswith("#") else "pre" if x.startswith("    ") else "p", html.escape(x)) for x in lines]
        data = "".join(f"<{tag}>{x}</{tag}>" for tag, x in tags)
        data = data.encode("utf-8")
    try:
        loader = {"ipynb": load_notebook, "html": load_html, "docx": load_docx}[fmt]
        loaded = loader(f"n.{fmt}", data)
    except SkippedFile:
        return  # nothing with text to index: skipped with a reason, as the loaders' tests check
    nodes = section_nodes(loaded.source, infer_structure(loaded).sections, PassageParams())
    assert_exact_slices(loaded.source.text, nodes)


def docx_block(i: int, line: str) -> Block:
    """A line as a Word paragraph: "#" lines are headings, "- " lines list items, indented lines code, every
    fifth line a table row."""
    if i % 5 == 4:
        return ("table", [line.split(" ", 1)])
    if line.startswith("#"):
        return (("Titel", "berschrift1", "berschrift2")[min(line.count("#"), 2)], line)
    if line.startswith("- "):
        return ("bullet" if i % 2 else "number", line[2:])
    return ("Code" if line.startswith("    ") else "", line)


def assert_exact_slices(text: str, nodes: list, content: str | None = None) -> None:
    """Every node is its span of `text`; passages nest in sections, never overlap, and hold all of `content`
    (the text, unless a format prints only part of it) that is not blank."""
    by_id = {n.node_id: n for n in nodes}
    assert len(by_id) == len(nodes)  # ids are unique
    previous_passage_end = 0
    for node in nodes:
        start, end = node.metadata["start"], node.metadata["end"]
        assert node.text == text[start:end]
        assert all(start <= s < e <= end for s, e in node.metadata.get("code_spans", []))  # code stays inside
        assert node.text and node.text == node.text.strip()
        if node.metadata["level"] == "passage":
            parent = by_id[node.relationships[NodeRelationship.PARENT].node_id]
            assert parent.metadata["start"] <= start and end <= parent.metadata["end"]  # never crosses
            assert start >= previous_passage_end  # passages do not overlap
            previous_passage_end = end
        else:
            children = node.relationships[NodeRelationship.CHILD]
            assert children and all(by_id[c.node_id].metadata["level"] == "passage" for c in children)
    if (text if content is None else content).strip():
        assert any(n.metadata["level"] == "passage" for n in nodes)  # nothing with content is lost


def test_passages_are_sentence_aligned_and_sized(notes_dir: Path, embedder) -> None:
    tokenizer = embedder._model.tokenizer
    params = PassageParams()
    sizes = []
    for path in sorted(notes_dir.glob("*.txt")):
        loaded = load_file(path, path.name)
        text = loaded.source.text
        for node in section_nodes(loaded.source, infer_structure(loaded).sections, params):
            if node.metadata["level"] != "passage":
                continue
            end = node.metadata["end"]
            assert (
                end == len(text)
                or text[end - 1] in ".!?\"')]”’"
                or text[end] in "\r\n"
                or estimate_tokens(node.text) >= params.max_tokens * 0.8
            )  # only over-long sentences are cut
            sizes.append(len(tokenizer(node.text)["input_ids"]))
    assert len(sizes) > 50
    # the word-count proxy keeps passages inside what MiniLM reads (256 pieces) nearly always
    assert sum(s <= 256 for s in sizes) / len(sizes) >= 0.95
    assert max(sizes) <= 384


def test_short_section_is_one_passage_and_ids_are_stable() -> None:
    text = "Optimizer\nAdam keeps running averages of the gradient.\nLoss\nCross entropy compares distributions.\n"
    first = nodes_for(text, "text", PassageParams())
    again = nodes_for(text, "text", PassageParams())
    assert [n.node_id for n in first] == [n.node_id for n in again]
    levels = [n.metadata["level"] for n in first]
    assert levels == ["section", "passage", "section", "passage"]
    assert [n.text for n in first[1::2]] == [
        "Optimizer\nAdam keeps running averages of the gradient.",
        "Loss\nCross entropy compares distributions.",
    ]
    changed = nodes_for(text.replace("Adam", "AdamW"), "text", PassageParams())
    assert not {n.node_id for n in changed} & {n.node_id for n in first}  # new bytes, new ids


ESTIMATE_CASES = [
    "注意力机制让模型关注输入中最相关的部分。" * 3,  # each CJK character is its own word piece
    "LoRA keeps the pretrained weight matrix W_0 frozen and learns a low-rank update.",
    "def adam(grad, params, lr=0.001, beta1=0.9, beta2=0.999):",
]


@pytest.mark.parametrize("text", ESTIMATE_CASES)
def test_token_estimate_tracks_the_real_tokenizer(text: str, embedder) -> None:
    real = len(embedder._model.tokenizer(text, add_special_tokens=False)["input_ids"])
    assert 0.6 * real <= estimate_tokens(text) <= 1.6 * real
