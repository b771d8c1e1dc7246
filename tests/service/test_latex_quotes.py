r"""The quoting writer over LaTeX notes read by the real loader: a display environment (equation, align, gather,
multline) quoted whole with the sentence leading into it; \item lists quoted after their lead-in, a description
item as "Label: text"; \emph and \textbf shown as Markdown while the citation stays the exact source."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import AnswerSettings
from core.text import unwrapped
from ingest.loaders import LoadedFile, load_file
from ingest.passages import PassageParams, estimate_tokens, section_nodes
from ingest.schema import SourceDoc, sha256_bytes
from ingest.structure import infer_structure
from models.embedder import Embedder, load_embedder
from retrieval.retriever import Hit, hit_from_node
from retrieval.terms import TermRarity
from service.extractive import QuoteWeights, answer_spans, best_sentences, led_list_end, quoted, whole_formulas
from tests.scaling import assert_linear
from tests.service.test_latex_answers import FORMULA, MH

ALIGN = "\\begin{align}\n  \\alpha &= \\min(1, r) \\\\\n         &= 1 \\text{ when } r > 1.\n\\end{align}"


def passages(text: str) -> list[Hit]:
    """The passages of a .tex file as retrieval returns them (context and code spans from the real loader)."""
    loaded = LoadedFile(SourceDoc("lecture.tex", text, sha256_bytes(text.encode())), "latex")
    nodes = section_nodes(loaded.source, infer_structure(loaded).sections)
    return [hit_from_node(node, 1.0) for node in nodes if node.metadata["level"] == "passage"]


def quotable(text: str) -> list[str]:
    """Each candidate as the writer would quote it: its span (a lead-in's list included) as the source has it."""
    return [h.text[s : led_list_end(h, e)] for h in passages(text) for s, e in answer_spans(h)]


@pytest.mark.parametrize(
    "environment",
    ["equation", "align", "align*", "gather", "gather*", "multline", "multline*", "alignat", "eqnarray"],
)
def test_a_display_environment_is_quoted_whole_with_its_lead_in(environment: str) -> None:
    formula = f"\\begin{{{environment}}}\n  a &= b + c \\\\\n  d &= e + f.\n  \\label{{eq:x}}\n\\end{{{environment}}}"
    text = f"\\section{{Sums}}\nThe two sums we need are written as\n{formula}\nBoth sums are finite here.\n"
    # before, the environment was context (never quoted) and the lead-in was quoted alone, ending in "as"
    assert quotable(text) == [f"The two sums we need are written as\n{formula}", "Both sums are finite here."]


def test_a_formula_no_sentence_leads_into_is_quoted_whole_alone() -> None:
    text = f"\\section{{MH}}\nMetropolis-Hastings accepts a move.\n{ALIGN}\nA symmetric proposal cancels out.\n"
    assert quotable(text) == ["Metropolis-Hastings accepts a move.", ALIGN, "A symmetric proposal cancels out."]


@pytest.mark.parametrize(
    ("lead", "quoted_with_it"),
    [
        ("The model is", True),  # too short to be quoted alone (20 characters): it goes with its formula
        ("Then:", True),
        ("It is done.", False),  # a finished sentence leads into nothing
        ("\\noindent", False),  # a command, not words
        ("- a list item", False),
        ("Done. We get", False),  # a sentence's end before it: the line is not one unfinished sentence
    ],
)
def test_a_short_unfinished_line_above_a_formula_is_quoted_with_it(lead: str, quoted_with_it: bool) -> None:
    formula = (
        "\\begin{align*}\n  y_j &\\sim \\mathcal{N}(\\theta_j, \\sigma_j^2), \\\\\n  \\theta_j &\\sim N(\\mu, 1).\n"
        "\\end{align*}"
    )
    text = f"\\section{{Schools}}\nEach school reports one estimate.\n{lead}\n{formula}\nThe rest of it follows.\n"
    expected = f"{lead}\n{formula}" if quoted_with_it else formula
    assert quotable(text) == ["Each school reports one estimate.", expected, "The rest of it follows."]


def test_a_formula_too_long_to_quote_whole_is_never_quoted_in_pieces() -> None:
    rows = "".join(f"  x_{{{i}}} &= \\sum_{{j=1}}^{{n}} a_{{{i}j}} \\, y_j + b_{{{i}}} \\\\\n" for i in range(20))
    text = (
        f"\\section{{Linear systems}}\nThe system reads\n\\begin{{align}}\n{rows}\\end{{align}}\nIt has one solution.\n"
    )
    assert len(rows) > 600  # MAX_FORMULA_CHARS: longer than the writer quotes whole, so context, as before
    assert quotable(text) == ["It has one solution."]


def test_a_passage_that_ends_inside_a_formula_quotes_no_line_of_it() -> None:
    """A passage's bound may cut an environment: its lines then pair with nothing and are not quoted alone."""
    text = "The acceptance probability is\n\\begin{align}\n  \\alpha &= \\min(1, r) \\\\\n  &= \\min(1, p(x') / p(x))"
    cut = Hit("n", "mh.tex", "note", ["MH"], 0, len(text), text, 1.0)
    assert [text[s:e] for s, e in answer_spans(cut)] == ["The acceptance probability is"]
    tail = "  &= 1 \\text{ when } r > 1 \\text{ always}.\n\\end{align}\nA symmetric proposal cancels out.\n"
    after = Hit("n", "mh.tex", "note", ["MH"], 0, len(tail), tail, 1.0)
    assert [tail[s:e] for s, e in answer_spans(after)] == ["A symmetric proposal cancels out."]


def unclosed_environments(n: int) -> Hit:
    """A passage of `n` unclosed `\\begin{equation}` and then `n` unclosed `\\begin{align*}`."""
    text = "The posterior is written as\n" + "\\begin{equation}\n" * n + "x = 1\n" + "\\begin{align*}\n" * n
    return Hit("n", "many.tex", "note", ["Many"], 0, len(text), text, 1.0)


def test_thousands_of_unclosed_environments_stay_linear() -> None:
    """Each `\\begin{equation}` looks for its `\\end` in the next MAX_FORMULA_CHARS only (unbounded, 10,000 of
    them scan 170 KB each): ten times the environments take ~10x the CPU time (unbounded: 92x from 300 to
    3,000)."""
    hit = unclosed_environments(10_000)
    spans, lead = answer_spans(hit), whole_formulas(hit.text, [(0, len("The posterior is written as"))])
    assert [hit.text[s:e] for s, e in spans] == ["The posterior is written as"] and lead == [(0, 27)]
    assert_linear(lambda hit: (answer_spans(hit), whole_formulas(hit.text, [(0, 27)])), unclosed_environments, 300)


LISTS = r"""\section{Pooling}
A hierarchical model sits between two extremes:
\begin{description}
  \item[No pooling] Each group is estimated separately; small groups get noisy estimates.
  \item[Complete pooling] All groups share one parameter; real differences are ignored.
\end{description}
Gibbs sampling repeats two steps:
\begin{itemize}
  \item draw $\theta$ given $\mu$
  \item draw $\mu$ given $\theta$
\end{itemize}
The chains are then compared.
"""


def test_an_item_list_is_quoted_after_its_lead_in() -> None:
    (hit,) = passages(LISTS)
    candidates = [(hit.text[s:e], hit.text[s : led_list_end(hit, e)]) for s, e in answer_spans(hit)]
    by_text = dict(candidates)
    # \begin{description} and \begin{itemize} between a lead-in and its items break no list; \end{...} ends it
    lead = "A hierarchical model sits between two extremes:"
    assert by_text[lead] == LISTS[LISTS.index(lead) : LISTS.index(" real differences are ignored.") + 30]
    gibbs = "Gibbs sampling repeats two steps:"
    assert by_text[gibbs] == LISTS[LISTS.index(gibbs) : LISTS.index("given $\\theta$") + len("given $\\theta$")]
    assert quoted(by_text[lead], latex=True) == (
        "A hierarchical model sits between two extremes: No pooling: Each group is estimated separately; small "
        "groups get noisy estimates. Complete pooling: All groups share one parameter; real differences are ignored."
    )
    assert (
        quoted(by_text[gibbs], latex=True)
        == "Gibbs sampling repeats two steps: draw $\\theta$ given $\\mu$; draw $\\mu$ given $\\theta$"
    )
    # a description item is a candidate of its own, its label with it; a plain \item's marker is never quoted
    assert "\\item[No pooling] Each group is estimated separately; small groups get noisy estimates." in by_text
    assert not any(text.startswith("\\item ") or text.startswith("\\item\n") for text in by_text)


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder()


def test_what_is_no_pooling_quotes_its_description_item(embedder: Embedder) -> None:
    """Before, `\\item[No pooling]` was context: the item's text, without the words asked for, lost to the
    sentence about the extremes."""
    (hit,) = passages(LISTS)
    rarity = TermRarity.of_passages([hit.text, "groups of a model", "parameters of a model", "sampling chains"])
    weights = QuoteWeights.of(AnswerSettings())  # the service's scoring
    best, *_ = best_sentences("What is no pooling?", [hit], embedder, n=2, weights=weights, rarity=rarity)
    assert best.text == "No pooling: Each group is estimated separately; small groups get noisy estimates."
    assert LISTS[best.start : best.end] == (
        "\\item[No pooling] Each group is estimated separately; small groups get noisy estimates."
    )  # the citation is the source as written


def test_formatting_reads_as_markdown_and_the_citation_stays_the_source(embedder: Embedder) -> None:
    text = (
        "\\section{Priors}\n"
        "A \\emph{conjugate} prior keeps the \\textbf{posterior} in the prior's family, as \\texttt{beta\\_binom} "
        "and \\underline{every} \\textit{exponential family} show.\n"
        "Mean-field VI tends to \\emph{underestimate} posterior variance with $\\mathrm{KL}(q \\| p)$ and "
        "$\\textbf{x}$.\n"
    )
    (hit,) = passages(text)
    (best,) = best_sentences("What does a conjugate prior keep?", [hit], embedder, n=1)
    assert best.text == (
        "A *conjugate* prior keeps the **posterior** in the prior's family, as `beta_binom` and every "
        "*exponential family* show."
    )
    assert text[best.start : best.end].startswith("A \\emph{conjugate} prior keeps the \\textbf{posterior}")
    assert quoted("tends to \\emph{under \\textbf{estimate}} it, $\\textbf{x}$", latex=True) == (
        "tends to *under **estimate*** it, $\\textbf{x}$"  # the innermost first; math is left to KaTeX
    )


WRAPPED = r"""\section{Mean-field approximation}
The mean-field family assumes the posterior factorizes over groups of parameters,
$q(\theta) = \prod_i q_i(\theta_i)$.
Mean-field VI tends to
\emph{underestimate} posterior variance, because the reverse KL penalizes
putting mass where the posterior has none.
"""


def test_a_line_wrapped_before_math_or_emphasis_stays_in_its_sentence() -> None:
    assert quotable(WRAPPED) == [
        # before: "...groups of parameters," and "$q(\theta) = \prod_i q_i(\theta_i)$." quoted apart
        "The mean-field family assumes the posterior factorizes over groups of parameters,\n"
        "$q(\\theta) = \\prod_i q_i(\\theta_i)$.",
        "Mean-field VI tends to\n\\emph{underestimate} posterior variance, because the reverse KL penalizes\n"
        "putting mass where the posterior has none.",
    ]


@pytest.mark.parametrize(
    ("text", "wrapped"),
    [
        ("Run the tests with\n$ make test", False),  # a shell prompt starts no wrapped line
        ("The estimate is\n$$\na = b\n$$", False),  # a display formula: quoted whole, not unwrapped into
        ("The plan costs\n$5 per month", True),
        ("Mean-field VI tends to\n\\emph{underestimate} it", True),
        ("The inline form\n\\(x^2\\) of it", True),
        ("Two kinds of pooling\n\\item none", False),  # an item is no wrapped line
    ],
)
def test_only_inline_math_and_formatting_continue_a_wrapped_line(text: str, wrapped: bool) -> None:
    assert (unwrapped(text)[text.index("\n")] == " ") is wrapped


TYPESET = [  # (LaTeX source, the answer's text), each derived by hand from LaTeX's rules
    (r"Half of it~\cite{gelman2013}.", "Half of it [gelman2013]."),
    (r"Half of it \citep[see][p.~5]{a, b}.", "Half of it [see a, b, p. 5]."),
    (r"Half of it\cite{3}.", "Half of it[ref 3]."),  # digits alone would read as the answer's source marker [3]
    (r"Shown\nocite{hidden} here.", "Shown here."),
    (r"As in Eq.~\eqref{eq:mh} and Section~\ref{sec:priors}.", "As in Eq. (eq:mh) and Section sec:priors."),
    (r"50\% of R\&D, max\_iter and \#3.", "50% of R&D, max_iter and #3."),
    (r"pages 3--5 --- or more", "pages 3–5 — or more"),
    (r"``Burn-in'' and so on\ldots", "“Burn-in” and so on…"),
    (r"a forced\\ break and Mr.\ Bayes", "a forced break and Mr. Bayes"),
    (r"costs \$5 -- $a--b$ and \texttt{x--y}", "costs \\$5 – $a--b$ and `x--y`"),  # math and code as written
    (r"see \url{http://x.org/~me--a} and~\emph{prior~\cite{k}}", "see http://x.org/~me--a and *prior [k]*"),
]


@pytest.mark.parametrize(("source", "typeset"), TYPESET)
def test_a_latex_quote_reads_as_typeset_and_other_notes_as_written(source: str, typeset: str) -> None:
    assert quoted(source, latex=True) == typeset
    assert quoted(source, latex=False) == source  # a Markdown note about LaTeX is quoted as written


@pytest.mark.parametrize(("opening", "closing"), [("\\begin{align}", "\\end{align}"), ("\\[", "\\]"), ("$$", "$$")])
def test_a_formula_is_kept_in_one_passage_when_it_fits(tmp_path: Path, opening: str, closing: str) -> None:
    """A passage bound used to fall inside a display formula (in MH, right after its opening line): neither
    passage quoted it. Its passage now holds it whole with the line leading into it."""
    text, formula = ((t.replace("\\begin{align}", opening).replace("\\end{align}", closing)) for t in (MH, FORMULA))
    if opening != "\\begin{align}":  # a label belongs to an environment
        text, formula = (t.replace("  \\label{eq:mh}\n", "") for t in (text, formula))
    (tmp_path / "mh.tex").write_text(text)
    loaded = load_file(tmp_path / "mh.tex", "mh.tex")
    nodes = section_nodes(loaded.source, infer_structure(loaded).sections)
    passages = [hit_from_node(n, 1.0) for n in nodes if n.metadata["level"] == "passage"]
    assert len(passages) == 2 and passages[1].text.startswith(formula)
    assert formula in [h.text[s:e] for h in passages for s, e in answer_spans(h)]


def test_a_formula_longer_than_a_passage_is_still_cut() -> None:
    """One that fits in no passage (240 tokens) is cut as before: a passage of it alone would not fit either."""
    lines = [f"Sentence {i} says a little more about chains and their warm-up draws.\n" for i in range(22)]
    prose, lead = "".join(lines), "The chain moves with probability\n"
    long_formula = "\\begin{align}\n" + "  x &= a + b + c + d + e + f + g + h + i + j \\\\\n" * 10 + "\\end{align}\n"
    assert estimate_tokens(long_formula) > PassageParams().max_tokens and len(long_formula) < 600
    text = f"\\section{{MH}}\n{prose}{lead}{long_formula}{prose}"
    loaded = LoadedFile(SourceDoc("mh.tex", text, sha256_bytes(text.encode())), "latex")
    nodes = section_nodes(loaded.source, infer_structure(loaded).sections)
    assert not any(lead + long_formula.rstrip() in n.text for n in nodes if n.metadata["level"] == "passage")
