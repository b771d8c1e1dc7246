"""What a question sets aside: "apart from dropout and normalisation, what else fights overfitting?"

The quoting writer scores sentences by the question's terms; the terms of what the question names only to set it
aside are the ones an answer must not repeat, and the sentence that says "use dropout" was quoted for that
question because "dropout" was its rarest term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# the phrases that set something aside; not "except" ("what is finally for if except already ...", "are the other
# layers frozen except for the last one?" asks about the last one)
MARKER = r"(?:besides|apart from|aside from|other than|in addition to)"
# "besides X and Y, what else ..."
LEADING = re.compile(
    rf"^\s*(?:and |so |but )?{MARKER}\s+(?P<named>.+?),\s*(?P<rest>(?:what|which|who|how|where|when|why|is|are|"
    rf"do|does|did|can|could|should|would|any|anything|name)\b.*)$",
    re.I | re.S,
)
# "what else ... besides X and Y?"; not "apart from", which ends "how do I tell a pointer apart from a real file?".
# `rest` ends on a non-space, so a run of spaces is not tried at every split (it took 88 s on 2,000 spaces)
TRAILING_MARKER = r"(?:besides|aside from|other than|in addition to)"
TRAILING = re.compile(
    rf"^(?P<rest>.*?\S)(?:\s*,)?\s+{TRAILING_MARKER}\s+(?P<named>[^?.!]+)(?P<end>[?.!]*)\s*$", re.I | re.S
)
# a question that asks for more than it names: "what else", "another", "any other"
ASKS_MORE = re.compile(r"\b(?:else|another|other|others|also|more)\b", re.I)


@dataclass(frozen=True)
class SetAside:
    """`asked`: the question without the phrase that sets something aside; `named`: what it sets aside ("" when
    the question sets nothing aside)."""

    asked: str
    named: str = ""


def set_aside(question: str) -> SetAside:
    """The question split into what it asks and what it names only to set aside. A trailing marker counts only
    when the question asks for more ("what else ... besides X?"): "how does lfs tell a pointer apart from a real
    file?" sets nothing aside."""
    if match := LEADING.match(question):
        return SetAside(match.group("rest").strip(), match.group("named").strip())
    if (match := TRAILING.match(question)) and ASKS_MORE.search(match.group("rest")):
        return SetAside(match.group("rest").strip() + match.group("end"), match.group("named").strip())
    return SetAside(question)
