"""Hand-wrapped HTML (a page written or saved with its text broken over source lines): a newline in running text
is whitespace, as a browser shows it, so a wrapped <li> or <p> is one line of the loaded text. Before, each source
line was a line of its own: "• adaptive" over "moments", so a terse list was no list and a sentence was cut in two.
Only <pre> (a <code> in it too) and an element whose inline style says `white-space: pre`/`pre-wrap`/`pre-line`
keep their line breaks: an inline <code> in a hand-wrapped <li> is one line, as a browser shows it."""

from __future__ import annotations

import html
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.html import load_html
from ingest.loaders import load_file
from ingest.passages import PassageParams, section_nodes
from ingest.structure import infer_structure
from tests.ingest.test_passages import assert_exact_slices

WRAPPED_PAGE = (
    "<html>\n<body>\n<h2>Adam\n  optimizer</h2>\n<ul>\n  <li>adaptive\n      moments</li>\n  <li>\n"
    "    bias correction\n  </li>\n  <li>\n    <p>default lr\n    1e-3</p>\n  </li>\n</ul>\n"
    "<p>Adam keeps a running\naverage of squared gradients.</p>\n"
    "<table>\n  <tr>\n    <th>Optimizer</th>\n    <th>lr</th>\n  </tr>\n  <tr>\n    <td>SGD</td>\n"
    "    <td>1e-2,\n      decayed</td>\n  </tr>\n</table>\n"
    "<pre><code>for step in range(3):\n    update()</code></pre>\n"
    "<ul><li>Run\n<code>git lfs\n  install</code> once,\nthen track</li></ul>\n"
    '<div style="color: gray; white-space: pre-wrap">- caps the gradient norm\n- stops exploding gradients</div>\n'
    "</body>\n</html>\n"
)


def test_wrapped_items_cells_and_inline_code_read_as_one_line_and_pre_keeps_its_lines(tmp_path: Path) -> None:
    (tmp_path / "adam.html").write_text(WRAPPED_PAGE, encoding="utf-8")
    loaded = load_file(tmp_path / "adam.html", "adam.html")
    text = loaded.source.text
    assert text == (
        "Adam optimizer\n"
        "• adaptive moments\n"
        "• bias correction\n"
        "• default lr 1e-3\n"  # the item's text on its marker's line, though a newline and a <p> open it
        "Adam keeps a running average of squared gradients.\n"
        "Optimizer | lr\n"
        "SGD | 1e-2, decayed\n"
        "for step in range(3):\n"
        "update()\n"
        "• Run git lfs install once, then track\n"  # before: "• Run git lfs" over "install once, then track"
        "- caps the gradient norm\n"  # before: one line, "... norm - stops ..."
        "- stops exploding gradients"
    )
    assert [(h.title, text[h.start : h.end]) for h in loaded.headings] == [("Adam optimizer", "Adam optimizer")]
    assert [text[s:e] for s, e in loaded.code] == ["for step in range(3):\nupdate()"]
    assert [text[s:e] for s, e in loaded.context] == ["Optimizer | lr"]


WORD = st.text(alphabet="abcxyz019.,&<>", min_size=1, max_size=8)
GAP = st.sampled_from([" ", "\n", "\n    ", "  \n  ", "\r\n", "\t"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.tuples(WORD, GAP), min_size=1, max_size=12), min_size=1, max_size=8), st.booleans())
def test_wrapped_text_loads_as_its_words_one_line_per_block_and_every_node_is_an_exact_slice(
    blocks: list[list[tuple[str, str]]], items: bool
) -> None:
    tag = "li" if items else "p"
    page = "\n".join(f"<{tag}>\n  {''.join(html.escape(w) + gap for w, gap in words)}</{tag}>" for words in blocks)
    loaded = load_html("n.html", (f"<ul>\n{page}\n</ul>" if items else page).encode())
    marker = "• " if items else ""
    assert loaded.source.text == "\n".join(marker + " ".join(w for w, _ in words) for words in blocks)
    nodes = section_nodes(loaded.source, infer_structure(loaded).sections, PassageParams(min_tokens=8, max_tokens=24))
    assert_exact_slices(loaded.source.text, nodes)


def test_the_last_white_space_style_decides_and_an_inner_one_overrides_its_parent() -> None:
    page = (
        '<pre style="white-space: normal">a\nb</pre>'
        '<div style="white-space: nowrap; WHITE-SPACE: Pre-Line">c\nd'
        '<span style="white-space:nowrap">e\nf</span>\ng</div>'
    )
    assert load_html("styles.html", page.encode()).source.text == "a b\nc\nde f\ng"
