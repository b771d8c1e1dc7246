"""The MCP server, driven by the official SDK's own client: over streamable HTTP at /mcp inside the API,
and over stdio as `notecite mcp`."""

from __future__ import annotations

import json
import sys

import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters

TOOLS = {"search_notes", "ask_notes", "get_source"}


def payload(result) -> object:  # noqa: ANN001 - mcp CallToolResult
    assert not result.is_error, result
    if result.structured_content is not None:
        content = result.structured_content
        return content.get("result", content) if isinstance(content, dict) else content
    return json.loads(result.content[0].text)


async def exercise(client: Client) -> None:
    tools = {tool.name for tool in (await client.list_tools()).tools}
    assert tools >= TOOLS
    hits = payload(await client.call_tool("search_notes", {"query": "river delta sediment", "k": 3}))
    assert hits[0]["doc"] == "rivers.md"
    scoped = payload(await client.call_tool("search_notes", {"query": "sediment", "docs": ["optimizers.md"]}))
    assert {h["doc"] for h in scoped} == {"optimizers.md"}
    answer = payload(await client.call_tool("ask_notes", {"question": "What does ATP stand for?"}))
    assert not answer["abstained"] and answer["citations"][0]["doc"] == "biology_flashcards.txt"
    cited = answer["citations"][0]
    span = {"doc": cited["doc"], "start": cited["start"], "end": cited["end"]}
    source = payload(await client.call_tool("get_source", span))
    assert source["text"] == cited["quote"]
    missing = await client.call_tool("get_source", {"doc": "nope.md"})
    assert missing.is_error


def test_mcp_over_streamable_http(study_url):
    async def main() -> None:
        async with Client(f"{study_url}/mcp") as client:
            await exercise(client)

    anyio.run(main)


def test_mcp_over_stdio(study_root, study_runtime):
    settings = study_runtime.settings
    no_code = study_root / "no-code"
    no_code.mkdir(exist_ok=True)
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "notecite.cli", "mcp", "--notes", str(settings.notes_dir), "--index", str(settings.index_dir)],
        env={
            "NOTECITE_GENERATOR": "none",
            "NOTECITE_CODE_DIR": str(no_code),
            "NOTECITE_UPLOAD_DIR": str(settings.uploads),
            "HF_HUB_OFFLINE": "1",
            "PATH": "/usr/bin:/bin",
        },
    )

    async def main() -> None:
        async with Client(params, read_timeout_seconds=120) as client:
            await exercise(client)

    anyio.run(main)
