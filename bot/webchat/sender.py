"""Delivering pushed messages to open web chat tabs; kept until the customer reconnects."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from aiohttp import web

from dialogs.messages import OutgoingMessage
from dialogs.outbound import ChannelAddress

MAX_PENDING = 50


def replies_frame(kind: str, replies: list[OutgoingMessage]) -> dict[str, Any]:
    return {"type": kind, "replies": [reply.model_dump(mode="json") for reply in replies]}


class WebchatSender:
    """OutboundSender for the web chat: every open socket of the user gets the message."""

    def __init__(self) -> None:
        self.sockets: dict[str, set[web.WebSocketResponse]] = defaultdict(set)
        self.pending: dict[str, list[OutgoingMessage]] = defaultdict(list)

    def attach(self, user: str, socket: web.WebSocketResponse) -> list[OutgoingMessage]:
        """Register a socket; returns what was pushed while the user was away."""
        self.sockets[user].add(socket)
        return self.pending.pop(user, [])

    def detach(self, user: str, socket: web.WebSocketResponse) -> None:
        sockets = self.sockets.get(user)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self.sockets[user]

    async def send(self, address: ChannelAddress, messages: list[OutgoingMessage]) -> None:
        user = address.channel_user_id
        open_sockets = [s for s in self.sockets.get(user, ()) if not s.closed]
        if not open_sockets:
            self.pending[user] = [*self.pending[user], *messages][-MAX_PENDING:]
            return
        frame = replies_frame("push", messages)
        for socket in open_sockets:
            await socket.send_json(frame)
