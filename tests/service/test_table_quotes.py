"""Which lines of a passage are table rows, and how a row reads (service.table_quotes), on the text the loaders
make of each format; expected readings written by hand."""

from __future__ import annotations

import pytest

from service.table_quotes import table_lines

MARKDOWN = "| Optimizer | lr |\n|---|:-:|\n| SGD | 1e-2 |\n| Adam \\| AdamW | `lr|wd` |\n"
HEADER = (0, MARKDOWN.index("|:-:|") + len("|:-:|"))  # the header row and its rule: context, as ingest marks them


@pytest.mark.parametrize(
    ("text", "doc", "context", "readings"),
    [
        # header-labelled; an escaped pipe and a pipe in code stay in their cell
        (
            MARKDOWN,
            "opt.md",
            [HEADER],
            [None, None, "Optimizer: SGD; lr: 1e-2", "Optimizer: Adam | AdamW; lr: `lr|wd`"],
        ),
        # the passage begins below the header: the cells joined, two as "term: what it says"
        ("| SGD | 1e-2 | momentum |\n| Adam | 1e-3 | |", "opt.md", [], ["SGD; 1e-2; momentum", "Adam: 1e-3"]),
        # GitHub's table without edge pipes, under its rule
        ("Name | lr\n--- | ---\nAdam | 1e-3", "opt.md", [(0, 19)], [None, None, "Name: Adam; lr: 1e-3"]),
        # a wide rule with no header above it is still a rule, never a row
        ("| a | b |\n|------------|------------|\n| c | d |", "t.org", [], ["a: b", None, "c: d"]),
        # Org: a rule between body rows is a rule; the row above it a body row, read under the header (ingest.markup
        # marks only the first rule's row above as context)
        (
            "| Method | Penalty |\n|---+---|\n| Ridge | squared |\n|---+---|\n| Lasso | absolute |",
            "reg.org",
            [(0, 30), (51, 60)],  # the header with its rule, and the mid-table rule alone
            [None, None, "Method: Ridge; Penalty: squared", None, "Method: Lasso; Penalty: absolute"],
        ),
        # an Obsidian callout's table: its rows read past the "> " (the title and header are context, as ingest marks)
        (
            "> [!note] Optimizers\n> | Optimizer | lr |\n> |---|---|\n> | SGD | 1e-2 |",
            "opt.md",
            [(0, 20), (21, 53)],
            [None, None, "Optimizer: SGD; lr: 1e-2"],
        ),
        # an HTML or Word row: cells joined by " | ", no edge pipes
        ("Kernel | Formula\nLinear | x dot y", "k.html", [(0, 16)], [None, "Kernel: Linear; Formula: x dot y"]),
        ("Likelihood | Prior\nBinomial | Beta", "h.docx", [], ["Likelihood: Prior", "Binomial: Beta"]),
    ],
)
def test_rows_read_as_sentences(text: str, doc: str, context: list[tuple[int, int]], readings: list) -> None:
    assert [t.reading for t in table_lines(text, doc, context)] == readings


@pytest.mark.parametrize(
    ("text", "doc", "code"),
    [
        ("Pipe it with `ls | wc -l` to count.", "shell.md", []),  # one line of prose: no table
        ("Run ls | wc -l to count.\nThen grep | sort.", "shell.md", []),  # prose lines with pipes, no edges, no rule
        ("Run ls | wc -l to count.\nThen grep | sort.", "shell.txt", []),
        ("```\na | b\nc | d\n```", "code.md", [(0, 19)]),  # a code block's lines are code
        ("\\begin{tabular}{l|r}\na & b \\\\ \\hline\n\\end{tabular}", "t.tex", []),  # LaTeX: never
        ("Odd | one\nRow | with | three", "page.html", []),  # an HTML page's lines of unequal cells: prose
        # a formula in an HTML or Word paragraph: no loader writes a row's "|" without spaces or in parentheses
        ("P(A|B) = P(B|A) P(A) / P(B)\nP(B|A) P(A) = P(A|B) P(B)", "bayes.html", []),
        ("soft:\nP(A|B) = x\nP(B|A) = y", "bayes.docx", []),
        ("f(a | b) = c\ng(a | b) = d", "f.htm", []),
        ("> Run ls | wc -l to count.\n> Then grep | sort.", "shell.md", []),  # quoted prose with pipes
        (">>> a | b\n>>> c | d", "sets.rst", []),  # doctest lines are no quoted table rows
    ],
)
def test_prose_and_code_with_pipes_are_no_table(text: str, doc: str, code: list[tuple[int, int]]) -> None:
    assert table_lines(text, doc, (), code) == []


def test_html_and_word_rows_are_the_lines_their_loader_marks() -> None:
    from ingest.docx import load_docx
    from ingest.html import load_html
    from tests.ingest.docx_files import docx_bytes

    page = load_html(
        "shell.html",
        b"<p>Run ls | wc -l to count.</p><p>Then grep | sort.</p>"
        b"<table><tr><th>Kernel</th><th>Formula</th></tr><tr><td>Linear</td><td>x dot y</td></tr>"
        b"<tr><td></td><td>P(A|B)</td></tr><tr><td>one cell</td></tr>"
        b"<tr><td><p>two</p><p>lines</p></td><td>x</td></tr></table>",
    )
    text = page.source.text
    assert text == (
        "Run ls | wc -l to count.\nThen grep | sort.\nKernel | Formula\nLinear | x dot y\n| P(A|B)\none cell\n"
        "two\nlines\n| x"
    )
    # rows of two cells or more on one line each; the prose, a one-cell row and a row of blocks are none
    assert [text[s:e] for s, e in page.rows] == ["Kernel | Formula", "Linear | x dot y", "| P(A|B)"]
    marked = table_lines(text, "shell.html", page.context, page.code, page.rows)
    assert [(text[t.start : t.end], t.reading) for t in marked] == [
        ("Kernel | Formula", None),  # the <th> row: its header, never quoted
        ("Linear | x dot y", "Kernel: Linear; Formula: x dot y"),
        ("| P(A|B)", "Formula: P(A|B)"),  # an empty first cell; the "|" in a cell's words stays
    ]
    # an index built before rows were marked (None) guesses from the text, as before
    assert (
        table_lines("Run ls | wc -l to count.\nThen grep | sort.", "shell.html")[0].reading == "Run ls: wc -l to count."
    )

    word = load_docx(
        "w.docx",
        docx_bytes(
            [(None, "Run ls | wc -l to count.\nThen grep | sort."), ("table", [["Binomial", "Beta"], ["Poisson", ""]])]
        ),
    )
    text = word.source.text
    readings = [(text[t.start : t.end], t.reading) for t in table_lines(text, "w.docx", word.context, (), word.rows)]
    assert readings == [("Binomial | Beta", "Binomial: Beta"), ("Poisson |", "Poisson")]


def test_a_marked_row_the_passage_cut_is_no_row() -> None:
    text = "Linear | x dot y\nGaussian | exp"
    # (17, 25) is "Gaussian" alone: a row the passage bound cut, not a whole line
    assert [t.reading for t in table_lines(text, "k.html", (), (), [(0, 16), (17, 25)])] == ["Linear: x dot y"]


def test_a_rows_subject_is_its_first_filled_cell_as_its_rule_splits_it() -> None:
    """What a row is about (a comparison question names two rows' subjects): a marked HTML row's "|" inside a cell
    stays in it ("P(A|B)", not "P(A" as the Markdown rule would split it); a Markdown row's edge pipes and empty
    first cell are skipped."""
    text = "Formula | Name\nP(A|B) | the posterior"
    (row,) = [t for t in table_lines(text, "bayes.html", [(0, 14)], (), [(0, 14), (15, 37)]) if t.reading]
    assert (row.subject, row.reading) == ("P(A|B)", "Formula: P(A|B); Name: the posterior")
    markdown = "| Optimizer | lr |\n|---|---|\n| | 1e-2 |\n| Adam | 1e-3 |"
    rows = [t for t in table_lines(markdown, "optim.md", [(0, 18)]) if t.reading]
    assert [t.subject for t in rows] == ["1e-2", "Adam"]
