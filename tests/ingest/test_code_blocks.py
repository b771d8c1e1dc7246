"""Code blocks found by structure inference: exact spans per format, carried as node metadata, cutting nothing."""

from __future__ import annotations

import json
from dataclasses import replace

from ingest.code_blocks import markdown_code, org_code, plain_code, rst_code
from ingest.html import load_html
from ingest.loaders import LoadedFile
from ingest.notebook import load_notebook
from ingest.passages import PassageParams, section_nodes
from ingest.schema import SourceDoc, sha256_bytes
from ingest.structure import infer_structure

MARKDOWN = (
    "# Locks\n"
    "\n"
    "List locks with a GET request.\n"
    "\n"
    "```js\n"
    "// GET https://lfs.example.com/locks?path=a\n"
    "```\n"
    "\n"
    "- an item\n"
    "\n"
    "    a continuation paragraph, not code\n"
    "\n"
    "Indented code follows.\n"
    "\n"
    "    $ git lfs locks\n"
    "    $ git lfs unlock a\n"
    "~~~\n"
    "tilde fence\n"
    "~~~\n"
)
RST = (
    "Title\n"
    "=====\n"
    "\n"
    "For example::\n"
    "\n"
    "   >>> x = 1\n"
    "   1\n"
    "\n"
    "Back to prose.\n"
    "\n"
    ".. code-block:: python\n"
    "   :linenos:\n"
    "\n"
    "   def f():\n"
    "       pass\n"
    "\n"
    ">>> y = 2\n"
    "2\n"
    "\n"
    "- A list item::\n"
    "\n"
    "      literal in item\n"
    "\n"
    "  The item goes on.\n"
    "\n"
    ".. note:: Not code::\n"
)
ORG = (
    "* Heading\n"
    "Prose line.\n"
    "#+BEGIN_SRC python\n"
    "print('hi')\n"
    "#+END_SRC\n"
    ": fixed output\n"
    ": more output\n"
    "#+begin_example\n"
    "an example\n"
    "#+end_example\n"
    "#+BEGIN_SRC sh\n"
    "never closed\n"
)


def test_markdown_fences_and_indented_blocks_but_not_a_list_items_paragraph() -> None:
    assert markdown_code(MARKDOWN) == ((41, 94), (175, 213), (214, 233))
    assert MARKDOWN[41:94] == "```js\n// GET https://lfs.example.com/locks?path=a\n```"  # fence lines included
    assert MARKDOWN[175:213] == "$ git lfs locks\n    $ git lfs unlock a"
    assert MARKDOWN[214:233] == "~~~\ntilde fence\n~~~"


def test_a_fence_in_a_list_item_is_code_at_any_indent() -> None:
    text = "* Write the pointer:\n\n    ```\n    $ git lfs pointer --file=a\n    ```\n\n* Next item\n"
    assert markdown_code(text) == ((26, 68),)
    assert text[26:68] == "```\n    $ git lfs pointer --file=a\n    ```"


def test_plain_text_has_closed_fences_only() -> None:
    text = "Install it:\n```\npip install x\n```\n    indented prose\n~~~\nnever closed\n"
    assert plain_code(text) == ((12, 33),)
    assert text[12:33] == "```\npip install x\n```"


def test_rst_literal_blocks_code_directives_and_doctests() -> None:
    assert rst_code(RST) == ((31, 45), (63, 123), (125, 136), (161, 176))
    assert RST[31:45] == ">>> x = 1\n   1"  # the block after "For example::", not the lead-in
    assert RST[63:123] == ".. code-block:: python\n   :linenos:\n\n   def f():\n       pass"
    assert RST[125:136] == ">>> y = 2\n2"
    assert RST[161:176] == "literal in item"  # "The item goes on." is the item's text again


def test_org_source_and_example_blocks_and_fixed_width_lines() -> None:
    assert org_code(ORG) == ((22, 62), (63, 91), (92, 132))  # the unclosed block is no block
    assert ORG[22:62] == "#+BEGIN_SRC python\nprint('hi')\n#+END_SRC"
    assert ORG[63:91] == ": fixed output\n: more output"
    assert ORG[92:132] == "#+begin_example\nan example\n#+end_example"


def test_html_pre_is_code_in_the_extracted_text() -> None:
    page = b'<h1>Setup</h1><p>Run this once.</p><pre>  git lfs install\n\n  git lfs track "*.psd"\n</pre><p>Done.</p>'
    loaded = load_html("setup.html", page)
    assert loaded.source.text == 'Setup\nRun this once.\ngit lfs install\ngit lfs track "*.psd"\nDone.'
    assert loaded.code == ((21, 58),)


def test_notebook_code_cells_and_fences_in_markdown_cells() -> None:
    cells = [
        {
            "cell_type": "markdown",
            "source": ["# Plots\n", "\n", "Draw one line.\n", "\n", "```\n", "plt.show()\n", "```"],
        },
        {"cell_type": "code", "source": "import matplotlib.pyplot as plt\nplt.plot([1, 2])", "outputs": []},
        {"cell_type": "markdown", "source": "The plot shows a line."},
    ]
    loaded = load_notebook("plots.ipynb", json.dumps({"cells": cells}).encode())
    assert loaded.code == ((25, 43), (45, 93))
    assert loaded.source.text[25:43] == "```\nplt.show()\n```"
    assert loaded.source.text[45:93] == "import matplotlib.pyplot as plt\nplt.plot([1, 2])"


def test_nodes_carry_their_code_spans_and_are_cut_as_without_them() -> None:
    """Code spans are metadata only: the same passages with or without them, each span inside its node."""
    loaded = LoadedFile(SourceDoc("locks.md", MARKDOWN, sha256_bytes(MARKDOWN.encode())), "markdown")
    sections = infer_structure(loaded).sections
    params = PassageParams(min_tokens=8, max_tokens=24)
    nodes = section_nodes(loaded.source, sections, params)
    plain = section_nodes(loaded.source, [replace(s, code=()) for s in sections], params)
    assert [(n.node_id, n.text) for n in nodes] == [(n.node_id, n.text) for n in plain]
    assert all("code_spans" not in n.metadata for n in plain)
    fence = next(n for n in nodes if n.metadata["level"] == "passage" and "// GET" in n.text)
    comment = MARKDOWN.index("// GET"), MARKDOWN.index("\n```\n\n-")
    assert any(s <= comment[0] and comment[1] <= e for s, e in fence.metadata["code_spans"])
    for node in nodes:
        for s, e in node.metadata.get("code_spans", []):
            assert node.metadata["start"] <= s < e <= node.metadata["end"]
