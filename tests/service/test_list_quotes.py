"""Short lists in every note format, read by the real loader and structure inference: a terse passage's list
is one candidate quoted after its title, marks (block ids, trailing tags, task boxes) are read past, "+" bullets
and HTML lists are lists, a nested list is nested (an item of it quoted alone reads after a stub parent item), and
items that are each a sentence are quoted as sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.loaders import load_file
from ingest.passages import section_nodes
from ingest.structure import infer_structure
from models.embedder import Embedder, load_embedder
from retrieval.retriever import Hit, hit_from_node
from service.extractive import answer_spans, best_sentences
from service.list_quotes import cut_spans, led_list_end, list_body, parent_item


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder()


def passage(tmp_path: Path, name: str, text: str) -> Hit:
    """The one passage of a small note, as retrieval returns it (context and code spans from the real loader)."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    loaded = load_file(tmp_path / name, name)
    nodes = section_nodes(loaded.source, infer_structure(loaded).sections)
    (hit,) = [hit_from_node(node, 1.0) for node in nodes if node.metadata["level"] == "passage"]
    return hit


ADAM = "Adam optimizer: adaptive moments; bias correction"
TERSE = [
    # before: no candidate at all (each item shorter than a sentence, and the marks refused the list)
    (
        "optim.md",
        "## Adam optimizer\n- adaptive moments ^a1\n- bias correction ^b2\n- default lr 1e-3\n",
        "Adam optimizer: adaptive moments; bias correction; default lr 1e-3",
    ),
    (
        "tasks.md",
        "## Reading list\n- [ ] attention is all you need\n- [x] deep residual learning #cv\n",
        "Reading list: attention is all you need; deep residual learning",
    ),
    (  # a LaTeX list under its \section (before: each \item quoted alone, and only those of 20 characters)
        "decay.tex",
        "\\section{Weight decay}\n\\begin{itemize}\n  \\item an L2 penalty on parameters\n"
        "  \\item[Default] 1e-4 in AdamW\n  \\item decoupled from the gradient\n\\end{itemize}\n",
        "Weight decay: an L2 penalty on parameters; Default: 1e-4 in AdamW; decoupled from the gradient",
    ),
    # "+" bullets (Markdown, Org): before, no list, and no item long enough to be a sentence
    ("optim.org", "* Adam optimizer\n+ adaptive moments\n+ bias correction\n", ADAM),
    ("optim.md", "## Adam optimizer\n+ adaptive moments\n+ bias correction\n", ADAM),
    # an HTML export (Notion, OneNote): its <li> lines lost their markers, so they were no list
    ("adam.html", "<body><h2>Adam optimizer</h2><ul><li>adaptive moments</li><li>bias correction</li></ul>", ADAM),
    ("steps.html", "<h2>Adam optimizer</h2><ol><li>adaptive moments</li>\n<li>bias correction</li></ol>", ADAM),
]


@pytest.mark.parametrize(("name", "text", "said"), TERSE)
def test_a_terse_list_is_one_candidate_in_every_format(
    tmp_path: Path, embedder: Embedder, name: str, text: str, said: str
) -> None:
    hit = passage(tmp_path, name, text)
    body = list_body(hit, cut_spans(hit))
    assert body is not None and answer_spans(hit) == [body], hit.text
    (best,) = best_sentences(f"What is {said.split(':')[0]}?", [hit], embedder, n=1)
    assert best.text == said
    # cited from its title to its last item, as the source has them
    assert (best.start, best.end) == (hit.start, hit.start + body[1])


def test_items_that_are_each_a_sentence_are_quoted_one_by_one(tmp_path: Path) -> None:
    """Review P2-1: a \\section over two full-sentence \\items became one candidate, so the citation quoted both
    where the sentence that answers was wanted. Markdown reads the same way."""
    first = "The potential scale reduction factor compares between-chain and within-chain variance."
    second = "The effective sample size counts how many independent draws a correlated chain is worth."
    tex = f"\\section{{Convergence}}\n\\begin{{itemize}}\n  \\item {first}\n  \\item {second}\n\\end{{itemize}}\n"
    for hit in (
        passage(tmp_path, "mcmc.tex", tex),
        passage(tmp_path, "mcmc.md", f"## Convergence\n- {first}\n- {second}\n"),
    ):
        assert [hit.text[s:e] for s, e in answer_spans(hit)] == [first, second]
    # one item a stub: the list reads as one note, as terse notes write it
    mixed = passage(tmp_path, "hyper.md", "## Hyperparameter\n- set beforehand\n- Not a part of the trained model.\n")
    assert answer_spans(mixed) == [list_body(mixed, cut_spans(mixed))] != [None]


def test_a_nested_html_list_is_nested(tmp_path: Path) -> None:
    """Nested <ul>s keep their indent, so they are not one run of siblings (review P3-3)."""
    page = "<h2>Git</h2><ul><li>staging<ul><li>git add</li><li>git reset</li></ul></li><li>committing</li></ul>"
    hit = passage(tmp_path, "git.html", page)
    assert hit.text == "Git\n• staging\n  • git add\n  • git reset\n• committing"
    assert list_body(hit, cut_spans(hit)) is None


def test_a_lead_in_takes_its_items_without_their_marks(tmp_path: Path, embedder: Embedder) -> None:
    """Before, an item's trailing block id or tag (context) ended the list, so the lead-in was quoted alone."""
    text = "## Adam\nAdam keeps two running averages of the gradient:\n- the mean ^m1\n- the squares #optim\n"
    hit = passage(tmp_path, "adam.md", text)
    lead = hit.text.index(":") + 1
    assert led_list_end(hit, lead) == hit.text.index("#optim") + len("#optim")
    (best,) = best_sentences("What averages does Adam keep?", [hit], embedder, n=1)
    assert best.text == "Adam keeps two running averages of the gradient: the mean; the squares"


@pytest.mark.parametrize(
    ("parent", "leads"),
    [
        ("staging", True),  # a stub: read as the nested items' title
        ("Staging moves changes into the index.", False),  # a sentence: quoted on its own when it answers
        ("git add and git reset both", False),  # 20 characters or more: a candidate itself
        ("What is staging?", False),  # a question is no title
    ],
)
def test_a_nested_item_is_led_by_a_stub_parent_item(tmp_path: Path, parent: str, leads: bool) -> None:
    text = f"## Git\n- {parent}\n  - git add puts a file's changes into the index\n  - git reset takes them out again\n"
    hit = passage(tmp_path, "git.md", text)
    found = parent_item(hit, hit.text.index("git reset takes"))
    assert (found is not None) == leads
    if found:
        assert hit.text[found.text : found.end] == parent
    assert parent_item(hit, hit.text.index(parent)) is None  # a top item has no parent
