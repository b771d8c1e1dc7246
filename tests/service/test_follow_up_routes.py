"""/api/ask, the chat UI's stream and /v1 search a follow-up with the same rewrite: the pipeline's one."""

from __future__ import annotations

import httpx
import pytest

from service.runtime import Runtime

LORA = [
    {"role": "user", "content": "What is LoRA?"},
    {"role": "assistant", "content": "LoRA decomposes the weight update into low-rank matrices [1]."},
]
FOLLOW_UP = "why does that save memory?"


@pytest.fixture(scope="module")
def client(base_url: str):
    with httpx.Client(base_url=base_url, timeout=180) as c:
        yield c


def test_api_ask_and_v1_search_the_rewritten_follow_up(client: httpx.Client, runtime: Runtime) -> None:
    expected = runtime.served.pipeline.query_for(FOLLOW_UP, LORA)
    assert expected.startswith(FOLLOW_UP) and "lora" in expected.lower().removeprefix(FOLLOW_UP)

    asked = client.post("/api/ask", json={"question": FOLLOW_UP, "history": LORA}).json()
    assert asked["question"] == FOLLOW_UP and asked["query"] == expected

    messages = [{"role": "system", "content": "Answer from my notes."}, *LORA, {"role": "user", "content": FOLLOW_UP}]
    chat = client.post("/v1/chat/completions", json={"model": "notecite", "messages": messages}).json()
    # /v1 shows no query; its citations come from the same sources /api/ask retrieved with that query
    assert chat["citations"], chat
    sources = [(s["doc"], s["start"], s["end"]) for s in asked["sources"]]
    for c in chat["citations"]:
        assert any(doc == c["doc"] and start <= c["start"] and c["end"] <= end for doc, start, end in sources), c
