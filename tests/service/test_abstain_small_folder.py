"""A folder of one or two notes: every word is in half its passages or more, which Robertson-Sparck Jones idf
weighs 0; the abstain check weighs its key terms as in a folder of 20 passages (service.abstain.key_term_coverage).
A user trial found "what does momentum do?" refused over the one note that answers it. Real embedder, index and
quoting writer over HTTP; the numbers were worked out by hand."""

from __future__ import annotations

import math
from pathlib import Path

import httpx
import pytest

from core.settings import AnswerSettings
from retrieval.retriever import Hit
from retrieval.terms import TermRarity
from service.abstain import key_term_coverage
from service.runtime import Runtime
from tests.notes_settings import notes_settings, served_notes

FEW = AnswerSettings().few_passages  # 20
MOMENTUM = "Momentum keeps an exponentially decaying average of past gradients and steps along it."


def hit(text: str) -> Hit:
    return Hit("n", "descent.md", "note", [], 0, len(text), text, score=1.0, dense_score=0.3)


def test_a_one_passage_folder_weighs_its_words() -> None:
    """One passage: Robertson-Sparck Jones idf weighed "momentum" max(0, ln(0.5/1.5)) = 0, so no question had any
    key-term weight and every coverage was 0.0. Weighed as 20 passages: "momentum" ln(19.5/1.5) = ln 13, the
    unseen "train" ln(20.5/0.5) = ln 41."""
    rarity = TermRarity.of_passages([MOMENTUM])
    assert rarity.shared({"momentum"}, MOMENTUM) == 0.0  # the folder's own counts: no weight
    assert key_term_coverage("what does momentum do?", [hit(MOMENTUM)], rarity, FEW) == 1.0
    coverage = key_term_coverage("what does momentum do for training?", [hit(MOMENTUM)], rarity, FEW)
    assert coverage == pytest.approx(math.log(13) / (math.log(13) + math.log(41)))


def test_a_question_over_a_one_note_folder_is_answered(tmp_path: Path) -> None:
    """Before: abstained (cosine 0.40, below near_topic_threshold 0.45, with coverage 0.00 < 0.15)."""
    with served_notes(tmp_path, {"descent.md": f"# Gradient descent\n\n{MOMENTUM}\n"}) as url:
        answer = httpx.post(f"{url}/api/ask", json={"question": "what does momentum do?"}, timeout=60).json()
    assert not answer["abstained"], answer["text"]
    assert "Momentum keeps an exponentially decaying average" in answer["text"]


def test_the_small_folder_floor_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """NOTECITE_ANSWER__FEW_PASSAGES=1 weighs a one-passage folder on its own counts: "momentum" max(0, ln(0.5/1.5))
    = 0, coverage 0.00, and the question abstains as it did before the floor (cosine 0.40, under 0.45); at the
    default 20 it is answered (test_a_question_over_a_one_note_folder_is_answered)."""
    monkeypatch.setenv("NOTECITE_ANSWER__FEW_PASSAGES", "1")
    runtime = Runtime.build(notes_settings(tmp_path, {"descent.md": f"# Gradient descent\n\n{MOMENTUM}\n"}))
    assert runtime.settings.answer.few_passages == 1
    ev = runtime.served.pipeline.evidence("what does momentum do?")
    assert ev.coverage == 0.0
    assert ev.abstains(runtime.settings.answer)


PANDAS = {
    "pandas.md": '# pandas cheatsheet\n\n## Merging\n\n`pd.merge(left, right, on="id", how="left")` works like a '
    'SQL LEFT JOIN.\n\n> [!tip] SettingWithCopyWarning\n> Chained assignment like `df[df.a > 0]["b"] = 1` may '
    'modify a copy; use `df.loc[df.a > 0, "b"] = 1` instead.\n',
    "stats.md": "# Bootstrap\n\nThe bootstrap estimates the sampling distribution of a statistic by resampling the "
    "data with replacement.\n",
}


@pytest.mark.parametrize("question", ["what is SettingWithCopyWarning?", "what is a SettingWithCopy warning?"])
def test_a_name_the_embedder_cannot_read_is_quoted_from_the_note_that_holds_it(tmp_path: Path, question: str) -> None:
    """Two notes: the embedder reads the name as pieces, so its cosine is 0.06 with the pandas note and 0.07 with
    the bootstrap one. Weighed as 20 passages the pandas note holds all its key terms, so it is answered; it quoted
    the bootstrap sentence, ranked first by that blind cosine. Only sources that hold the name are quoted now."""
    with served_notes(tmp_path, PANDAS) as url:
        answer = httpx.post(f"{url}/api/ask", json={"question": question}, timeout=60).json()
    assert not answer["abstained"], answer["text"]
    assert [c["doc"] for c in answer["citations"]] == ["pandas.md"], answer["citations"]
    assert "Chained assignment like" in answer["text"], answer["text"]
    assert "bootstrap" not in answer["text"], answer["text"]


DROPOUT = "Dropout switches off random units during training, so the network cannot rely on any single unit."


def test_only_names_count_as_unknown_in_a_small_folder() -> None:
    """Two passages lack most everyday words; among 20 or more, "problem" missing says something again."""
    from service.abstain import telling_unknown

    small = TermRarity.of_passages([MOMENTUM, DROPOUT])
    large = TermRarity.of_passages([MOMENTUM, DROPOUT] * 10)
    assert telling_unknown(["problem", "simclr"], ["simclr"], small, FEW) == ["simclr"]
    assert telling_unknown(["problem", "simclr"], ["simclr"], large, FEW) == ["problem", "simclr"]
    # what the question asks about counts, everyday words or not: "git cherry-pick copy" is its subject
    asked = "what does git cherry-pick copy?"
    assert telling_unknown(["cherry", "pick", "copy"], [], small, FEW, asked) == ["cherry", "pick", "copy"]
    assert telling_unknown(["problem", "solve"], [], small, FEW, "what problem does momentum solve?") == []


@pytest.mark.parametrize(
    ("question", "abstains"),
    [
        # before: abstained (cosine under 0.45, "problem" and "solve" two words the two notes never use)
        ("what problem does momentum solve?", False),
        ("how does mixture-of-experts routing work?", True),  # coverage 0.00: still near-topic
        ("what does early stopping monitor?", True),  # cosine 0.13: weak, no name the embedder cannot read
    ],
)
def test_everyday_words_a_small_folder_lacks_do_not_make_it_abstain(
    tmp_path: Path, question: str, abstains: bool
) -> None:
    notes = {"descent.md": f"# Gradient descent\n\n{MOMENTUM}\n", "dropout.md": f"# Dropout\n\n{DROPOUT}\n"}
    with served_notes(tmp_path, notes) as url:
        answer = httpx.post(f"{url}/api/ask", json={"question": question}, timeout=60).json()
    assert answer["abstained"] is abstains, answer["text"]


GIT = """- staging
  - git add puts the changes of a file in the index, ready for the next commit
  - git diff --cached shows what the index holds compared with the last commit
  - git reset takes them out of the index again
- history
  - git log lists the commits of the branch, newest first"""


@pytest.mark.parametrize(
    ("question", "abstains"),
    [
        # before: answered with two items of the git note (cosine 0.44, under near_topic_threshold 0.45; its unknown
        # words "cherry", "pick", "copy" dropped as everyday words; coverage 0.19 through "git")
        ("what does git cherry-pick copy?", True),
        ("what problem does momentum solve?", False),  # "problem", "solve": its frame, not its subject
    ],
)
def test_the_words_a_question_asks_about_count_in_a_small_folder(tmp_path: Path, question: str, abstains: bool) -> None:
    notes = {"git.md": f"# Git basics\n\n{GIT}\n", "descent.md": f"# Gradient descent\n\n{MOMENTUM}\n"}
    with served_notes(tmp_path, notes) as url:
        answer = httpx.post(f"{url}/api/ask", json={"question": question}, timeout=60).json()
    assert answer["abstained"] is abstains, answer["text"]


def test_the_evidence_keeps_every_source_and_only_the_quoted_ones_name_it(tmp_path: Path) -> None:
    """The abstain rule and eval's threshold sweep read one evidence whatever the threshold: it keeps both notes
    (before, `evidence()` dropped the bootstrap note when the cosine was under the serving threshold only); the
    writer quotes from the pandas note alone, the one that holds the name."""
    runtime = Runtime.build(notes_settings(tmp_path, PANDAS))
    config = runtime.settings.answer
    ev = runtime.served.pipeline.evidence("what is SettingWithCopyWarning?")
    assert ev.strength < config.abstain_threshold and not ev.abstains(config)
    assert {h.doc for h in ev.sources} == {"pandas.md", "stats.md"}
    assert {h.doc for h in ev.quoted(config).sources} == {"pandas.md"}
