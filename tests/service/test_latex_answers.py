r"""LaTeX notes answered over HTTP by the real pipeline (real loader, embedder, index and quoting writer): the
answer reads as the page prints the notes (a citation "[key]", "%" for `\%`, dashes, quotes and spaces typeset)
while its citation is the source as written, and a display formula that a passage bound used to cut in two is
quoted whole with the sentence that leads into it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.notes_settings import assert_answer_quotes, notes_client

# the section is about two passages long (240 tokens each at most): before, the bound fell right after
# "\begin{align}", so neither passage quoted the formula (one held its \begin, the other its \end)
MH = r"""\documentclass{article}
\begin{document}
\section{Metropolis-Hastings}
Markov chain Monte Carlo draws dependent samples from a distribution known only up to a constant.
A chain starts anywhere in the parameter space and wanders towards regions of high probability.
Each iteration proposes a new state from a proposal distribution centred on the current state.
The proposal may be a Gaussian random walk, an independence sampler or a Langevin step.
Early draws depend on the starting point, so the first part of every chain is discarded as warm-up.
Several chains started far apart show whether they all reach the same stationary distribution.
The split potential scale reduction statistic compares the variance between chains with the variance within them.
Thinning keeps every tenth draw, which saves memory but rarely improves the estimates.
A proposal that is accepted replaces the current state, and one that is rejected repeats it.
The Metropolis-Hastings algorithm accepts a proposed move with probability
\begin{align}
  \alpha &= \min\left(1, \frac{p(\theta') \, q(\theta \mid \theta')}{p(\theta) \, q(\theta' \mid \theta)}\right) \\
         &= \min(1, r).
  \label{eq:mh}
\end{align}
A symmetric proposal cancels out of the ratio, which leaves the plain Metropolis rule.
The acceptance rate of a random walk is best near a quarter in high dimensions.
Too small a step accepts almost every move but explores the space very slowly.
Too large a step is rejected most of the time and the chain stands still for long stretches.
Adaptive schemes tune the step size during warm-up and then freeze it for sampling.
Hamiltonian Monte Carlo uses gradients to propose distant states that are still likely to be accepted.
\end{document}
"""
FORMULA = MH[MH.index("The Metropolis-Hastings algorithm accepts") : MH.index("\\end{align}") + len("\\end{align}")]
NORMAL = r"""\documentclass{article}
\begin{document}
\section{The normal distribution}
About 95\% of a normal distribution's mass lies within two standard deviations of its mean~\cite{gelman2013}.
The warm-up draws -- the first half of each chain -- are dropped before the \emph{effective sample size} is
computed, see Section~\ref{sec:ess}.
Stan calls those draws ``warmup''; BUGS and JAGS call them burn-in.
\end{document}
"""


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with notes_client(tmp_path_factory.mktemp("latex-answers"), {"mh.tex": MH, "normal.tex": NORMAL}) as client:
        yield client


@pytest.mark.parametrize(
    ("question", "quote", "said"),
    [
        (  # the source as written is cited; the answer reads "95%" and "[gelman2013]", one space before it
            "How much of a normal distribution's mass lies within two standard deviations of its mean?",
            "About 95\\% of a normal distribution's mass lies within two standard deviations of its mean~"
            "\\cite{gelman2013}.",
            "About 95% of a normal distribution's mass lies within two standard deviations of its mean [gelman2013].",
        ),
        (  # "--" is an en dash, a reference reads as its label, "~" a space
            "Which draws are dropped before the effective sample size is computed?",
            "The warm-up draws -- the first half of each chain -- are dropped before the \\emph{effective sample "
            "size} is\ncomputed, see Section~\\ref{sec:ess}.",
            "The warm-up draws – the first half of each chain – are dropped before the *effective sample size* is "
            "computed, see Section sec:ess.",
        ),
        (  # ``quotes'' are curly
            "What does Stan call the draws that BUGS calls burn-in?",
            "Stan calls those draws ``warmup''; BUGS and JAGS call them burn-in.",
            "Stan calls those draws “warmup”; BUGS and JAGS call them burn-in.",
        ),
        (  # a formula across the passage bound: quoted whole, with its lead-in, from the passage that holds it
            "With what probability does the Metropolis-Hastings algorithm accept a proposed move?",
            FORMULA,
            "accepts a proposed move with probability \\begin{align} \\alpha &= \\min\\left(1,",
        ),
    ],
)
def test_a_latex_answer_reads_as_printed_and_cites_the_source(
    client: httpx.Client, question: str, quote: str, said: str
) -> None:
    answer = assert_answer_quotes(client, question, quote, said.rstrip("."), whole=True)
    assert not any(raw in answer["text"] for raw in ("\\%", "\\cite", "\\ref", "--", "``", "~")), answer["text"]
