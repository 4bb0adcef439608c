"""Live updates for agent consoles: every new transcript message, from any process, reaches
the consoles watching that conversation.

One watcher task per process follows the `messages` collection with a MongoDB change stream
(inserts only), so a message recorded by another process (a Telegram webhook worker, a
second web server) fans out here too. Where the server offers no change streams the watcher
polls by `_id` instead. Handoff notices (someone asked for a human, an agent took over or
released) also tell every console to refresh its queue.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from bson import ObjectId
from pymongo.errors import OperationFailure, PyMongoError

from admin_web.console.shown import show_message
from core.logging_setup import get_logger
from core.mongo import Database, Document, as_utc
from core.shop_time import ShopClock
from dialogs.transcript import COLLECTION as MESSAGES
from dialogs.transcript import entries

log = get_logger("admin_web.console")
MAX_WATCHED = 200


@dataclass(eq=False)
class ConsoleClient:
    socket: web.WebSocketResponse
    staff_id: str
    watching: set[str] = field(default_factory=set)
    lang: str = "zh"  # the console's language: live messages are labelled in it


def message_event(doc: Mapping[str, Any], lang: str = "zh", clock: ShopClock | None = None) -> dict[str, Any]:
    """One message for a console: the raw fields plus `shown`, rendered exactly like the
    transcript the page loaded (shop-zone time, labels in the console's language)."""
    at = doc.get("at")
    payload = doc.get("payload") if isinstance(doc.get("payload"), dict) else None
    stored = doc.get("images")
    images: list[Any] = stored if isinstance(stored, list) else []
    shown = show_message(
        lang,
        clock or ShopClock(),
        key=str(doc.get("key") or ""),
        sender=str(doc.get("sender") or ""),
        kind=str(doc.get("kind") or "text"),
        text=str(doc.get("text") or ""),
        at=at if isinstance(at, datetime) else None,
        images=tuple(str(u) for u in images if isinstance(u, str)),
        payload=payload,
    )
    return {
        "type": "message",
        "conversation": str(doc.get("conversation_id") or ""),
        "direction": doc.get("direction"),
        "sender": doc.get("sender"),
        "kind": doc.get("kind"),
        "text": str(doc.get("text") or ""),
        "agent_id": doc.get("agent_id"),
        "at": as_utc(at).isoformat() if isinstance(at, datetime) else None,
        "status": (payload or {}).get("status") if doc.get("kind") == "handoff" else None,
        "shown": shown.to_event(),
    }


class ConsoleHub:
    def __init__(
        self,
        db: Database,
        *,
        poll_seconds: float = 1.0,
        use_change_stream: bool = True,
        clock: ShopClock | None = None,
    ) -> None:
        self._messages = db[MESSAGES]
        self.clock = clock or ShopClock()
        self._clients: set[ConsoleClient] = set()
        self._task: asyncio.Task[None] | None = None
        self.poll_seconds = poll_seconds
        self.use_change_stream = use_change_stream
        self.mode = "stopped"

    # --- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="admin-console-hub")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for client in list(self._clients):
            await client.socket.close()
        self._clients.clear()
        self.mode = "stopped"

    # --- clients --------------------------------------------------------------------------------
    def add(self, client: ConsoleClient) -> None:
        self._clients.add(client)

    def remove(self, client: ConsoleClient) -> None:
        self._clients.discard(client)

    async def dispatch(self, doc: Mapping[str, Any]) -> None:
        """Send the messages of one transcript document (a turn holds the customer's message and
        the bot's answers) to the consoles that watch its conversation."""
        for record in entries(dict(doc)):
            await self._dispatch_message(record)

    async def _dispatch_message(self, doc: Mapping[str, Any]) -> None:
        by_lang: dict[str, dict[str, Any]] = {}
        conversation = str(doc.get("conversation_id") or "")
        queue_changed = doc.get("kind") == "handoff"
        for client in list(self._clients):
            if client.socket.closed:
                self._clients.discard(client)
                continue
            try:
                if conversation in client.watching:
                    if client.lang not in by_lang:
                        by_lang[client.lang] = message_event(doc, client.lang, self.clock)
                    await client.socket.send_json(by_lang[client.lang])
                if queue_changed:
                    await client.socket.send_json({"type": "queue"})
            except (ConnectionError, RuntimeError):
                self._clients.discard(client)

    # --- the watcher ----------------------------------------------------------------------------
    async def _run(self) -> None:
        backoff = 0.5
        while True:
            try:
                if self.use_change_stream:
                    await self._follow_change_stream()
                else:
                    await self._poll()
            except asyncio.CancelledError:
                raise
            except OperationFailure as exc:
                # The embedded database runs without an oplog by default: poll the transcript.
                log.info("console_polls_transcript", reason=str(exc)[:200])
                self.use_change_stream = False
            except PyMongoError as exc:
                log.warning("console_watch_failed", error=type(exc).__name__)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)

    async def _follow_change_stream(self) -> None:
        pipeline: list[Document] = [{"$match": {"operationType": "insert"}}]
        async with await self._messages.watch(pipeline) as stream:
            self.mode = "change_stream"
            async for change in stream:
                document = change.get("fullDocument")
                if document:
                    await self.dispatch(document)

    async def _poll(self) -> None:
        self.mode = "polling"
        newest = await self._messages.find_one({}, {"_id": 1}, sort=[("_id", -1)])
        last: Any = newest["_id"] if newest else ObjectId()
        while True:
            await asyncio.sleep(self.poll_seconds)
            async for doc in self._messages.find({"_id": {"$gt": last}}).sort("_id", 1).limit(500):
                last = doc["_id"]
                await self.dispatch(doc)
