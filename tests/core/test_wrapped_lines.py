"""Which line breaks only wrap a sentence (core.text.unwrapped): a line that ends on a comma goes on before a name
or a number, never before a line that opens with its own label (review3 P3-5: "Allies: ..., Russia,\nCentral
Powers: ..." read the Central Powers into the Allies' list)."""

from __future__ import annotations

import pytest

from core.text import unwrapped


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("such as 500, 502,\n503, and 504", True),
        ("Luther,\nCalvin and Zwingli led it.", True),
        ("Allies: France, Britain, Russia,\nCentral Powers: Germany, Austria-Hungary", False),
        ("Answers: yes, no,\nA: maybe", False),
        ("the steps: load, clean,\n2. train the model", False),
    ],
)
def test_a_comma_line_goes_on_unless_the_next_line_is_labelled(text: str, joined: bool) -> None:
    assert ("\n" not in unwrapped(text)) is joined
    assert len(unwrapped(text)) == len(text)  # spans found in it are spans of the text


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("an integer in the range 0 to\n0x10FFFF (about 1.1 million values)", True),  # Python's Unicode HOWTO
        ("his marriage to Catherine of\nAragon.", True),
        ("the steps to\n1. open the file", False),  # a numbered item opens its own line
        ("Answer\n0x10FFFF", False),  # no word a sentence cannot end on
    ],
)
def test_a_line_ending_on_a_word_that_leads_on_goes_on_before_a_name_or_number(text: str, joined: bool) -> None:
    assert ("\n" not in unwrapped(text)) is joined
