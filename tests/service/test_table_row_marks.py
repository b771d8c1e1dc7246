"""HTML and Word notes: the loaders say which lines are table rows (`LoadedFile.rows`, carried to each passage
as `row_spans`) and which "|" stand between their cells (`cell_break_spans`), so the quoting writer reads rows and
cells from those marks, not from "|" in the text. Before, two prose
lines with spaced pipes ("Run ls | wc -l ..." / "Then grep | sort ...") were taken for a table and their quote
rewritten "Run ls: wc -l ..."."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from ingest.html import load_html
from ingest.loaders import load_file
from ingest.passages import leaves, section_nodes
from ingest.structure import infer_structure
from retrieval.retriever import Hit, hit_from_node
from service.table_quotes import hit_table_lines
from tests.ingest.docx_files import docx_bytes
from tests.notes_settings import assert_answer_quotes, notes_client

NOTES = {
    "shell.html": (
        "<html><body><h1>Counting files in the shell</h1>"
        "<p>Run ls | wc -l to count the files in a folder.</p>"
        "<p>Then grep | sort to list matching names in order.</p>"
        "<table><tr><th>Command</th><th>What it prints</th></tr>"
        "<tr><td>wc -l</td><td>the number of lines it reads</td></tr>"
        "<tr><td>uniq -c</td><td>each distinct line with its count</td></tr></table>"
        "</body></html>"
    ),
    # one Word paragraph of two lines (Shift+Enter), each with one spaced pipe
    "columns.docx": docx_bytes(
        [
            ("berschrift1", "Columns of a text file"),
            (None, "Run cut -f1 | sort to order the first column.\nThen head | tail to take a middle slice."),
        ]
    ),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with notes_client(tmp_path_factory.mktemp("marked_rows"), NOTES) as c:
        yield c


@pytest.mark.parametrize(
    ("question", "doc", "line"),
    [
        ("How do I count the files in a folder?", "shell.html", "Run ls | wc -l to count the files in a folder."),
        ("How do I order the first column?", "columns.docx", "Run cut -f1 | sort to order the first column."),
    ],
)
def test_prose_with_spaced_pipes_is_quoted_as_written(client: httpx.Client, question: str, doc: str, line: str) -> None:
    answer = assert_answer_quotes(client, question, line, line.rstrip("."), doc=doc)
    assert ": " not in answer["text"], answer["text"]  # before: "Run ls: wc -l to count ..."


def test_a_marked_row_still_reads_under_its_header(client: httpx.Client) -> None:
    reading = "Command: uniq -c; What it prints: each distinct line with its count"
    assert_answer_quotes(client, "What does uniq -c print?", "uniq -c | each distinct line with its count", reading)


def test_rows_travel_with_each_passage_and_a_markdown_note_marks_none(tmp_path: Path) -> None:
    def hits(name: str, content: str) -> list[Hit]:
        (tmp_path / name).write_text(content, encoding="utf-8")
        loaded = load_file(tmp_path / name, name)
        return [hit_from_node(n, 0.0) for n in leaves(section_nodes(loaded.source, infer_structure(loaded).sections))]

    (page,) = hits("shell.html", NOTES["shell.html"])
    assert [page.text[s - page.start : e - page.start] for s, e in page.row_spans or []] == [
        "Command | What it prints",
        "wc -l | the number of lines it reads",
        "uniq -c | each distinct line with its count",
    ]
    (prose,) = hits("prose.html", "<p>Run ls | wc -l to count.</p><p>Then grep | sort.</p>")
    assert prose.row_spans == []  # the loader marks rows, and here there are none
    (markdown,) = hits("shell.md", "| Command | Prints |\n|---|---|\n| wc -l | lines |\n")
    assert markdown.row_spans is None  # Markdown's rows are read from its pipes


# a cell holding a spaced "|" (a shell pipe, in a <code> too): the loaders mark the "|" between cells
# (`cell_break_spans`), so the cell stays one. Before, "ls | wc -l" was cut at its pipe, the row had three cells, lost
# its 2-cell header and read "count the files in a folder; ls; wc -l" (another command)
COMMANDS = {
    "oneliners.html": (
        "<html><body><h1>Shell one-liners</h1>"
        "<table><tr><th>Task</th><th>Command</th></tr>"
        "<tr><td>count the files in a folder</td><td>ls | wc -l</td></tr>"
        "<tr><td>show the biggest folders</td><td><code>du -sh * | sort -h | tail</code></td></tr></table>"
        "</body></html>"
    ),
    "columns.docx": docx_bytes(
        [
            ("berschrift1", "Columns of a text file"),
            ("header table", [["Task", "Command"], ["order the first column", "cut -f1 | sort"]]),
        ]
    ),
}


@pytest.fixture(scope="module")
def commands(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with notes_client(tmp_path_factory.mktemp("piped_cells"), COMMANDS) as c:
        yield c


@pytest.mark.parametrize(
    ("question", "doc", "row", "reading"),
    [
        (
            "Which command counts the files in a folder?",
            "oneliners.html",
            "count the files in a folder | ls | wc -l",
            "Task: count the files in a folder; Command: ls | wc -l",
        ),
        (
            "How do I show the biggest folders?",
            "oneliners.html",
            "show the biggest folders | du -sh * | sort -h | tail",
            "Task: show the biggest folders; Command: du -sh * | sort -h | tail",
        ),
        (
            "Which command orders the first column?",
            "columns.docx",
            "order the first column | cut -f1 | sort",
            "Task: order the first column; Command: cut -f1 | sort",
        ),
    ],
)
def test_a_cell_holding_a_spaced_pipe_stays_one_cell(
    commands: httpx.Client, question: str, doc: str, row: str, reading: str
) -> None:
    assert_answer_quotes(commands, question, row, reading, doc=doc)


def test_cell_breaks_travel_with_each_passage_and_an_older_index_reads_its_cells_from_the_text() -> None:
    loaded = load_html("oneliners.html", COMMANDS["oneliners.html"].encode())
    (page,) = [hit_from_node(n, 0.0) for n in leaves(section_nodes(loaded.source, infer_structure(loaded).sections))]
    assert [page.text[s - page.start : e - page.start] for s, e in page.cell_break_spans or []] == ["|"] * 3
    assert [t.subject for t in hit_table_lines(page) if t.reading] == [
        "count the files in a folder",
        "show the biggest folders",
    ]
    older = replace(page, cell_break_spans=None)  # an index built before the loaders marked cells
    assert [t.reading for t in hit_table_lines(older) if t.reading] == [
        "count the files in a folder; ls; wc -l",
        "show the biggest folders; du -sh *; sort -h; tail",
    ]
