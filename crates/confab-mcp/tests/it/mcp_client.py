"""Drives an MCP server with the official Python SDK's Streamable HTTP client.

Reads a plan on stdin: {"url", "key", "calls": [{"name", "arguments"}]}. Connects with
`Authorization: Bearer <key>`, initializes, lists the tools, makes the calls in order and
prints one JSON object: {"server", "tools", "results"}, or {"error"} when the connection
itself fails (a refused key), with "statuses": every HTTP status the client received.
"""

import asyncio
import json
import sys

import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


STATUSES = []


async def record(response):
    STATUSES.append(response.status_code)


async def run(plan):
    headers = {"Authorization": f"Bearer {plan['key']}"}
    hooks = {"response": [record]}
    async with httpx2.AsyncClient(headers=headers, timeout=30, event_hooks=hooks) as http:
        async with streamable_http_client(plan["url"], http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                init = await session.initialize()
                tools = await session.list_tools()
                results = []
                for call in plan["calls"]:
                    result = await session.call_tool(call["name"], call.get("arguments", {}))
                    results.append(dump(result))
                return {
                    "server": dump(init),
                    "tools": [dump(t) for t in tools.tools],
                    "results": results,
                }


def describe(error):
    """The whole chain of an exception (task groups wrap the HTTP error)."""
    parts = [f"{type(error).__name__}: {error}"]
    for inner in getattr(error, "exceptions", []) or []:
        parts.append(describe(inner))
    if error.__cause__ is not None:
        parts.append(describe(error.__cause__))
    return " | ".join(parts)


def main():
    plan = json.load(sys.stdin)
    try:
        out = asyncio.run(run(plan))
    except BaseException as error:  # noqa: BLE001 - the test reads what went wrong
        out = {"error": describe(error)}
    out["statuses"] = STATUSES
    print(json.dumps(out))


main()
