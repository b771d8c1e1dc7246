"""The live notes folder: edits, additions and deletions are re-indexed within seconds, each file's status
is visible, and quiz schedules survive the re-index (cards are keyed by content)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.study.conftest import study_settings

# a deadline for a watcher that never re-indexes, not a speed bound: a re-index takes a second or two here, and a
# busy 2-core CI machine (an embedding model loading beside it) may take many times that
DEADLINE_S = 120


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    from service.runtime import Runtime
    from service.server import running_server

    settings = study_settings(tmp_path_factory.mktemp("live"))
    with running_server(settings, Runtime.build(settings)) as url:
        yield url, settings.notes_dir


def wait_for(check: Callable[[], object]) -> float:
    """Seconds until check() is truthy (fails past DEADLINE_S)."""
    t0 = time.monotonic()
    while not check():
        assert time.monotonic() - t0 < DEADLINE_S, "the change was not re-indexed in time"
        time.sleep(0.2)
    return time.monotonic() - t0


def statuses(url: str) -> dict[str, dict]:
    return {f["doc"]: f for f in httpx.get(f"{url}/api/watch").json()["files"]}


def search_docs(url: str, query: str) -> list[str]:
    return [h["doc"] for h in httpx.get(f"{url}/api/search", params={"q": query, "k": 3}).json()["hits"]]


def test_added_edited_and_deleted_notes_are_reindexed(live):
    url, notes = live
    body = httpx.get(f"{url}/api/watch").json()
    assert body["watching"] and {f["status"] for f in body["files"]} == {"indexed"}

    (notes / "glaciers.md").write_text("# Glaciers\n\nA glacier is a persistent body of dense ice that moves.\n")
    added = wait_for(lambda: statuses(url).get("glaciers.md", {}).get("status") == "indexed")
    assert search_docs(url, "persistent body of dense ice")[0] == "glaciers.md"

    (notes / "diagram.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    wait_for(lambda: (status := statuses(url).get("diagram.png", {})).get("status") == "skipped" and status["reason"])

    (notes / "glaciers.md").unlink()
    wait_for(lambda: "glaciers.md" not in statuses(url) and "glaciers.md" not in search_docs(url, "dense ice"))
    docs = [d["doc"] for d in httpx.get(f"{url}/api/documents").json()["documents"]]
    assert "glaciers.md" not in docs
    print(f"added note indexed after {added:.1f} s")


def test_a_reviewed_card_keeps_its_schedule_when_its_note_is_edited(live):
    url, notes = live
    first = httpx.get(f"{url}/api/quiz/next", params={"doc": "rivers.md"}).json()
    card = first["card"]
    body = {"doc": "rivers.md", "key": card["key"], "answer": "where a river meets slower water and drops sediment"}
    assert httpx.post(f"{url}/api/quiz/answer", json=body).status_code == 200

    rivers = notes / "rivers.md"
    rivers.write_text(
        rivers.read_text() + "\n## Oxbow lakes\n\nAn oxbow lake is a U-shaped lake left by a cut-off meander.\n"
    )
    wait_for(lambda: "Oxbow" in httpx.get(f"{url}/api/guide/rivers.md").text)
    after = httpx.get(f"{url}/api/quiz/next", params={"doc": "rivers.md"}).json()
    assert after["deck"]["total"] > first["deck"]["total"]  # the new section's cards
    assert after["deck"]["new"] == after["deck"]["total"] - 1  # the reviewed card is still known
    assert after["card"]["key"] != card["key"]
