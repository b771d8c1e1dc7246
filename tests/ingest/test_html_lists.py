"""HTML lists keep the markers the page shows ("• " for <ul>, "1. " for <ol>), and a nested list its indent,
so a Notion or OneNote export's list reads as a list (the quoting writer quotes a terse one whole), where
before its items were bare lines."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders import load_file
from ingest.structure import infer_structure


def loaded_text(tmp_path: Path, page: str) -> tuple[str, list[tuple[str, str]]]:
    (tmp_path / "export.html").write_text(page, encoding="utf-8")
    loaded = load_file(tmp_path / "export.html", "export.html")
    text = loaded.source.text
    return text, [(h.title, text[h.start : h.end]) for h in loaded.headings]


def test_list_items_read_with_the_markers_the_page_shows(tmp_path: Path) -> None:
    page = (
        "<html><body><h2>Adam optimizer</h2>\n<ul>\n  <li>adaptive   moments</li>\n  <li><p>bias correction</p></li>\n"
        "</ul>\n<ol><li>warm up</li><li>decay</li></ol><p>Adam works well by default.</p></body></html>"
    )
    text, headings = loaded_text(tmp_path, page)
    assert text == (
        "Adam optimizer\n• adaptive moments\n• bias correction\n1. warm up\n2. decay\nAdam works well by default."
    )
    assert headings == [("Adam optimizer", "Adam optimizer")]


def test_a_nested_list_keeps_its_indent_and_a_heading_in_an_item_is_found(tmp_path: Path) -> None:
    page = (
        "<h1>Git</h1><ul><li>staging<ul><li>git add</li><li>git reset</li></ul></li>"
        "<li><ul><li>an item that opens with a list</li></ul></li>"
        "<li><h3>Committing</h3></li><li></li><li>push</li></ul>"
    )
    text, headings = loaded_text(tmp_path, page)
    assert text == (
        "Git\n• staging\n  • git add\n  • git reset\n•\n  • an item that opens with a list\n• Committing\n•\n• push"
    )
    assert headings == [("Git", "Git"), ("Committing", "Committing")]  # its span is the title, not the marker


def test_deeply_nested_lists_indent_no_further_than_eight_levels(tmp_path: Path) -> None:
    depth = 5_000  # before the cap, 2 spaces a level: 25 million spaces of indent
    text, _ = loaded_text(tmp_path, "<ul><li>x" * depth + "</li></ul>" * depth)
    lines = text.splitlines()
    assert len(lines) == depth and lines[0] == "• x" and lines[-1] == " " * 16 + "• x"


def test_an_ordered_list_is_numbered_as_the_browser_shows_it(tmp_path: Path) -> None:
    # before, every <ol> was numbered from 1: a list resumed after a paragraph read "1. third"
    page = (
        "<h1>Training loop</h1>"
        '<ol start="3"><li>compute the loss</li><li>step the optimizer</li></ol>'
        '<ol><li>load a batch</li><li value="7">clip gradients</li><li>log</li></ol>'
        "<ol reversed><li>three</li><li>two</li><li>one</li></ol>"
        '<ol reversed start="10"><li>ten</li><li value="4">four</li><li>three</li></ol>'
        '<ol start="x"><li>unreadable start</li></ol><ul><li value="5">a value in a ul</li></ul>'
    )
    text, _ = loaded_text(tmp_path, page)
    assert text.splitlines()[1:] == [
        "3. compute the loss",
        "4. step the optimizer",
        "1. load a batch",
        "7. clip gradients",
        "8. log",
        "3. three",
        "2. two",
        "1. one",
        "10. ten",
        "4. four",
        "3. three",
        "1. unreadable start",
        "• a value in a ul",
    ]


def test_a_number_past_32_bits_is_ignored_as_the_browser_ignores_it(tmp_path: Path) -> None:
    # before, any number of up to 10 digits was used: "4294967296. a" where the page shows "1. a"
    page = (
        '<ol start="2147483647"><li>last 32-bit number</li></ol>'
        '<ol start="4294967296"><li>past 32 bits</li></ol>'
        '<ol start="-2147483649"><li>below 32 bits</li><li value="9999999999">a value past 32 bits</li></ol>'
    )
    text, _ = loaded_text(tmp_path, page)
    assert text.splitlines() == [
        "2147483647. last 32-bit number",
        "1. past 32 bits",
        "1. below 32 bits",
        "2. a value past 32 bits",
    ]


def test_a_lettered_or_roman_list_is_written_as_the_browser_shows_it(tmp_path: Path) -> None:
    # review P3-4: before, type="a", "A", "i" and "I" lists read "1. 2. 3." where the page shows "a. b. c."
    page = (
        '<ol type="a"><li>alpha</li><li>beta</li><li>gamma</li></ol>'
        '<ol type="A" start="26"><li>twenty-sixth</li><li>twenty-seventh</li></ol>'
        '<ol type="i" start="3"><li>three</li><li value="9">nine</li><li>ten</li></ol>'
        '<ol type="I" reversed><li>four</li><li>three</li><li>two</li><li>one</li></ol>'
        # an item's own type overrides its list's; a type HTML does not know is decimal
        '<ol type="a"><li>first</li><li type="1">second</li><li type="I">third</li></ol><ol type="x"><li>x</li></ol>'
        # no letter for 0, no roman numeral past 3999: decimal, as CSS falls back
        '<ol type="a" start="0"><li>zero</li></ol><ol type="i" start="3999"><li>3999</li><li>4000</li></ol>'
    )
    text, _ = loaded_text(tmp_path, page)
    assert text.splitlines() == [
        "a. alpha",
        "b. beta",
        "c. gamma",
        "Z. twenty-sixth",
        "AA. twenty-seventh",
        "iii. three",
        "ix. nine",
        "x. ten",
        "IV. four",
        "III. three",
        "II. two",
        "I. one",
        "a. first",
        "2. second",
        "III. third",
        "1. x",
        "0. zero",
        "mmmcmxcix. 3999",
        "4000. 4000",
    ]


def test_a_lettered_item_of_a_page_without_headings_is_no_title(tmp_path: Path) -> None:
    """Numbered "1. Gradient Descent Steps" is a list's line by its marker; lettered "A. ..." and roman "II. ..."
    items are list lines the loader wrote (`LoadedFile.items`), not a run of titles that opens a section (before:
    both items were a section's context, never quoted)."""
    for kind, markers in [("A", ("A. ", "B. ")), ("I", ("I. ", "II. ")), ("1", ("1. ", "2. "))]:
        page = (
            f'<p>Optimizers update weights in different ways.</p><ol type="{kind}"><li>Gradient Descent Steps</li>'
            "<li>Momentum Averages Steps</li></ol><p>Adam combines both of them well.</p>"
        )
        (tmp_path / "export.html").write_text(page, encoding="utf-8")
        loaded = load_file(tmp_path / "export.html", "export.html")
        text = loaded.source.text
        first, second = markers
        assert text.splitlines()[1:3] == [f"{first}Gradient Descent Steps", f"{second}Momentum Averages Steps"]
        assert [text[s : s + len(m)] for s, m in zip(loaded.items, markers, strict=True)] == [first, second]
        sections = infer_structure(loaded).sections
        assert [(s.start, s.end, s.context) for s in sections] == [(0, len(text), ())], kind
