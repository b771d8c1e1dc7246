"""What an integrating developer's MCP client sees matches the HTTP API: the same bounds, the same refusals,
the same fields on hits and citations (a code citation keeps its symbol and line numbers)."""

from __future__ import annotations

from pathlib import Path

import anyio
from mcp import Client
from typer.testing import CliRunner

from notecite.cli import app

CODE_FIELDS = {"kind", "symbol", "line_start", "line_end"}


def test_mcp_tools_refuse_what_the_http_api_refuses(study_url):
    async def main():
        async with Client(f"{study_url}/mcp") as client:
            tools = {t.name: t.input_schema for t in (await client.list_tools()).tools}
            calls = [
                ("get_source", {"doc": "rivers.md", "start": 5}),  # half a span used to return the whole text
                ("search_notes", {"query": "delta", "k": 0}),  # used to be clamped to 1 silently
                ("ask_notes", {"question": "   "}),  # used to abstain as if the notes lacked the answer
                ("ask_notes", {"question": "delta " * 2000}),
            ]
            refused = [await client.call_tool(name, args) for name, args in calls]
            hits = await client.call_tool("search_notes", {"query": "river delta sediment", "k": 2})
            answer = await client.call_tool("ask_notes", {"question": "What does ATP stand for?"})
            uncovered = await client.call_tool("ask_notes", {"question": "Who won the 1998 football world cup?"})
        return tools, refused, hits, answer, uncovered

    tools, refused, hits, answer, uncovered = anyio.run(main)
    k = tools["search_notes"]["properties"]["k"]
    assert (k["minimum"], k["maximum"]) == (1, 50), k
    assert all(r.is_error for r in refused), [r.content[0].text for r in refused]
    texts = [r.content[0].text for r in refused]
    assert "give both start and end" in texts[0]
    assert "greater than or equal to 1" in texts[1]
    assert "the question is empty" in texts[2]
    assert "the limit is" in texts[3]
    assert not hits.is_error and not answer.is_error
    assert all(set(h) >= CODE_FIELDS for h in hits.structured_content["result"])
    citations = answer.structured_content["citations"]
    assert citations and all(set(c) >= CODE_FIELDS and c["kind"] == "note" for c in citations)
    assert uncovered.structured_content["abstained"] and uncovered.structured_content["nearest"]  # as /api/ask


def test_mcp_command_without_its_notes_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["mcp", "--notes", str(tmp_path / "none"), "--index", str(tmp_path / "index")])
    assert result.exit_code == 2 and result.stdout == ""  # stdout is the protocol's; it was a traceback, exit 1
    assert (
        result.stderr.strip()
        == f"error: notes folder {tmp_path / 'none'} does not exist; set NOTECITE_NOTES_DIR or --notes"
    )
