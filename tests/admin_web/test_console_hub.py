"""The console hub turns each stored transcript document into the live messages it holds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from aiohttp import web

from admin_web.console.hub import ConsoleClient, ConsoleHub
from core.mongo import Database


class _Socket:
    closed = False

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send_json(self, data: dict[str, Any]) -> None:
        self.sent.append(data)


async def test_a_turn_document_reaches_the_console_as_the_customer_message_then_each_answer(db: Database) -> None:
    hub = ConsoleHub(db)
    watching, other = _Socket(), _Socket()
    hub.add(ConsoleClient(cast(web.WebSocketResponse, watching), "agent1", {"webchat:v1"}))
    hub.add(ConsoleClient(cast(web.WebSocketResponse, other), "agent2", {"webchat:v2"}))
    at = datetime(2026, 1, 1, tzinfo=UTC)
    await hub.dispatch(
        {
            "_id": 1,
            "conversation_id": "webchat:v1",
            "direction": "in",
            "sender": "customer",
            "kind": "text",
            "text": "hi",
            "at": at,
            "replies": [
                {"kind": "text", "text": "Hello!", "payload": {}, "at": at},
                {"kind": "products", "text": "Here | A", "payload": {}, "at": at},
            ],
        }
    )
    assert [(e["sender"], e["direction"], e["text"]) for e in watching.sent] == [
        ("customer", "in", "hi"),
        ("bot", "out", "Hello!"),
        ("bot", "out", "Here | A"),
    ]
    assert all(e["conversation"] == "webchat:v1" for e in watching.sent)
    assert other.sent == []
