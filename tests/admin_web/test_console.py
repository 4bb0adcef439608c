"""The live agent console: queue, take over, live messages over the WebSocket, idle hand-back."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestClient

from admin_web.app import ADMIN_APP
from admin_web.context import ADMIN
from admin_web.i18n import translate
from commerce.api.principal import Role
from dialogs.messages import IncomingMessage
from tests.admin_web.conftest import csrf_of, make_staff, sign_in

Client = TestClient[web.Request, web.Application]
CID = "webchat:visitor-9"


async def _waiting_conversation(container: Any) -> None:
    await container.dialogs.handle(IncomingMessage.from_text("webchat", "visitor-9", "/human", lang_hint="zh"))
    state = await container.dialogs.handoff.store.get(CID)
    assert state is not None
    assert state.handoff_status == "waiting"


async def _next_event(socket: Any, wanted: str) -> dict[str, Any]:
    async with asyncio.timeout(10):
        while True:
            message = await socket.receive()
            assert message.type == WSMsgType.TEXT, message
            event = message.json()
            if event["type"] == wanted:
                return event


async def test_agent_takes_over_and_messages_arrive_live(client: Client, container: Any) -> None:
    await _waiting_conversation(container)
    await make_staff(container, "agent1", [Role.AGENT])
    await sign_in(client, "agent1")
    page = await client.get("/admin/console")
    assert page.status == 200
    assert CID in await page.text()
    token = await csrf_of(client, "/admin/console")
    socket = await client.ws_connect("/admin/console/ws")
    await _next_event(socket, "hello")
    await socket.send_json({"watch": [CID]})
    await _next_event(socket, "watching")

    taken = await client.post(f"/admin/console/c/{CID}/take", headers={"X-CSRF-Token": token, "HX-Request": "true"})
    assert taken.status == 200
    assert "reply-form" in await taken.text()
    await _next_event(socket, "queue")  # every console refreshes its queue

    sent = await client.post(
        f"/admin/console/c/{CID}/send", data={"text": "您好，我来帮您"}, headers={"X-CSRF-Token": token}
    )
    assert sent.status == 204
    event = await _next_event(socket, "message")
    while event["sender"] != "agent":
        event = await _next_event(socket, "message")
    assert event["conversation"] == CID
    assert event["text"] == "您好，我来帮您"

    # The customer writes while the agent owns the conversation: the bot stays quiet, the agent sees it.
    replies = await container.dialogs.handle(IncomingMessage.from_text("webchat", "visitor-9", "还在吗"))
    assert replies == []
    event = await _next_event(socket, "message")
    assert event["sender"] == "customer"
    assert event["text"] == "还在吗"
    await socket.close()

    released = await client.post(f"/admin/console/c/{CID}/release", headers={"X-CSRF-Token": token})
    assert released.status == 200
    state = await container.dialogs.handoff.store.get(CID)
    assert state.handoff_status == "none"


async def test_a_second_agent_cannot_write_in_a_taken_conversation(client: Client, container: Any) -> None:
    await _waiting_conversation(container)
    first = await make_staff(container, "agent1", [Role.AGENT])
    await container.dialogs.handoff.take_over(CID, first.id)
    await make_staff(container, "agent2", [Role.AGENT])
    await sign_in(client, "agent2")
    token = await csrf_of(client, "/admin/console")
    response = await client.post(f"/admin/console/c/{CID}/send", data={"text": "hi"}, headers={"X-CSRF-Token": token})
    assert response.status == 403
    assert (await client.post(f"/admin/console/c/{CID}/take", headers={"X-CSRF-Token": token})).status == 409


async def test_console_is_for_agents(client: Client, container: Any) -> None:
    await make_staff(container, "analyst", [Role.ANALYST])
    await sign_in(client, "analyst")
    assert (await client.get("/admin/console")).status == 403
    assert (await client.get("/admin/")).status == 200


async def test_idle_agent_conversation_returns_to_the_queue(client: Client, container: Any) -> None:
    await _waiting_conversation(container)
    agent = await make_staff(container, "agent1", [Role.AGENT])
    await container.dialogs.handoff.take_over(CID, agent.id)
    sweeper = client.app[ADMIN_APP][ADMIN].idle_sweeper
    assert sweeper is not None
    assert await sweeper.sweep() == []  # not idle yet
    sweeper.timeout = timedelta(seconds=-1)
    assert await sweeper.sweep() == [CID]
    state = await container.dialogs.handoff.store.get(CID)
    assert state.handoff_status == "waiting"
    assert state.handoff["reason"] == "agent_idle"
    history = await container.dialogs.services.transcript.history(CID)
    assert history[-1].sender == "system"
    assert history[-1].text == translate("zh", "customer.agent_idle")
    assert await sweeper.sweep() == []  # only once
