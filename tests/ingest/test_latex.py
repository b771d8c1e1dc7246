r"""LaTeX notes: sections from sectioning commands, the body only, and what LaTeX does not print (comments,
layout lines, \item markers, formulas too long to quote whole) never quoted; verbatim and listings are code."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import SkippedFile
from ingest.latex import clean_latex, comment_start, latex_code, latex_markup
from ingest.loaders import load_file
from ingest.passages import section_nodes
from ingest.structure import infer_structure
from retrieval.retriever import hit_from_node
from service.extractive import answer_spans
from tests.ingest.test_passages import assert_exact_slices
from tests.scaling import assert_linear

LECTURE = r"""\documentclass{article}
\usepackage{amsmath}
\newcommand{\R}{\mathbb{R}}
\title{Bayesian Inference\\ Lecture 1}
\begin{document}
\maketitle

\section{Priors}\label{sec:priors}
% TODO: the coin example
A prior encodes what we believe before seeing data. % not printed
The posterior is 50\% prior and 50\% data here.
\begin{itemize}
  \item The Beta prior is conjugate to the binomial likelihood.
  \item[Normal] A normal prior on a normal mean gives a normal posterior.
\end{itemize}

\subsection*[Conjugacy]{Conjugate \emph{priors}}
With $k$ successes in $n$ trials the posterior is
\begin{equation}
  \theta \mid k \sim \mathrm{Beta}(a + k, b + n - k).
  \label{eq:beta}
\end{equation}
\paragraph{Acceptance.} Metropolis accepts a proposal with probability
\begin{align}
  \alpha &= \min(1, r) \\
         &= 1 \text{ when } r > 1.
\end{align}

\section{Sampling}
\begin{verbatim}
\section{not a heading} 100% code
\end{verbatim}
Use \verb|x % y| for the remainder of a division.
\input{exercises}
\end{document}
Scraps after the end are not printed.
"""


def context_texts(text: str) -> list[str]:
    """The context spans of all sections, in order: what sections hold but never quote."""
    sections = infer_structure(load_file_text(text)).sections
    return [text[s:e] for s, e in sorted({span for section in sections for span in section.context})]


def test_sections_come_from_sectioning_commands_inside_the_body() -> None:
    structure = infer_structure(load_file_text(LECTURE))
    sections = structure.sections
    assert structure.title == "Bayesian Inference Lecture 1"
    assert [s.breadcrumbs[1:] for s in sections] == [
        ("Priors",),
        ("Priors", "Conjugate priors"),  # the full title, its \emph dropped; not the short [Conjugacy]
        ("Priors", "Conjugate priors", "Acceptance"),  # a run-in heading's full stop is no part of its name
        ("Sampling",),
    ]
    # the preamble is in no section, nor are \end{document} and what follows it; \maketitle (layout alone)
    # opens the first section as its context
    assert sections[0].start == LECTURE.index(r"\maketitle")
    assert sections[-1].end == LECTURE.index(r"\input{exercises}") + len(r"\input{exercises}")
    assert_exact_slices(LECTURE, section_nodes(load_file_text(LECTURE).source, sections))


def test_what_latex_does_not_print_is_context_and_code_is_code() -> None:
    assert context_texts(LECTURE) == [
        r"\maketitle",
        r"\section{Priors}\label{sec:priors}",
        "% TODO: the coin example",
        "% not printed",  # "50\%" is no comment
        r"\begin{itemize}",
        r"\item",  # a description item's \item[Normal] names its term: printed, quoted with its text
        r"\end{itemize}",
        r"\subsection*[Conjugacy]{Conjugate \emph{priors}}",
        # display environments the writer quotes whole: their \begin, \label and \end lines are the formula's
        r"\paragraph{Acceptance.}",
        r"\section{Sampling}",
        r"\input{exercises}",
    ]
    verbatim = LECTURE[LECTURE.index(r"\begin{verbatim}") : LECTURE.index(r"\end{verbatim}") + len(r"\end{verbatim}")]
    assert [LECTURE[s:e] for s, e in latex_code(LECTURE)] == [verbatim]  # its \section and % are code
    assert comment_start(r"Use \verb|x % y| here % but this is") == len(r"Use \verb|x % y| here ")


def test_quoted_sentences_are_the_printed_prose() -> None:
    loaded = load_file_text(LECTURE)
    nodes = section_nodes(loaded.source, infer_structure(loaded).sections)
    quotable = [
        LECTURE[hit.start + s : hit.start + e]
        for node in nodes
        if node.metadata["level"] == "passage"
        for hit in [hit_from_node(node, 1.0)]
        for s, e in answer_spans(hit)
    ]
    assert quotable == [
        "A prior encodes what we believe before seeing data.",
        r"The posterior is 50\% prior and 50\% data here.",
        "The Beta prior is conjugate to the binomial likelihood.",
        r"\item[Normal] A normal prior on a normal mean gives a normal posterior.",
        # a display environment, quoted whole with the sentence that leads into it
        LECTURE[LECTURE.index("With $k$") : LECTURE.index(r"\end{equation}") + len(r"\end{equation}")],
        LECTURE[LECTURE.index("Metropolis accepts") : LECTURE.index(r"\end{align}") + len(r"\end{align}")],
        r"Use \verb|x % y| for the remainder of a division.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\newcommand{\\R}{\\mathbb{R}}\n",  # a preamble file
        "\\begin{document}\n\\input{chapter1}\n\\include{chapter2} % the chapters\n\\end{document}\n",  # a main file
    ],
)
def test_a_file_latex_prints_nothing_of_is_skipped_with_the_reason(text: str, tmp_path: Path) -> None:
    path = tmp_path / "main.tex"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SkippedFile, match=r"no text LaTeX would print.*\\input is not followed"):
        load_file(path, "main.tex")


def test_a_fragment_without_document_environment_is_all_body() -> None:
    text = (
        "\\newcommand{\\topic}[1]{\\section{#1}}\n"  # a macro's \section opens no section
        "\\chapter{Variational inference}\n\\label{ch:vi}\n\nVI turns inference into optimization.\n"
    )
    markup = latex_markup(text)
    assert markup.body == (0, len(text)) and markup.title is None
    assert [(h.level, h.title) for h in markup.headings] == [(1, "Variational inference")]
    assert [s.breadcrumbs for s in infer_structure(load_file_text(text)).sections] == [("Variational inference",)]


def test_a_hidden_draft_and_beamer_frames() -> None:
    text = (
        "\\section{Sampling}\n"
        "\\begin{frame}[fragile]{Gibbs sampling}\n"
        "Gibbs draws each parameter from its full conditional.\n"
        "\\end{frame}\n"
        "\\iffalse\n\\section{Old draft}\nNot \\iftrue printed \\fi at all.\n\\fi\n"
        "\\begin{frame}\n\\frametitle{Metropolis}\nMetropolis accepts with probability min(1, r).\n\\end{frame}\n"
    )
    markup = latex_markup(text)
    assert [(h.level, h.title) for h in markup.headings] == [(2, "Sampling"), (4, "Gibbs sampling"), (4, "Metropolis")]
    draft = text[text.index("\\iffalse") : text.index("\\fi\n\\begin{frame}") + len("\\fi")]
    assert draft in [text[s:e] for s, e in markup.context]


def test_titles_lose_their_commands_but_keep_their_math() -> None:
    assert clean_latex(r"The \textbf{ELBO}~and $\mathrm{KL}(q \| p)$ --- a bound\footnote{see Blei}") == (
        r"The ELBO and $\mathrm{KL}(q \| p)$ — a bound"
    )


def test_an_escaped_hash_or_dollar_in_a_title_is_text() -> None:
    """`\\#3` is no macro parameter (`#3` is): the problem set was no section, its text under "Lecture 1"."""
    text = "\\section{Lecture 1}\nIntro.\n\\section{Problem Set \\#3}\nSolve it.\n\\section{Lecture 2}\nMore.\n"
    assert [h.title for h in latex_markup(text).headings] == ["Lecture 1", "Problem Set #3", "Lecture 2"]
    assert clean_latex(r"C\# and F\# cost \$5 or \$6, $x$") == "C# and F# cost $5 or $6, $x$"


def test_a_conditional_inside_a_hidden_draft_does_not_end_it() -> None:
    """TeX skipping an `\\iffalse` counts every `\\if...`: the inner `\\fi` ended the draft early, and its
    section was a heading whose text could be quoted."""
    text = (
        "\\section{Shown}\nShown text.\n\\iffalse\n\\ifdefined\\solutions Solutions are printed. \\fi\n"
        "\\ifthenelse{\\boolean{x}}{a}{b}\n\\section{Hidden draft}\nDraft text.\n\\fi\nAfter the draft.\n"
    )
    markup = latex_markup(text)
    assert [h.title for h in markup.headings] == ["Shown"]
    draft = text[text.index("\\iffalse") : text.index("\\fi\nAfter") + len("\\fi")]
    assert draft in [text[s:e] for s, e in markup.context]


def load_file_text(text: str):  # noqa: ANN201 - a LoadedFile, as load_file gives it for a .tex file
    from ingest.loaders import LoadedFile
    from ingest.schema import SourceDoc, sha256_bytes

    return LoadedFile(SourceDoc("lecture.tex", text, sha256_bytes(text.encode())), "latex")


@pytest.mark.parametrize(
    ("crowded", "n"),
    [
        pytest.param(lambda n: "\\section{" * n, 500, id="unclosed-section"),
        pytest.param(lambda n: "\\begin{frame}{" * n, 500, id="unclosed-frame-title"),
        # a search to the end runs in C: only past a few thousand does it outweigh the rest of the work
        pytest.param(lambda n: "\\begin{equation}\n" * n, 5_000, id="unclosed-equation"),
        pytest.param(lambda n: "\\section{x}" * n, 2_000, id="line-of-headings"),
        # an overlay spec never closed: each one scanned the rest of the line (33 s)
        pytest.param(lambda n: "\\begin{frame}<" * n, 5_000, id="unclosed-overlay"),
        # \verb delimiters never closed (19 s)
        pytest.param(lambda n: "".join(f"\\verb{chr(0x4E00 + i)}" for i in range(n)), 5_000, id="unclosed-verb"),
        pytest.param(lambda n: "text " + "\\verb|" * n + "\n", 5_000, id="run-of-verbs"),
    ],
)
def test_unclosed_and_crowded_commands_stay_linear(crowded, n: int) -> None:  # noqa: ANN001 - a size -> text
    """Each unclosed `\\section{` scanned the rest of the file (3,000 of them: 5.5 s; 30,000: minutes), and a line of
    3,000 headings was read once per heading (11 s); an unclosed equation searched to the end for its \\end. Ten
    times the commands take ~10x the CPU time (each scan to the end put back: 76x to 102x)."""
    assert_linear(latex_markup, crowded, n)
    assert [h.title for h in latex_markup("\\section{A}\\subsection{B}\ntext\n").headings] == ["A", "B"]
