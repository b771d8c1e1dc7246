"""A Word worksheet whose answer key is hidden by a paragraph style ("Answer key" with Font > Hidden), the other
common way besides hidden runs (tests/ingest/test_docx.py::test_hidden_text_is_not_indexed): Word neither shows
nor prints such paragraphs, so they are neither indexed nor quoted (review P3-6). Before, only a run's own
property or its character style was read, and the key was searched and quoted as the answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.ingest.docx_files import W
from tests.ingest.test_docx import indexed_worksheet, run, zip_of
from tests.notes_settings import assert_citations_are_exact, notes_client

# Normal is the default paragraph style; "Answer key" hides (Font > Hidden), a style based on it hides too unless it
# clears the property; "Highlight" is a character style that says nothing about hiding
STYLES = (
    f'<w:styles xmlns:w="{W}">'
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
    '<w:style w:type="paragraph" w:styleId="Loesung"><w:name w:val="Answer key"/><w:basedOn w:val="Normal"/>'
    "<w:rPr><w:vanish/></w:rPr></w:style>"
    '<w:style w:type="paragraph" w:styleId="LoesungFett"><w:name w:val="Answer key bold"/>'
    '<w:basedOn w:val="Loesung"/><w:rPr><w:b/></w:rPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="Gezeigt"><w:name w:val="Shown answer"/><w:basedOn w:val="Loesung"/>'
    '<w:rPr><w:vanish w:val="0"/></w:rPr></w:style>'
    '<w:style w:type="character" w:styleId="Marker"><w:name w:val="Highlight"/><w:rPr><w:b/></w:rPr></w:style>'
    "</w:styles>"
)


def styled(style: str | None, *runs: str) -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{props}{''.join(runs)}</w:p>"


DOCUMENT = (
    f'<w:document xmlns:w="{W}"><w:body>'
    + styled(None, run("Question 1: which sampler draws each parameter from its full conditional?"))
    + styled("Loesung", run("Answer: the Gibbs sampler draws each parameter from its full conditional in turn."))
    + styled("LoesungFett", run("Solution: Metropolis within Gibbs mixes both kinds of moves."))
    + styled("Loesung", run("Shown despite its style: ", '<w:vanish w:val="0"/>'), run("hidden thinning."))
    + styled("Gezeigt", run("Burn-in discards the first draws of a chain."))
    + styled("Loesung", run("Keep every tenth draw of a slowly mixing chain.", '<w:rStyle w:val="Marker"/>'))
    + "<w:tbl><w:tblPr/>"
    + "<w:tr><w:tc>"
    + styled(None, run("Which sampler follows gradients?"))
    + "</w:tc><w:tc>"
    + styled("Loesung", run("Hamiltonian Monte Carlo"))
    + "</w:tc></w:tr></w:tbl>"
    + "</w:body></w:document>"
)
KEY_WORDS = ("gibbs", "metropolis", "thinning", "tenth draw", "hamiltonian")


def worksheet() -> bytes:
    return zip_of({"word/document.xml": DOCUMENT, "word/styles.xml": STYLES})


def test_a_paragraph_style_that_hides_is_not_indexed(tmp_path: Path, embedder) -> None:
    reader = indexed_worksheet(tmp_path, embedder, worksheet(), "Leapfrog steps.")
    # by hand: the Normal paragraph; the three key paragraphs gone (the style, a style based on it, a character
    # style that does not say); of the fourth only the run that clears the property; the paragraph whose style
    # clears it; the table row with its hidden cell empty
    assert reader.source_text("worksheet.docx") == (
        "Question 1: which sampler draws each parameter from its full conditional?\n\n"
        "Shown despite its style:\n\n"
        "Burn-in discards the first draws of a chain.\n\n"
        "Which sampler follows gradients? |"
    )
    assert not any(reader.bm25_search(words, 5) for words in KEY_WORDS)
    assert len(reader.bm25_search("burn-in", 5)) == 1


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    notes = {
        "sampling.md": "# Sampling\n\nA Markov chain needs a burn-in period before its draws are used.\n",
        "worksheet.docx": worksheet(),
    }
    with notes_client(tmp_path_factory.mktemp("worksheet"), notes) as c:
        yield c


def test_the_hidden_answer_key_is_never_quoted(client: httpx.Client) -> None:
    """Before: "Answer: the Gibbs sampler draws each parameter from its full conditional in turn." answered the
    worksheet's own question."""
    answer = client.post("/api/ask", json={"question": "Which sampler draws each parameter from its full conditional?"})
    answer = answer.json()
    assert_citations_are_exact(client, answer)
    found = client.get("/api/search", params={"q": "Gibbs sampler Metropolis Hamiltonian"}).json()
    shown = [answer["text"], *(span["quote"] for cite in answer["citations"] for span in cite["spans"])]
    shown += [hit["text"] for hit in answer.get("nearest") or []] + [str(found)]
    assert not any(word in piece.lower() for piece in shown for word in KEY_WORDS), shown
