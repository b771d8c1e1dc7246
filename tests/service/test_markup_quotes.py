"""Obsidian (Markdown) and Org notes' inline marks read as the note shows them, in the answer's text only: the
rules one by one (expected text derived by hand from Obsidian's and Org's rendering), then over HTTP with the
real pipeline (loader, embedder, index, quoting writer), where each citation stays the source as written."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from service.markup_quotes import as_read, markdown_as_read, org_as_read
from tests.notes_settings import assert_answer_quotes, notes_client


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("[[Bootstrap]] resamples", "Bootstrap resamples"),
        ("see [[Hypothesis Testing|p-values]]", "see p-values"),
        ("see [[Bootstrap#Percentile method]]", "see Bootstrap > Percentile method"),
        ("see [[#Percentile method]] above", "see Percentile method above"),
        ("see [[Bootstrap#Percentile method|the percentile method]]", "see the percentile method"),
        ("as in [[Bootstrap#^a1b2c3]]", "as in Bootstrap"),  # a block reference names its note
        ("it is ==memoryless==: the rest", "it is memoryless: the rest"),
        ("the full data set.<br>", "the full data set."),
        ("the full data set.<br/>", "the full data set."),
        ("Git remote: origin<br /> Branch: main", "Git remote: origin Branch: main"),
        ("A histogram ![[hist.png]] of the means.", "A histogram of the means."),
        ("Type `[[Note]]` or `==x==` to link", "Type `[[Note]]` or `==x==` to link"),  # code as written
        ("Python compares with $a == b$ too.", "Python compares with $a == b$ too."),  # a formula as written
        ("x == y is a comparison", "x == y is a comparison"),
        ("see [[Gödel]] and (see [[Über|the note]])", "see Gödel and (see the note)"),  # any letter first
        ("**==bold highlight==** then [[2024-01-05]]", "**bold highlight** then 2024-01-05"),  # a daily note
    ],
)
def test_markdown_marks_read_as_obsidian_shows_them(text: str, shown: str) -> None:
    assert markdown_as_read(text) == shown


@pytest.mark.parametrize(
    ("text", "doc"),
    [  # code written in prose without backticks: no note name in [[..]], no highlight in ==..==
        ("A row vector np.array([[1, 2, 3]]) has shape (1, 3), while np.array([1, 2, 3]) has shape (3,).", "numpy.md"),
        ("In Python x==y==z chains two comparisons.", "py.md"),
        ("The nested list [[0]] holds one list.", "lists.ipynb"),
        ("Index a list of lists with a[[i]] in R.", "r.md"),
        ('Select columns with df[["a", "b"]] in pandas.', "pandas.markdown"),
        ("Write if a==b==c: to test all three.", "py.md"),
        ("A matrix m = [[a]] or m=[[b]] holds one row, and [[[0]]] nests three.", "lists.md"),
        ("In JavaScript a === b and ===x=== compare strictly.", "js.md"),
        # a regex's negated class is no footnote reference (review3 P1-7): a range, an escape or a quote before it
        ("To strip everything but digits, call re.sub(r'[^0-9]', '', s) on the string.", "regex.md"),
        ("The pattern \\w[^aeiou] matches a letter followed by a consonant.", "regex.md"),
        ("Match s[^a-z]+ or [A-Za-z][^A-Za-z] for the rest.", "regex.md"),
        ("A vowel then a consonant: [aeiou][^aeiou], and x[^abc]+ takes a run.", "regex.md"),
    ],
)
def test_code_in_markdown_prose_is_left_as_written(text: str, doc: str) -> None:
    assert as_read(text, doc) == text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("See [[https://www.postgresql.org/docs/][the PostgreSQL docs]] too", "See the PostgreSQL docs too"),
        ("See [[https://orgmode.org]].", "See https://orgmode.org."),
        ("written with =WITH name AS (...)=, names", "written with `WITH name AS (...)`, names"),
        ("Use ~IS NULL~ instead of ~= NULL~.", "Use `IS NULL` instead of `= NULL`."),
        ("a *big* and /subtle/ (*bold*) mistake", "a **big** and *subtle* (**bold**) mistake"),
        ("=*not bold*= in code", "`*not bold*` in code"),  # verbatim: no emphasis inside
        ("It lives in /usr/bin/ or /usr/local/bin.", "It lives in /usr/bin/ or /usr/local/bin."),
        ("a*b*c and 2*3 * 4 and x/y/z", "a*b*c and 2*3 * 4 and x/y/z"),  # no word boundary: as written
        ("see https://x.org/a/b/ now", "see https://x.org/a/b/ now"),
        ("Overfitting :: the model fits noise.", "Overfitting: the model fits noise."),
        ("Overfitting :: fits noise; Underfitting :: too simple", "Overfitting: fits noise; Underfitting: too simple"),
        ("Use `~x~` as is", "Use `~x~` as is"),
    ],
)
def test_org_marks_read_as_org_exports_them(text: str, shown: str) -> None:
    assert org_as_read(text) == shown


def test_the_note_suffix_chooses_the_rules() -> None:
    assert as_read("==a== [[b]]", "vault/Stats.MD") == "a b"
    assert as_read("==a== [[b]]", "nb/eda.ipynb") == "a b"  # a notebook's Markdown cells
    assert as_read("*a* [[b][c]]", "org/tips.org") == "**a** c"
    assert as_read("==a== [[b]] *a*", "plain.txt") == "==a== [[b]] *a*"  # any other note as written
    assert as_read("==a== [[b]] *a*", "paper.tex") == "==a== [[b]] *a*"


OBSIDIAN = """# Distributions

The exponential distribution models the waiting time between events of a Poisson process, and it is ==memoryless==: \
the remaining waiting time does not depend on how long you have already waited.

A confidence interval that excludes zero matches a test that rejects at the same level, \
see [[Hypothesis Testing|p-values]].<br>
"""
ORG = """#+title: Glossary

* Terms
- Overfitting :: the model fits noise in the training data and generalizes poorly to new data.
- Underfitting :: the model is too simple to capture the structure of the data.

* CTEs
A common table expression, written with =WITH name AS (...)=, names a subquery so it can be reused and read top to \
bottom. See [[https://www.postgresql.org/docs/current/queries-with.html][the PostgreSQL docs]] for recursive CTEs.
"""


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with notes_client(tmp_path_factory.mktemp("markup-quotes"), {"stats.md": OBSIDIAN, "glossary.org": ORG}) as client:
        yield client


@pytest.mark.parametrize(
    ("question", "quote", "said"),
    [
        (
            "What does the exponential distribution model?",
            "it is ==memoryless==: the remaining waiting time",
            "it is memoryless: the remaining waiting time",
        ),
        (
            "What does a confidence interval that excludes zero match?",
            "see [[Hypothesis Testing|p-values]].<br>",
            "matches a test that rejects at the same level, see p-values [1]",
        ),
        ("What is overfitting?", "Overfitting :: the model fits noise", "Overfitting: the model fits noise"),
        (
            "What is a common table expression?",
            "written with =WITH name AS (...)=, names a subquery",
            "written with `WITH name AS (...)`, names a subquery",
        ),
    ],
)
def test_an_obsidian_or_org_answer_reads_as_the_note_shows_and_cites_the_source(
    client: httpx.Client, question: str, quote: str, said: str
) -> None:
    answer = assert_answer_quotes(client, question, quote, said)
    assert not any(raw in answer["text"] for raw in ("==", "[[", "<br", " :: ", "=WITH")), answer["text"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("until the Crimean War (1853-1856)[^1].", "until the Crimean War (1853-1856)."),
        ("lambda[^note] is a closure.", "lambda is a closure."),
        ("as the survey says[^survey-2021].", "as the survey says."),
    ],
)
def test_a_footnote_reference_is_not_shown(text: str, shown: str) -> None:
    assert as_read(text, "notes.md") == shown
