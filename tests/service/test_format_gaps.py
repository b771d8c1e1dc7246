"""Three shapes of real notes each loader read wrong, served with the default quoting writer over real HTTP:
a hand-wrapped HTML list (each source line was a line of its own, so the list was no list), an Org table's body
row above a mid-table rule (marked context with the rule, so never quoted), and a table in an Obsidian callout
(no table at all: its rows were quoted with their pipes, its header row as if it said something)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.notes_settings import assert_citations_are_exact, notes_client

NOTES = {
    # hand-wrapped, as an editor or a saved page leaves it: before, "• caps the gradient" over "norm"
    "clipping.html": (
        "<html>\n<body>\n<h1>Training tricks</h1>\n<h2>Gradient clipping</h2>\n<ul>\n"
        "  <li>caps the gradient\n      norm</li>\n  <li>\n    stops exploding\n    gradients\n  </li>\n</ul>\n"
        "</body>\n</html>\n"
    ),
    "regularization.org": (
        "* Regularization\n\n"
        "| Method | Penalty |\n"
        "|--------+------------------|\n"
        "| Ridge  | squared weights  |\n"
        "|--------+------------------|\n"
        "| Lasso  | absolute weights |\n"
    ),
    "schedules.md": (
        "# Learning rate schedules\n\n"
        "A schedule changes the learning rate as training goes on.\n\n"
        "> [!note] Schedules\n"
        "> | Schedule | How it changes the rate |\n"
        "> |----------|-------------------------|\n"
        "> | Step decay | divided by ten every 30 epochs |\n"
        "> | Cosine | follows half a cosine down to zero |\n"
    ),
    "cooking.md": "# Pasta\n\nSalt the water generously before the pasta goes in.\n",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with notes_client(tmp_path_factory.mktemp("gaps"), NOTES) as c:
        yield c


def ask(client: httpx.Client, question: str) -> dict:
    answer = client.post("/api/ask", json={"question": question}).json()
    assert not answer["abstained"], answer["text"]
    assert_citations_are_exact(client, answer)
    return answer


def test_a_wrapped_html_list_is_quoted_whole(client: httpx.Client) -> None:
    """Before: "stops exploding" alone (the lines of a wrapped item were lines of their own, so no list)."""
    answer = ask(client, "What is gradient clipping?")
    assert answer["text"].startswith("Gradient clipping: caps the gradient norm; stops exploding gradients [1]")
    first = answer["citations"][0]
    assert first["doc"] == "clipping.html"
    assert first["quote"] == "Gradient clipping\n• caps the gradient norm\n• stops exploding gradients"


def test_the_org_row_above_a_mid_table_rule_is_quoted(client: httpx.Client) -> None:
    """Before: the Ridge row was context with the rule under it, so the answer quoted the Lasso row instead."""
    answer = ask(client, "What penalty does ridge regression use?")
    assert answer["text"].startswith("Method: Ridge; Penalty: squared weights [1]"), answer["text"]
    first = answer["citations"][0]
    assert first["doc"] == "regularization.org"
    assert "| Ridge  | squared weights  |" in [span["quote"] for span in first["spans"]], first


def test_a_table_in_an_obsidian_callout_reads_as_a_table(client: httpx.Client) -> None:
    """Before: "> | Cosine | follows half a cosine down to zero |", pipes and all, under no header."""
    answer = ask(client, "How does the cosine schedule change the learning rate?")
    said = "Schedule: Cosine; How it changes the rate: follows half a cosine down to zero [1]"
    assert said in answer["text"], answer["text"]
    assert "|" not in answer["text"]
    first = answer["citations"][0]
    assert first["doc"] == "schedules.md"
    assert "| Cosine | follows half a cosine down to zero |" in [span["quote"] for span in first["spans"]], first
