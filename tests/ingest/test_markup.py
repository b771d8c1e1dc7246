"""Structure of the formats people keep notes in: Markdown, reST, Org, notebooks, PDF outlines."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from ingest.code_blocks import markdown_code
from ingest.errors import SkippedFile
from ingest.loaders import load_file
from ingest.markup import markdown_markup
from ingest.pipeline import CorpusRoot, ingest_corpus
from ingest.structure import infer_structure
from tests.ingest.test_loaders import minimal_pdf

MARKDOWN = """---
title: Study notes
tags: [ml]
---
Intro line about the notes.

Optimizers
==========

Adam keeps running means of gradients. See [[SGD]] and #optim.

```python
# not a heading
x = 1
```

Momentum
--------

- a list item
- another item

# LoRA #

LoRA trains low-rank adapters.
"""

RST = """.. _tut-classes:

*******
Classes
*******

Classes bundle data and behaviour.

Scopes
======

A scope is a textual region.

.. index:: single: nonlocal

Nonlocal
--------

The nonlocal statement rebinds names.

----

Some text after a transition.
"""

ORG = """#+TITLE: Org notes
* Optimizers :ml:
Adam keeps running means.
** TODO Momentum
Momentum smooths updates.
#+BEGIN_SRC python
* not a heading
#+END_SRC
"""


def sections_of(tmp_path: Path, name: str, data: str | bytes) -> tuple[str, list]:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    loaded = load_file(path, name)
    structure = infer_structure(loaded)
    return loaded.source.text, [structure.title, *structure.sections]


def test_markdown_setext_atx_front_matter_and_fences(tmp_path: Path) -> None:
    text, (title, *sections) = sections_of(tmp_path, "notes.md", MARKDOWN)
    assert title == "Study notes"  # from the front matter
    assert [s.breadcrumbs[1:] for s in sections[1:]] == [("Optimizers",), ("Optimizers", "Momentum"), ("LoRA",)]
    front = sections[0]
    assert any(text[s:e].startswith("---\ntitle: Study notes") for s, e in front.context)
    optimizers = text[sections[1].start : sections[1].end]
    assert "# not a heading" in optimizers and "[[SGD]] and #optim" in optimizers  # kept as text
    assert text[slice(*sections[1].context[0])] == "Optimizers\n=========="


def test_markdown_headings_follow_the_code_block_fence_rule() -> None:
    """Headings and code blocks read fences by one rule (ingest.code_blocks): a "```python" line inside an open
    fence opens nothing and closes nothing, so the "# comment" after it is code, not a heading."""
    text = "# Setup\n\n```\nexample:\n```python\n# install the hooks\n```\n\n## After\n\nDone.\n"
    headings = markdown_markup(text).headings
    assert [h.title for h in headings] == ["Setup", "After"]
    (fence,) = markdown_code(text)
    assert text[slice(*fence)] == "```\nexample:\n```python\n# install the hooks\n```"
    assert all(not (fence[0] <= h.start < fence[1]) for h in headings)


def test_rst_titles_levels_and_directives(tmp_path: Path) -> None:
    text, (title, *sections) = sections_of(tmp_path, "classes.rst", RST)
    assert title == "Classes"
    assert [s.breadcrumbs for s in sections] == [("Classes",), ("Classes", "Scopes"), ("Classes", "Scopes", "Nonlocal")]
    first = sections[0]
    assert text[first.start :].startswith(".. _tut-classes:")  # the label opens the section it names
    contexts = [text[s:e] for sec in sections for s, e in sec.context]
    assert ".. index:: single: nonlocal" in contexts and "*******\nClasses\n*******" in contexts
    assert "Some text after a transition." in text[sections[-1].start : sections[-1].end]  # ---- is no title


def test_org_headings_and_keywords(tmp_path: Path) -> None:
    text, (title, *sections) = sections_of(tmp_path, "notes.org", ORG)
    assert title == "Org notes"
    assert [s.breadcrumbs[1:] for s in sections if len(s.breadcrumbs) > 1] == [
        ("Optimizers",),
        ("Optimizers", "Momentum"),
    ]
    assert "* not a heading" in text[sections[-1].start : sections[-1].end]


def notebook(cells: list[dict]) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})


def test_notebook_cells_without_outputs(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "markdown", "source": ["# Training\n", "We fit a model."]},
        {"cell_type": "code", "source": "model.fit(x)", "outputs": [{"text": "SECRET OUTPUT"}]},
        {"cell_type": "markdown", "source": "## Results\nAccuracy went up."},
        {"cell_type": "raw", "source": "raw cell"},
    ]
    text, (title, *sections) = sections_of(tmp_path, "run.ipynb", notebook(cells))
    assert text == "# Training\nWe fit a model.\n\nmodel.fit(x)\n\n## Results\nAccuracy went up."
    assert "SECRET" not in text and "raw cell" not in text
    assert title == "Training" and sections[-1].breadcrumbs == ("Training", "Results")


@pytest.mark.parametrize(
    ("data", "reason"),
    [("{not json", "unreadable notebook"), ('{"cells": 3}', "no list of cells"), (notebook([]), "no markdown")],
)
def test_bad_notebooks_are_skipped(tmp_path: Path, data: str, reason: str) -> None:
    (tmp_path / "bad.ipynb").write_text(data)
    with pytest.raises(SkippedFile, match=reason):
        load_file(tmp_path / "bad.ipynb", "bad.ipynb")


def test_pdf_outline_entries_become_sections(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(minimal_pdf(["Intro about LoRA", "Adam optimizer notes"]))))
    writer.add_outline_item(title="Adam optimizer", page_number=1)
    buffer = io.BytesIO()
    writer.write(buffer)
    text, (_, *sections) = sections_of(tmp_path, "book.pdf", buffer.getvalue())
    assert sections[-1].breadcrumbs[-1] == "Adam optimizer"
    assert text[sections[-1].start :].startswith("Adam optimizer")


def test_every_format_ingests_and_bad_files_are_reported(tmp_path: Path, counting) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text(MARKDOWN)
    (notes / "b.rst").write_text(RST)
    (notes / "c.org").write_text(ORG)
    (notes / "d.ipynb").write_text(notebook([{"cell_type": "markdown", "source": "# T\nText here."}]))
    (notes / "e.ipynb").write_text("{broken")
    report = ingest_corpus([CorpusRoot(notes)], tmp_path / "index", counting)
    assert report.files == 4
    assert [doc for doc, _ in report.skipped] == ["e.ipynb"]
