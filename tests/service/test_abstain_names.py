"""Weak evidence for a question about a name a note is about: the embedder reads "SettingWithCopyWarning" only as
pieces (cosine 0.16-0.23 with the note whose callout is titled with it), and "avoid" or "fix" occur nowhere in the
notes, so "how do I avoid SettingWithCopyWarning?" abstained over the note that answers it (a user trial). Real
embedder, index and quoting writer over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.notes_settings import served_notes

NOTES = {
    "merging.md": '# Merging\n\n`pd.merge(left, right, on="id", how="left")` works like a SQL LEFT JOIN. `pd.concat` '
    "stacks frames along an axis; pass `ignore_index=True` to renumber the rows.\n",
    "indexing.md": "# Indexing\n\n`df.loc` selects by label and `df.iloc` by position. A boolean mask such as "
    "`df[df.a > 0]` keeps the rows where the condition holds.\n\n> [!tip] SettingWithCopyWarning\n> Chained "
    'assignment like `df[df.a > 0]["b"] = 1` may modify a copy; use `df.loc[df.a > 0, "b"] = 1` instead.\n',
    "groupby.md": '# Groupby\n\n`df.groupby("city").agg({"sales": "sum"})` splits the frame by city, sums each '
    "group and combines the results. `transform` returns a result aligned with the original rows.\n",
    "missing.md": "# Missing values\n\n`df.isna()` marks missing values; `df.fillna(0)` replaces them and "
    "`df.dropna()` drops the rows that hold any.\n",
    "io.md": '# Reading files\n\n`pd.read_csv(path, parse_dates=["date"])` reads a CSV file and parses the date '
    "column. `usecols` reads only some columns, which saves memory on wide files.\n",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with served_notes(tmp_path_factory.mktemp("names"), NOTES) as url, httpx.Client(base_url=url, timeout=60) as c:
        yield c


@pytest.mark.parametrize(
    "question",
    [
        "how do I avoid SettingWithCopyWarning?",  # before: abstained (cosine 0.22, "avoid" unknown)
        "how do I fix the SettingWithCopyWarning?",  # cosine 0.16, "fix" unknown
        "how do I avoid the SettingWithCopy warning?",  # split in two: read as the notes write it
    ],
)
def test_a_question_about_a_name_a_note_is_about_is_answered(client: httpx.Client, question: str) -> None:
    answer = client.post("/api/ask", json={"question": question}).json()
    assert not answer["abstained"], answer["text"]
    assert answer["citations"][0]["doc"] == "indexing.md", answer["citations"]
    assert "Chained assignment like" in answer["text"], answer["text"]


@pytest.mark.parametrize(
    "question",
    [
        "how do I silence a FutureWarning?",  # a name the notes lack: still abstains
        "how do I use the pyarrow backend?",
    ],
)
def test_a_name_the_notes_lack_still_abstains(client: httpx.Client, question: str) -> None:
    answer = client.post("/api/ask", json={"question": question}).json()
    assert answer["abstained"], answer["text"]
