"""An MCP client that asks for something the notes do not hold learns why, not only that a tool failed."""

from __future__ import annotations

import anyio
from mcp import Client


def test_tool_errors_say_why(study_url):
    async def main() -> list[str]:
        async with Client(f"{study_url}/mcp") as client:
            calls = [
                ("get_source", {"doc": "../etc/passwd"}),
                ("get_source", {"doc": "rivers.md", "start": 5, "end": 10**6}),
                ("search_notes", {"query": "delta", "docs": ["nope.md"]}),
                ("ask_notes", {"question": "What is a delta?", "docs": ["nope.md"]}),
            ]
            results = [await client.call_tool(name, args) for name, args in calls]
        assert all(r.is_error for r in results)
        return [r.content[0].text for r in results]

    texts = anyio.run(main)
    assert "'../etc/passwd' is not in the index" in texts[0]
    assert "0 <= start <= end <=" in texts[1]
    assert all("'nope.md' is not in the index" in t for t in texts[2:]), texts
