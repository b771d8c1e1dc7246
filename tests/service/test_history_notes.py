"""A history student's notes (hard-wrapped reST, an Obsidian page with footnotes) asked over real HTTP: a
sentence wrapped before a name is quoted whole, a footnote reference does not show in the answer, and a line
of links under a hidden comment is never quoted."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.notes_settings import assert_answer_quotes, notes_client

NOTES = {
    "reformation.rst": (
        "The Reformation\n"
        "===============\n\n"
        "The English Reformation\n"
        "-----------------------\n\n"
        "Henry VIII broke with Rome because the Pope would not annul his marriage to Catherine of\n"
        "Aragon. The Act of Supremacy (1534) made the king Supreme Head of the Church of England.\n\n"
        "Counter-Reformation\n"
        "-------------------\n\n"
        "The Catholic response included the Council of Trent (1545-1563) and the Jesuits, founded by\n"
        "Ignatius of Loyola in 1540.\n"
    ),
    "napoleon.org": (
        "#+TITLE: Napoleon Bonaparte\n"
        "* Rise to power\n"
        "Napoleon crowned himself Emperor of the French on 2 December 1804 in Notre-Dame.\n"
        "* Downfall\n"
        "** The Continental System\n"
        "The Continental System (1806) was a blockade that banned trade between Britain and the European continent.\n"
        "It hurt Europe's economies more than Britain's.\n"
        "** Russia 1812\n"
        "Napoleon invaded Russia in June 1812 with about 600,000 men (the Grande Armée).\n"
    ),
    "Congress of Vienna.md": (
        "# Congress of Vienna\n\n"
        "The Congress of Vienna (1814-1815) redrew the map of Europe after the defeat of Napoleon.\n\n"
        "The settlement kept a general peace among the great powers until the Crimean War (1853-1856)[^1].\n\n"
        "[^1]: Some historians say until 1914, counting only general wars.\n\n"
        "## Outcomes\n\n"
        "- Russia got most of Poland (Congress Poland).\n"
        "- The Netherlands absorbed the Austrian Netherlands (today's Belgium) as a buffer against France.\n\n"
        "%% TODO: add the Quadruple Alliance %%\n"
        "See also [[Concert of Europe#Congress system|the congress system]].\n"
    ),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with notes_client(tmp_path_factory.mktemp("history"), NOTES) as c:
        yield c


# each sentence wraps after a word no sentence ends on ("of", "by") before a name: it was quoted in halves,
# "... his marriage to Catherine of [1]" and "Ignatius of Loyola in 1540 [1]."
WRAPPED = [
    (
        "why did henry 8 break with rome",
        "Henry VIII broke with Rome because the Pope would not annul his marriage to Catherine of\nAragon.",
        "his marriage to Catherine of Aragon",
    ),
    (
        "who founded the jesuits",
        "the Jesuits, founded by\nIgnatius of Loyola in 1540.",
        "and the Jesuits, founded by Ignatius of Loyola in 1540",
    ),
]


@pytest.mark.parametrize(("question", "quote", "said"), WRAPPED)
def test_a_sentence_wrapped_before_a_name_is_quoted_whole(
    client: httpx.Client, question: str, quote: str, said: str
) -> None:
    assert_answer_quotes(client, question, quote, said, doc="reformation.rst")


def test_a_footnote_reference_is_not_shown_in_the_answer(client: httpx.Client) -> None:
    # the quote is the note as written, "[^1]" and all; the answer reads it as the note shows it (a superscript)
    answer = assert_answer_quotes(
        client,
        "how long did the peace last after the congress of vienna",
        "The settlement kept a general peace among the great powers until the Crimean War (1853-1856)[^1].",
        "until the Crimean War (1853-1856) [1].",
        doc="Congress of Vienna.md",
    )
    assert "[^" not in answer["text"], answer["text"]


def test_a_line_of_links_under_a_hidden_comment_is_never_quoted(client: httpx.Client) -> None:
    # the %% comment line is hidden in Obsidian: "See also [[...]]." stands on its own line, a line of links
    for question in ["what did the netherlands get at the congress of vienna", "what was the congress system"]:
        answer = client.post("/api/ask", json={"question": question}).json()
        quoted = [span["quote"] for cite in answer["citations"] for span in cite["spans"]]
        assert not any("See also" in q for q in quoted), (question, quoted)


def test_a_follow_up_is_judged_on_the_topic_it_carries(client: httpx.Client) -> None:
    # "did it work?" names no key term of its own: the notes' coverage of it was read as none, and with a cosine
    # under the near-topic threshold it abstained, though it was searched with "continental system"
    history = [
        {"role": "user", "content": "what was the continental system?"},
        {"role": "assistant", "content": "The Continental System (1806) was a blockade ..."},
    ]
    answer = client.post("/api/ask", json={"question": "did it work?", "history": history}).json()
    assert not answer["abstained"], answer
    assert "continental system" in answer["query"], answer["query"]
    quoted = [span["quote"] for cite in answer["citations"] for span in cite["spans"]]
    assert "It hurt Europe's economies more than Britain's." in quoted, quoted
