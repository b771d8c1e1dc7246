"""Reference marks pasted with a note's text ("text[7]") are left out of the quote the answer shows: they would
read as the answer's own [n] citations (service.markup_quotes.as_read, REFERENCE_MARK)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.markup_quotes import as_read
from tests.notes_settings import notes_client


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "Lowercasing text[7] Removing punctuations[7] Rephrasing text",
            "Lowercasing text Removing punctuations Rephrasing text",
        ),
        (
            "(reducing words to their root forms) [7] Common Tokenizers",
            "(reducing words to their root forms) Common Tokenizers",
        ),
        ("called tokens.[3][12]", "called tokens."),
        ("used in NLP[2], such as BPE", "used in NLP, such as BPE"),
        # before a stop: after a number, a capitalised word, a two-digit mark, or apart from the word
        ("The Transformer appeared in 2017[7]. Since then", "The Transformer appeared in 2017. Since then"),
        ("It was published in 2017 [7].", "It was published in 2017."),
        ("It relies on self-attention[12][13].", "It relies on self-attention."),
        ("the encoder stacks attention[12][13]", "the encoder stacks attention"),
        ("as shown in prior work [7].", "as shown in prior work."),
        ("It is called the Transformer[3].", "It is called the Transformer."),
        # a two-digit mark after a lowercase word: after a hyphenated word, or in a text with marks by their shape
        ("It relies on self-attention[12].", "It relies on self-attention."),
        (
            "Lowercasing text[7] Removing punctuations[12].",
            "Lowercasing text Removing punctuations.",
        ),
        (
            "It beat earlier approaches[12]. It was published in 2017[13].",
            "It beat earlier approaches. It was published in 2017.",
        ),
        # a call's argument stays among a page's marks
        ("call print(scores[10]) on the Transformer[3] Next", "call print(scores[10]) on the Transformer Next"),
    ],
)
def test_a_pasted_reference_mark_is_left_out(text: str, shown: str) -> None:
    assert as_read(text, "wiki.txt") == shown
    assert as_read(text, "wiki.md") == shown


@pytest.mark.parametrize(
    "text",
    [
        "x[1] is the second element",  # indexing in prose: lowercase follows
        "the first row is a[0].",  # [0] is no reference number
        "the second row is a[1].",  # a one-letter name before a stop
        "see [1] for the proof",  # a bracketed number that stands alone, not after a word
        "a link [BPE][1] to the paper",  # a Markdown reference link
        "The first argument is sys.argv[1].",  # code in prose: a word joined to what precedes it by "."
        "wrap it in int(sys.argv[1]) first",
        "e.g. df.iloc[1], df.loc[2]; both work",
        "See matrix M[1], M[2] and M[3].",  # a one-letter name
        "f(x)[1] Then the second",  # indexing a call's result
        # a plain word's index before a stop or the end (review2 P1-3): a lowercase name and one-digit indices
        "the second is lst[1].",
        "the value arr[1].",
        "take x[2], then y[3].",
        "the middle cell is grid[1][2].",
        "the last one is lst[1]",
        "keep words[1]; drop the rest",
        # a two-digit index after a lowercase name (review3 P1-2): a call's argument, or alone in its text
        "Indexing starts at zero, so the eleventh token of a sentence is tokens[10].",
        "To print the top score, call print(scores[10]) on the sorted list.",
        "the last layer is layers[11].",
        "the 11th is row[10]; the 12th is row[11].",
        "see (the list items[10]) and the text after",
    ],
)
def test_brackets_that_are_not_reference_marks_stay(text: str) -> None:
    assert as_read(text, "notes.txt") == text


LISTS_NOTE = (
    "# Python lists\n\n"
    "Indexing starts at zero, so the eleventh token of a sentence is tokens[10].\n"
    "To print the top score after sorting, call print(scores[10]) on the sorted list of scores.\n"
    "Negative indices count from the end of the list.\n"
)


def test_an_answer_keeps_a_two_digit_index_over_http(tmp_path: Path) -> None:
    """review3 P1-2: the answer read "... is tokens [1]." (our citation where the index was), "call print(scores)"."""
    with notes_client(tmp_path, {"lists.md": LISTS_NOTE}) as client:
        answer = client.post("/api/ask", json={"question": "How do I get the eleventh token?"}).json()
    assert not answer["abstained"], answer
    assert "is tokens[10] [1]." in answer["text"], answer["text"]  # the index, then our citation
    assert "call print(scores[10]) on" in answer["text"], answer["text"]
