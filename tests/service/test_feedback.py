"""FeedbackStore and the /api/feedback routes, on a minimal app that mounts only the feedback router."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.settings import Settings
from service.errors import install_error_handlers
from service.feedback import FeedbackStore
from service.routes.feedback import router

CITATION = {"n": 1, "kind": "note", "doc": "a.md", "breadcrumbs": ["A"], "start": 0, "end": 5, "quote": "hi"}


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    store = FeedbackStore(tmp_path / "var" / "feedback.sqlite3")
    yield store
    store.close()


def make_client(store: FeedbackStore, api_key: str | None = None) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)
    app.state.feedback = store
    app.state.settings = Settings(_env_file=None, api_key=api_key)
    app.include_router(router)
    return TestClient(app)


@pytest.fixture
def client(store: FeedbackStore) -> TestClient:
    return make_client(store)


def test_store_round_trip_newest_first(store: FeedbackStore) -> None:
    first = store.add(question="q1", answer="a1", citations=[CITATION], rating="up", answer_id="x1")
    second = store.add(question="q2 — ünïcode", answer="a2", citations=[], rating="down")
    records = store.list()
    assert [r.id for r in records] == [second.id, first.id]
    assert records[1].citations == [CITATION]
    assert records[1].answer_id == "x1"
    assert records[0].question == "q2 — ünïcode"
    assert store.counts() == {"up": 1, "down": 1}
    assert [r.id for r in store.list(rating="up")] == [first.id]


def test_store_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(path)
    store.add(question="q", answer="a", citations=[], rating="up")
    store.close()
    reopened = FeedbackStore(path)
    assert [r.question for r in reopened.list()] == ["q"]
    reopened.close()


def test_store_rejects_unknown_rating(store: FeedbackStore) -> None:
    with pytest.raises(ValueError, match="rating"):
        store.add(question="q", answer="a", citations=[], rating="meh")  # type: ignore[arg-type]


def test_post_then_get(client: TestClient) -> None:
    body = {
        "question": "What is Adam?",
        "answer": "An optimizer [1].",
        "citations": [CITATION],
        "rating": "up",
        "answer_id": "abc",
    }
    created = client.post("/api/feedback", json=body)
    assert created.status_code == 201
    assert created.json()["rating"] == "up"
    assert created.json()["citations"] == [CITATION]
    client.post("/api/feedback", json={**body, "rating": "down"})

    listed = client.get("/api/feedback").json()
    assert [f["rating"] for f in listed["feedback"]] == ["down", "up"]
    assert listed["feedback"][1]["question"] == "What is Adam?"
    assert listed["counts"] == {"up": 1, "down": 1}
    assert len(client.get("/api/feedback", params={"limit": 1}).json()["feedback"]) == 1
    assert [f["rating"] for f in client.get("/api/feedback", params={"rating": "up"}).json()["feedback"]] == ["up"]


BAD_BODIES = [
    {"question": "q", "answer": "a", "rating": "sideways"},
    {"question": "", "answer": "a", "rating": "up"},
    {"answer": "a", "rating": "up"},
    {"question": "q", "answer": "a", "rating": "up", "citations": "not a list"},
    {"question": "q", "answer": "a", "rating": "up", "unknown": 1},
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_post_rejects_bad_input_with_json_error(client: TestClient, body: dict) -> None:
    response = client.post("/api/feedback", json=body)
    assert response.status_code == 422
    assert set(response.json()) == {"error", "detail"}
    assert client.get("/api/feedback").json()["feedback"] == []


def test_post_rejects_a_question_over_the_settings_limit(client: TestClient) -> None:
    limit = Settings(_env_file=None).limits.max_question_chars  # the same limit /api/ask applies
    response = client.post("/api/feedback", json={"question": "q" * (limit + 1), "answer": "a", "rating": "up"})
    assert response.status_code == 413 and str(limit) in response.json()["detail"]
    assert client.get("/api/feedback").json()["feedback"] == []


def test_post_rejects_body_that_is_not_json(client: TestClient) -> None:
    headers = {"content-type": "application/json"}
    response = client.post("/api/feedback", content=b"{not json", headers=headers)
    assert response.status_code == 400
    assert response.json()["error"] == "bad request"


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 5000}, {"rating": "meh"}])
def test_get_rejects_bad_query(client: TestClient, params: dict) -> None:
    response = client.get("/api/feedback", params=params)
    assert response.status_code == 422
    assert set(response.json()) == {"error", "detail"}


def test_post_needs_the_api_key_when_one_is_set(store: FeedbackStore) -> None:
    client = make_client(store, api_key="s3cret")
    body = {"question": "q", "answer": "a", "rating": "up"}
    refused = client.post("/api/feedback", json=body)
    assert refused.status_code == 401
    assert refused.json()["error"] == "unauthorized"
    wrong = client.post("/api/feedback", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    accepted = client.post("/api/feedback", json=body, headers={"Authorization": "Bearer s3cret"})
    assert accepted.status_code == 201
    assert [f["question"] for f in client.get("/api/feedback").json()["feedback"]] == ["q"]
