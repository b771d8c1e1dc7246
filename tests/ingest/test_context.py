"""Context spans: titles, headings and flashcard questions are recorded as context, and a card's
question always shares a passage with the start of its answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from llama_index.core.schema import TextNode

from ingest.docstore import Docstore, write_docstore
from ingest.lines import continues_question, is_question
from ingest.loaders import LoadedFile, load_file
from ingest.passages import PassageParams, estimate_tokens, leaves, section_nodes
from ingest.schema import SourceDoc, sha256_bytes
from ingest.sections import Line
from ingest.structure import infer_structure
from ingest.toc import continued_headings, line_heading_end, toc_body_start
from retrieval.retriever import hit_from_node

NOTES_DIR = Path(__file__).resolve().parents[3] / "shared" / "notes"

DECK = (
    "Deck of Cards\n"
    "What is dropout?\n"
    "Dropout zeroes random activations during training.\n"
    "It keeps units from co-adapting, which regularises the network.\n"
    "Explain gradient descent\n"
    "Gradient descent moves the weights against the gradient of the loss.\n"
    "Each step is scaled by the learning rate.\n"
    "Why normalise inputs? And when?\n"
    "Relu\n"  # a short answer right under its question: an answer, not a title
)


def loaded_for(text: str, fmt: str = "text", doc: str = "deck.txt") -> LoadedFile:
    return LoadedFile(SourceDoc(doc, text, sha256_bytes(text.encode())), fmt)


def nodes_for(text: str, params: PassageParams, fmt: str = "text", doc: str = "deck.txt") -> list[TextNode]:
    loaded = loaded_for(text, fmt, doc)
    return section_nodes(loaded.source, infer_structure(loaded).sections, params)


def context_texts(text: str, node: TextNode) -> list[str]:
    return [text[s:e] for s, e in node.metadata.get("context_spans", [])]


def test_flashcard_questions_are_context_and_answers_are_not() -> None:
    passages = leaves(nodes_for(DECK, PassageParams()))
    assert [context_texts(DECK, p) for p in passages] == [
        ["Deck of Cards", "What is dropout?"],
        ["Explain gradient descent"],
        ["Why normalise inputs? And when?"],
    ]
    assert passages[-1].text == "Why normalise inputs? And when?\nRelu"
    for passage in passages:
        for s, e in passage.metadata["context_spans"]:
            assert passage.metadata["start"] <= s < e <= passage.metadata["end"]


def test_a_question_going_on_to_a_second_line_is_all_context() -> None:
    """ "And what are the different PEFT methods" under the card's first question line is its question too: context,
    not the first line of the answer; the section keeps the first line as its title. A line opening "And" that asks
    nothing ("And it regularises.") is answer."""
    deck = (
        "Fine-tuning Cards\n"
        "What is parameter efficient finetuning\n"
        "And what are the different PEFT methods\n"
        "Freeze the model and train a few new weights.\n"
        "And it regularises.\n"
    )
    (passage,) = leaves(nodes_for(deck, PassageParams()))
    assert context_texts(deck, passage) == [
        "Fine-tuning Cards",
        "What is parameter efficient finetuning",
        "And what are the different PEFT methods",
    ]
    (card,) = infer_structure(loaded_for(deck)).sections
    assert card.breadcrumbs == ("Fine-tuning Cards", "What is parameter efficient finetuning")
    assert not continues_question(Line(0, 19, "And it regularises."))
    assert continues_question(Line(0, 39, "And what are the different PEFT methods"))


def test_a_long_answer_keeps_its_question_in_its_first_passage() -> None:
    answer = " ".join(f"Sentence {i} of the answer explains one more detail." for i in range(12))
    text = f"What is a long answer?\n{answer}\nWhat is a short one?\nIt fits."
    passages = leaves(nodes_for(text, PassageParams(min_tokens=8, max_tokens=40)))
    long_card = [p for p in passages if p.metadata["end"] <= text.index("What is a short")]
    assert len(long_card) > 1  # the answer alone is longer than a passage: it has to be cut
    assert long_card[0].text.startswith("What is a long answer?\nSentence 0")  # never the question alone
    assert all(not p.text.startswith("What is a long") for p in long_card[1:])
    assert passages[-1].text == "What is a short one?\nIt fits."


def test_the_question_costs_nothing_against_the_passage_size() -> None:
    question = "Why would a question that is quite long on its own still travel with the answer below it?"
    answer = "Because the answer is what the passage is for. " * 3
    text = f"{question}\n{answer.strip()}"
    params = PassageParams(min_tokens=8, max_tokens=estimate_tokens(answer) + 2)
    assert estimate_tokens(text) > params.max_tokens
    (passage,) = leaves(nodes_for(text, params))
    assert passage.text == text and context_texts(text, passage) == [question]


def test_markdown_headings_are_context() -> None:
    text = "# Optimizers\n\n## Adam\n\nAdam keeps running averages.\n\n## Momentum\n\nMomentum smooths updates.\n"
    nodes = nodes_for(text, PassageParams(), fmt="markdown", doc="o.md")
    passages = leaves(nodes)
    assert [context_texts(text, p) for p in passages] == [["# Optimizers", "## Adam"], ["## Momentum"]]
    sections = [n for n in nodes if n.metadata["level"] == "section"]
    assert context_texts(text, sections[0]) == ["# Optimizers", "## Adam"]  # a merged hit keeps them too


def test_no_context_means_no_key() -> None:
    text = "Plain words without any title at all, just one sentence of prose that goes on."
    (passage,) = leaves(nodes_for(text, PassageParams()))
    assert "context_spans" not in passage.metadata


BODY_CASES = [
    # (words after "Table of Contents", index of the first body word)
    ("Key Concepts Key Concepts Traditional Fine-Tuning Fine-tuning a model for a specific task", 6),
    ("What is cuDNN? Setting up cuDNN Pooling What is cuDNN? NVIDIA cuDNN provides optimized code", 10),
    ("Native Patch Extraction The Mechanics of as_strided What about RGB? This post is a recreation", 10),
    ("Introduction Tasks Introduction The story of Transformers begins", 3),
    ("Introduction What makes a model deep? Usage Introduction Deep learning is a term", 8),  # a question heading
    ("Introduction Mask R-CNN (He) Introduction Mask R-CNN (He) Mask R-CNN adapts Faster R-CNN to add a branch", 8),
    ("Papers Evaluating Methods Papers https://x.org/y Evaluating Methods Object detection algorithms are", 7),
    ("From GPT to GPT2 These notes provide an overview", 4),
    # a coincidental repeat mid-title: "Bag of Words is ..." is the body, not a heading
    ("Bag of Visual Words Bag of Words is a technique", 4),
    ("Only Headings Here", 3),
]


@pytest.mark.parametrize(("words", "start"), BODY_CASES)
def test_toc_body_starts_at_the_first_sentence_of_prose(words: str, start: int) -> None:
    assert toc_body_start(words.split()) == start


def test_a_body_line_opening_with_a_toc_heading() -> None:
    headings = ["What", "is", "cuDNN?", "Setting", "up", "cuDNN", "Handling", "Errors"]
    assert line_heading_end(["Setting", "up", "cuDNN", "To", "use", "cuDNN", "in", "your", "code"], headings) == 3
    assert line_heading_end(["Handling", "Errors"], headings) == 2
    assert line_heading_end(["Setting", "the", "seed", "matters"], headings) == 0


def test_toc_articles_mark_their_heading_list() -> None:
    text = (
        "Table of Contents What is cuDNN? Setting up cuDNN Pooling What is cuDNN? NVIDIA cuDNN provides "
        "optimized implementations.\nSetting up cuDNN To use cuDNN in your applications, create a handle.\n"
    )
    (passage,) = leaves(nodes_for(text, PassageParams()))
    assert context_texts(text, passage) == [
        "Table of Contents What is cuDNN? Setting up cuDNN Pooling What is cuDNN?",
        "Setting up cuDNN",
    ]


# ---------------------------------------------------------------- the user's notes


def real_passages() -> list[tuple[str, TextNode, list[TextNode]]]:
    """(source text, section, its passages) for every section of the user's notes."""
    if not NOTES_DIR.is_dir():
        pytest.skip(f"the user's notes are not at {NOTES_DIR}")
    out = []
    for path in sorted(NOTES_DIR.glob("*.txt")):
        loaded = load_file(path, path.name)
        nodes = section_nodes(loaded.source, infer_structure(loaded).sections, PassageParams())
        by_id = {n.node_id: n for n in nodes}
        for node in nodes:
            if node.metadata["level"] == "section":
                kids = [by_id[c.node_id] for c in node.child_nodes or []]
                out.append((loaded.source.text, node, kids))
    return out


def is_card_front(text: str, start: int, end: int) -> bool:
    """A context span that is a whole line and a question: a flashcard's front."""
    whole_line = text[start - 1 : start] in ("", "\n") and text[end : end + 1] in ("", "\n", "\r")
    return whole_line and is_question(Line(start, end, text[start:end]))


def test_no_passage_starts_a_flashcard_answer_without_its_question() -> None:
    cards = 0
    for text, section, passages in real_passages():
        spans = section.metadata.get("context_spans", [])
        questions = [(s, e) for s, e in spans if is_card_front(text, s, e)]
        if not questions:
            continue
        cards += 1
        first = passages[0].metadata
        assert all(first["start"] <= s and e <= first["end"] for s, e in questions), passages[0].text[:80]
        assert first["end"] > max(e for _, e in questions)  # the question is not alone: its answer starts here
        if len(passages) > 1:  # only an answer longer than a passage is cut
            answer = text[max(e for _, e in questions) : section.metadata["end"]]
            assert estimate_tokens(answer) > PassageParams().max_tokens, text[section.metadata["start"] :][:80]
    assert cards > 50


def test_no_passage_of_the_notes_ends_on_a_title_or_question() -> None:
    checked = 0
    for text, section, passages in real_passages():
        for passage in passages[:-1]:
            end = passage.metadata["end"]
            assert not any(s < end <= e for s, e in section.metadata.get("context_spans", [])), passage.text[-80:]
            checked += 1
        for passage in passages:
            for s, e in passage.metadata.get("context_spans", []):
                assert text[s:e] == text[s:e].strip() and text[s:e]
    assert checked >= 5  # sections long enough to need more than one passage


def test_the_flashcard_deck_records_every_question() -> None:
    if not NOTES_DIR.is_dir():
        pytest.skip(f"the user's notes are not at {NOTES_DIR}")
    path = next(NOTES_DIR.glob("001_*.txt"))
    loaded = load_file(path, path.name)
    text = loaded.source.text
    spans = {
        text[s:e]
        for n in leaves(section_nodes(loaded.source, infer_structure(loaded).sections, PassageParams()))
        for s, e in n.metadata.get("context_spans", [])
    }
    assert "What is the vanishing gradient problem?" in spans and "Explain gradient descent" in spans
    assert "Rectified Linear Unit" not in spans and "Relu" not in spans  # answers are never context


def test_context_spans_reach_hits_through_the_docstore(tmp_path: Path) -> None:
    nodes = nodes_for(DECK, PassageParams())
    write_docstore(tmp_path / "docstore.sqlite", nodes, [])
    store = Docstore(tmp_path / "docstore.sqlite")
    try:
        stored = store.get_nodes([n.node_id for n in nodes])
    finally:
        store.close()
    for node, back in zip(nodes, stored, strict=True):
        hit = hit_from_node(back, score=1.0)
        assert hit.context_spans == [tuple(span) for span in node.metadata["context_spans"]]
    old = TextNode(id_="old", text="x", metadata={"doc": "d.txt", "start": 0, "end": 1, "level": "passage"})
    assert hit_from_node(old, score=1.0).context_spans == []  # an index written before context spans


def test_a_toc_running_on_into_the_next_line_is_context_up_to_its_body() -> None:
    text = (
        "Table of Contents Introduction Pooling Key Concepts\n"
        "Invariance and Equivariance Padding, Stride Introduction Dense networks are not practical for images.\n"
    )
    (passage,) = leaves(nodes_for(text, PassageParams()))
    assert context_texts(text, passage) == [
        "Table of Contents Introduction Pooling Key Concepts",
        "Invariance and Equivariance Padding, Stride Introduction",
    ]


def test_a_toc_without_body_does_not_take_the_next_lines_sentence() -> None:
    text = "Table of Contents Intro Setup\nThe model is trained on pairs of notes.\n"
    (passage,) = leaves(nodes_for(text, PassageParams()))
    assert context_texts(text, passage) == ["Table of Contents Intro Setup"]


@pytest.mark.parametrize(
    ("toc", "line", "k"),
    [
        ("Introduction Pooling Key Concepts", "Kernel size, dilation Introduction Dense networks are", 4),
        # the first heading repeats on the ToC line itself: the next line is the body, capitalised or not
        ("Introduction Box Introduction Paper link: https://x.org", "Sequential Minimal Optimization is", 0),
        ("Introduction Pooling", "Pooling shrinks maps. Introduction Dense networks are", 0),  # a sentence first
    ],
)
def test_a_heading_list_runs_on_only_up_to_its_first_headings_repeat(toc: str, line: str, k: int) -> None:
    assert continued_headings(toc.split(), line.split()) == k
