"""Structure inference on the user's real notes and on formats with declared headings."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.loaders import LoadedFile, load_file
from ingest.schema import Section, SourceDoc, sha256_bytes
from ingest.sections import clip_spans
from ingest.structure import DocStructure, infer_structure, spans_by_section, toc_title
from tests.scaling import assert_linear


def structure_of(notes_dir: Path, prefix: str) -> tuple[str, DocStructure]:
    path = next(notes_dir.glob(f"{prefix}_*.txt"))
    loaded = load_file(path, path.name)
    return loaded.source.text, infer_structure(loaded)


def check_spans(text: str, structure: DocStructure) -> None:
    previous_end = 0
    for section in structure.sections:
        assert previous_end <= section.start < section.end <= len(text)
        body = text[section.start : section.end]
        assert body == body.strip()
        assert section.breadcrumbs[0] == structure.title and section.breadcrumbs[-1] == section.title
        previous_end = section.end


TOC_CASES = [
    # (words after "Table of Contents", expected title): the body repeats the first heading
    ("Key Concepts Key Concepts Traditional Fine-Tuning Fine-tuning a model", "Key Concepts"),
    ("What is cuDNN? Setting up cuDNN Handling Errors Pooling What is cuDNN? NVIDIA cuDNN", "What is cuDNN?"),
    ("Notes from (Friedman 2001) Notes from (Friedman 2001) Many machine", "Notes from (Friedman 2001)"),
    # a coincidental repeat that ends on "of" is not the title: the whole ToC before it is
    ("Bag of Visual Words Bag of Words is a technique", "Bag of Visual Words"),
    # no repeat at all: the first few capitalized words
    (
        "Native Patch Extraction Changing Perspective The Mechanics of as_strided This post",
        "Native Patch Extraction",
    ),
    # a generic first heading is taken alone, not glued to the next heading
    ("Introduction Text Preprocessing Tasks Introduction Text Preprocessing Character-level", "Introduction"),
]


@pytest.mark.parametrize(("toc", "title"), TOC_CASES)
def test_toc_title_rule(toc: str, title: str) -> None:
    assert toc_title(toc.split()) == title


def test_blog_export_articles(notes_dir: Path) -> None:
    text, structure = structure_of(notes_dir, "000")
    check_spans(text, structure)
    toc_lines = [line for line in text.splitlines() if line.startswith("Table of Contents")]
    assert len(structure.sections) == len(toc_lines)  # one article per ToC line, nothing before the first
    titles = [s.title for s in structure.sections]
    assert titles[:3] == ["Key Concepts", "Native Patch Extraction", "What is cuDNN?"]
    lora = structure.sections[0]
    assert "Low Rank Adaptation (LoRA)" in text[lora.start : lora.end]
    assert "Patch extraction" not in text[lora.start : lora.end]  # the next article is its own section
    assert all(text[s.start : s.end].startswith("Table of Contents") for s in structure.sections)


def test_second_blog_export(notes_dir: Path) -> None:
    text, structure = structure_of(notes_dir, "002")
    check_spans(text, structure)
    titles = [s.title for s in structure.sections]
    for expected in [
        "Bag of Visual Words",
        "Unsupervised Pre-training",
        "Notes from (Friedman 2001)",
        "Vision Transformer (ViT) (Dosovitskiy et al. 2021)",
        "Generalization",
    ]:
        assert expected in titles
    assert text[structure.sections[0].start :].startswith("How can LLMs")  # the untitled preamble is kept


def test_flashcards_are_one_section_each(notes_dir: Path) -> None:
    text, structure = structure_of(notes_dir, "001")
    check_spans(text, structure)
    assert structure.title == "Deep Learning Flashcards"
    by_title = {s.title: s for s in structure.sections}
    relu = by_title["What does ReLu stand for? And what does it mean?"]
    assert text[relu.start : relu.end].startswith("Deep Learning Flashcards\nWhat does ReLu stand for?")
    assert "Rectified Linear Unit" in text[relu.start : relu.end]
    assert "What type of neural network" not in text[relu.start : relu.end]
    for question in [
        "What is the vanishing gradient problem?",
        "Why the need for learning rate decay?",
        "What is batch norm",
        "Explain gradient descent",
        "How does dropout regularisation work in NN",
    ]:
        section = by_title[question]
        assert text[section.start : section.end].startswith(question)
    question_lines = [ln for ln in text.splitlines() if ln.strip().endswith("?") and len(ln.split()) <= 30]
    assert sum(1 for s in structure.sections if s.title.endswith("?")) >= 0.8 * len(question_lines)
    # a short answer line right after its question stays the answer, not a new topic
    assert "Relu" not in by_title and "Rectified Linear Unit" not in by_title


def test_list_style_notes_topics(notes_dir: Path) -> None:
    text, structure = structure_of(notes_dir, "003")
    check_spans(text, structure)
    assert structure.title == "2024 Technical Notes"
    by_title = {s.title: s for s in structure.sections}
    for topic in ["LoRA", "Normalization", "Optimizer", "Perplexity", "CLIP", "RAG"]:
        assert topic in by_title
    lora = by_title["LoRA"]
    assert text[lora.start : lora.end].startswith("LoRA\nLoRA updates the weight matrix")
    assert "keeping the original fixed" in text[lora.start : lora.end]
    assert "Normalization" not in text[lora.start : lora.end]
    assert by_title["How to reduce overfitting?"].breadcrumbs == (
        "2024 Technical Notes",
        "Fundamentals of Deep Learning",
        "Common Questions",
        "How to reduce overfitting?",
    )


def test_notion_header_is_not_content(notes_dir: Path) -> None:
    text, structure = structure_of(notes_dir, "004")
    check_spans(text, structure)
    header_end = text.index("password") + len("password")
    assert structure.sections[0].start > header_end
    assert structure.title == "High Performance Deep-learning(CSE 5449)"
    assert {"Definitions", "Stochastic Gradient Descent (SGD)", "Hyperparameter"} <= {
        s.title for s in structure.sections
    }


def test_markdown_headings_nest_in_breadcrumbs(fixtures_dir: Path) -> None:
    loaded = load_file(fixtures_dir / "notes.md", "notes.md")
    structure = infer_structure(loaded)
    check_spans(loaded.source.text, structure)
    assert [s.breadcrumbs for s in structure.sections] == [
        ("Transformers",),
        ("Transformers", "Positional encoding"),
        ("Transformers", "Positional encoding", "Relative positions"),
        ("Transformers", "Layer norm"),
    ]
    fenced = structure.sections[1]
    assert "# not a heading inside a fence" in loaded.source.text[fenced.start : fenced.end]


def test_html_headings_become_sections(fixtures_dir: Path) -> None:
    loaded = load_file(fixtures_dir / "page.html", "page.html")
    structure = infer_structure(loaded)
    check_spans(loaded.source.text, structure)
    assert [s.breadcrumbs for s in structure.sections] == [
        ("Attention",),
        ("Attention", "Multi-Head Attention"),
        ("Attention", "Masking"),
    ]


def test_long_runs_are_lists_but_questions_stay_cards() -> None:
    text = (
        "Study Notes\n"
        "Models\nBERT\nGPT\nBLOOM\nT5\n"  # a list of names, not five nested headings
        "What is BERT?\nAn encoder trained with masked language modelling.\n"
        "What is GPT?\nA decoder trained to predict the next token.\n"
        "What is T5?\nWhat is BART?\n"  # a card with no answer of its own opens the next card
        "An encoder-decoder model trained to reconstruct corrupted text.\n"
    )
    structure = infer_structure(LoadedFile(SourceDoc("n.txt", text, sha256_bytes(text.encode())), "text"))
    check_spans(text, structure)
    titles = [s.title for s in structure.sections]
    assert titles == ["Study Notes", "What is BERT?", "What is GPT?", "What is BART?"]
    assert text[structure.sections[0].start : structure.sections[0].end].endswith("BLOOM\nT5")
    assert text[structure.sections[-1].start :].startswith("What is T5?\nWhat is BART?")


def test_a_card_that_asks_for_a_difference_is_a_question() -> None:
    text = (
        "Flashcards\n"
        "Diff between machine translation and language model\n"
        "Machine translation is a conditional language model.\n"
        "Difference between batch norm and layer norm\n"
        "Batch norm normalises over the batch, layer norm over the features.\n"
    )
    structure = infer_structure(LoadedFile(SourceDoc("n.txt", text, sha256_bytes(text.encode())), "text"))
    check_spans(text, structure)
    assert [s.title for s in structure.sections] == [
        "Diff between machine translation and language model",
        "Difference between batch norm and layer norm",
    ]


SPAN = st.tuples(st.integers(0, 60), st.integers(1, 30)).map(lambda p: (p[0], p[0] + p[1]))


@settings(max_examples=300, deadline=None)
@given(st.lists(SPAN, max_size=20), st.lists(SPAN, max_size=8))
def test_spans_by_section_finds_what_clipping_every_span_finds(spans: list, bounds: list) -> None:
    sections = [Section("s", ("s",), s, e) for s, e in bounds]  # any order, overlapping too
    for section, found in zip(sections, spans_by_section(spans, sections), strict=True):
        assert clip_spans(found, section.start, section.end) == clip_spans(spans, section.start, section.end)


def sectioned_latex(n: int) -> LoadedFile:
    """A .tex file of `n` labelled sections, each with a comment line (context) and a line of text."""
    text = "".join(f"\\section{{Topic {i}}}\\label{{s{i}}}\n% note {i}\nText {i} is here.\n" for i in range(n))
    return LoadedFile(SourceDoc("long.tex", text, sha256_bytes(text.encode())), "latex")


def test_thousands_of_headings_structure_in_linear_time() -> None:
    """12,000 headings took 50 s (each section clipped against every context span, and the top heading level
    recomputed per heading); a sweep and one min() take about 1 s here. Ten times the headings take ~10x the
    CPU time (with the top level recomputed per heading: 49x; each section clipped against every span: 98x)."""
    assert len(infer_structure(sectioned_latex(1_000)).sections) == 1_000
    assert_linear(infer_structure, sectioned_latex, 1_000)
