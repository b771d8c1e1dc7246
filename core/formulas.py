r"""Display formulas the quoting writer quotes whole: one home for what ingest and the writer must agree on.

service.extractive quotes a display formula (`$$ $$`, `\[ \]`, or one of these LaTeX environments) whole,
with the sentence that leads into it; ingest.latex leaves such environments quotable, and keeps as context
(read, never quoted) only one longer than the writer can quote, since a line of it alone is a formula cut apart.
"""

from __future__ import annotations

# LaTeX's display-math environments (each also starred); KaTeX, which the page typesets with, knows some of
# them under another name (service/static/js/math.js)
DISPLAY_ENVIRONMENTS = ("equation", "align", "alignat", "flalign", "gather", "multline", "eqnarray", "displaymath")
# a "$$" pair further apart is no formula ("costs $$ ... $$a=b$$" must find "$$a=b$$"); an environment whose
# inside is longer is not quoted (and the search for its end stops there: 10,000 unclosed ones stay linear)
MAX_FORMULA_CHARS = 600
