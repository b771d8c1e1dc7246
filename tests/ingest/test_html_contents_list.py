"""An HTML page that lists its sections first (a "Contents" list of links, as an exported wiki, Notion or
Confluence page or a docs page has): each heading is the <h2> the page shows, not the contents line of the same
words. Before, headings were found again by searching their titles, the contents line came first, and the SGD
section's text was cited under "Optimizers > Adam"."""

from __future__ import annotations

from pathlib import Path

from ingest.html import load_html
from tests.notes_settings import assert_answer_quotes, notes_client

TOC_PAGE = (
    "<html><body><h1>Optimizers</h1>"
    '<ul><li><a href="#sgd">SGD</a></li><li><a href="#adam">Adam</a></li></ul>'
    '<h2 id="sgd">SGD</h2><p>SGD steps against the gradient of a mini-batch.</p>'
    '<h2 id="adam">Adam</h2><p>Adam keeps running averages of the gradient and its square.</p>'
    "</body></html>"
)


def test_headings_are_the_h2_lines_not_the_contents_lines() -> None:
    loaded = load_html("toc.html", TOC_PAGE.encode())
    text = loaded.source.text
    assert text == (
        "Optimizers\n• SGD\n• Adam\nSGD\nSGD steps against the gradient of a mini-batch.\n"
        "Adam\nAdam keeps running averages of the gradient and its square."
    )
    sgd_line = text.index("\nSGD\n") + 1  # the <h2>, after the contents lines "• SGD" and "• Adam"
    adam_line = text.index("\nAdam\n") + 1
    assert [(h.level, h.title, h.start, h.end) for h in loaded.headings] == [
        (1, "Optimizers", 0, 10),
        (2, "SGD", sgd_line, sgd_line + 3),
        (2, "Adam", adam_line, adam_line + 4),
    ]


def test_a_heading_in_a_list_item_and_a_repeated_title_keep_their_own_lines() -> None:
    page = "<h1>Notes</h1><ul><li>Notes</li><li><h3>Notes</h3></li></ul><p>Notes</p><h2>Notes</h2>"
    loaded = load_html("repeat.html", page.encode())
    text = loaded.source.text
    assert text == "Notes\n• Notes\n• Notes\nNotes\nNotes"
    assert [(h.level, h.start) for h in loaded.headings] == [(1, 0), (3, 16), (2, 28)]
    assert all(text[h.start : h.end] == "Notes" for h in loaded.headings)


def test_an_answer_about_a_section_cites_it_under_its_own_heading(tmp_path: Path) -> None:
    with notes_client(tmp_path, {"toc.html": TOC_PAGE}) as client:
        answer = assert_answer_quotes(
            client, "What does SGD step against?", "SGD steps against the gradient of a mini-batch.", "SGD steps"
        )
        cited = next(c for c in answer["citations"] if "SGD steps" in c["quote"])
        assert cited["breadcrumbs"][-1] == "SGD", cited["breadcrumbs"]
        assert "Adam" not in cited["breadcrumbs"]
